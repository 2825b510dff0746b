"""python manage.py draw_sample --year Y (--size N | --share P) [--seed S] [--status any] [--format json]:
the spot-check sample a draw with these parameters gives (issue 16), riskiest first, each project with its risk
and reasons. It stores nothing: the web's 抽查复核 page with the same parameters draws and keeps the same projects."""

import json
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from performance.spotchecks.models import SpotCheck
from performance.spotchecks.services import new_seed, sample


def _share(text: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation as error:
        raise CommandError(f"抽取比例“{text}”不是数字。") from error


class Command(BaseCommand):
    help = "抽查复核：按风险加权、可复现地抽取某年度的项目样本，列出每个项目的风险分和风险原因。"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        how = parser.add_mutually_exclusive_group(required=True)
        how.add_argument("--size", type=int, help="抽取数量")
        how.add_argument("--share", type=_share, help="抽取比例（%%），如 10 表示 10%%")
        parser.add_argument("--seed", type=int, help="随机种子（不填则随机选取并打印）")
        parser.add_argument(
            "--status",
            choices=["approved", "any"],
            default="approved",
            help="approved：已审核的项目（默认）；any：全部项目",
        )
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, year, size, share, seed, status, format, **options):
        seed = new_seed() if seed is None else seed
        scope = SpotCheck.Scope.ANY if status == "any" else SpotCheck.Scope.APPROVED
        try:
            drawn, population = sample(year=year, seed=seed, size=size, share=share, scope=scope)
        except ValidationError as error:
            raise CommandError("；".join(error.messages)) from error
        if format == "json":
            out = {
                "year": year,
                "seed": seed,
                "size": size,
                "share": None if share is None else str(share),
                "status": status,
                "population": population,
                "sample": [
                    {
                        "rank": d.rank,
                        "project_id": d.project.pk,
                        "department": d.project.unit.department.code,
                        "unit": str(d.project.unit),
                        "code": d.project.code,
                        "name": d.project.name,
                        "risk": d.risk.score,
                        "reasons": d.risk.reasons,
                    }
                    for d in drawn
                ],
            }
            self.stdout.write(json.dumps(out, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{year}年度 随机种子 {seed}：从 {population} 个项目中抽取 {len(drawn)} 个")
        for d in drawn:
            self.stdout.write(f"{d.rank}. [{d.risk.score}] {d.project.unit} {d.project.name}")
            for reason in d.risk.reasons:
                self.stdout.write(f"     {reason}")

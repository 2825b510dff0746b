"""python manage.py rescore [--year Y]: compute every stored score again and report what changed (issue 20)."""

from budgets.models import Project
from performance.management.base import DataCommand
from performance.scores.store import Figures, rescore

SHOWN = 50  # changed projects listed one by one; the rest are counted


def _figures(figures: Figures | None) -> str:
    if figures is None:
        return "（无）"
    rate = "—" if figures.rate is None else f"{figures.rate * 100:.2f}%"
    grade = figures.grade or "未填报"
    return f"总分{figures.total:.2f} {grade} 执行率{rate}"


class Command(DataCommand):
    help = "按评分规则重新计算已保存的得分（项目总分、等级、预算执行率和每行得分），报告改动了什么。"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="只重算该年度的项目；不填则为全部项目")
        parser.add_argument("--quiet", action="store_true", help="只在有改动时输出")

    def handle(self, *args, year=None, quiet=False, **options):
        projects = Project.objects.all() if year is None else Project.objects.filter(year=year)
        result = rescore(projects)
        names = dict(
            Project.objects.filter(pk__in=[pk for pk, _was, _now in result.changed[:SHOWN]]).values_list("pk", "name")
        )
        for pk, was, now in result.changed[:SHOWN]:
            self.stdout.write(f"项目{pk} {names.get(pk, '')}：{_figures(was)} → {_figures(now)}")
        if len(result.changed) > SHOWN:
            self.stdout.write(f"……另有{len(result.changed) - SHOWN}个项目的得分有变化。")
        if not result:
            if not quiet:
                self.stdout.write(f"重算了{result.scored}个项目，已保存的得分都与计算一致，没有改动。")
            return
        self.stdout.write(
            f"重算了{result.scored}个项目：{len(result.changed)}个项目的得分、{result.rows_changed}行指标得分已更新。"
        )

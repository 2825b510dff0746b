"""python manage.py import_disclosure FILE [--year Y] [--dry-run]: load a 部门预算信息公开情况说明.

Reads the seed's text layout or a .docx of the same template, lists what it could not read (gaps,
with their place), saves everything in one transaction, then prints the consistency checks (SPEC 9)
and the target review (SPEC 8) of what it loaded. A document that cannot be read exits 1 and
writes nothing.
"""

from pathlib import Path

from django.core.management.base import CommandError

from performance.disclosure.importer import import_disclosure
from performance.disclosure.model import UnreadableDisclosure
from performance.management.base import DataCommand


class Command(DataCommand):
    help = "导入部门预算信息公开情况说明（文本或 .docx），列出未能读取之处，并做勾稽检查和目标审核。"

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--year", type=int, help="年度（默认取标题中的年度）")
        parser.add_argument("--dry-run", action="store_true", help="只预览，不保存")

    def handle(self, *args, file, year, dry_run, **options):
        try:
            content = file.read_bytes()
        except OSError as error:
            raise CommandError(f"无法读取文件 {file}：{error.strerror}") from error
        try:
            outcome = import_disclosure(content=content, year=year, dry_run=dry_run)
        except UnreadableDisclosure as error:
            raise CommandError(f"{file.name} 无法导入，未保存任何数据：{error}") from error
        write = self.stdout.write
        write(f"{outcome.department} {outcome.year}年")
        write(f"\n未能读取（{len(outcome.gaps)}处）：" if outcome.gaps else "\n全部内容均已读取。")
        for gap in outcome.gaps:
            write(f"  {gap}")
        write("\n导入内容：")
        for label, count in outcome.counts.items():
            write(f"  {label}: {count}")
        passed = len(outcome.checks) - len(outcome.failed)
        write(f"\n勾稽检查：{len(outcome.checks)}项，通过{passed}项，问题{len(outcome.failed)}项")
        for check in outcome.failed:
            where = f"（{check['where']}）" if check["where"] else ""
            write(f"  [{check['section_label']}] {check['title']}{where}：{check['message']}")
        write(f"\n目标审核：{len(outcome.findings)}条")
        for finding in outcome.findings:
            row = f"第{finding['row']}行 {finding['indicator']}" if finding["row"] else "整个项目"
            write(f"  [{finding['severity']}] {finding['project']} {row}：{finding['message']}")
        if dry_run:
            write(self.style.WARNING("\n预览（--dry-run）：未保存任何数据。"))
        else:
            write(self.style.SUCCESS(f"\n已导入：新增 {outcome.created} 行，更新 {outcome.changed} 行。"))

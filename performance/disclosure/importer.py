"""Import a disclosure file (text layout or .docx): read, write all-or-nothing, check and review it.

``import_disclosure`` is the service behind the ``import_disclosure`` command and the upload page.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from budgets.consistency import check_budget, failures, load_budget
from budgets.models import Project

from ..review import review_projects
from ..scores.keep import kept_scores
from .docx import read_docx
from .model import Gap, ParsedDisclosure, UnreadableDisclosure
from .parse import parse_blocks
from .text import read_text

ZIP_MAGIC = b"PK\x03\x04"


@dataclass
class ImportOutcome:
    """What an import read, wrote (or would write, on a dry run), and what the checks found."""

    department: str
    year: int
    gaps: list[Gap]
    counts: dict[str, int]
    created: int
    changed: int
    checks: list[dict] = field(default_factory=list)  # every consistency check (Check.as_dict)
    failed: list[dict] = field(default_factory=list)  # the ones that count as problems
    findings: list[dict] = field(default_factory=list)  # target review (Finding.as_dict)
    dry_run: bool = False


class _DryRun(Exception):
    pass


def _check(check) -> dict:
    return {**check.as_dict(), "section_label": check.section_label}


def read_disclosure(content: bytes, *, year: int | None = None) -> ParsedDisclosure:
    """Parse a .docx (by its zip signature) or a UTF-8/GB18030 text of the template."""
    if content.startswith(ZIP_MAGIC):
        blocks = read_docx(content)
    else:
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = content.decode("gb18030")
            except UnicodeDecodeError as error:
                raise UnreadableDisclosure("文件既不是 .docx，也不是 UTF-8 或 GB18030 编码的文本。") from error
        blocks = read_text(text)
    return parse_blocks(blocks, year=year)


def import_disclosure(*, content: bytes, year: int | None = None, dry_run: bool = False) -> ImportOutcome:
    """Read the file and save it in one transaction; ``UnreadableDisclosure`` leaves nothing written.

    A dry run writes, checks and reviews inside the transaction and then rolls it back, so the
    preview shows exactly what a real import would save and find.
    """
    # Imported here: write imports the models, which the text/docx readers do not need.
    from .write import write_disclosure

    parsed = read_disclosure(content, year=year)
    outcome = None
    try:
        with transaction.atomic(), kept_scores():
            try:
                written = write_disclosure(parsed.data)
            except ValidationError as error:
                messages = "；".join(error.messages)
                raise UnreadableDisclosure(f"数据不能保存：{messages}") from error
            budget = load_budget(written.department, written.budget.year)
            projects = Project.objects.filter(pk__in=[p.pk for p in written.projects]).order_by(
                "unit__order", "order", "id"
            )
            checks = check_budget(budget, projects=projects)
            outcome = ImportOutcome(
                department=str(written.department),
                year=written.budget.year,
                gaps=parsed.gaps,
                counts=written.summary.counts,
                created=written.summary.created,
                changed=written.summary.changed,
                checks=[_check(check) for check in checks],
                failed=[_check(check) for check in failures(checks)],
                findings=[finding.as_dict() for finding in review_projects(projects)],
                dry_run=dry_run,
            )
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return outcome

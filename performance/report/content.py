"""What a self-evaluation report says: the figures, gathered from the data (each project's evaluation JSON, SPEC
section 12, so the report and the JSON cannot disagree), its rectification items and results application opinions,
and the free-text sections, as the user edited them or drafted from the data."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from budgets.models import Department, Project, Unit
from budgets.permissions import PROJECT_ORDER

from ..exports import evaluations_document
from ..rectification.models import RectificationItem
from ..results.models import ResultOpinion
from .models import ReportText

# The free-text sections, in the order the report has them: (key, the title on the edit page).
SECTIONS = [
    ("overview", gettext_lazy("一、基本情况：项目概况")),
    ("conclusion", gettext_lazy("二、绩效目标及完成情况：自评结论")),
    ("problems", gettext_lazy("三、存在的问题及原因分析")),
    ("measures", gettext_lazy("四、整改措施及结果应用：改进措施")),
    ("other", gettext_lazy("五、其他需要说明的情况")),
]
TEXT_LENGTH = 5000


@dataclass(frozen=True)
class Scope:
    """What a report covers: one project, or a unit's or a department's year."""

    year: int
    projects: QuerySet[Project]
    project: Project | None = None
    unit: Unit | None = None
    department: Department | None = None

    @property
    def name(self) -> str:
        if self.project is not None:
            return self.project.name
        return (self.unit or self.department).name

    @property
    def unit_name(self) -> str:
        if self.project is not None:
            return self.project.unit.name
        return (self.unit or self.department).name

    def stored(self) -> ReportText | None:
        if self.project is not None:
            return ReportText.objects.filter(project=self.project).first()
        if self.unit is not None:
            return ReportText.objects.filter(unit=self.unit, year=self.year).first()
        return ReportText.objects.filter(department=self.department, year=self.year).first()

    def new_text(self) -> ReportText:
        return ReportText(project=self.project, unit=self.unit, department=self.department, year=self.year)


def project_scope(project: Project) -> Scope:
    return Scope(year=project.year, projects=Project.objects.filter(pk=project.pk), project=project)


def year_scope(projects: QuerySet[Project], year: int, *, unit: Unit | None = None, department=None) -> Scope:
    """A unit's or a department's year, over ``projects`` (those the reader may see)."""
    chosen = projects.filter(year=year)
    chosen = chosen.filter(unit=unit) if unit is not None else chosen.filter(unit__department=department)
    return Scope(year=year, projects=chosen.order_by(*PROJECT_ORDER), unit=unit, department=department)


@dataclass
class Report:
    scope: Scope
    documents: list[dict]  # the evaluation JSON of each project (with its "id"), in order
    items: list[RectificationItem]
    opinions: dict[int, ResultOpinion]  # by project id (each document's "id")
    texts: dict[str, str] = field(default_factory=dict)
    edited: ReportText | None = None

    @property
    def single(self) -> bool:
        return self.scope.project is not None


def _drafts(scope: Scope, documents: list[dict], items: list[RectificationItem]) -> dict[str, str]:
    """The sections as first drafted from the data (no figures: those are printed from the data beside them)."""
    if scope.project is not None:
        document = documents[0] if documents else {}
        overview = _("“%(name)s”项目由%(unit)s实施。%(goal)s") % {
            "name": scope.project.name,
            "unit": scope.project.unit.name,
            "goal": (document.get("goal") or "").strip(),
        }
    else:
        overview = _("%(name)s%(year)s年度项目支出绩效自评情况如下。") % {"name": scope.name, "year": scope.year}
    grades = {document["grade"] for document in documents}
    if grades and grades <= {"优", "良"}:
        conclusion = _("总体完成了年度绩效目标，资金使用较为规范，取得了预期效果。")
    else:
        conclusion = _("部分年度绩效目标未能完成，存在的问题和原因见第三部分。")
    reasons = []
    for document in documents:
        for row in document["indicators"]:
            if row["reason_required"] and row["deviation_reason"].strip():
                prefix = "" if scope.project is not None else f"{document['project_name']}："
                reasons.append(f"{prefix}{row['level3']}：{row['deviation_reason'].strip()}")
        if document["budget"]["deviation_reason"].strip():
            reasons.append(_("预算执行：%(reason)s") % {"reason": document["budget"]["deviation_reason"].strip()})
    problems = "\n".join(reasons) or _("无。")
    if items:
        measures = _("针对发现的问题，按整改要求逐项落实整改（整改事项见下表），并将评价结果应用于下年度预算安排。")
    else:
        measures = _("将评价结果应用于下年度预算安排，持续加强预算和绩效管理。")
    return {
        "overview": overview,
        "conclusion": conclusion,
        "problems": problems,
        "measures": measures,
        "other": _("无。"),
    }


def gather(scope: Scope, *, items: QuerySet[RectificationItem] | None = None) -> Report:
    """The report of ``scope``: the evaluation JSON of its projects, the rectification items (of ``items``: those the
    reader may see) of its projects and year, its opinions, and the texts (as edited, else drafted)."""
    projects = scope.projects.order_by(*PROJECT_ORDER)
    documents = evaluations_document(projects, with_ids=True)["projects"]
    items = items if items is not None else RectificationItem.objects.all()
    if scope.project is not None:
        items = items.filter(project=scope.project)
    else:
        owners = Q(unit=scope.unit) if scope.unit is not None else Q(unit__department=scope.department)
        items = items.filter(Q(project__in=projects) | (owners & Q(year=scope.year, project__isnull=True)))
    items = list(items.select_related("unit", "project").order_by("due_date", "id"))
    opinions = {opinion.project_id: opinion for opinion in ResultOpinion.objects.filter(project__in=projects)}
    edited = scope.stored()
    texts = _drafts(scope, documents, items)
    if edited is not None:
        texts.update({key: value for key, value in edited.sections.items() if key in texts})
    return Report(scope=scope, documents=documents, items=items, opinions=opinions, texts=texts, edited=edited)

"""Project list, project page, dashboard and the list download (issue 4).

Scores are computed on demand (``performance.services.score_projects``, a constant number of
queries). The list scores only the page it shows while it is sorted by a stored column; sorted by
a computed column (rate, total, grade) or filtered by grade, it scores the whole filtered set so the
order and the filter are right. Either way the query count does not grow with the rows.
"""

from collections import Counter, defaultdict
from decimal import ROUND_HALF_UP, Decimal
from io import BytesIO

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, Value
from django.db.models.functions import Coalesce
from django.http import FileResponse
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django_tables2 import RequestConfig
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from budgets.models import FUND_SOURCES, STAGES, Project
from budgets.permissions import can_edit_unit, can_review_unit, projects_for

from ..filters import GRADES, DashboardFilter, ProjectFilter
from ..history import project_history
from ..models import ActualResult, Evaluation, Evidence, ProjectGoal
from ..review import review_projects
from ..services import SCORING_INDICATORS, indicators_for_scoring, score_project, score_projects
from ..tables import ProjectTable, attach_scores

Status = Evaluation.Status
COMPUTED_COLUMNS = {"grade", "rate", "total"}
CENT = Decimal("0.01")
BEHIND = 10


def _listed_projects(user):
    """The projects the user may see, with what the list shows, newest year first."""
    return (
        projects_for(user)
        .select_related("unit__department", "evaluation")
        .annotate(status_code=Coalesce("evaluation__status", Value(Status.DRAFT)))
        .order_by("-year", "unit__department__code", "unit__order", "order", "id")
    )


def _project_table(request, *, score_all: bool = False) -> tuple[ProjectFilter, ProjectTable, bool]:
    filterset = ProjectFilter(request.GET or None, queryset=_listed_projects(request.user), request=request)
    projects = filterset.qs
    sort = request.GET.get("sort", "").lstrip("-")
    grade = filterset.grade_wanted
    score_all = score_all or sort in COMPUTED_COLUMNS or bool(grade)
    if score_all:
        projects = list(projects)
        attach_scores(projects, score_projects(projects))
        if grade:
            projects = [project for project in projects if project.score_grade == grade]
    return filterset, ProjectTable(projects), score_all


@login_required
def project_list(request):
    """The projects the user may see: filtered, searched, sorted, 25 a page, with computed scores."""
    filterset, table, scored = _project_table(request)
    RequestConfig(request, paginate={"per_page": ProjectTable._meta.per_page}).configure(table)
    if not scored:
        page = [row.record for row in table.page.object_list]
        attach_scores(page, score_projects(page))
    export_query = request.GET.urlencode()
    return render(
        request,
        "performance/project_list.html",
        {"filter": filterset, "table": table, "export_query": export_query},
    )


XLSX_FORMATS = {"year": "0", "rate": "0.00%", "total": "0.00"}
XLSX_WIDTHS = {"year": 8, "department": 24, "unit": 28, "name": 40, "status": 10, "grade": 8, "rate": 14, "total": 10}


@login_required
def project_list_export(request):
    """The filtered (and sorted) list as xlsx, every row, numbers as numbers."""
    _filterset, table, _scored = _project_table(request, score_all=True)
    RequestConfig(request, paginate=False).configure(table)
    names = [column.name for column in table.columns.iterall() if not column.column.exclude_from_export]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("项目列表")
    for values in table.as_values():
        sheet.append(values)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(horizontal="center", vertical="center")
    for index, name in enumerate(names, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = XLSX_WIDTHS.get(name, 12)
        number_format = XLSX_FORMATS.get(name)
        if number_format:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = number_format
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.print_title_rows = "1:1"
    output = BytesIO()
    workbook.save(output)
    output.seek(0)
    return FileResponse(output, as_attachment=True, filename=_("项目列表.xlsx"))


def _url_or_none(name: str, *args) -> str | None:
    """The URL of a page another part of the app provides, or None while it does not exist."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _actions(user, project: Project, evaluation: Evaluation | None) -> dict[str, str | None]:
    """The workflow actions this user may take on this project now: {name: url}."""
    status = evaluation.status if evaluation else Status.DRAFT
    actions = {}
    if can_edit_unit(user, project.unit) and status in (Status.DRAFT, Status.RETURNED):
        actions["edit"] = _url_or_none("performance:evaluation-edit", project.pk)
        if evaluation is not None:
            actions["submit"] = _url_or_none("performance:evaluation-submit", project.pk)
    if evaluation is not None and can_review_unit(user, project.unit):
        if status == Status.SUBMITTED:
            actions["return"] = _url_or_none("performance:evaluation-return", project.pk)
            actions["approve"] = _url_or_none("performance:evaluation-approve", project.pk)
        elif status == Status.APPROVED:
            actions["reopen"] = _url_or_none("performance:evaluation-reopen", project.pk)
    return {name: url for name, url in actions.items() if url}


def _budget_rows(project: Project) -> list[dict]:
    labels = {"initial": _("年初预算数"), "full_year": _("全年预算数"), "executed": _("全年执行数")}
    return [
        {
            "label": labels[stage],
            "total": project.total(stage),
            "sources": [project.sources(stage)[s] for s in FUND_SOURCES],
        }
        for stage in STAGES
    ]


def _result(indicator) -> ActualResult | None:
    try:
        return indicator.result
    except ActualResult.DoesNotExist:
        return None


@login_required
def project_detail(request, pk: int):
    """A project's self-evaluation: goal, money, indicators with computed scores, status, history."""
    project = get_object_or_404(
        projects_for(request.user)
        .select_related("unit__department", "goal", "evaluation__submitted_by", "evaluation__reviewed_by")
        .prefetch_related(Prefetch("indicators", queryset=indicators_for_scoring(), to_attr=SCORING_INDICATORS)),
        pk=pk,
    )
    score = score_project(project)
    indicators = getattr(project, SCORING_INDICATORS)
    rows = [
        {"indicator": indicator, "result": _result(indicator), "score": row}
        for indicator, row in zip(indicators, score.rows, strict=True)
    ]
    try:
        evaluation = project.evaluation
    except Evaluation.DoesNotExist:
        evaluation = None
    try:
        goal = project.goal
    except ProjectGoal.DoesNotExist:
        goal = None
    context = {
        "project": project,
        "goal": goal,
        "evaluation": evaluation,
        "status": evaluation.status if evaluation else Status.DRAFT,
        "status_label": evaluation.get_status_display() if evaluation else Status.DRAFT.label,
        "score": score,
        "rate_percent": None if score.budget.rate is None else f"{score.budget.rate * 100:.2f}%",
        "rows": rows,
        "budget_rows": _budget_rows(project),
        "actions": _actions(request.user, project, evaluation),
        "history": project_history(project),
        "evidence": list(
            Evidence.objects.filter(project=project)
            .select_related("indicator", "uploaded_by")
            .order_by("uploaded_at", "id")
        ),
        "evidence_url": _url_or_none("performance:evidence-download", 0),
        "api_url": _url_or_none("api:project-evaluation", project.pk),
        "sheet_url": _url_or_none("performance:sheet-project", project.pk),
        "review_findings": review_projects([project]),
    }
    return render(request, "performance/project_detail.html", context)


def _average(values: list[Decimal]) -> Decimal | None:
    if not values:
        return None
    return (sum(values, Decimal("0")) / len(values)).quantize(CENT, rounding=ROUND_HALF_UP)


@login_required
def dashboard(request):
    """A department's (or every visible department's) year: status counts, scores, grades, who is behind."""
    visible = projects_for(request.user)
    filterset = DashboardFilter(request.GET or None, queryset=visible, request=request)
    year = filterset.chosen_year
    projects = []
    if year is not None:
        projects = list(
            filterset.qs.filter(year=year)
            .select_related("unit__department", "evaluation")
            .annotate(status_code=Coalesce("evaluation__status", Value(Status.DRAFT)))
            .order_by("unit__department__code", "unit__order", "order", "id")
        )
    attach_scores(projects, score_projects(projects))
    for project in projects:
        project.status_label = Status(project.status_code).label
    statuses = Counter(project.status_code for project in projects)
    started = [project for project in projects if project.score_started]
    grades = Counter(project.score_grade for project in started)
    status_counts = [{"code": code, "label": label, "count": statuses[code]} for code, label in Status.choices]
    grade_counts = [{"grade": grade, "count": grades[grade]} for grade, _label in GRADES]
    with_rate = [project for project in projects if project.score_rate is not None]
    chart = {
        "grades": {"labels": [str(g["grade"]) for g in grade_counts], "counts": [g["count"] for g in grade_counts]},
        "statuses": {"labels": [str(s["label"]) for s in status_counts], "counts": [s["count"] for s in status_counts]},
        "dataset_grades": _("项目数"),
    }
    by_unit = defaultdict(list)
    for project in projects:
        by_unit[project.unit].append(project)
    context = {
        "filter": filterset,
        "year": year,
        "projects": projects,
        "status_counts": status_counts,
        "grade_counts": grade_counts,
        "not_started": len(projects) - len(started),
        "average": _average([project.score_total for project in started]),
        "average_rate": _average([project.score_rate * 100 for project in with_rate]),
        "lowest_total": sorted(started, key=lambda p: (p.score_total, p.pk))[:BEHIND],
        "lowest_rate": sorted(with_rate, key=lambda p: (p.score_rate, p.pk))[:BEHIND],
        "units": [
            {
                "unit": unit,
                "count": len(rows),
                "approved": sum(1 for row in rows if row.status_code == Status.APPROVED),
                "average": _average([row.score_total for row in rows if row.score_started]),
            }
            for unit, rows in by_unit.items()
        ],
        "chart": chart,
    }
    return render(request, "performance/dashboard.html", context)

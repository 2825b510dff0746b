"""Project list, project page, dashboard and the list download.

Scores are computed on demand (``performance.services.score_projects``, a constant number of
queries). The list scores only the page it shows while it is sorted by a stored column; sorted by
a computed column (rate, total, grade) or filtered by grade, it scores the whole filtered set so the
order and the filter are right. Either way the query count does not grow with the rows.

What costs the most is cached under versions of the data it shows (``performance.page_cache``):
each listed project's score and each page of the rendered table; on the project page, the parts that look
the same to every viewer. A version is read from the database on every request, so a save shows at once.
"""

import hashlib
from collections import Counter, defaultdict
from decimal import ROUND_HALF_UP, Decimal
from io import BytesIO

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db.models import Prefetch, Value, prefetch_related_objects
from django.db.models.functions import Coalesce
from django.http import FileResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject, cached_property
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django_tables2 import RequestConfig

from budgets.models import FUND_SOURCES, STAGES, Project
from budgets.permissions import PROJECT_ORDER, can_edit_unit, can_review_unit, projects_for

from ..carry_forward import carried_actuals, same_project
from ..declaration.models import TargetSet
from ..declaration.services import baseline_differences, baseline_targets
from ..declaration.views import targets_panel
from ..exports import project_list_workbook
from ..filters import GRADES, DashboardFilter, ProjectFilter
from ..history import project_history
from ..models import Evaluation, Evidence, MonitoringRound, ProjectGoal, evaluation_of, result_of
from ..page_cache import PAGE_CACHE_SECONDS, context_version, project_page_version, project_row_versions
from ..review import review_projects
from ..scoring import EvaluationScore
from ..services import SCORING_INDICATORS, indicators_for_scoring, score_project, score_projects
from ..tables import ListedScore, ProjectTable, attach_scores

Status = Evaluation.Status
COMPUTED_COLUMNS = {"grade", "rate", "total"}
CENT = Decimal("0.01")
BEHIND = 10
SCORE_CHUNK = 500  # projects scored per call when many scores are not cached


def _listed_projects(user):
    """The projects the user may see, with what the list shows, newest year first."""
    return (
        projects_for(user)
        .select_related("unit__department", "evaluation")
        .annotate(
            status_code=Coalesce("evaluation__status", Value(Status.DRAFT)),
            targets_code=Coalesce("target_set__status", Value(TargetSet.Status.DRAFT)),
        )
        .order_by("-year", *PROJECT_ORDER)
    )


def _listed_scores(versions: dict[int, str]) -> dict[int, ListedScore]:
    """The projects' scores ({id: version} from ``project_row_versions``): cached ones where the rows they
    are computed from have not changed, the others computed (from plain rows) and cached."""
    keys = {pk: f"project-score:{pk}:{version}" for pk, version in versions.items()}
    found = cache.get_many(list(keys.values()))
    scores = {pk: found[key] for pk, key in keys.items() if key in found}
    missing = [pk for pk in versions if pk not in scores]
    if missing:
        fresh = {}
        for start in range(0, len(missing), SCORE_CHUNK):
            chunk = Project.objects.filter(pk__in=missing[start : start + SCORE_CHUNK])
            fresh |= {pk: ListedScore.of(score) for pk, score in score_projects(chunk).items()}
        cache.set_many({keys[pk]: score for pk, score in fresh.items()}, PAGE_CACHE_SECONDS)
        scores |= fresh
    return scores


def _project_table(request, *, score_all: bool = False) -> tuple[ProjectFilter, ProjectTable, bool]:
    filterset = ProjectFilter(request.GET or None, queryset=_listed_projects(request.user), request=request)
    projects = filterset.qs
    sort = request.GET.get("sort", "").lstrip("-")
    grade = filterset.grade_wanted
    score_all = score_all or sort in COMPUTED_COLUMNS or bool(grade)
    if score_all:
        projects = list(projects)
        attach_scores(projects, _listed_scores(project_row_versions([project.pk for project in projects])))
        if grade:
            projects = [project for project in projects if project.score_grade == grade]
    return filterset, ProjectTable(projects), score_all


def _table_html(request, table: ProjectTable, versions: dict[int, str]) -> str:
    """The table of this page, cached under the versions of its rows, the query (filters, sort, page), the count
    and the language (an empty page has no rows to carry it)."""
    shown = (request.GET.urlencode(), table.paginator.count, list(versions.items()))
    key = f"project-list-table:{hashlib.sha256(context_version() + repr(shown).encode()).hexdigest()}"
    html = cache.get(key)
    if html is None:
        html = table.as_html(request)
        cache.set(key, html, PAGE_CACHE_SECONDS)
    return mark_safe(html)


@login_required
def project_list(request):
    """The projects the user may see: filtered, searched, sorted, 25 a page, with computed scores.

    Scores and the rendered table are cached under the versions of the rows they show
    (``performance.page_cache``): a change to a project's data is on the list at the next request.
    """
    filterset, table, scored = _project_table(request)
    RequestConfig(request, paginate={"per_page": ProjectTable._meta.per_page}).configure(table)
    page = [row.record for row in table.page.object_list]
    versions = project_row_versions([project.pk for project in page])
    if not scored:
        attach_scores(page, _listed_scores(versions))
    export_query = request.GET.urlencode()
    return render(
        request,
        "performance/project_list.html",
        {
            "filter": filterset,
            "table": table,
            "table_html": _table_html(request, table, versions),
            "export_query": export_query,
        },
    )


@login_required
def project_list_export(request):
    """The filtered (and sorted) list as xlsx, every row, numbers as numbers."""
    _filterset, table, _scored = _project_table(request, score_all=True)
    RequestConfig(request, paginate=False).configure(table)
    data = project_list_workbook(table)
    return FileResponse(BytesIO(data), as_attachment=True, filename=_("项目列表.xlsx"))


def _actions(user, project: Project, evaluation: Evaluation | None) -> dict[str, str | None]:
    """The workflow actions this user may take on this project now: {name: url}."""
    status = evaluation.status if evaluation else Status.DRAFT
    actions = {}
    if can_edit_unit(user, project.unit) and status in (Status.DRAFT, Status.RETURNED):
        actions["edit"] = reverse("performance:evaluation-edit", args=[project.pk])
        if evaluation is not None:
            actions["submit"] = reverse("performance:evaluation-submit", args=[project.pk])
    if evaluation is not None and can_review_unit(user, project.unit):
        if status == Status.SUBMITTED:
            actions["return"] = reverse("performance:evaluation-return", args=[project.pk])
            actions["approve"] = reverse("performance:evaluation-approve", args=[project.pk])
        elif status == Status.APPROVED:
            actions["reopen"] = reverse("performance:evaluation-reopen", args=[project.pk])
    return actions


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


# What the parts rendered on every request read of the project: the rest is loaded only to render a cached part.
LIVE_FIELDS = (
    "name",
    "year",
    "unit__department_id",
    "evaluation__project_id",
    "evaluation__status",
    "evaluation__version",
    "evaluation__return_reason",
)


class ProjectPage:
    """What the project page's cached parts show, computed on first use: only when a part is rendered again."""

    def __init__(self, project_id: int, version: str):
        self.project_id = project_id
        self.version = version

    @cached_property
    def project(self) -> Project:
        return Project.objects.select_related(
            "unit__department", "goal", "evaluation__submitted_by", "evaluation__reviewed_by"
        ).get(pk=self.project_id)

    @cached_property
    def evaluation(self) -> Evaluation | None:
        return evaluation_of(self.project)

    @cached_property
    def goal(self) -> ProjectGoal | None:
        return getattr(self.project, "goal", None)  # RelatedObjectDoesNotExist is an AttributeError

    @cached_property
    def indicators(self) -> list:
        lookup = Prefetch("indicators", queryset=indicators_for_scoring(), to_attr=SCORING_INDICATORS)
        prefetch_related_objects([self.project], lookup)
        return getattr(self.project, SCORING_INDICATORS)

    @cached_property
    def score(self) -> EvaluationScore:
        self.indicators  # noqa: B018 - loaded onto the project for score_project
        return score_project(self.project)

    @cached_property
    def rate_percent(self) -> str | None:
        rate = self.score.budget.rate
        return None if rate is None else f"{rate * 100:.2f}%"

    @cached_property
    def rows(self) -> list[dict]:
        baselines = baseline_targets(self.project)
        return [
            {
                "indicator": indicator,
                "result": result_of(indicator),
                "score": row,
                "baseline": baselines.get(indicator.pk),
            }
            for indicator, row in zip(self.indicators, self.score.rows, strict=True)
        ]

    @cached_property
    def review_findings(self) -> list:
        self.indicators  # noqa: B018 - reviewed from the indicators loaded for scoring
        return review_projects([self.project])

    @cached_property
    def evidence(self) -> list[Evidence]:
        return list(
            Evidence.objects.filter(project_id=self.project_id)
            .select_related("indicator", "uploaded_by")
            .order_by("uploaded_at", "id")
        )

    @cached_property
    def history(self) -> list:
        return project_history(self.project)

    @cached_property
    def carried_forward(self) -> dict:
        """Last year's actuals of the indicators that carry over, whether next year's project and a monitoring
        round exist: plain values, cached under the page's version (which covers the rows they come from)."""
        key = f"project-carried-forward:{self.project_id}:{self.version}"
        return cache.get_or_set(key, self._carried_forward, PAGE_CACHE_SECONDS)

    def _carried_forward(self) -> dict:
        project = self.project
        previous, carried = carried_actuals(project)
        return {
            "previous_year": previous.year if previous else None,
            "rows": [
                {
                    "name": row.indicator.name,
                    "target": row.indicator.target,
                    "last_target": row.last_target,
                    "last_actual": row.last_actual,
                }
                for row in carried
            ],
            "next_exists": same_project(project, project.year + 1).exists(),
            "has_round": MonitoringRound.objects.filter(
                department_id=project.unit.department_id, year=project.year
            ).exists(),
        }


@login_required
def project_detail(request, pk: int):
    """A project's self-evaluation: goal, money, indicators with computed scores, status, history.

    The parts every viewer sees alike are cached under the project's data version
    (``performance.page_cache``). What they show, ``project`` and ``evaluation`` among it, is lazy: loaded
    and computed only when a part has to be rendered again. The status with the workflow buttons and the
    carry-forward buttons are rendered every time from ``live`` (a few columns of the project).
    """
    live = get_object_or_404(projects_for(request.user).select_related("unit", "evaluation").only(*LIVE_FIELDS), pk=pk)
    evaluation = evaluation_of(live)
    version = project_page_version(live)
    page = ProjectPage(live.pk, version)
    carried = page.carried_forward
    can_carry = can_edit_unit(request.user, live.unit) and not carried["next_exists"]
    context = {
        "live": live,
        "live_evaluation": evaluation,
        "status": evaluation.status if evaluation else Status.DRAFT,
        "status_label": evaluation.get_status_display() if evaluation else Status.DRAFT.label,
        "actions": _actions(request.user, live, evaluation),
        "targets": targets_panel(request.user, live),
        "carried_forward": carried,
        "next_year": live.year + 1,
        "carry_url": reverse("performance:project-carry-forward", args=[live.pk]) if can_carry else None,
        "monitoring_url": reverse("performance:monitoring-edit", args=[live.pk]) if carried["has_round"] else None,
        "api_url": reverse("api:project-evaluation", args=[live.pk]) + "?download=1",
        "sheet_url": reverse("performance:sheet-project", args=[live.pk]),
        # The cached parts: their key, and what they show (loaded and computed only when one is rendered again).
        "page_version": version,
        "page_cache_seconds": PAGE_CACHE_SECONDS,
        "project": SimpleLazyObject(lambda: page.project),
        "evaluation": SimpleLazyObject(lambda: page.evaluation),
        "goal": SimpleLazyObject(lambda: page.goal),
        "score": SimpleLazyObject(lambda: page.score),
        "rate_percent": SimpleLazyObject(lambda: page.rate_percent),
        "rows": SimpleLazyObject(lambda: page.rows),
        "budget_rows": SimpleLazyObject(lambda: _budget_rows(page.project)),
        "review_findings": SimpleLazyObject(lambda: page.review_findings),
        "evidence": SimpleLazyObject(lambda: page.evidence),
        "history": SimpleLazyObject(lambda: page.history),
        "baseline_differences": SimpleLazyObject(lambda: baseline_differences(page.project)),
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
    projects, scores = [], {}
    if year is not None:
        chosen = filterset.qs.filter(year=year)
        scores = {pk: ListedScore.of(score) for pk, score in score_projects(chosen).items()}  # from plain rows
        projects = list(
            chosen.select_related("unit__department", "evaluation")
            .annotate(status_code=Coalesce("evaluation__status", Value(Status.DRAFT)))
            .order_by(*PROJECT_ORDER)
        )
    attach_scores(projects, scores)
    for project in projects:
        project.status_label = Status(project.status_code).label
    statuses = Counter(project.status_code for project in projects)
    started = [project for project in projects if project.score_started]
    grades = Counter(project.score_grade for project in started)
    status_counts = [{"code": code, "label": label, "count": statuses[code]} for code, label in Status.choices]
    grade_counts = [{"grade": grade, "label": label, "count": grades[grade]} for grade, label in GRADES]
    with_rate = [project for project in projects if project.score_rate is not None]
    chart = {
        "grades": {"labels": [str(g["label"]) for g in grade_counts], "counts": [g["count"] for g in grade_counts]},
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

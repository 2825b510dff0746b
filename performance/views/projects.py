"""Project list, project page, dashboard and the list download.

The list, its download and the dashboard read the stored scores (``performance.scores``): they sort, filter,
count and sum in SQL, in a number of queries that does not grow with the rows. The project page computes
its score in full (every row's reasons and problems) in the parts that look the same to every viewer, cached
under versions of the data they show (``performance.page_cache``), read on every request so a save shows at once.
"""

from decimal import ROUND_HALF_UP, Decimal
from io import BytesIO

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Count, F, Prefetch, Q, Sum, Value, prefetch_related_objects
from django.db.models.functions import Coalesce, Round
from django.http import FileResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.functional import SimpleLazyObject, cached_property
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django_tables2 import RequestConfig

from budgets.models import FUND_SOURCES, STAGES, Project, Unit
from budgets.permissions import (
    PROJECT_ORDER,
    can_edit_unit,
    projects_for,
    year_scopes_for,
)

from ..approval.models import DepartmentYear
from ..carry_forward import carried_actuals, same_project
from ..declaration.models import TargetSet
from ..declaration.services import baseline_differences, baseline_targets
from ..declaration.views import targets_panel
from ..exports import project_list_workbook
from ..filters import GRADES, DashboardFilter, ProjectFilter
from ..history import project_history
from ..models import Evaluation, Evidence, ProjectGoal, evaluation_of, result_of
from ..monitoring import round_of
from ..page_cache import PAGE_CACHE_SECONDS, cached, project_page_version, shown_to
from ..review import review_projects
from ..rights import department_year_status, may
from ..rules.models import RuleVersion
from ..rules.services import version_of
from ..scores import versions
from ..scoring import EvaluationScore
from ..services import SCORING_INDICATORS, indicators_for_scoring, score_project
from ..tables import ProjectTable, with_scores

Status = Evaluation.Status
CENT = Decimal("0.01")
BEHIND = 10
UNIT_ORDER = ("department__code", "order", "code")


def _listed(projects):
    """The projects with what the list shows (stored scores included), newest year first."""
    return with_scores(
        projects.select_related("unit__department")
        .only("year", "name", "unit__code", "unit__name", "unit__short_name", "unit__department__name")
        .annotate(
            status_code=Coalesce("evaluation__status", Value(Status.DRAFT)),
            targets_code=Coalesce("target_set__status", Value(TargetSet.Status.DRAFT)),
        )
        .order_by("-year", *PROJECT_ORDER)
    )


def _counted(count: int) -> type[Paginator]:
    """A paginator that knows its count: counted on the filtered projects before the list's columns are joined
    on (the joins of the annotations would make each counted row cost three lookups)."""

    class Counted(Paginator):
        @cached_property
        def count(self) -> int:
            return count

    return Counted


def _project_filter(request, years: list[int] | None = None) -> ProjectFilter:
    return ProjectFilter(request.GET or None, queryset=projects_for(request.user), request=request, years=years)


def visible_years(user) -> list[int]:
    """The years of the projects the user may see, newest first (cached under their versions)."""
    return _years(shown_to(user), projects_for(user))


def _years(shown: versions.Shown, projects) -> list[int]:
    """The years of the projects the user may see, newest first (a scan of them: cached)."""
    return cached(
        shown.key("years"), lambda: list(projects.order_by("-year").values_list("year", flat=True).distinct())
    )


def _sheet_scopes(request, shown: versions.Shown, filterset, year: int | None, years: list[int]):
    """The year's standard workbooks the user may download, for the department or unit the filter chose (the
    newest year by default): a scan of the year's projects, cached under its versions."""
    data = filterset.form.cleaned_data if filterset.is_bound and filterset.form.is_valid() else {}
    if year is None:
        if not years:
            return None
        year = years[0]
    department, unit = data.get("department"), data.get("unit")
    department, unit = (department.code if department else ""), (unit.code if unit else "")
    return cached(
        shown.key("sheet-scopes", year=year, extra=(department, unit)),
        lambda: year_scopes_for(request.user, year, department=department, unit=unit),
    )


@login_required
def project_list(request):
    """The projects the user may see: filtered, searched, sorted (by score too, in SQL), 25 a page.

    The page's content (the filter form, the sheet links, the count and the table) is cached under the versions
    of the department-years the user sees (``performance.scores.versions``) and the query: a repeated view costs
    one small query and renders only the navigation; a write anywhere in them is a new key. The filter, the
    count and the table are built only on a miss (``ListPage``).
    """
    shown = shown_to(request.user)
    return render(
        request,
        "performance/project_list.html",
        {
            "page_key": shown.key("project-list-page", extra=request.GET.urlencode()),
            "page_cache_seconds": PAGE_CACHE_SECONDS,
            "page": ListPage(request, shown),
            "export_query": request.GET.urlencode(),
        },
    )


class ListPage:
    """What the project list shows, built when the cached content is rendered again."""

    def __init__(self, request, shown: versions.Shown):
        self.request, self.shown = request, shown

    @cached_property
    def years(self) -> list[int]:
        return _years(self.shown, projects_for(self.request.user))

    @cached_property
    def filter(self) -> ProjectFilter:
        return _project_filter(self.request, self.years)

    @cached_property
    def _counted_page(self) -> tuple[int, str]:
        request, filterset = self.request, self.filter
        per_page = filterset.page_size
        if request.GET.get("per_page") != str(per_page):  # django-tables2 reads the size from the query: only ours
            request.GET = request.GET.copy()
            request.GET["per_page"] = str(per_page)
        table = ProjectTable(_listed(filterset.qs))
        count = filterset.qs.count()
        # A page past the end shows the last (django-tables2's "silent" pagination).
        RequestConfig(request, paginate={"per_page": per_page, "paginator_class": _counted(count)}).configure(table)
        return count, table.as_html(request)

    @property
    def count(self) -> int:
        return self._counted_page[0]

    @property
    def table_html(self) -> str:
        return mark_safe(self._counted_page[1])  # django-tables2's own escaped markup

    @cached_property
    def sheet_scopes(self):
        return _sheet_scopes(self.request, self.shown, self.filter, _chosen_year(self.filter), self.years)


def _chosen_year(filterset) -> int | None:
    if filterset.is_bound and filterset.form.is_valid() and filterset.form.cleaned_data.get("year"):
        return int(filterset.form.cleaned_data["year"])
    return None


@login_required
def project_list_export(request):
    """The filtered (and sorted) list as xlsx, every row, numbers as numbers."""
    table = ProjectTable(_listed(_project_filter(request).qs))
    RequestConfig(request, paginate=False).configure(table)
    data = project_list_workbook(table)
    return FileResponse(BytesIO(data), as_attachment=True, filename=_("项目列表.xlsx"))


def _actions(user, project: Project, evaluation: Evaluation | None) -> dict[str, str | None]:
    """The workflow actions this user may take on this project now: {name: url}."""
    status = evaluation.status if evaluation else Status.DRAFT
    actions = {}
    # performance.rights decides (a department's year held by finance shows no buttons).
    if may(user, "enter_actuals", project) and may(user, "submit_evaluation", project):
        actions["edit"] = reverse("performance:evaluation-edit", args=[project.pk])
        if evaluation is not None:
            actions["submit"] = reverse("performance:evaluation-submit", args=[project.pk])
    if evaluation is not None and may(user, "review_evaluation", project):
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
    "code",  # the same project of the year before (its results opinion: templatetags/results.py)
    "name",
    "year",
    "unit__department__code",
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
    def rule_version(self) -> RuleVersion:
        """The rule set version that scores the project (its department's of the year, or its approved one's)."""
        return version_of(self.project)

    @cached_property
    def score(self) -> EvaluationScore:
        self.indicators  # noqa: B018 - loaded onto the project for score_project
        return score_project(self.project, rules=self.rule_version.rules())

    @cached_property
    def differences(self) -> list[str]:
        """The findings of 复核 besides what the rules changed (shown with the rules)."""
        return [finding for finding in self.score.findings if finding not in self.score.adjustments]

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
        return review_projects([self.project], library=False)  # cached for every viewer: no peers' figures

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
            # the round the page links to: the latest open round of the year, else the latest (None: no round)
            "monitoring_round": getattr(round_of(project.unit.department_id, project.year), "round_number", None),
        }


@login_required
def project_detail(request, pk: int):
    """A project's self-evaluation: goal, money, indicators with computed scores, status, history.

    The parts every viewer sees alike are cached under the project's data version
    (``performance.page_cache``). What they show, ``project`` and ``evaluation`` among it, is lazy: loaded
    and computed only when a part has to be rendered again. The status with the workflow buttons and the
    carry-forward buttons are rendered every time from ``live`` (a few columns of the project).
    """
    live = get_object_or_404(
        projects_for(request.user).select_related("unit__department", "evaluation").only(*LIVE_FIELDS), pk=pk
    )
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
        "department_year": {
            "label": DepartmentYear.Status(department_year_status(live)).label,
            "url": reverse("performance:department-year", args=[live.unit.department.code, live.year]),
        },
        "targets": targets_panel(request.user, live),
        "carried_forward": carried,
        "next_year": live.year + 1,
        "carry_url": reverse("performance:project-carry-forward", args=[live.pk]) if can_carry else None,
        "monitoring_url": (
            f"{reverse('performance:monitoring-edit', args=[live.pk])}?round={carried['monitoring_round']}"
            if carried["monitoring_round"]
            else None
        ),
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
        "rule_version": SimpleLazyObject(lambda: page.rule_version),
        "differences": SimpleLazyObject(lambda: page.differences),
        "budget_rows": SimpleLazyObject(lambda: _budget_rows(page.project)),
        "review_findings": SimpleLazyObject(lambda: page.review_findings),
        "evidence": SimpleLazyObject(lambda: page.evidence),
        "history": SimpleLazyObject(lambda: page.history),
        "baseline_differences": SimpleLazyObject(lambda: baseline_differences(page.project)),
    }
    return render(request, "performance/project_detail.html", context)


def _average(total: Decimal | None, count: int, scale: int) -> Decimal | None:
    """The average of ``count`` figures whose sum, in units of 1/``scale``, is ``total``; None of none."""
    if not count or total is None:
        return None
    return (Decimal(int(total)) / scale / count).quantize(CENT, rounding=ROUND_HALF_UP)


STARTED = Q(stored_score__started=True)
COMPLETE = Q(stored_score__complete=True)  # every actual entered
RATED = Q(stored_score__rate__isnull=False)


def _exact_sum(field: str, scale: int, condition: Q) -> Sum:
    """The sum of a stored decimal in units of 1/``scale``, as an integer: SQLite sums decimals as floats."""
    return Sum(Round(F(field) * scale), filter=condition)


def _sums(projects) -> dict:
    """In one pass over the rows: the counts by status and by grade, and exact sums of the stored totals and
    rates (in cents and 万分之一: SQLite sums decimals as floats)."""
    # Averages and grades count only evaluations with every actual entered (a missing actual scores 0).
    by_status = {f"status_{code}": Count("pk", filter=Q(status_code=code)) for code in Status.values}
    by_grade = {f"grade_{grade}": Count("pk", filter=COMPLETE & Q(stored_score__grade=grade)) for grade, _ in GRADES}
    return projects.aggregate(
        count=Count("pk"),
        started=Count("pk", filter=STARTED),
        complete=Count("pk", filter=COMPLETE),
        total_cents=_exact_sum("stored_score__total", 100, COMPLETE),
        rated=Count("pk", filter=COMPLETE),
        rate_units=_exact_sum("stored_score__rate", 10000, COMPLETE),
        **by_status,
        **by_grade,
    )


def _behind(projects, order: str) -> list[Project]:
    rows = list(projects.select_related("unit").order_by(order, "stored_score__pk")[:BEHIND])
    for project in rows:
        project.status_label = str(Status(project.status_code).label)  # cached: a plain string
        project.score_rate_display = None if project.score_rate is None else f"{project.score_rate * 100:.2f}%"
    return rows


def _unit_rows(units: list[dict]) -> str:
    """The unit table's rows, written in Python: the template language takes ~0.5 ms a row, 1 s for a province."""
    return mark_safe(  # every value escaped or a number
        "".join(
            f'<tr><td>{escape(item["label"])}</td><td class="jx-num">{item["count"]}</td>'
            f'<td class="jx-num">{item["approved"]}</td><td class="jx-num">{item["complete"]}</td>'
            f'<td class="jx-num">{"—" if item["average"] is None else item["average"]}</td></tr>'
            for item in units
        )
    )


def _figures(chosen) -> dict:
    """What the dashboard shows of the chosen projects: counted and summed in SQL from the stored scores."""
    sums = _sums(chosen)
    status_counts = [
        {"code": code, "label": str(label), "count": sums[f"status_{code}"]} for code, label in Status.choices
    ]
    grade_counts = [{"grade": grade, "label": str(label), "count": sums[f"grade_{grade}"]} for grade, label in GRADES]
    chart = {
        "grades": {"labels": [g["label"] for g in grade_counts], "counts": [g["count"] for g in grade_counts]},
        "statuses": {"labels": [s["label"] for s in status_counts], "counts": [s["count"] for s in status_counts]},
        "dataset_grades": _("项目数"),
    }
    per_unit = (
        chosen.order_by()
        .values("unit")
        .annotate(
            count=Count("pk"),
            approved=Count("pk", filter=Q(evaluation__status=Status.APPROVED)),
            complete=Count("pk", filter=COMPLETE),
            total_cents=_exact_sum("stored_score__total", 100, COMPLETE),
        )
    )
    figures = {row["unit"]: row for row in per_unit}
    units = [  # plain values: cached with the figures, read back on every view
        {
            "name": unit.name,
            "label": str(unit),
            "count": figures[unit.pk]["count"],
            "approved": figures[unit.pk]["approved"],
            "complete": figures[unit.pk]["complete"],
            "average": _average(figures[unit.pk]["total_cents"], figures[unit.pk]["complete"], 100),
        }
        for unit in Unit.objects.filter(pk__in=figures).only("code", "name", "short_name").order_by(*UNIT_ORDER)
    ]
    return {
        "project_count": sums["count"],
        "status_counts": status_counts,
        "grade_counts": grade_counts,
        "not_started": sums["count"] - sums["started"],
        "in_progress": sums["started"] - sums["complete"],
        "complete": sums["complete"],
        "average": _average(sums["total_cents"], sums["complete"], 100),
        "average_rate": _average(sums["rate_units"], sums["rated"], 100),
        "lowest_total": _behind(chosen.filter(COMPLETE), "stored_score__total"),
        "lowest_rate": _behind(chosen.filter(RATED), "stored_score__rate"),
        "units": units,
        # 2,000 rows in a province: rendered once, with the figures
        "unit_summary": render_to_string("performance/_unit_summary.html", {"units": units, "rows": _unit_rows(units)}),
        "chart": chart,
    }


@login_required
def dashboard(request):
    """A department's (or every visible department's) year: status counts, scores, grades, who is behind.

    Everything is counted and summed in SQL from the stored scores (``performance.scores``): the page costs the
    same few queries for a unit's year and a province's. Its content is cached under the versions of the
    department-years the user sees (``performance.scores.versions``) and the query, so a repeated view costs one
    small query and renders only the navigation; ``DashboardPage`` builds the figures on a miss.
    """
    shown = shown_to(request.user)
    context = {
        "page_key": shown.key("dashboard-page", extra=request.GET.urlencode()),
        "page_cache_seconds": PAGE_CACHE_SECONDS,
        "page": DashboardPage(request, shown),
    }
    return render(request, "performance/dashboard.html", context)


class DashboardPage:
    """What the dashboard shows, built when its cached content is rendered again."""

    def __init__(self, request, shown: versions.Shown):
        self.request, self.shown = request, shown

    @cached_property
    def _visible(self):
        return projects_for(self.request.user)

    @cached_property
    def years(self) -> list[int]:
        return _years(self.shown, self._visible)

    @cached_property
    def filter(self) -> DashboardFilter:
        return DashboardFilter(self.request.GET or None, queryset=self._visible, request=self.request, years=self.years)

    @property
    def year(self) -> int | None:
        return self.filter.chosen_year

    @cached_property
    def figures(self) -> dict:
        year = self.year
        chosen = with_scores(self.filter.qs.filter(year=year) if year is not None else self._visible.none()).annotate(
            status_code=Coalesce("evaluation__status", Value(Status.DRAFT))
        )
        figures = cached(
            self.shown.key("dashboard", year=year, extra=self.request.GET.urlencode()), lambda: _figures(chosen)
        )
        return {**figures, "unit_summary": mark_safe(figures["unit_summary"])}  # a template's escaped markup

    @cached_property
    def sheet_scopes(self):
        if self.year is None:
            return None
        return _sheet_scopes(self.request, self.shown, self.filter, self.year, self.years)

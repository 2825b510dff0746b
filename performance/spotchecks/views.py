"""The spot-check pages (finance only) and the finance console (finance; a reviewer sees their departments)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP
from io import BytesIO
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject, cached_property
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from budgets.models import Department, Unit
from budgets.permissions import department_ids_for, is_finance_bureau, projects_for, reviewed_department_ids

from ..jobs import start_job
from ..models import Job
from ..page_cache import PAGE_CACHE_SECONDS
from ..tasks.views import finance_required, today_year
from ..views.projects import visible_years
from .console import CENT, ConsoleKey, cached_console_rows, chart_data, console_key, inflation_flagged, totals
from .forms import DrawForm, ReviewForm
from .models import SpotCheck, SpotCheckItem
from .services import check_draw, comparison, record_review
from .sheets import spot_check_workbook

PROJECTS_SHOWN = 500  # a department's drill-down lists its first projects and says how many there are


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


YEARS = range(2000, 2101)  # what a year field takes; beyond it PostgreSQL's smallint would overflow


def _year(request) -> int:
    """The year asked for; when none or no sensible one is given, the newest year up to last year that has projects
    the user sees (the demo's 2021), else last year."""
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = None
    if year in YEARS:
        return year
    return _newest_year(request.user)


def _newest_year(user) -> int:
    last_year = today_year()
    return next((year for year in visible_years(user) if year <= last_year), last_year)


# --- the console -----------------------------------------------------------------------------------------------


def _console_departments(user):
    """The departments whose rows the user may see on the console: every one for finance, a reviewer's own."""
    if is_finance_bureau(user):
        return Department.objects.all()
    reviewed = reviewed_department_ids(user)
    if not reviewed:
        raise PermissionDenied(_("财政总览只对财政部门和部门审核人开放。"))
    return Department.objects.filter(pk__in=reviewed)


class _Rows:
    """A console table's total and chart, from its ``rows`` (a subclass's)."""

    rows: list

    @cached_property
    def total(self):
        return totals(self.rows)

    @cached_property
    def chart(self) -> dict:
        return chart_data(self.rows)


class ConsolePage(_Rows):
    """The console's rows, total and chart, computed (or read from the cache) only when the page's cached table
    is rendered again: on a hit of the rendered table, none of them is read."""

    def __init__(self, user, key: ConsoleKey, groups, *, year: int):
        self.user, self.key, self.groups, self.year = user, key, groups, year

    @cached_property
    def rows(self) -> list:
        projects = projects_for(self.user).filter(year=self.year)  # rows of departments not in groups are left out
        rows = cached_console_rows(self.key, projects, self.groups, by="unit__department_id", year=self.year)
        prefix, suffix = reverse("performance:console-department", args=["-", self.year]).split("/-/")
        evaluation = reverse("performance:department-evaluation", args=["-", self.year]).split("/-/")
        results = reverse("performance:results-sheet", args=["-", self.year]).split("/-/")
        seen = department_ids_for(self.user)  # the departments whose pages the user may open (None: every one)
        for row in rows:  # one reverse for every row
            code = quote(row.code, safe="")
            row.href = f"{prefix}/{code}/{suffix}"
            if seen is None or row.key in seen:
                row.evaluation_href = f"{evaluation[0]}/{code}/{evaluation[1]}"
                row.results_href = f"{results[0]}/{code}/{results[1]}"
        return rows


@login_required
def console(request):
    """Every department's year in one table (and charts): coverage, grades, scores, overdue, spot checks, flags.
    The table and the chart's data are rendered once per key (``console_key``: every figure's sources, who sees
    what and the language), so 2,000 departments cost a view what two do."""
    departments = _console_departments(request.user)
    year = _year(request)
    groups = list(departments.order_by("code").values_list("pk", "code", "name"))
    key = console_key(request.user, groups, by="unit__department_id", year=year)
    page = ConsolePage(request.user, key, groups, year=year)
    context = {
        "year": year,
        "count": len(groups),
        "page": page,
        "rows": SimpleLazyObject(lambda: page.rows),  # for tests and templates that read the rows themselves
        "page_key": key.key,
        "page_cache_seconds": PAGE_CACHE_SECONDS,
        "links": True,
    }
    return render(request, "performance/console.html", context)


def _percent(project):
    stored = getattr(project, "stored_score", None)
    return None if stored is None or stored.rate is None else (stored.rate * 100).quantize(CENT, ROUND_HALF_UP)


class DepartmentConsolePage(_Rows):
    """A department's drill-down: its units' rows, total and chart, and its first projects, computed only when the
    page's cached content is rendered again (every figure of it is in the key: ``console_key`` by unit)."""

    def __init__(self, user, key: ConsoleKey, department, units, *, year: int):
        self.key, self.units, self.year = key, units, year
        self.projects = projects_for(user).filter(year=year, unit__department=department)

    @cached_property
    def rows(self) -> list:
        return cached_console_rows(self.key, self.projects, self.units, by="unit_id", year=self.year)

    @cached_property
    def project_rows(self) -> list[dict]:
        flagged = set(inflation_flagged(self.projects).values_list("pk", flat=True))
        listed = (
            self.projects.select_related("unit", "evaluation", "stored_score")
            .annotate(reported=F("evaluation__reported_total"))
            .order_by("unit__order", "order", "id")
        )
        return [{"project": p, "flagged": p.pk in flagged, "rate": _percent(p)} for p in listed[:PROJECTS_SHOWN]]

    @cached_property
    def project_count(self) -> int:
        return self.projects.count()


@login_required
def console_department(request, code: str, year: int):
    """One department's year by unit, and its projects with their scores, spot checks and flags; rendered once
    per key, as the console is."""
    department = get_object_or_404(_console_departments(request.user), code=code)
    if year not in YEARS:
        raise Http404
    units = list(Unit.objects.filter(department=department).order_by("order", "code").values_list("pk", "code", "name"))
    key = console_key(request.user, units, by="unit_id", year=year)
    page = DepartmentConsolePage(request.user, key, department, units, year=year)
    context = {
        "year": year,
        "department": department,
        "page": page,
        "rows": SimpleLazyObject(lambda: page.rows),  # for tests that read the rows themselves
        "page_key": key.key,
        "page_cache_seconds": PAGE_CACHE_SECONDS,
    }
    return render(request, "performance/console_department.html", context)


# --- spot checks -----------------------------------------------------------------------------------------------


@finance_required
def spotcheck_list(request):
    """Every spot check drawn, newest first, and the form of a new draw."""
    checks = SpotCheck.objects.select_related("drawn_by").order_by("-drawn_at", "-id")
    form = DrawForm(initial={"year": _newest_year(request.user), "scope": SpotCheck.Scope.APPROVED})
    return render(request, "performance/spotcheck_list.html", {"checks": checks, "form": form})


@finance_required
@require_POST
def spotcheck_create(request):
    """Start a draw in the background (at a province's scale it reads every project's signals) and follow it on
    the job's page, which links to the spot check once drawn. Parameters that cannot give a sample are refused
    here, with the form."""
    form = DrawForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            check_draw(year=data["year"], size=data["size"], share=data["share"], scope=data["scope"])
        except ValidationError as error:
            _add_errors(form, error)
        else:
            job = start_job(
                kind=Job.Kind.DRAW_SAMPLE,
                user=request.user,
                title=_("抽取 %(year)s 年度抽查样本") % {"year": data["year"]},
                params={
                    "year": data["year"],
                    "size": data["size"],
                    "share": None if data["share"] is None else str(data["share"]),
                    "seed": data["seed"],
                    "scope": data["scope"],
                },
            )
            return redirect("performance:job-detail", pk=job.pk)
    checks = SpotCheck.objects.select_related("drawn_by").order_by("-drawn_at", "-id")
    return render(request, "performance/spotcheck_list.html", {"checks": checks, "form": form}, status=400)


@finance_required
def spotcheck_detail(request, pk: int):
    """A draw's sampled projects, riskiest first, with their reasons and the three totals."""
    check = get_object_or_404(SpotCheck.objects.select_related("drawn_by"), pk=pk)
    items = list(
        check.items.select_related("project__unit", "project__evaluation", "project__stored_score").prefetch_related(
            "row_scores"
        )
    )
    rows = []
    for item in items:
        reviewed = None
        if item.conclusion and item.budget_score is not None:
            reviewed = item.budget_score + sum((s.score for s in item.row_scores.all()), 0)
        evaluation = getattr(item.project, "evaluation", None)
        stored = getattr(item.project, "stored_score", None)
        rows.append(
            {
                "item": item,
                "reported": evaluation.reported_total if evaluation else None,
                "computed": stored.total if stored else None,
                "reviewed": reviewed,
            }
        )
    return render(request, "performance/spotcheck_detail.html", {"check": check, "rows": rows})


@finance_required
def spotcheck_item(request, pk: int):
    """One sampled project: self-reported, computed and re-reviewed scores side by side; finance records its own."""
    item = get_object_or_404(SpotCheckItem.objects.select_related("spot_check", "project__unit", "reviewed_by"), pk=pk)
    compared = comparison(item)
    initial = {f"row_{r.indicator.pk}": r.reviewed for r in compared.rows if r.indicator is not None}
    initial |= {"budget_score": item.budget_score, "conclusion": item.conclusion, "note": item.note}
    form = ReviewForm(request.POST or None, rows=compared.rows, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            record_review(
                item=item,
                scores=form.scores(),
                budget_score=data["budget_score"],
                conclusion=data["conclusion"],
                note=data["note"],
                by=request.user,
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("已保存复核结果。"))
            return redirect("performance:spotcheck-item", pk=item.pk)
    lines = [
        {"row": r, "field": form[f"row_{r.indicator.pk}"] if r.indicator else form["budget_score"]}
        for r in compared.rows
    ]
    context = {"item": item, "check": item.spot_check, "lines": lines, "total": compared.total, "form": form}
    return render(request, "performance/spotcheck_item.html", context, status=400 if form.errors else 200)


@finance_required
def spotcheck_export(request, pk: int):
    """The 复核结果表 workbook of a draw."""
    check = get_object_or_404(SpotCheck, pk=pk)
    data = spot_check_workbook(check)
    return FileResponse(BytesIO(data), as_attachment=True, filename=f"复核结果表_{check.year}_{check.pk}.xlsx")

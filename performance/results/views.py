"""The results application pages: the year's rule and the departments' sheets, a department's sheet (the drafted
suggestion with finance's opinions), an opinion recorded, and the sheet's workbook."""

from io import BytesIO

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from budgets.numbers import shown_amount
from budgets.permissions import departments_for, is_finance_bureau, projects_for

from . import services
from .exports import results_workbook
from .forms import OpinionForm, RuleForm
from .models import ResultRuleVersion


def _year(request) -> int:
    year = request.GET.get("year", "").strip()
    if year.isdigit() and 2000 <= int(year) <= 2100:
        return int(year)
    latest = projects_for(request.user).order_by("-year").values_list("year", flat=True).first()
    return latest or timezone.localdate().year


@login_required
def results_home(request):
    """The year's rule per grade (finance saves a new version here) and the departments whose sheets the user sees."""
    year = _year(request)
    finance = is_finance_bureau(request.user)
    if request.method == "POST" and not finance:
        raise PermissionDenied
    version = services.version_for(year)
    form = RuleForm(request.POST or None, rules=version.rules())
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_rule_version(
                year=year, rules=form.rules(), note=form.cleaned_data["note"], by=request.user
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("已保存为第 %(number)s 版。") % {"number": saved.number})
            return redirect(f"{request.path}?year={year}")
    return render(
        request,
        "performance/results_home.html",
        {
            "year": year,
            "version": version,
            "described": [(grade, rule.describe()) for grade, rule in version.rules().items()],
            "versions": ResultRuleVersion.objects.filter(year=year).select_related("created_by").order_by("-number"),
            "form": form if finance else None,
            "departments": departments_for(request.user).order_by("code"),
        },
    )


def _sheet(request, code: str, year: int):
    department = get_object_or_404(departments_for(request.user), code=code)
    projects = projects_for(request.user).filter(unit__department=department, year=year)
    version = services.version_for(year)
    return department, version, services.suggestion_rows(projects, version)


@login_required
def results_sheet(request, code: str, year: int, failed=None):
    """A department's year: each project's grade, this year's budget and execution, the rule, the suggestion and
    the opinion; finance records its opinion on each row."""
    department, version, rows = _sheet(request, code, year)
    finance = is_finance_bureau(request.user)
    failed_pk, failed_form = failed or (None, None)
    lines = []
    for row in rows:
        form = None
        if finance:
            if row.project.pk == failed_pk:
                form = failed_form
            else:
                opinion = row.opinion
                decided = opinion.decided if opinion else row.suggested
                initial = {"opinion": opinion.opinion if opinion else "", "decided": shown_amount(decided)}
                form = OpinionForm(initial=initial, prefix=f"p{row.project.pk}")
        lines.append((row, form))
    return render(
        request,
        "performance/results_sheet.html",
        {"department": department, "year": year, "version": version, "lines": lines, "finance": finance},
    )


@login_required
@require_POST
def results_opinion(request, pk: int):
    """Finance records its opinion on a project (of a department's sheet)."""
    project = get_object_or_404(projects_for(request.user).select_related("unit__department"), pk=pk)
    if not is_finance_bureau(request.user):
        raise PermissionDenied
    form = OpinionForm(request.POST, prefix=f"p{project.pk}")
    code, year = project.unit.department.code, project.year
    if form.is_valid():
        try:
            services.record_opinion(project=project, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("已记录“%(name)s”的结果应用意见。") % {"name": project.name})
            return redirect("performance:results-sheet", code=code, year=year)
    return results_sheet(request, code, year, failed=(project.pk, form))


@login_required
def results_export(request, code: str, year: int):
    """The sheet as a workbook (SPEC section 14's style)."""
    department, version, rows = _sheet(request, code, year)
    data = results_workbook(department, year, rows, version)
    filename = _("%(year)s年度%(name)s结果应用表.xlsx") % {"year": year, "name": department.name}
    return FileResponse(BytesIO(data), as_attachment=True, filename=filename)

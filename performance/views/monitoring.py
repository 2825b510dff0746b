"""Mid-year monitoring (绩效运行监控): the department page, opening a round, the project entry page,
its workflow actions and the 绩效运行监控表 downloads.

Every view finds its project or department through ``budgets.permissions`` (404 outside the user's
scope); writing needs ``can_edit_unit``; reviewing is checked by ``performance.monitoring``.
"""

from __future__ import annotations

from datetime import date
from functools import partial
from io import BytesIO

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from budgets.permissions import can_edit_unit, can_review_unit, departments_for, projects_for

from ..models import IndicatorMonitoring, MonitoringRound, ProjectMonitoring
from ..monitoring import (
    AMBER,
    EDITABLE,
    GREEN,
    RED,
    approve_monitoring,
    assess,
    can_open_round,
    default_cut_off,
    department_report,
    entry_from_monitoring,
    light_rules,
    monitoring_field_problems,
    monitoring_indicators,
    monitoring_of,
    monitoring_task,
    overdue_monitorings,
    percent,
    reopen_monitoring,
    return_monitoring,
    round_of,
    rounds_of,
    save_monitoring_entry,
    start_monitoring_round,
    startable_tasks,
    submit_monitoring,
    unreadable_entry_errors,
)
from ..monitoring_forms import build_monitoring_forms, entry_from_monitoring_forms, monitoring_initial, with_notes
from ..sheets.monitoring import monitoring_workbook_bytes
from ..workflow.views import transition_response

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Status = ProjectMonitoring.Status


def _xlsx(data: bytes, filename: str) -> FileResponse:
    return FileResponse(BytesIO(data), as_attachment=True, filename=filename, content_type=XLSX)


def _report_url(department, year, round_number: int | None = None) -> str:
    query = {"department": department.code, "year": year}
    if round_number is not None:
        query["round"] = round_number
    return f"{reverse('performance:monitoring-report')}?{urlencode(query)}"


def _round_number(request) -> int | None:
    """The round asked for (``?round=N``, the task's 第N次); None for the default round; 404 when unreadable."""
    value = request.GET.get("round")
    if not value:
        return None
    try:
        number = int(value)
    except ValueError as error:
        raise Http404 from error
    if not 1 <= number <= 32767:
        raise Http404
    return number


def _in_round(url: str, monitoring: ProjectMonitoring) -> str:
    """A project's monitoring URL for the round of this entry."""
    return f"{url}?{urlencode({'round': monitoring.round.round_number})}"


# --- the department page -------------------------------------------------------------------------


def _chosen(request):
    """(visible departments, chosen department or None, chosen year or None, years of that department)."""
    departments = list(departments_for(request.user))
    code = request.GET.get("department")
    if code:
        department = next((d for d in departments if d.code == code), None)
        if department is None:
            raise Http404
    else:
        department = departments[0] if departments else None
    years = []
    if department is not None:
        years = sorted(
            set(projects_for(request.user).filter(unit__department=department).values_list("year", flat=True)),
            reverse=True,
        )
    year = request.GET.get("year")
    if year:
        try:
            year = int(year)
        except ValueError as error:
            raise Http404 from error
    else:
        year = years[0] if years else None
    return departments, department, year, years


@login_required
def monitoring_report(request):
    """A department's monitoring round: budget execution against time, which projects and indicators are amber/red."""
    departments, department, year, years = _chosen(request)
    context = {
        "departments": departments,
        "department": department,
        "year": year,
        "years": years,
        "rules": light_rules(),
        "round": None,
        "reports": [],
        "likelihoods": IndicatorMonitoring.Likelihood.choices,
    }
    if department is not None and year is not None:
        number = _round_number(request)
        monitoring_round = round_of(department.pk, year, number)
        if number is not None and monitoring_round is None:
            raise Http404
        context["round"] = monitoring_round
        context["rounds"] = list(rounds_of(department.pk, year))
        may_open = can_open_round(request.user, department)
        context["startable"] = startable_tasks(department, year) if may_open else []
        context["can_open"] = may_open
        context["default_cut_off"] = default_cut_off(year)
        if monitoring_round is not None:
            visible = projects_for(request.user).filter(unit__department=department, year=year)
            reports = department_report(monitoring_round=monitoring_round, projects=visible)
            context["reports"] = reports
            context["flagged"] = [(report, row) for report in reports for row in report.assessment.flagged]
            context["counts"] = {
                light: sum(1 for report in reports if report.assessment.light == light) for light in (GREEN, AMBER, RED)
            }
            context["unfilled"] = sum(1 for report in reports if report.assessment.light is None)
            context["overdue"] = list(
                overdue_monitorings(visible, today=timezone.localdate()).filter(round=monitoring_round)
            )
    return render(request, "performance/monitoring_report.html", context)


@login_required
@require_POST
def monitoring_round_start(request):
    """Open the monitoring round of a department's year (reviewers, finance, superusers)."""
    code = request.POST.get("department", "")
    if not code:
        messages.error(request, _("请选择部门。"))
        return redirect(reverse("performance:monitoring-report"))
    department = get_object_or_404(departments_for(request.user), code=code)
    try:
        year = int(request.POST.get("year", ""))
        round_number = int(request.POST.get("round") or 1)
        cut_off = date.fromisoformat(request.POST["cut_off"]) if request.POST.get("cut_off") else None
        if not (2000 <= year <= 2100 and 1 <= round_number <= 32767):
            raise ValueError
    except ValueError:
        messages.error(request, _("年度、批次或截止日期无法识别。"))
        return redirect(reverse("performance:monitoring-report"))
    try:
        task = monitoring_task(department, year, round_number)
        monitoring_round = start_monitoring_round(department=department, task=task, cut_off=cut_off, by=request.user)
    except PermissionDenied:
        messages.error(request, _("只有部门审核人可以发起运行监控。"))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("已发起 %(year)s 年%(task)s的运行监控，截止日期 %(date)s。")
            % {"year": year, "task": task.title, "date": monitoring_round.cut_off},
        )
        return redirect(_report_url(department, year, round_number))
    return redirect(_report_url(department, year))


@login_required
def monitoring_department_sheet(request):
    """The department's 绩效运行监控表 workbook: a summary then one sheet per visible project."""
    _departments, department, year, _years = _chosen(request)
    if department is None or year is None:
        raise Http404
    monitoring_round = round_of(department.pk, year, _round_number(request))
    visible = projects_for(request.user).filter(unit__department=department, year=year)
    reports = department_report(monitoring_round=monitoring_round, projects=visible) if monitoring_round else []
    if not reports:
        messages.info(request, _("%(year)s 年度尚未发起运行监控，或没有可下载的项目。") % {"year": year})
        return redirect(_report_url(department, year))
    data = monitoring_workbook_bytes(monitoring_round, reports)
    return _xlsx(data, f"{year}年度{department.name}-第{monitoring_round.round_number}次绩效运行监控表.xlsx")


# --- the project entry page ----------------------------------------------------------------------


def _project(request, pk: int):
    return get_object_or_404(projects_for(request.user).select_related("unit__department", "goal"), pk=pk)


def _monitoring(request, project) -> ProjectMonitoring:
    """The project's entry in the round asked for (``?round=N``), by default the latest open round."""
    monitoring = monitoring_of(project, _round_number(request))
    if monitoring is None:
        raise Http404(_("本年度尚未发起运行监控。"))
    return monitoring


def _actions(user, project, monitoring: ProjectMonitoring) -> dict[str, str]:
    is_open = monitoring.round.status == MonitoringRound.Status.OPEN
    actions = {}
    if is_open and can_edit_unit(user, project.unit) and monitoring.status in EDITABLE:
        actions["submit"] = reverse("performance:monitoring-submit", args=[project.pk])
    if is_open and can_review_unit(user, project.unit):
        if monitoring.status == Status.SUBMITTED:
            actions["return"] = reverse("performance:monitoring-return", args=[project.pk])
            actions["approve"] = reverse("performance:monitoring-approve", args=[project.pk])
        elif monitoring.status == Status.APPROVED:
            actions["reopen"] = reverse("performance:monitoring-reopen", args=[project.pk])
    return {name: _in_round(url, monitoring) for name, url in actions.items()}


def _add_errors(form, rows, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    by_prefix = {row.prefix: row for row in rows}
    for key, errors in error.message_dict.items():
        prefix, _sep, name = key.rpartition("-")
        row = by_prefix.get(prefix)
        if row is not None and name in row.fields:
            row.add_error(name, errors)
        else:
            form.add_error(None, errors)


@login_required
def monitoring_edit(request, pk: int):
    """A project's monitoring: the entry form for its unit's staff, read-only for everyone else in scope."""
    project = _project(request, pk)
    monitoring = _monitoring(request, project)
    indicators = monitoring_indicators(project)
    editable = (
        can_edit_unit(request.user, project.unit)
        and monitoring.status in EDITABLE
        and monitoring.round.status == MonitoringRound.Status.OPEN
    )
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        form, rows = build_monitoring_forms(indicators=indicators, data=request.POST)
        valid = all([form.is_valid(), *[row.is_valid() for row in rows]])
        entry = entry_from_monitoring_forms(form, rows)
        if valid:
            try:
                monitoring = save_monitoring_entry(
                    monitoring=monitoring, data=entry, by=request.user, version=form.cleaned_data["version"]
                )
            except ValidationError as error:
                _add_errors(form, rows, error)
            else:
                if request.POST.get("action") == "submit":
                    return _transition(request, pk, submit_monitoring, success=_("已提交审核。"))
                messages.success(request, _("已保存（第 %(version)s 版）。") % {"version": monitoring.version})
                return redirect(_in_round(reverse("performance:monitoring-edit", args=[project.pk]), monitoring))
        elif errors := unreadable_entry_errors(indicators=indicators, entry=entry):
            _add_errors(form, rows, ValidationError(errors))  # the service's refusals, shown with the form's
        messages.error(request, _("未保存：请按各栏旁的提示修改后再保存。"))
    else:
        entry = entry_from_monitoring(monitoring, indicators)
        form, rows = build_monitoring_forms(
            indicators=indicators, initial=monitoring_initial(entry, version=monitoring.version)
        )
    assessment = assess(cut_off=monitoring.round.cut_off, indicators=indicators, entry=entry)
    notes = monitoring_field_problems(assessment, entry) if editable else {}  # what blocks submitting, by field
    context = {
        "project": project,
        "monitoring": monitoring,
        "round": monitoring.round,
        "form": form,
        "budget_fields": with_notes(form, notes),
        "rows": [(row, assessed, with_notes(row, notes)) for row, assessed in zip(rows, assessment.rows, strict=True)],
        "assessment": assessment,
        "budget_rate": percent(assessment.budget.rate),
        "budget_share": percent(assessment.budget.share),
        "problems": [problem for field in notes.values() for problem in field],
        "editable": editable,
        "actions": _actions(request.user, project, monitoring),
        "rules": light_rules(),
        "report_url": _report_url(project.unit.department, project.year, monitoring.round.round_number),
        "rounds": list(rounds_of(project.unit.department_id, project.year)),
        "preview_url": _in_round(reverse("performance:monitoring-preview", args=[project.pk]), monitoring),
        "sheet_url": _in_round(reverse("performance:monitoring-sheet-project", args=[project.pk]), monitoring),
    }
    return render(request, "performance/monitoring_form.html", context)


def _light_json(light: str | None, reason: str = "") -> dict:
    names = {GREEN: _("绿灯"), AMBER: _("黄灯"), RED: _("红灯")}
    return {"light": light or "none", "label": names.get(light, _("未填报")), "reason": reason}


@login_required
@require_POST
def monitoring_preview(request, pk: int):
    """The lights of the posted (unsaved) entry: JSON for the page's live recompute."""
    project = _project(request, pk)
    monitoring = _monitoring(request, project)
    if not can_edit_unit(request.user, project.unit):
        raise PermissionDenied
    indicators = monitoring_indicators(project)
    form, rows = build_monitoring_forms(indicators=indicators, data=request.POST)
    for bound in (form, *rows):
        bound.is_valid()
    entry = entry_from_monitoring_forms(form, rows)
    assessment = assess(cut_off=monitoring.round.cut_off, indicators=indicators, entry=entry)
    budget = assessment.budget
    return JsonResponse(
        {
            "project": _light_json(assessment.light),
            "budget": {
                **_light_json(budget.light, budget.reason),
                "rate": percent(budget.rate),
                "share": percent(budget.share),
            },
            "rows": {str(row.indicator.pk): _light_json(row.light.light, row.light.reason) for row in assessment.rows},
            "notes": monitoring_field_problems(assessment, entry),  # shown beside their fields as the user types
        }
    )


def _transition(request, pk: int, action, *, success: str, needs_reason: bool = False):
    project = _project(request, pk)
    monitoring = _monitoring(request, project)
    return transition_response(
        request,
        partial(action, monitoring=monitoring),
        success=success,
        to=_in_round(reverse("performance:monitoring-edit", args=[project.pk]), monitoring),
        needs_reason=needs_reason,
    )


@login_required
@require_POST
def monitoring_submit(request, pk: int):
    return _transition(request, pk, submit_monitoring, success=_("已提交审核。"))


@login_required
@require_POST
def monitoring_return(request, pk: int):
    return _transition(request, pk, return_monitoring, success=_("已退回填报单位。"), needs_reason=True)


@login_required
@require_POST
def monitoring_approve(request, pk: int):
    return _transition(request, pk, approve_monitoring, success=_("已审核通过，数据已锁定。"))


@login_required
@require_POST
def monitoring_reopen(request, pk: int):
    return _transition(request, pk, reopen_monitoring, success=_("已重新打开，填报单位可以修改。"), needs_reason=True)


@login_required
def monitoring_project_sheet(request, pk: int):
    """One project's 绩效运行监控表."""
    project = _project(request, pk)
    monitoring = _monitoring(request, project)
    reports = department_report(monitoring_round=monitoring.round, projects=[project])
    data = monitoring_workbook_bytes(monitoring.round, reports, summary=False)
    return _xlsx(data, f"{project.year}年度{project.name}-第{monitoring.round.round_number}次绩效运行监控表.xlsx")

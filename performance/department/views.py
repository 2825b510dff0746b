"""The department self-evaluation page (部门整体支出绩效自评) and its workbook, for the department's reviewers and
staff and for finance; the reviewer decides each item, finance chooses the framework and keeps the frameworks."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from budgets.numbers import shown_amount
from budgets.permissions import can_review_department, departments_for, is_finance_bureau

from ..rules.views import finance_required
from .forms import BasicSpendingForm, DecisionForm, FrameworkChoiceForm, FrameworkItemFormSet, FrameworkNoteForm
from .framework import Decision, framework_to_json
from .models import DepartmentFramework, DepartmentFrameworkVersion, ItemDecision
from .services import (
    choose_framework,
    decide_item,
    department_assessment,
    record_basic_spending,
    record_indicator_actuals,
    save_framework_version,
)
from .sheet import evaluation_workbook

HISTORY_SHOWN = 30


def _department(request, code: str):
    return get_object_or_404(departments_for(request.user), code=code)


def _back(code: str, year: int):
    return redirect("performance:department-evaluation", code=code, year=year)


@login_required
def department_evaluation(request, code: str, year: int):
    department = _department(request, code)
    current = department_assessment(department, year)
    reviewer = can_review_department(request.user, department)
    history = []
    if current.evaluation is not None:
        history = (
            ItemDecision.history.filter(evaluation_id=current.evaluation.pk)
            .select_related("history_user")
            .order_by("-history_date", "-history_id")[:HISTORY_SHOWN]
        )
    names = {item.code: item.name for item in current.version.value().items}
    evaluation = current.evaluation
    return render(
        request,
        "performance/department_evaluation.html",
        {
            "department": department,
            "year": year,
            "current": current,
            "result": current.assessment,
            "figures": list(current.figures.values()),
            "reviewer": reviewer,
            "finance": is_finance_bureau(request.user),
            "basic_form": BasicSpendingForm(
                initial={
                    "basic_full_year": shown_amount(evaluation.basic_full_year) if evaluation else None,
                    "basic_executed": shown_amount(evaluation.basic_executed) if evaluation else None,
                }
            ),
            "choice_form": FrameworkChoiceForm(initial={"version": current.version}),
            "tasks": list(department.main_tasks.filter(year=year)),
            "indicator_rows": _indicator_rows(current),
            "history": [(entry, names.get(entry.code, entry.code)) for entry in history],
        },
    )


def _indicator_rows(current) -> list[dict]:
    scored = current.indicator_score.rows if current.indicator_score else [None] * len(current.indicators)
    return [{"indicator": i, "score": s} for i, s in zip(current.indicators, scored, strict=True)]


def _reviewer_department(request, code: str):
    department = _department(request, code)
    if not can_review_department(request.user, department):
        raise PermissionDenied(_("只有本部门的审核人可以审核部门整体自评。"))
    return department


@login_required
@require_POST
def department_evaluation_decide(request, code: str, year: int):
    department = _reviewer_department(request, code)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请检查填写的得分和理由。"))
        return _back(code, year)
    data = form.cleaned_data
    try:
        decide_item(
            department=department,
            year=year,
            code=data["code"],
            decision=Decision(data["action"], data["score"], data["reason"] or ""),
            by=request.user,
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("已保存。"))
    return _back(code, year)


@login_required
@require_POST
def department_evaluation_basic(request, code: str, year: int):
    department = _reviewer_department(request, code)
    form = BasicSpendingForm(request.POST)
    if form.is_valid():
        record_basic_spending(
            department=department,
            year=year,
            full_year=form.cleaned_data["basic_full_year"],
            executed=form.cleaned_data["basic_executed"],
        )
        messages.success(request, _("已保存基本支出。"))
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return _back(code, year)


@login_required
@require_POST
def department_evaluation_indicators(request, code: str, year: int):
    """The reviewer's actual values and deviation reasons for the department's own indicators."""
    department = _reviewer_department(request, code)
    entries = {}
    for indicator in department.indicators.filter(year=year):
        if f"actual-{indicator.pk}" in request.POST:
            entries[indicator.pk] = (
                request.POST.get(f"actual-{indicator.pk}", "")[:500],
                request.POST.get(f"reason-{indicator.pk}", "")[:2000],
            )
    try:
        changed = record_indicator_actuals(department=department, year=year, entries=entries)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("已保存 %(n)s 项实际完成值。") % {"n": changed})
    return _back(code, year)


@login_required
@require_POST
def department_evaluation_framework(request, code: str, year: int):
    department = _department(request, code)
    if not is_finance_bureau(request.user):
        raise PermissionDenied(_("只有财政部门可以选定评价框架。"))
    form = FrameworkChoiceForm(request.POST)
    if form.is_valid():
        choose_framework(department=department, year=year, version=form.cleaned_data["version"])
        messages.success(request, _("已选定评价框架。"))
    else:
        messages.error(request, _("请选择一个评价框架。"))
    return _back(code, year)


@login_required
def department_evaluation_sheet(request, code: str, year: int):
    department = _department(request, code)
    data = evaluation_workbook(department_assessment(department, year))
    name = f"{year}-{department.name}-部门整体支出绩效自评表.xlsx"
    return FileResponse(data, as_attachment=True, filename=name)


@finance_required
def framework_list(request):
    frameworks = DepartmentFramework.objects.prefetch_related("versions").order_by("id")
    return render(request, "performance/department_frameworks.html", {"frameworks": frameworks})


@finance_required
def framework_edit(request, pk: int):
    """A framework's items, editable as a new version (the old ones stay as they were)."""
    framework = get_object_or_404(DepartmentFramework, pk=pk)
    latest = framework.latest()
    value = latest.value()
    initial = [{"code": i.code, "name": i.name, "weight": i.weight, "guidance": i.guidance} for i in value.items]
    if request.method == "POST":
        formset = FrameworkItemFormSet(request.POST, initial=initial)
        note_form = FrameworkNoteForm(request.POST)
        if formset.is_valid() and note_form.is_valid():
            edited = {row["code"]: row for row in formset.cleaned_data}
            content = framework_to_json(value)
            for item in content["items"]:
                row = edited.get(item["code"])
                if row:
                    item.update(name=row["name"], weight=str(row["weight"]), guidance=row["guidance"])
            try:
                version = save_framework_version(
                    framework=framework, content=content, note=note_form.cleaned_data["note"], by=request.user
                )
            except ValidationError as error:
                for message in error.messages:
                    messages.error(request, message)
            else:
                messages.success(request, _("已保存为第 %(n)s 版。") % {"n": version.number})
                return redirect("performance:framework-edit", pk=framework.pk)
    else:
        formset = FrameworkItemFormSet(initial=initial)
        note_form = FrameworkNoteForm()
    depths = {i.code: value.depth(i) for i in value.items}
    return render(
        request,
        "performance/department_framework_form.html",
        {
            "framework": framework,
            "latest": latest,
            "rows": [(form, depths.get(form.initial.get("code"), 0)) for form in formset.forms],
            "formset": formset,
            "note_form": note_form,
            "versions": DepartmentFrameworkVersion.objects.filter(framework=framework).order_by("-number"),
        },
    )

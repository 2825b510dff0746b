"""The declaration page with its live reading of each target, the targets' workflow, and adjustments.

Every view finds its project through ``projects_for(request.user)`` (404 outside the user's scope); what a
user may change is asked of ``performance.rights``; the transitions check it again on the engine.
"""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from budgets.consistency import Severity
from budgets.permissions import projects_for

from ..carry_forward import carried_actuals
from ..models import Indicator
from ..rights import is_unit_staff, may, refusal, target_set_of
from ..targets import is_cost
from ..templatetags.labels import severity_label
from ..workflow.views import transition_response
from . import flows
from .forms import BASES, AdjustmentForm, DeclarationForm, IndicatorRowFormSet, initial_rows, ordered_rows
from .models import Adjustment, AdjustmentItem, TargetSet
from .reading import reading
from .services import (
    DeclaredRow,
    baseline_by_indicator,
    declaration_problems,
    draft_indicators,
    pending_adjustment,
    request_adjustment,
    review_rows,
    save_declaration,
)
from .sources import SOURCES, source_rows


def _project(request, pk: int):
    projects = projects_for(request.user).select_related("unit__department", "goal", "target_set")
    return get_object_or_404(projects, pk=pk)


def _to_detail(project):
    return redirect("performance:project-detail", pk=project.pk)


def _indicators(project) -> list[Indicator]:
    return list(project.indicators.in_order())


def _row_extras(project, indicators) -> list[dict]:
    """What each row shows beside its inputs: last year's target and actual of the same indicator
    (``carried_actuals``, the rule the project page's 跨年度 table uses)."""
    _previous, carried = carried_actuals(project)
    last = {row.indicator.pk: row for row in carried}
    return [
        {"last_target": last[i.pk].last_target, "last_actual": last[i.pk].last_actual or "—"} if i.pk in last else {}
        for i in indicators
    ]


# --- the declaration page ----------------------------------------------------------------------------


@login_required
def declaration_edit(request, pk: int):
    """Declare a project's goal and indicators (绩效目标申报): its unit's staff, while a draft or returned."""
    project = _project(request, pk)
    if not is_unit_staff(request.user, project):  # the unit's staff (the state is told below)
        raise PermissionDenied(refusal(request.user, "declare_targets", project))
    reason = refusal(request.user, "declare_targets", project)
    if reason is not None:
        messages.info(request, reason)
        return _to_detail(project)
    target_set = target_set_of(project)
    version = target_set.version if target_set else 0
    source = request.GET.get("from", "")
    if request.method == "POST":
        form = DeclarationForm(request.POST)
        formset = IndicatorRowFormSet(request.POST, prefix="rows")
        if form.is_valid() and formset.is_valid():
            rows = ordered_rows(formset)
            try:
                with transaction.atomic():
                    save_declaration(
                        project=project,
                        goal=form.cleaned_data["goal"],
                        rows=rows,
                        by=request.user,
                        version=form.cleaned_data["version"],
                    )
                    if "submit" in request.POST:
                        flows.submit_targets(project=project, by=request.user)
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                if "submit" in request.POST:
                    messages.success(request, _("绩效目标已申报，等待审核。"))
                    return _to_detail(project)
                messages.success(request, _("已保存。"))
                return redirect("performance:declaration-edit", pk=project.pk)
        extras = [{} for _form in formset.forms]
    else:
        goal = getattr(project, "goal", None)
        indicators = _indicators(project)
        extras = _row_extras(project, indicators)
        goal_text = goal.text if goal else ""
        if source in SOURCES:
            indicators, extras, source_goal = source_rows(source, project)
            goal_text = goal_text or source_goal
            messages.info(request, _("已载入%(source)s，检查后保存才生效。") % {"source": SOURCES[source].label})
        initial = initial_rows(indicators)
        if source in SOURCES:
            for row in initial:
                row["indicator_id"] = None
        form = DeclarationForm(initial={"goal": goal_text, "version": version})
        formset = IndicatorRowFormSet(initial=initial, prefix="rows")
    context = {
        "project": project,
        "target_set": target_set,
        "form": form,
        "formset": formset,
        "rows": list(zip(formset.forms, extras, strict=False)),
        "sources": [
            (key, item.label, reverse("performance:declaration-edit", args=[project.pk]) + f"?from={key}")
            for key, item in SOURCES.items()
            if item.available(project)
        ],
        "bases": BASES,
        "preview_url": reverse("performance:declaration-preview", args=[project.pk]),
        "mode": "declare",
    }
    return render(request, "performance/declaration_form.html", context)


@login_required
@require_POST
def declaration_preview(request, pk: int):
    """How each posted row's target will be read and what the target review says of it: JSON, nothing saved."""
    project = _project(request, pk)
    if not is_unit_staff(request.user, project):  # the unit's staff
        raise PermissionDenied
    formset = IndicatorRowFormSet(request.POST, prefix="rows")
    formset.is_valid()
    rows: dict[str, dict] = {}
    declared: list[DeclaredRow] = []
    prefixes: list[str] = []
    for form in formset.forms:
        data = form.cleaned_data if hasattr(form, "cleaned_data") else {}
        if data.get("DELETE"):
            continue
        text = form.data.get(f"{form.prefix}-target", "")
        rows[form.prefix] = {"reading": reading(text, cost=False), "findings": [], "errors": {}}
        rows[form.prefix]["errors"] = {name: list(errors) for name, errors in form.errors.items()}
        if form.is_valid() and form.has_changed():
            row = form.row()
            declared.append(row)
            prefixes.append(form.prefix)
            rows[form.prefix]["reading"] = reading(row.target, cost=is_cost(row.level1.name, row.level2.name))
    order = sorted(
        range(len(declared)),
        key=lambda i: formset.forms[int(prefixes[i].rsplit("-", 1)[1])].cleaned_data.get("ORDER") or 0,
    )
    declared = [declared[i] for i in order]
    prefixes = [prefixes[i] for i in order]
    indicators = draft_indicators(project, declared)
    general = []
    for finding in review_rows(project, indicators, viewer=request.user):
        item = {
            "severity": severity_label(finding.severity),
            "error": finding.severity == Severity.ERROR,
            "message": finding.message,
            "suggestion": finding.suggestion,
            "title": finding.title,
        }
        if finding.row:
            rows[prefixes[finding.row - 1]]["findings"].append(item)
        else:
            general.append(item)
    problems = declaration_problems(project, indicators) if indicators else [_("尚未填写任何绩效指标。")]
    return JsonResponse({"rows": rows, "general": general, "problems": problems})


# --- the targets' workflow ---------------------------------------------------------------------------


def _targets_transition(request, pk: int, action, *, success: str, needs_reason: bool = False):
    project = _project(request, pk)
    to = reverse("performance:project-detail", args=[project.pk])
    return transition_response(
        request, partial(action, project=project), success=success, to=to, needs_reason=needs_reason
    )


@login_required
@require_POST
def targets_submit(request, pk: int):
    return _targets_transition(request, pk, flows.submit_targets, success=_("绩效目标已申报，等待审核。"))


@login_required
@require_POST
def targets_return(request, pk: int):
    return _targets_transition(
        request, pk, flows.return_targets, success=_("绩效目标已退回填报单位。"), needs_reason=True
    )


@login_required
@require_POST
def targets_approve(request, pk: int):
    return _targets_transition(
        request, pk, flows.approve_targets, success=_("绩效目标已批复，成为本年度自评和监控的基准。")
    )


# --- adjustments ---------------------------------------------------------------------------------------


@login_required
def adjustment_create(request, pk: int):
    """Ask for approved targets to change (调整申请): the rows as they should become, and a reason."""
    project = _project(request, pk)
    reason = refusal(request.user, "request_adjustment", project)
    if reason is not None:
        if not is_unit_staff(request.user, project):  # the unit's staff (the state is told below)
            raise PermissionDenied
        messages.info(request, reason)
        return _to_detail(project)
    pending = pending_adjustment(project)
    if pending is not None:
        messages.info(request, _("该项目已有一项待审批的调整申请。"))
        return redirect("performance:adjustment-detail", pk=pending.pk)
    indicators = _indicators(project)
    if request.method == "POST":
        form = AdjustmentForm(request.POST)
        formset = IndicatorRowFormSet(request.POST, prefix="rows")
        if form.is_valid() and formset.is_valid():
            try:
                adjustment = request_adjustment(
                    project=project, rows=ordered_rows(formset), reason=form.cleaned_data["reason"], by=request.user
                )
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                messages.success(request, _("调整申请已提交，批准前仍按批复的目标计分。"))
                return redirect("performance:adjustment-detail", pk=adjustment.pk)
        extras = [{} for _form in formset.forms]
    else:
        form = AdjustmentForm()
        formset = IndicatorRowFormSet(initial=initial_rows(indicators), prefix="rows")
        extras = _row_extras(project, indicators)
    context = {
        "project": project,
        "target_set": target_set_of(project),
        "form": form,
        "formset": formset,
        "rows": list(zip(formset.forms, extras, strict=False)),
        "sources": [],
        "bases": BASES,
        "preview_url": reverse("performance:declaration-preview", args=[project.pk]),
        "mode": "adjust",
    }
    return render(request, "performance/declaration_form.html", context)


def _adjustment(request, pk: int) -> Adjustment:
    adjustments = Adjustment.objects.filter(project__in=projects_for(request.user)).select_related(
        "project__unit__department", "submitted_by", "reviewed_by"
    )
    return get_object_or_404(adjustments, pk=pk)


@login_required
def adjustment_detail(request, pk: int):
    """An adjustment request: each change beside the value in force and the approved baseline."""
    adjustment = _adjustment(request, pk)
    project = adjustment.project
    baseline = baseline_by_indicator(project)
    items = adjustment.items.select_related("level1", "level2", "indicator").order_by("order", "id")
    shown = [
        {"item": item, "baseline": baseline.get(item.indicator_id)}
        for item in items
        if item.action != AdjustmentItem.Action.CHANGE or _changed_fields(item)  # a row only moved is not shown
    ]
    may_decide = adjustment.status == Adjustment.Status.SUBMITTED and may(request.user, "decide_adjustment", project)
    context = {
        "adjustment": adjustment,
        "project": project,
        "items": shown,
        "may_decide": may_decide,
    }
    return render(request, "performance/adjustment_detail.html", context)


def _changed_fields(item: AdjustmentItem) -> list[str]:
    if item.action != AdjustmentItem.Action.CHANGE:
        return []
    before = item.before
    now = {
        "level1": item.level1.name if item.level1 else "",
        "level2": item.level2.name if item.level2 else "",
        "name": item.name,
        "description": item.description,
        "target": item.target,
        "basis": item.basis,
        "weight": None if item.weight is None else f"{item.weight:.2f}",
    }
    return [name for name, value in now.items() if before.get(name) != value]


def _adjustment_transition(request, pk: int, action, *, success: str, needs_reason: bool = False):
    adjustment = _adjustment(request, pk)
    to = reverse("performance:adjustment-detail", args=[adjustment.pk])
    return transition_response(
        request, partial(action, adjustment=adjustment), success=success, to=to, needs_reason=needs_reason
    )


@login_required
@require_POST
def adjustment_approve(request, pk: int):
    return _adjustment_transition(
        request, pk, flows.approve_adjustment, success=_("已批准调整，自评从现在起按调整后的目标计分。")
    )


@login_required
@require_POST
def adjustment_refuse(request, pk: int):
    return _adjustment_transition(
        request, pk, flows.refuse_adjustment, success=_("已不予批准，目标保持不变。"), needs_reason=True
    )


def targets_panel(user, project) -> dict:
    """What the project page shows of the declaration, for this user: the state, the buttons they may use and
    the pending adjustment (rendered on every request; the baseline's differences are in a cached part)."""
    target_set = TargetSet.objects.filter(project_id=project.pk).select_related("submitted_by", "reviewed_by").first()
    status = target_set.status if target_set else TargetSet.Status.DRAFT
    actions = {}
    if may(user, "declare_targets", project):
        actions["declare"] = reverse("performance:declaration-edit", args=[project.pk])
        actions["submit"] = reverse("performance:targets-submit", args=[project.pk])
    if status == TargetSet.Status.SUBMITTED and may(user, "approve_targets", project):
        actions["approve"] = reverse("performance:targets-approve", args=[project.pk])
        actions["return"] = reverse("performance:targets-return", args=[project.pk])
    pending = None
    if status == TargetSet.Status.APPROVED:
        pending = pending_adjustment(project)
        if pending is None and may(user, "request_adjustment", project):
            actions["adjust"] = reverse("performance:adjustment-create", args=[project.pk])
    adjustments = list(project.adjustments.order_by("-id")[:5]) if status == TargetSet.Status.APPROVED else []
    return {
        "target_set": target_set,
        "status": status,
        "status_label": TargetSet.Status(status).label,
        "actions": actions,
        "pending": pending,
        "adjustments": adjustments,
    }

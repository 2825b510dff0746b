"""The self-evaluation entry page, its live preview, the workflow actions, evidence files and the workbook upload.

Every view finds its project through ``projects_for(request.user)`` (404 outside the user's scope);
writing needs the unit's staff (``performance.rights``), reviewing is checked by ``performance.workflow``.
"""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import prefetch_related_objects
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from budgets.models import STAGES, Project
from budgets.permissions import projects_for, sees_everything, units_for

from ..entry_services import (
    EDITABLE,
    GENERAL,
    StaleEntryError,
    attach_evidence,
    entry_from_forms,
    entry_from_project,
    entry_initial,
    entry_keeping_saved,
    entry_messages,
    money_total_errors,
    save_evaluation_entry,
    score_entry,
    stage_total,
    unreadable_entry_errors,
)
from ..forms import WorkbookUploadForm, build_entry_forms, forms_are_valid
from ..jobs import start_job
from ..models import Evaluation, Evidence, Job, evaluation_of
from ..rights import is_unit_staff
from ..scoring import grade_label
from ..services import indicators_for_scoring
from ..targets import Kind
from ..workflow import approve_evaluation, reopen_evaluation, return_evaluation, submit_evaluation
from ..workflow.views import transition_response

ROW_FIELDS = ("actual", "tier", "evaluator_score", "deviation_reason", "evidence")
SHOWN_PROBLEMS = 5


def _project(request, pk: int) -> Project:
    projects = projects_for(request.user).select_related("unit__department", "evaluation", "goal")
    return get_object_or_404(projects, pk=pk)


def _indicators(project: Project) -> list:
    return list(indicators_for_scoring().filter(project=project).prefetch_related("evidence_files"))


def _to_detail(project: Project):
    return redirect("performance:project-detail", pk=project.pk)


# --- the entry page ------------------------------------------------------------------------------


@login_required
def evaluation_edit(request, pk: int):
    project = _project(request, pk)
    if not is_unit_staff(request.user, project):
        raise PermissionDenied
    evaluation = evaluation_of(project)
    if evaluation is not None and evaluation.status not in EDITABLE:
        if evaluation.is_locked:
            messages.info(request, _("自评已审核，数据已锁定；如需修改请由审核人重新打开。"))
        else:
            messages.info(request, _("自评已提交，等待审核期间不能修改；如需修改请由审核人退回。"))
        return _to_detail(project)
    indicators = _indicators(project)
    stale = None
    if request.method == "POST":
        form, rows = build_entry_forms(indicators=indicators, data=request.POST, files=request.FILES)
        forms_are_valid(form, rows)
        to_save, entry = _entry_to_save(project, indicators, form, rows)
        if "version" in form.errors:  # not a number: the page was not ours
            messages.error(request, _("未保存：页面已过期，请重新打开填报页。"))
        else:
            evidence = _uploaded_evidence(form, rows)
            try:
                evaluation = save_evaluation_entry(
                    project=project,
                    data=to_save,
                    by=request.user,
                    version=_version(request, form),
                    evidence=evidence,
                    remove=_removed_evidence(request),
                )
            except StaleEntryError as error:
                stale = error
                _keep_evidence(request, project, evidence)
            except ValidationError as error:
                _add_errors(form, rows, error)
                messages.error(request, _("未保存：请按各栏旁标红的提示修改后再保存。"))
            else:
                saved_files = "、".join(f"“{file.name}”" for _indicator, file in evidence)
                if not _wrong_fields(form, rows):
                    if request.POST.get("action") == "submit":
                        return _submit(request, project, evaluation)
                    messages.success(request, _("已保存（第 %(version)s 版）。") % {"version": evaluation.version})
                    return redirect("performance:evaluation-edit", pk=project.pk)
                _saved_with_errors(request, form, rows, evaluation, saved_files)
                indicators = _reload_evidence(indicators)
    else:
        entry = entry_from_project(project=project, indicators=indicators)
        version = evaluation.version if evaluation else 0
        form, rows = build_entry_forms(indicators=indicators, initial=entry_initial(entry, version=version))
    _mark_wrong(form, rows)
    score = score_entry(project=project, indicators=indicators, entry=entry)
    notes = entry_messages(indicators=indicators, entry=entry, score=score)
    context = {
        "project": project,
        "evaluation": evaluation,
        "form": form,
        "rows": [
            {
                "indicator": row.indicator,
                "form": row,
                "score": scored,
                "tiered": row.indicator.target_kind != Kind.QUANTITATIVE,
                "notes": {
                    name: [
                        note for note in notes.get(f"{row.prefix}-{name}", []) if note not in row.errors.get(name, [])
                    ]
                    for name in ROW_FIELDS
                },
            }
            for row, scored in zip(rows, score.rows, strict=True)
        ],
        "score": score,
        "notes": notes,
        "general": notes.get(GENERAL, []),
        "project_evidence": [e for e in project.evidence_files.all() if e.indicator_id is None],
        "stale": stale,
        "rate_percent": _percent(score.budget.rate),
    }
    return render(request, "performance/evaluation_form.html", context)


def _entry_to_save(project: Project, indicators: list, form, rows):
    """(the entry a save writes, the entry the page scores and shows): what was typed, where a field that is no
    value of its kind (not a number, too long) keeps its saved value; to save, so do those the rules refuse
    (unreadable actuals, totals that disagree), each marked on the forms."""
    saved = entry_from_project(project=project, indicators=indicators)
    posted = entry_from_forms(form, rows)  # before the errors below take fields out of cleaned_data
    shown = entry_keeping_saved(posted, saved, _wrong_fields(form, rows))
    refused = {**unreadable_entry_errors(indicators=indicators, entry=shown), **money_total_errors(shown)}
    if not refused:
        return shown, shown
    _add_errors(form, rows, ValidationError(refused))
    return entry_keeping_saved(shown, saved, set(refused)), shown


def _mark_wrong(form, rows) -> None:
    """Fields with an error drawn red (Bootstrap's is-invalid) beside their worded message."""
    for bound in (form, *rows):
        for name in bound.errors:
            if name in bound.fields:
                widget = bound.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


def _wrong_fields(form, rows) -> set[str]:
    """The page's keys of the fields with an error (``executed_fiscal``, ``ind-7-actual``)."""
    wrong = {name for name in form.errors if name != "__all__"}
    for row in rows:
        wrong |= {f"{row.prefix}-{name}" for name in row.errors if name != "__all__"}
    return wrong


def _saved_with_errors(request, form, rows, evaluation: Evaluation, saved_files: str) -> None:
    """After a save that left the wrong fields out: the page again, as typed, on the new version."""
    data = request.POST.copy()
    data["version"] = str(evaluation.version)
    for bound in (form, *rows):
        bound.data = data
    wrong = len(_wrong_fields(form, rows))
    message = _(
        "已保存草稿（第 %(version)s 版）：其余各栏已保存，标红的 %(n)s 栏有误、未保存，请按提示修改后再保存。"
    ) % {
        "version": evaluation.version,
        "n": wrong,
    }
    if saved_files:
        message += _("所选佐证材料%(files)s已保存。") % {"files": saved_files}
    if request.POST.get("action") == "submit":
        message += _("有误的栏目改正前不能提交审核。")
    messages.warning(request, message)


def _keep_evidence(request, project: Project, evidence: list) -> None:
    """A save refused for a newer version: the files chosen are still added (they change nothing typed)."""
    if not evidence:
        return
    try:
        attach_evidence(project=project, evidence=evidence, by=request.user)
    except (ValidationError, PermissionDenied):
        return
    names = "、".join(f"“{file.name}”" for _indicator, file in evidence)
    messages.info(request, _("所选佐证材料%(files)s已保存，无需重新选择。") % {"files": names})


def _removed_evidence(request) -> list[int]:
    """The evidence files ticked 删除 (the service ignores any that are not the project's)."""
    return [int(value) for value in request.POST.getlist("evidence-remove") if value.isdigit()]


def _reload_evidence(indicators: list) -> list:
    """The indicators with their evidence files read again (after a save added or removed some)."""
    for indicator in indicators:
        getattr(indicator, "_prefetched_objects_cache", {}).pop("evidence_files", None)
    prefetch_related_objects(indicators, "evidence_files")
    return indicators


def _version(request, form) -> int:
    """The version the save is based on; after a refusal the user may knowingly save over the newer one."""
    overwrite = request.POST.get("overwrite", "")
    return int(overwrite) if overwrite.isdigit() else form.cleaned_data["version"]


def _amount(value) -> str | None:
    return None if value is None else f"{value:,.2f}"


def _percent(rate) -> str | None:
    return None if rate is None else f"{rate * 100:.2f}%"


def _uploaded_evidence(form, rows) -> list:
    files = []
    if form.cleaned_data.get("evidence"):
        files.append((None, form.cleaned_data["evidence"]))
    files.extend((row.indicator, row.cleaned_data["evidence"]) for row in rows if row.cleaned_data.get("evidence"))
    return files


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
        elif key in form.fields:
            form.add_error(key, errors)
        else:
            form.add_error(None, errors)


def _submit(request, project: Project, evaluation: Evaluation):
    try:
        submit_evaluation(evaluation=evaluation, by=request.user)
    except ValidationError as error:
        shown = " ".join(error.messages[:SHOWN_PROBLEMS]) + ("……" if len(error.messages) > SHOWN_PROBLEMS else "")
        messages.error(
            request,
            _("已保存草稿，但不能提交审核（%(n)s 个问题，见各栏旁的提示）：%(problems)s")
            % {"n": len(error.messages), "problems": shown},
        )
        return redirect("performance:evaluation-edit", pk=project.pk)
    except PermissionDenied:
        messages.error(request, _("您无权提交此项目的自评。"))
        return redirect("performance:evaluation-edit", pk=project.pk)
    messages.success(request, _("已提交审核。"))
    return _to_detail(project)


@login_required
@require_POST
def evaluation_preview(request, pk: int):
    """Score the posted entry without saving: JSON for the page's live recompute."""
    project = _project(request, pk)
    if not is_unit_staff(request.user, project):
        raise PermissionDenied
    indicators = _indicators(project)
    form, rows = build_entry_forms(indicators=indicators, data=request.POST)
    forms_are_valid(form, rows)
    _to_save, entry = _entry_to_save(project, indicators, form, rows)
    score = score_entry(project=project, indicators=indicators, entry=entry)
    form_errors = {name: list(errors) for name, errors in form.errors.items() if name != "version"}
    for row in rows:
        form_errors.update({f"{row.prefix}-{name}": list(errors) for name, errors in row.errors.items()})
    budget = score.budget
    return JsonResponse(
        {
            "total": f"{score.total:.2f}",
            "grade": score.grade,
            "started": score.started,  # nobody has entered anything: 未填报, not a total of 0 and 差
            "total_shown": f"{score.total:.2f}" if score.started else "—",
            "grade_label": grade_label(score.grade) if score.started else _("未填报"),
            "budget": {
                "rate": None if budget.rate is None else f"{budget.rate:.4f}",
                "rate_percent": _percent(budget.rate),
                "weight": f"{budget.weight:.2f}",
                "score": f"{budget.score:.2f}",
                "reason_required": budget.reason_required,
            },
            "rows": {
                str(indicator.pk): {
                    "weight": f"{row.weight:.2f}",
                    "score": f"{row.score:.2f}",
                    "applicable": row.applicable,
                    "reason_required": row.reason_required,
                    "tier": row.tier,
                }
                for indicator, row in zip(indicators, score.rows, strict=True)
            },
            "messages": entry_messages(indicators=indicators, entry=entry, score=score),
            "form_errors": form_errors,
            "problems": score.problems,
            "stage_totals": {stage: _amount(stage_total(entry, stage)) for stage in STAGES},
        }
    )


# --- workflow actions ----------------------------------------------------------------------------


def _transition(request, pk: int, action, *, success: str, needs_reason: bool = False):
    project = _project(request, pk)
    evaluation = evaluation_of(project)
    if evaluation is None:
        messages.error(request, _("此项目还没有自评，请先填写并保存。"))
        return _to_detail(project)
    return transition_response(
        request,
        partial(action, evaluation=evaluation),
        success=success,
        to=reverse("performance:project-detail", args=[project.pk]),
        needs_reason=needs_reason,
    )


@login_required
@require_POST
def evaluation_submit(request, pk: int):
    return _transition(request, pk, submit_evaluation, success=_("已提交审核。"))


@login_required
@require_POST
def evaluation_return(request, pk: int):
    return _transition(request, pk, return_evaluation, success=_("已退回填报单位。"), needs_reason=True)


@login_required
@require_POST
def evaluation_approve(request, pk: int):
    return _transition(request, pk, approve_evaluation, success=_("已审核通过，数据已锁定。"))


@login_required
@require_POST
def evaluation_reopen(request, pk: int):
    return _transition(request, pk, reopen_evaluation, success=_("已重新打开，填报单位可以修改。"), needs_reason=True)


# --- evidence ------------------------------------------------------------------------------------


@login_required
def evidence_download(request, pk: int):
    evidence = get_object_or_404(Evidence.objects.filter(project__in=projects_for(request.user)), pk=pk)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as error:
        raise Http404(_("文件已不存在。")) from error
    return FileResponse(handle, as_attachment=True, filename=evidence.original_name, content_type=evidence.content_type)


# --- workbook upload -----------------------------------------------------------------------------


@login_required
def workbook_upload(request):
    """Upload the flat workbook (SPEC section 11): checked in the background, then confirmed.

    A valid file becomes a trial-import job (nothing written); its page shows the report, and the
    confirm button there starts the real import of exactly that file (``views.jobs.job_confirm``).
    """
    if not sees_everything(request.user) and not units_for(request.user).exists():
        raise PermissionDenied
    form = WorkbookUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = start_job(
            kind=Job.Kind.CHECK_WORKBOOK,
            user=request.user,
            title=_("试导入 %(name)s") % {"name": upload.name},
            upload=upload,
        )
        return redirect("performance:job-detail", pk=job.pk)
    return render(request, "performance/workbook_upload.html", {"form": form})

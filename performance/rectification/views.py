"""The rectification pages: the list and its workbook, an item (response, files, acceptance), a new item, and the
proposals of a department's year."""

from io import BytesIO

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from budgets.models import Department
from budgets.permissions import departments_for, is_finance_bureau, projects_for, units_for

from ..workflow.views import transition_response
from . import services
from .exports import rectification_workbook
from .filters import RectificationFilter
from .flows import RECTIFICATION
from .forms import ConfirmForm, DismissForm, ItemForm, ResponseForm, default_due_date
from .models import RectificationEvidence
from .proposals import proposals_for
from .rights import items_for, may_propose_for, may_respond
from .tables import RectificationTable

PER_PAGE = 25


def _listed(request):
    items = items_for(request.user).select_related("unit", "project", "verified_by")
    return RectificationFilter(request.GET or None, queryset=items, request=request)


def _creatable_units(user):
    """The units the user may create items for: those of the departments they review, or all for finance."""
    units = units_for(user)
    if not is_finance_bureau(user):
        reviewed = [d.pk for d in departments_for(user) if may_propose_for(user, d)]
        units = units.filter(department__in=reviewed)
    return units.order_by("department__code", "order", "code")


@login_required
def rectification_list(request):
    """The items of the units the user sees: filtered by year, unit, state, source and due date; 25 a page."""
    filterset = _listed(request)
    table = RectificationTable(filterset.qs)
    RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
    year = filterset.form.cleaned_data.get("year") if filterset.is_bound and filterset.form.is_valid() else None
    proposing = [d for d in departments_for(request.user).order_by("code") if may_propose_for(request.user, d)]
    return render(
        request,
        "performance/rectification_list.html",
        {
            "filter": filterset,
            "table": table,
            "count": filterset.qs.count(),
            "export_query": request.GET.urlencode(),
            "may_create": _creatable_units(request.user).exists(),
            "proposing": proposing,
            "year": year,
            "default_year": _latest_year(request.user),
        },
    )


def _latest_year(user) -> int:
    """The latest year of the projects the user sees (the year whose proposals are likely wanted)."""
    latest = projects_for(user).order_by("-year").values_list("year", flat=True).first()
    return latest or timezone.localdate().year


@login_required
def rectification_export(request):
    """The filtered list as xlsx, every row, with the measures, responses and verifiers."""
    table = RectificationTable(_listed(request).qs)
    RequestConfig(request, paginate=False).configure(table)
    return FileResponse(BytesIO(rectification_workbook(table)), as_attachment=True, filename=_("整改事项.xlsx"))


@login_required
def rectification_create(request):
    """A new item created by hand (reviewers and finance); ``?project=`` starts it from a project."""
    units = _creatable_units(request.user)
    if not units.exists():
        raise PermissionDenied
    projects = (
        projects_for(request.user)
        .filter(unit__in=units)
        .select_related("unit")
        .order_by("-year", "unit__order", "order")
    )
    initial = {"due_date": default_due_date()}
    chosen = request.GET.get("project", "")
    if chosen.isdigit():
        project = projects.filter(pk=chosen).first()
        if project is not None:
            initial.update(unit=project.unit, project=project, year=project.year)
    form = ItemForm(request.POST or None, initial=initial, units=units, projects=projects)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.create_item(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("已创建整改事项，并通知责任单位整改。"))
            return redirect("performance:rectification-detail", pk=item.pk)
    return render(request, "performance/rectification_form.html", {"form": form})


def _item(request, pk: int):
    return get_object_or_404(
        items_for(request.user).select_related("unit__department", "project", "created_by", "verified_by"), pk=pk
    )


@login_required
def rectification_detail(request, pk: int, response_form=None):
    """An item: the problem, the measures, the unit's response and files, its history and the buttons one may use."""
    item = _item(request, pk)
    form = response_form or ResponseForm(initial={"response": item.response})
    return render(
        request,
        "performance/rectification_detail.html",
        {
            "item": item,
            "form": form,
            "may_respond": may_respond(request.user, item),
            "actions": {t.name: t for t in RECTIFICATION.available(item, request.user) if t.name != "start"},
            "evidence": item.evidence_files.all(),
            "history": item.history.select_related("history_user").order_by("-history_date", "-history_id")[:100],
        },
    )


@login_required
@require_POST
def rectification_respond(request, pk: int):
    """Save the unit's response and files; with ``submit`` in the form, submit for acceptance too."""
    item = _item(request, pk)
    form = ResponseForm(request.POST)
    if not may_respond(request.user, item):
        raise PermissionDenied
    if form.is_valid():
        try:
            item = services.save_response(
                item=item, response=form.cleaned_data["response"], files=request.FILES.getlist("files"), by=request.user
            )
            if "submit" in request.POST:
                services.submit_item(item=item, by=request.user)
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("已提交验收。") if "submit" in request.POST else _("整改情况已保存。"))
            return redirect("performance:rectification-detail", pk=item.pk)
    return rectification_detail(request, pk, response_form=form)


def _transition(request, pk: int, action, *, success: str, needs_reason: bool = False):
    item = _item(request, pk)
    to = reverse("performance:rectification-detail", args=[item.pk])

    def make(**kwargs):
        return action(item=item, **kwargs)

    return transition_response(request, make, success=success, to=to, needs_reason=needs_reason)


@login_required
@require_POST
def rectification_submit(request, pk: int):
    return _transition(request, pk, services.submit_item, success=_("已提交验收。"))


@login_required
@require_POST
def rectification_accept(request, pk: int):
    return _transition(request, pk, services.accept_item, success=_("整改已验收通过。"))


@login_required
@require_POST
def rectification_return(request, pk: int):
    return _transition(request, pk, services.return_item, success=_("已退回责任单位重新整改。"), needs_reason=True)


@login_required
def rectification_evidence(request, pk: int):
    """An evidence file of an item the user sees."""
    evidence = get_object_or_404(RectificationEvidence.objects.filter(item__in=items_for(request.user)), pk=pk)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    return FileResponse(handle, as_attachment=True, filename=evidence.original_name, content_type=evidence.content_type)


# --- proposals ----------------------------------------------------------------------------------------


def _department(request, code: str) -> Department:
    department = get_object_or_404(departments_for(request.user), code=code)
    if not may_propose_for(request.user, department):
        raise PermissionDenied
    return department


@login_required
def rectification_suggestions(request, code: str, year: int, forms_by_key=None):
    """What the app proposes for the department's year, not yet confirmed nor dismissed, to confirm or dismiss."""
    department = _department(request, code)
    forms_by_key = forms_by_key or {}
    due = default_due_date()
    rows = [
        {
            "proposal": proposal,
            "confirm": forms_by_key.get(("confirm", proposal.key))
            or ConfirmForm(
                initial={"key": proposal.key, "measures": proposal.measures, "due_date": due}, prefix=f"c{n}"
            ),
            "dismiss": forms_by_key.get(("dismiss", proposal.key))
            or DismissForm(initial={"key": proposal.key}, prefix=f"d{n}"),
        }
        for n, proposal in enumerate(proposals_for(department, year))
    ]
    confirmed = items_for(request.user).filter(unit__department=department, year=year).exclude(source_key="").count()
    return render(
        request,
        "performance/rectification_suggestions.html",
        {
            "department": department,
            "year": year,
            "previous_year": year - 1,
            "next_year": year + 1,
            "rows": rows,
            "confirmed": confirmed,
        },
    )


def _posted(request, form_class):
    """The posted form, whatever prefix its row had."""
    prefix = request.POST.get("prefix", "")
    return form_class(request.POST, prefix=prefix or None), prefix


@login_required
@require_POST
def rectification_confirm(request, code: str, year: int):
    department = _department(request, code)
    form, _prefix = _posted(request, ConfirmForm)
    if form.is_valid():
        try:
            item = services.confirm_proposal(department=department, year=year, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("已确认为整改事项：%(problem)s") % {"problem": item.problem[:40]})
        return redirect("performance:rectification-suggestions", code=code, year=year)
    return rectification_suggestions(
        request, code, year, forms_by_key={("confirm", form.data.get(form.add_prefix("key"))): form}
    )


@login_required
@require_POST
def rectification_dismiss(request, code: str, year: int):
    department = _department(request, code)
    form, _prefix = _posted(request, DismissForm)
    if form.is_valid():
        try:
            services.dismiss_proposal(department=department, year=year, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error("reason", " ".join(error.messages))
        else:
            messages.success(request, _("已记录不予整改的理由，该建议不再提出。"))
            return redirect("performance:rectification-suggestions", code=code, year=year)
    return rectification_suggestions(
        request, code, year, forms_by_key={("dismiss", form.data.get(form.add_prefix("key"))): form}
    )

"""The library pages (reviewers and finance: list, filter, edit, workbook in and out, the peer factor) and the
declaration form's suggestion endpoint (JSON)."""

from io import BytesIO

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from budgets.models import Department
from budgets.permissions import is_finance_bureau, projects_for

from .filters import EntryFilter
from .forms import EntryForm, ImportForm, PeerFactorForm
from .models import LibraryEntry, PeerFactor
from .rights import may_edit_entry, may_manage_library, reviewed_department_ids
from .suggestions import suggestions_for
from .tables import EntryTable
from .workbook import export_library, import_library

PER_PAGE = 50


def _manager(request):
    if not may_manage_library(request.user):
        raise PermissionDenied(_("指标库由审核人和财政部门维护。"))


def _entries():
    return LibraryEntry.objects.select_related("level1", "level2").prefetch_related("categories")


def _factor_departments(user):
    ids = reviewed_department_ids(user)
    departments = Department.objects.order_by("code")
    return departments if is_finance_bureau(user) else departments.filter(pk__in=ids)


@login_required
def library_list(request):
    """The library: filtered by name, 二级, project category and source; the workbook; the peer factors."""
    _manager(request)
    filterset = EntryFilter(request.GET or None, queryset=_entries())
    table = EntryTable(filterset.qs)
    RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
    factors = {f.department_id: f.factor for f in PeerFactor.objects.all()}
    departments = [(d, factors.get(d.pk, PeerFactor.DEFAULT)) for d in _factor_departments(request.user)]
    context = {"filter": filterset, "table": table, "import_form": ImportForm(), "departments": departments}
    return render(request, "performance/library_list.html", context)


@login_required
def library_entry_create(request):
    _manager(request)
    form = EntryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        entry = form.save(commit=False)
        departments = reviewed_department_ids(request.user)
        if departments and not is_finance_bureau(request.user):
            entry.source, entry.department_id = LibraryEntry.Source.DEPARTMENT, departments[0]
        else:
            entry.source, entry.department = LibraryEntry.Source.IMPORTED, None
        entry.save()
        form.save_m2m()
        messages.success(request, _("已加入指标库：%(name)s") % {"name": entry.name})
        return redirect("performance:library-list")
    return render(request, "performance/library_form.html", {"form": form, "entry": None})


@login_required
def library_entry_edit(request, pk: int):
    _manager(request)
    entry = get_object_or_404(_entries(), pk=pk)
    if not may_edit_entry(request.user, entry):
        raise PermissionDenied(_("只能修改本部门自建的指标；其他指标由财政部门维护。"))
    form = EntryForm(request.POST or None, instance=entry)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("已保存：%(name)s") % {"name": entry.name})
        return redirect("performance:library-list")
    return render(request, "performance/library_form.html", {"form": form, "entry": entry})


@login_required
def library_export(request):
    _manager(request)
    entries = EntryFilter(request.GET or None, queryset=_entries()).qs
    return FileResponse(BytesIO(export_library(entries)), as_attachment=True, filename=_("指标库.xlsx"))


@login_required
@require_POST
def library_import(request):
    """Import the workbook, all or nothing (finance only: imported entries are everyone's)."""
    _manager(request)
    if not is_finance_bureau(request.user):
        raise PermissionDenied(_("只有财政部门可以导入指标库。"))
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("请选择指标库工作簿（.xlsx）。"))
        return redirect("performance:library-list")
    try:
        summary = import_library(form.cleaned_data["file"])
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("已导入：新增 %(created)s 条，更新 %(updated)s 条。") % summary.__dict__)
    return redirect("performance:library-list")


@login_required
@require_POST
def library_factor(request, code: str):
    """Set how far a department's targets may stray from the peers' median before the review asks."""
    department = get_object_or_404(_factor_departments(request.user), code=code)
    factor = PeerFactor.objects.filter(department=department).first() or PeerFactor(department=department)
    form = PeerFactorForm(request.POST, instance=factor)
    if form.is_valid():
        form.save()
        messages.success(
            request,
            _("%(department)s的偏离倍数已设为 %(factor)s。")
            % {"department": department.name, "factor": form.instance.factor},
        )
    else:
        messages.error(request, " ".join(m for errors in form.errors.values() for m in errors))
    return redirect("performance:library-list")


@login_required
def library_suggestions(request, pk: int):
    """The library's suggestions for a project's declaration (JSON): its unit's staff, and its reviewers."""
    project = get_object_or_404(projects_for(request.user).select_related("unit"), pk=pk)
    return JsonResponse(suggestions_for(project, request.user))

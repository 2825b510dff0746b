"""The report pages: a project's or a unit's/department's year report, its free-text sections edited on the page,
and the .docx download (the same document ``export_report`` writes)."""

from io import BytesIO

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from budgets.permissions import departments_for, projects_for, units_for

from ..rectification.rights import items_for
from . import services
from .content import SECTIONS, gather, project_scope, year_scope
from .document import report_docx
from .forms import ReportTextForm


def _project(request, pk: int):
    return project_scope(get_object_or_404(projects_for(request.user).select_related("unit__department"), pk=pk))


def _year(request, code: str, year: int):
    """A department's year (by its code) or a unit's year (by its code), among those the user sees."""
    department = departments_for(request.user).filter(code=code).first()
    if department is not None:
        return year_scope(projects_for(request.user), year, department=department)
    unit = units_for(request.user).filter(code=code).first()
    if unit is None:
        raise Http404
    return year_scope(projects_for(request.user), year, unit=unit)


def _page(request, scope, download_url: str):
    report = gather(scope, items=items_for(request.user))
    editable = services.may_edit(request.user, scope)
    form = ReportTextForm(request.POST or None, texts=report.texts)
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.save_texts(scope=scope, texts=form.cleaned_data, by=request.user)
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                if "download" in request.POST:
                    return redirect(download_url)
                messages.success(request, _("报告文字已保存。"))
                return redirect(request.path)
    return render(
        request,
        "performance/report_edit.html",
        {
            "report": report,
            "scope": scope,
            "form": form,
            "editable": editable,
            "download_url": download_url,
            "sections": [(key, title, form[key]) for key, title in SECTIONS],
        },
    )


def _download(request, scope):
    data = report_docx(gather(scope, items=items_for(request.user)))
    filename = _("%(year)s年度%(name)s绩效自评报告.docx") % {"year": scope.year, "name": scope.name}
    return FileResponse(BytesIO(data), as_attachment=True, filename=filename)


@login_required
def report_project(request, pk: int):
    """A project's report: the figures from the data, the free-text sections to edit, the download."""
    scope = _project(request, pk)
    return _page(request, scope, reverse("performance:report-project-download", args=[pk]))


@login_required
def report_project_download(request, pk: int):
    return _download(request, _project(request, pk))


@login_required
def report_year(request, code: str, year: int):
    """A department's or a unit's year report."""
    scope = _year(request, code, year)
    return _page(request, scope, reverse("performance:report-year-download", args=[code, year]))


@login_required
def report_year_download(request, code: str, year: int):
    return _download(request, _year(request, code, year))

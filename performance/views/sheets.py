"""The standard Excel sheets (SPEC section 14): downloads and the upload of a 自评表 filled offline.

Every download is scoped with ``budgets.permissions``: a project, unit or department the user may not
see is a 404, and a workbook lists only the projects the user may see.
"""

from base64 import b64encode
from io import BytesIO

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import QuerySet
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render

from budgets.permissions import projects_for, units_for, year_projects_for

from ..forms import EvaluationSheetUploadForm
from ..interchange.sheet_upload import import_evaluation_sheets
from ..jobs import sheets_in_background, start_job
from ..models import Job
from ..sheets import evaluation_workbook_bytes, project_sheet_bytes, targets_workbook_bytes

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(data: bytes, filename: str) -> FileResponse:
    return FileResponse(BytesIO(data), as_attachment=True, filename=filename, content_type=XLSX)


def _scope(request) -> tuple[QuerySet, str, int]:
    """The projects of ``?year=`` (and ``?unit=CODE`` or ``?department=CODE``) the user may see.

    A year that is not a number, a unit or department the user may not see, or nothing to show: 404.
    """
    try:
        year = int(request.GET.get("year", ""))
        projects, label = year_projects_for(
            request.user, year, unit=request.GET.get("unit", ""), department=request.GET.get("department", "")
        )
    except (ValueError, ObjectDoesNotExist) as error:
        raise Http404 from error
    if not projects.exists():
        raise Http404
    return projects, label, year


@login_required
def project_sheet(request, pk: int):
    """One project's 项目支出绩效自评表, ready to be filled offline and uploaded back."""
    project = get_object_or_404(projects_for(request.user), pk=pk)
    return _xlsx(project_sheet_bytes(project), f"{project.year}年度{project.name}-项目支出绩效自评表.xlsx")


def _in_background(request, kind: str, projects: QuerySet, title: str, year: int):
    """A big workbook is built by a background job: the user is sent to its page (None when small)."""
    if not sheets_in_background(projects):
        return None
    params = {"year": year, "title": title, "filename": f"{title}.xlsx"}
    for key in ("unit", "department"):
        if code := request.GET.get(key):
            params[key] = code
            break
    job = start_job(kind=kind, user=request.user, title=title, params=params)
    return redirect("performance:job-detail", pk=job.pk)


@login_required
def sheet_workbook(request):
    """A summary sheet and one 自评表 per project of a year (a unit's or a department's, as asked).

    More than ``JIXIAO_SYNC_SHEETS_LIMIT`` projects are built in the background (a job page follows).
    """
    projects, label, year = _scope(request)
    title = f"{year}年度{label}项目支出绩效自评汇总表"  # an official form: Chinese in any UI language
    if background := _in_background(request, Job.Kind.EXPORT_SHEETS, projects, title, year):
        return background
    return _xlsx(evaluation_workbook_bytes(projects, title=title), f"{title}.xlsx")


@login_required
def targets_sheet(request):
    """绩效目标表 of one project (``?project=ID``) or of a year's unit or department."""
    if pk := request.GET.get("project"):
        if not pk.isdigit():
            raise Http404
        project = get_object_or_404(projects_for(request.user), pk=pk)
        return _xlsx(targets_workbook_bytes([project]), f"{project.year}年度{project.name}-绩效目标表.xlsx")
    projects, label, year = _scope(request)
    title = f"{year}年度{label}绩效目标表"
    if background := _in_background(request, Job.Kind.EXPORT_TARGETS, projects, title, year):
        return background
    return _xlsx(targets_workbook_bytes(projects), f"{title}.xlsx")


@login_required
def sheet_upload(request):
    """Upload a 自评表 workbook filled offline: saved whole, or the same workbook back with the bad cells marked."""
    if not request.user.is_superuser and not units_for(request.user).exists():
        raise PermissionDenied
    form = EvaluationSheetUploadForm(request.POST or None, request.FILES or None)
    context: dict = {"form": form}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        result = import_evaluation_sheets(file=upload, user=request.user)
        context.update(result=result, file_name=upload.name)
        if result.marked_workbook:
            context["marked_name"] = f"{upload.name.rsplit('.', 1)[0]}-错误标注.xlsx"
            context["marked_href"] = f"data:{XLSX};base64,{b64encode(result.marked_workbook).decode()}"
    return render(request, "performance/sheet_upload.html", context)

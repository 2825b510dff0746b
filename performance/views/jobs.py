"""Background jobs in the browser: start an export, follow a job's progress, download its file.

A user sees only their own jobs (anyone else's is a 404), and every job re-checks the user's scope
when it runs (``performance.jobs``).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from budgets.permissions import projects_for

from ..forms import WorkbookExportForm
from ..jobs import confirm_import, job_for, jobs_for, reap_stale_jobs, retry_job, start_job
from ..models import Job

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _job_list(request, export_form, *, status: int = 200):
    jobs = jobs_for(request.user)
    reap_stale_jobs(jobs)
    page = Paginator(jobs, 25).get_page(request.GET.get("page"))
    return render(request, "performance/job_list.html", {"page": page, "export_form": export_form}, status=status)


@login_required
def job_list(request):
    """The user's jobs, newest first, and the form that starts a department's flat workbook export."""
    form = WorkbookExportForm(user=request.user) if projects_for(request.user).exists() else None
    return _job_list(request, form)


@login_required
@require_POST
def export_workbook_start(request):
    """Start the flat workbook export (SPEC section 11) of a year and a scope the user may see."""
    form = WorkbookExportForm(request.POST, user=request.user)
    if not form.is_valid():
        return _job_list(request, form, status=400)
    job = start_job(
        kind=Job.Kind.EXPORT_WORKBOOK,
        user=request.user,
        title=form.title(),
        params=form.params() | {"filename": f"{form.title()}.xlsx"},
    )
    return redirect("performance:job-detail", pk=job.pk)


@login_required
def job_detail(request, pk: int):
    """A job's progress (followed by static/js/job.js while it runs), its result, and what to do next."""
    job = job_for(request.user, pk)
    problems = job.report.get("problems", []) if isinstance(job.report, dict) else []
    context = {
        "job": job,
        "problems": problems,
        "import_report": job.report.get("import") if isinstance(job.report, dict) else None,
        "confirmed": job.kind == Job.Kind.CHECK_WORKBOOK and job.followups.first(),
    }
    return render(request, "performance/job_detail.html", context)


@login_required
def job_status(request, pk: int):
    """The job's state as JSON, polled by the job page."""
    job = job_for(request.user, pk)
    return JsonResponse(
        {
            "status": job.status,
            "status_label": job.get_status_display(),
            "finished": job.finished,
            "percent": job.percent,
            "done": job.done,
            "total": job.total,
            "message": job.message,
        }
    )


@login_required
def job_download(request, pk: int):
    job = job_for(request.user, pk)
    if job.status != Job.Status.SUCCEEDED or not job.output_file:
        raise Http404
    try:
        handle = job.output_file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    return FileResponse(handle, as_attachment=True, filename=job.output_name, content_type=XLSX)


@login_required
@require_POST
def job_retry(request, pk: int):
    job = job_for(request.user, pk)
    try:
        retry_job(job)
    except ValueError as error:
        messages.error(request, str(error))
    return redirect("performance:job-detail", pk=job.pk)


@login_required
@require_POST
def job_confirm(request, pk: int):
    """Import for real the workbook whose trial run this job was."""
    check = job_for(request.user, pk)
    if check.kind != Job.Kind.CHECK_WORKBOOK:
        raise PermissionDenied
    try:
        job = confirm_import(check)
    except ValueError as error:
        messages.error(request, str(error))
        return redirect("performance:job-detail", pk=check.pk)
    messages.info(request, _("已开始导入“%(name)s”。") % {"name": check.input_name})
    return redirect("performance:job-detail", pk=job.pk)

from django.urls import path

from .views import carry_forward, disclosure, entry, jobs, monitoring, projects, sheets
from .views.review import review_report

app_name = "performance"

urlpatterns = [
    path("projects/", projects.project_list, name="project-list"),
    path("projects/export.xlsx", projects.project_list_export, name="project-list-export"),
    path("projects/<int:pk>/", projects.project_detail, name="project-detail"),
    path("dashboard/", projects.dashboard, name="dashboard"),
    path("projects/<int:pk>/edit/", entry.evaluation_edit, name="evaluation-edit"),
    path("projects/<int:pk>/preview/", entry.evaluation_preview, name="evaluation-preview"),
    path("projects/<int:pk>/submit/", entry.evaluation_submit, name="evaluation-submit"),
    path("projects/<int:pk>/return/", entry.evaluation_return, name="evaluation-return"),
    path("projects/<int:pk>/approve/", entry.evaluation_approve, name="evaluation-approve"),
    path("projects/<int:pk>/reopen/", entry.evaluation_reopen, name="evaluation-reopen"),
    path("evidence/<int:pk>/", entry.evidence_download, name="evidence-download"),
    path("workbook/upload/", entry.workbook_upload, name="workbook-upload"),
    path("projects/<int:pk>/self-evaluation.xlsx", sheets.project_sheet, name="sheet-project"),
    path("sheets/self-evaluations.xlsx", sheets.sheet_workbook, name="sheet-workbook"),
    path("sheets/targets.xlsx", sheets.targets_sheet, name="targets-sheet"),
    path("sheets/upload/", sheets.sheet_upload, name="sheet-upload"),
    path("projects/<int:pk>/carry-forward/", carry_forward.project_carry_forward, name="project-carry-forward"),
    path("monitoring/", monitoring.monitoring_report, name="monitoring-report"),
    path("monitoring/start/", monitoring.monitoring_round_start, name="monitoring-round-start"),
    path("monitoring/sheet.xlsx", monitoring.monitoring_department_sheet, name="monitoring-sheet-department"),
    path("projects/<int:pk>/monitoring/", monitoring.monitoring_edit, name="monitoring-edit"),
    path("projects/<int:pk>/monitoring/preview/", monitoring.monitoring_preview, name="monitoring-preview"),
    path("projects/<int:pk>/monitoring/submit/", monitoring.monitoring_submit, name="monitoring-submit"),
    path("projects/<int:pk>/monitoring/return/", monitoring.monitoring_return, name="monitoring-return"),
    path("projects/<int:pk>/monitoring/approve/", monitoring.monitoring_approve, name="monitoring-approve"),
    path("projects/<int:pk>/monitoring/reopen/", monitoring.monitoring_reopen, name="monitoring-reopen"),
    path("projects/<int:pk>/monitoring.xlsx", monitoring.monitoring_project_sheet, name="monitoring-sheet-project"),
    path("jobs/", jobs.job_list, name="job-list"),
    path("jobs/export/", jobs.export_workbook_start, name="job-export-workbook"),
    path("jobs/<int:pk>/", jobs.job_detail, name="job-detail"),
    path("jobs/<int:pk>/status.json", jobs.job_status, name="job-status"),
    path("jobs/<int:pk>/download/", jobs.job_download, name="job-download"),
    path("jobs/<int:pk>/retry/", jobs.job_retry, name="job-retry"),
    path("jobs/<int:pk>/confirm/", jobs.job_confirm, name="job-confirm"),
    path("review/", review_report, name="review-report"),
    path("disclosure/upload/", disclosure.disclosure_upload, name="disclosure-upload"),
    path("disclosure/<str:code>/<int:year>/", disclosure.disclosure_page, name="disclosure"),
    path("disclosure/<str:code>/<int:year>.docx", disclosure.disclosure_docx_download, name="disclosure-docx"),
]

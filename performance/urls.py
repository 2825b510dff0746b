from django.urls import path

from .approval import views as approval
from .declaration import views as declaration
from .department import views as department
from .library import views as library
from .rectification import views as rectification
from .report import views as report
from .results import views as results
from .rules import views as rules
from .spotchecks import views as spotchecks
from .tasks import views as tasks
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
    path("projects/<int:pk>/targets/", declaration.declaration_edit, name="declaration-edit"),
    path("projects/<int:pk>/targets/preview/", declaration.declaration_preview, name="declaration-preview"),
    path("projects/<int:pk>/targets/suggestions/", library.library_suggestions, name="library-suggestions"),
    path("projects/<int:pk>/targets/submit/", declaration.targets_submit, name="targets-submit"),
    path("projects/<int:pk>/targets/return/", declaration.targets_return, name="targets-return"),
    path("projects/<int:pk>/targets/approve/", declaration.targets_approve, name="targets-approve"),
    path("projects/<int:pk>/adjustments/new/", declaration.adjustment_create, name="adjustment-create"),
    path("adjustments/<int:pk>/", declaration.adjustment_detail, name="adjustment-detail"),
    path("adjustments/<int:pk>/approve/", declaration.adjustment_approve, name="adjustment-approve"),
    path("adjustments/<int:pk>/refuse/", declaration.adjustment_refuse, name="adjustment-refuse"),
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
    path("rules/", rules.rules_list, name="rules-list"),
    path("rules/new/", rules.rules_create, name="rules-create"),
    path("rules/import/", rules.rules_import, name="rules-import"),
    path("rules/choose/", rules.rules_choose, name="rules-choose"),
    path("rules/<int:pk>/", rules.rules_detail, name="rules-detail"),
    path("rules/<int:pk>/edit/", rules.rules_edit, name="rules-edit"),
    path("rules/<int:pk>/export.json", rules.rules_export, name="rules-export"),
    path("library/", library.library_list, name="library-list"),
    path("library/new/", library.library_entry_create, name="library-entry-create"),
    path("library/<int:pk>/edit/", library.library_entry_edit, name="library-entry-edit"),
    path("library/export.xlsx", library.library_export, name="library-export"),
    path("library/import/", library.library_import, name="library-import"),
    path("library/factor/<str:code>/", library.library_factor, name="library-factor"),
    path("tasks/", tasks.task_list, name="task-list"),
    path("tasks/new/", tasks.task_create, name="task-create"),
    path("tasks/<int:pk>/edit/", tasks.task_edit, name="task-edit"),
    path("tasks/<int:pk>/close/", tasks.task_close, name="task-close"),
    path("evaluations/review/", approval.review_list, name="review-list"),
    path("department-years/<str:code>/<int:year>/", approval.department_year_detail, name="department-year"),
    path(
        "department-years/<str:code>/<int:year>/submit/", approval.department_year_submit, name="department-year-submit"
    ),
    path(
        "department-years/<str:code>/<int:year>/approve/",
        approval.department_year_approve,
        name="department-year-approve",
    ),
    path(
        "department-years/<str:code>/<int:year>/return/", approval.department_year_return, name="department-year-return"
    ),
    path(
        "department-years/<str:code>/<int:year>/reopen/", approval.department_year_reopen, name="department-year-reopen"
    ),
    path("inbox/", tasks.inbox, name="inbox"),
    path("inbox/read/", tasks.notifications_read, name="notifications-read"),
    path("console/", spotchecks.console, name="console"),
    path("console/<str:code>/<int:year>/", spotchecks.console_department, name="console-department"),
    path("spot-checks/", spotchecks.spotcheck_list, name="spotcheck-list"),
    path("spot-checks/new/", spotchecks.spotcheck_create, name="spotcheck-create"),
    path("spot-checks/<int:pk>/", spotchecks.spotcheck_detail, name="spotcheck-detail"),
    path("spot-checks/<int:pk>/results.xlsx", spotchecks.spotcheck_export, name="spotcheck-export"),
    path("spot-checks/items/<int:pk>/", spotchecks.spotcheck_item, name="spotcheck-item"),
    path("disclosure/upload/", disclosure.disclosure_upload, name="disclosure-upload"),
    path("disclosure/<str:code>/<int:year>/", disclosure.disclosure_page, name="disclosure"),
    path("disclosure/<str:code>/<int:year>.docx", disclosure.disclosure_docx_download, name="disclosure-docx"),
    path(
        "departments/<str:code>/<int:year>/self-evaluation/",
        department.department_evaluation,
        name="department-evaluation",
    ),
    path(
        "departments/<str:code>/<int:year>/self-evaluation/decide/",
        department.department_evaluation_decide,
        name="department-evaluation-decide",
    ),
    path(
        "departments/<str:code>/<int:year>/self-evaluation/basic/",
        department.department_evaluation_basic,
        name="department-evaluation-basic",
    ),
    path(
        "departments/<str:code>/<int:year>/self-evaluation/indicators/",
        department.department_evaluation_indicators,
        name="department-evaluation-indicators",
    ),
    path(
        "departments/<str:code>/<int:year>/self-evaluation/framework/",
        department.department_evaluation_framework,
        name="department-evaluation-framework",
    ),
    path(
        "departments/<str:code>/<int:year>/self-evaluation.xlsx",
        department.department_evaluation_sheet,
        name="department-evaluation-sheet",
    ),
    path("frameworks/", department.framework_list, name="framework-list"),
    path("frameworks/<int:pk>/", department.framework_edit, name="framework-edit"),
    path("rectification/", rectification.rectification_list, name="rectification-list"),
    path("rectification/export.xlsx", rectification.rectification_export, name="rectification-export"),
    path("rectification/new/", rectification.rectification_create, name="rectification-create"),
    path("rectification/<int:pk>/", rectification.rectification_detail, name="rectification-detail"),
    path("rectification/<int:pk>/respond/", rectification.rectification_respond, name="rectification-respond"),
    path("rectification/<int:pk>/submit/", rectification.rectification_submit, name="rectification-submit"),
    path("rectification/<int:pk>/accept/", rectification.rectification_accept, name="rectification-accept"),
    path("rectification/<int:pk>/return/", rectification.rectification_return, name="rectification-return"),
    path("rectification/files/<int:pk>/", rectification.rectification_evidence, name="rectification-evidence"),
    path(
        "rectification/suggestions/<str:code>/<int:year>/",
        rectification.rectification_suggestions,
        name="rectification-suggestions",
    ),
    path(
        "rectification/suggestions/<str:code>/<int:year>/confirm/",
        rectification.rectification_confirm,
        name="rectification-confirm",
    ),
    path(
        "rectification/suggestions/<str:code>/<int:year>/dismiss/",
        rectification.rectification_dismiss,
        name="rectification-dismiss",
    ),
    path("results/", results.results_home, name="results-home"),
    path("results/opinion/<int:pk>/", results.results_opinion, name="results-opinion"),
    path("results/<str:code>/<int:year>/", results.results_sheet, name="results-sheet"),
    path("results/<str:code>/<int:year>/export.xlsx", results.results_export, name="results-export"),
    path("report/project/<int:pk>/", report.report_project, name="report-project"),
    path("report/project/<int:pk>/download.docx", report.report_project_download, name="report-project-download"),
    path("report/<str:code>/<int:year>/", report.report_year, name="report-year"),
    path("report/<str:code>/<int:year>/download.docx", report.report_year_download, name="report-year-download"),
]

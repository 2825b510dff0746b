"""Every way to change a project's targets or actuals, walked with every role in every state (issue 14), each
leaving the stored score the computed one (issue 20).

The write paths: the entry form, the flat workbook (uploaded on the web, and the import command), the 自评表
upload, the admin's indicator and actual-result pages, and the declaration services (saving a declaration,
requesting an adjustment). The JSON API is read-only (``performance/api.py``: GET only), so it writes nothing
to walk; ``test_the_api_writes_nothing`` shows it refuses a POST.

The roles: staff of the project's unit (kexie), staff of another unit (kejiguan), the department's reviewer
(shenhe), the finance bureau, a superuser (admin) and, where a URL is the path, an anonymous visitor. Every
user but the anonymous one is given the admin (is_staff and the model permissions), so that the admin's
refusals are its own rules and not a missing permission.

The rule the cases expect is written out here, not read from ``performance.rights``: actuals change only by
the unit's staff (or a superuser) while the self-evaluation is a draft; targets are declared only by them
while the declaration is a draft, and an adjustment is requested only once the targets are approved. Each
case asserts the change was made, or that nothing at all was written.
"""

import contextlib
from io import BytesIO

import openpyxl
import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.forms.models import model_to_dict
from django.test import RequestFactory
from django.urls import reverse

from budgets.models import Project
from performance.admin import ActualResultAdmin, IndicatorAdmin
from performance.declaration.models import Adjustment, TargetSet
from performance.declaration.services import DeclaredRow, request_adjustment, save_declaration
from performance.entry_services import entry_from_project, entry_initial
from performance.interchange.export import write_flat_workbook
from performance.models import (
    ActualResult,
    DepartmentYearVersion,
    Evaluation,
    Indicator,
    Job,
    ProjectGoal,
    ProjectScore,
)
from performance.scores.store import rescore
from performance.sheets import project_sheet_bytes
from tests.performance.sheet_helpers import open_workbook, saved

pytestmark = pytest.mark.django_db

ROLES = ["staff", "other_staff", "reviewer", "finance", "superuser", "anonymous"]
CHANGERS = {"staff", "superuser"}
NEW_ACTUAL = "11次"  # 开展活动场次: 12次 in the seed's sample actuals (and its target): below it, the score falls
NEW_TARGET = "13次"  # 开展活动场次: 12次 as approved


@pytest.fixture
def users(kepu):
    """The roles' users (None: anonymous), each with the admin's model permissions."""
    User = get_user_model()
    found = {
        "staff": User.objects.get(username="kexie"),
        "other_staff": User.objects.get(username="kejiguan"),
        "reviewer": User.objects.get(username="shenhe"),
        "finance": User.objects.get(username="caizheng"),  # the demo's finance bureau (load_demo)
        "superuser": User.objects.get(username="admin"),
    }
    permissions = list(Permission.objects.filter(content_type__app_label__in=["budgets", "performance"]))
    for user in found.values():
        if not user.is_superuser:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
            user.user_permissions.set(permissions)
    return found | {"anonymous": None}


def put_in_state(project: Project, *, targets: str, evaluation: str) -> None:
    TargetSet.objects.filter(project=project).update(status=targets)
    Evaluation.objects.filter(project=project).update(status=evaluation)


def first_indicator(project: Project) -> Indicator:
    return Indicator.objects.select_related("result").get(project=project, order=1)


def snapshot(project: Project) -> dict:
    """Everything of the project a write path could change."""
    return {
        "project": list(Project.objects.filter(pk=project.pk).values()),
        "goal": list(ProjectGoal.objects.filter(project=project).values()),
        "evaluation": list(Evaluation.objects.filter(project=project).values()),
        "indicators": list(Indicator.objects.filter(project=project).order_by("pk").values()),
        "results": list(ActualResult.objects.filter(indicator__project=project).order_by("pk").values()),
        "target_set": list(TargetSet.objects.filter(project=project).values()),
        "adjustments": Adjustment.objects.filter(project=project).count(),
        "history": (Indicator.history.count(), ActualResult.history.count(), TargetSet.history.count()),
    }


def log_in(client, user) -> None:
    if user is not None:
        client.force_login(user)


# --- the paths: each makes one change as ``user`` and returns nothing; refusals may raise -----------------


def entry_form(client, user, project, change):
    indicators = list(Indicator.objects.filter(project=project).select_related("result").order_by("order", "id"))
    evaluation = Evaluation.objects.get(project=project)
    initial = entry_initial(entry_from_project(project=project, indicators=indicators), version=evaluation.version)
    data = {name: "" if value is None else value for name, value in initial.pop("evaluation").items()}
    data["action"] = "save"
    for pk, values in initial.items():
        data.update({f"ind-{pk}-{name}": "" if value is None else value for name, value in values.items()})
    data[f"ind-{indicators[0].pk}-actual"] = NEW_ACTUAL
    log_in(client, user)
    client.post(reverse("performance:evaluation-edit", args=[project.pk]), data)


def flat_workbook(project, change) -> bytes:
    """The project exported as the flat workbook, with the first indicator's actual or target changed."""
    buffer = BytesIO()
    write_flat_workbook(Project.objects.filter(pk=project.pk), buffer)
    book = openpyxl.load_workbook(BytesIO(buffer.getvalue()))
    sheet = book["指标"]
    header = [cell.value for cell in sheet[1]]
    column, value = ("实际完成值", NEW_ACTUAL) if change == "actuals" else ("指标值", NEW_TARGET)
    assert sheet.cell(row=2, column=header.index("三级指标") + 1).value == "开展活动场次"
    sheet.cell(row=2, column=header.index(column) + 1).value = value
    return saved(book).getvalue()


def workbook_upload(client, user, project, change):
    content = flat_workbook(project, change)
    log_in(client, user)
    client.post(reverse("performance:workbook-upload"), {"file": SimpleUploadedFile("walk.xlsx", content)})
    check = Job.objects.filter(kind=Job.Kind.CHECK_WORKBOOK).first()
    if check is not None and check.status == Job.Status.SUCCEEDED:
        client.post(reverse("performance:job-confirm", args=[check.pk]))


def import_command(client, user, project, change, tmp_path):
    path = tmp_path / "walk.xlsx"
    path.write_bytes(flat_workbook(project, change))
    call_command("import_workbook", str(path), user=user.username, verbosity=0)


def sheet_upload(client, user, project, change):
    book = open_workbook(project_sheet_bytes(project))
    book[project.name]["F13"] = NEW_ACTUAL  # 开展活动场次's 实际完成值 on the 自评表
    log_in(client, user)
    upload = SimpleUploadedFile("自评表.xlsx", saved(book).getvalue())
    client.post(reverse("performance:sheet-upload"), {"file": upload})


def admin_form_data(model_admin, obj) -> dict:
    """The admin form's fields as the object holds them (built as a superuser would see the add form)."""
    request = RequestFactory().get("/")
    request.user = get_user_model().objects.get(username="admin")
    form = model_admin.get_form(request)
    values = model_to_dict(obj, fields=list(form.base_fields))
    return {name: "" if value is None else value for name, value in values.items()}


def admin_actual(client, user, project, change):
    result = first_indicator(project).result
    data = admin_form_data(ActualResultAdmin(ActualResult, admin.site), result) | {"actual": NEW_ACTUAL}
    log_in(client, user)
    client.post(reverse("admin:performance_actualresult_change", args=[result.pk]), data)


RESULT_FIELDS = ["actual", "tier", "evaluator_score", "reported_score", "deviation_reason"]


def admin_indicator(client, user, project, change):
    indicator = first_indicator(project)
    data = admin_form_data(IndicatorAdmin(Indicator, admin.site), indicator) | {"target": NEW_TARGET}
    result = indicator.result
    data |= {
        "result-TOTAL_FORMS": "1",
        "result-INITIAL_FORMS": "1",
        "result-MIN_NUM_FORMS": "0",
        "result-MAX_NUM_FORMS": "1",
        "result-0-id": str(result.pk),
        "result-0-indicator": str(indicator.pk),
        **{
            f"result-0-{name}": "" if value is None else value
            for name, value in model_to_dict(result, fields=RESULT_FIELDS).items()
        },
    }
    log_in(client, user)
    client.post(reverse("admin:performance_indicator_change", args=[indicator.pk]), data)


def declared_rows(project) -> list[DeclaredRow]:
    rows = []
    for indicator in Indicator.objects.filter(project=project).select_related("level1", "level2").order_by("order"):
        rows.append(
            DeclaredRow(
                level1=indicator.level1,
                level2=indicator.level2,
                name=indicator.name,
                description=indicator.description,
                target=NEW_TARGET if indicator.order == 1 else indicator.target,
                basis=indicator.basis,
                weight=indicator.weight,
                indicator_id=indicator.pk,
            )
        )
    return rows


def declaration(client, user, project, change):
    goal = ProjectGoal.objects.get(project=project).text
    save_declaration(project=project, goal=goal, rows=declared_rows(project), by=user, version=None)


def adjustment(client, user, project, change):
    request_adjustment(project=project, rows=declared_rows(project), reason="活动场次增加", by=user)


# (path, what it changes, whether a URL is its door: then anonymous is walked too)
ACTUAL_PATHS = [
    (entry_form, True),
    (workbook_upload, True),
    (import_command, False),
    (sheet_upload, True),
    (admin_actual, True),
]
TARGET_PATHS = [
    (workbook_upload, True),
    (import_command, False),
    (admin_indicator, True),
    (declaration, False),
    (adjustment, False),
]


def cases():
    for path, url in ACTUAL_PATHS:
        for role in ROLES:
            if role == "anonymous" and not url:
                continue
            for evaluation in ("draft", "submitted", "approved"):
                allowed = role in CHANGERS and evaluation == "draft"
                yield pytest.param(
                    path,
                    "actuals",
                    role,
                    "approved",
                    evaluation,
                    allowed,
                    id=f"{path.__name__}-actuals-{role}-evaluation {evaluation}",
                )
    for path, url in TARGET_PATHS:
        for role in ROLES:
            if role == "anonymous" and not url:
                continue
            for targets in ("draft", "approved"):
                wanted = "approved" if path is adjustment else "draft"
                allowed = role in CHANGERS and targets == wanted
                yield pytest.param(
                    path,
                    "targets",
                    role,
                    targets,
                    "draft",
                    allowed,
                    id=f"{path.__name__}-targets-{role}-targets {targets}",
                )


def made(project, change, path) -> bool:
    """Whether the change landed (an adjustment changes no target until approved: it is the request)."""
    indicator = first_indicator(project)
    if change == "actuals":
        return indicator.result.actual == NEW_ACTUAL
    if path is adjustment:
        return Adjustment.objects.filter(project=project).exists()
    return indicator.target == NEW_TARGET


@pytest.mark.parametrize(("path", "change", "role", "targets", "evaluation", "allowed"), list(cases()))
def test_every_write_path_refuses_or_allows_each_role_in_each_state(
    client, kepu, users, tmp_path, path, change, role, targets, evaluation, allowed
):
    put_in_state(kepu, targets=targets, evaluation=evaluation)
    before = snapshot(kepu)
    assert not rescore([kepu.pk], write=False), "the seed's stored scores are not its computed ones"
    total_before = ProjectScore.objects.get(project=kepu).total
    version_before = year_version(kepu)
    arguments = (client, users[role], kepu, change) + ((tmp_path,) if path is import_command else ())

    with contextlib.suppress(PermissionDenied, CommandError):  # the services' and the command's refusals
        path(*arguments)

    assert made(kepu, change, path) == allowed
    # Issue 20: whatever the path, the stored score is the computed one, in the same transaction as the change.
    assert not rescore([kepu.pk], write=False), f"{path.__name__} left the stored score behind the data"
    if not allowed:
        assert snapshot(kepu) == before, "a refused change wrote something"
    elif path is not adjustment:  # a request changes no target until it is approved
        assert ProjectScore.objects.get(project=kepu).total != total_before, "the change should move the score"
        # Issue 20: and the lists and the dashboard, cached under the department-year's version, show it at once.
        assert year_version(kepu) != version_before, f"{path.__name__} left the department-year's version as it was"


def year_version(project) -> str:
    return DepartmentYearVersion.objects.get(department=project.unit.department_id, year=project.year).token


def test_the_api_writes_nothing(client, kepu, users):
    client.force_login(users["superuser"])

    for url in ("/api/projects/?year=2021", f"/api/projects/{kepu.pk}/evaluation/"):
        assert client.post(url, {"status": "approved"}).status_code == 405
        assert client.put(url, {}).status_code == 405

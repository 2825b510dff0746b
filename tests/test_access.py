"""Every URL of the app, walked as an anonymous user, as staff of another unit and as the reviewer of another department
(SPEC section 7).

The walk (tests/url_walk.py) reads the URL configuration itself, so a page added later is walked too.
"""

import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.urls import reverse

from budgets.models import Access, DepartmentBudget
from performance.approval.models import DepartmentYear
from performance.jobs import start_job
from performance.models import ActualResult, Adjustment, AdjustmentItem, Evaluation, Evidence, Job, TargetSet
from performance.rectification.models import RectificationEvidence, RectificationItem
from performance.report.models import ReportText
from performance.results.models import ResultOpinion
from performance.spotchecks.services import draw_sample
from performance.tasks.models import Notification, Task
from tests.factories import (
    make_department,
    make_goal,
    make_indicator,
    make_project,
    make_unit,
    make_user_with_access,
    start_round,
)
from tests.url_walk import url_for, walk

pytestmark = pytest.mark.django_db

SECRETS = [
    "甲部门",
    "甲单位",
    "甲单位秘密项目",
    "甲秘密指标",
    "甲秘密目标",
    "甲秘密调整",
    "甲秘密整改",
    "甲整改佐证",
    "甲秘密任务",
    "甲秘密意见",
    "甲秘密报告",
    "甲秘密退回",
]
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def world(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    department = make_department(code="901", name="甲部门")
    unit = make_unit(department=department, code="901001", name="甲单位")
    project = make_project(unit=unit, name="甲单位秘密项目", full_year_total=Decimal("10"), executed_total=Decimal("9"))
    make_goal(project=project, text="甲秘密目标")
    indicator = make_indicator(project=project, name="甲秘密指标")
    ActualResult.objects.create(indicator=indicator, actual="12次")
    Evaluation.objects.create(project=project)
    DepartmentBudget.objects.create(department=department, year=2021)
    evidence = Evidence(project=project, indicator=indicator, original_name="甲.png", content_type="image/png", size=72)
    evidence.file.save("a.png", ContentFile(PNG), save=False)
    evidence.save()

    other = make_unit(department=make_department(code="902", name="乙部门"), code="902001", name="乙单位")
    make_project(unit=other, name="乙单位项目")
    stranger = make_user_with_access(role=Access.Role.STAFF, unit=other)
    other_reviewer = make_user_with_access(role=Access.Role.REVIEWER, department=other.department)
    owner = make_user_with_access(role=Access.Role.STAFF, unit=unit)
    job = start_job(kind=Job.Kind.EXPORT_WORKBOOK, user=owner, title="甲单位导出", params={"year": 2021})
    assert Job.objects.get(pk=job.pk).output_file  # a finished export of the secrets, owned by 甲's staff
    target_set = TargetSet.objects.create(project=project, status=TargetSet.Status.APPROVED)
    adjustment = Adjustment.objects.create(project=project, reason="甲秘密调整")
    AdjustmentItem.objects.create(adjustment=adjustment, action="change", indicator=indicator, name="甲秘密指标")
    rectification = RectificationItem.objects.create(
        unit=unit,
        project=project,
        year=2021,
        problem="甲秘密整改",
        measures="甲秘密整改要求",
        due_date=date(2000, 1, 1),
    )
    rectification_evidence = RectificationEvidence(
        item=rectification, original_name="甲整改佐证.png", content_type="image/png", size=72
    )
    rectification_evidence.file.save("b.png", ContentFile(PNG), save=False)
    rectification_evidence.save()
    ResultOpinion.objects.create(project=project, grade="良", opinion="甲秘密意见")
    ReportText.objects.create(project=project, year=2021, sections={"overview": "甲秘密报告"})
    ReportText.objects.create(department=department, year=2021, sections={"overview": "甲秘密报告"})
    task = Task.objects.create(kind=Task.Kind.SELF_EVALUATION, year=2021, deadline="2022-04-30", note="甲秘密任务")
    task.departments.set([department])
    task.all_departments = False
    task.save(update_fields=["all_departments"])
    Notification.objects.create(
        user=owner, kind=Notification.Kind.RETURNED, project=project, text="甲单位秘密项目被退回"
    )
    finance = make_user_with_access(role=Access.Role.FINANCE)
    Evaluation.objects.filter(project=project).update(status=Evaluation.Status.APPROVED, reported_total=Decimal("100"))
    spotcheck = draw_sample(year=2021, size=1, seed=1, by=finance)
    # The department's year, returned by finance (the second approval): its page and the inbox's list of years.
    department_year = DepartmentYear.objects.create(
        department=department, year=2021, status=DepartmentYear.Status.RETURNED, return_reason="甲秘密退回"
    )
    department_year.returned_projects.set([project])
    reviewer = make_user_with_access(role=Access.Role.REVIEWER, department=department)
    Notification.objects.create(
        user=reviewer, kind=Notification.Kind.RETURNED, department_year=department_year, text="甲部门年度甲秘密退回"
    )
    for round_number in (1, 2):  # two monitoring rounds of 甲部门's year, each answering its monitoring task
        start_round(department=department, year=2021, round_number=round_number, by=finance)
    return {
        "spotcheck": spotcheck,
        "spotcheck_item": spotcheck.items.get(),
        "task": task,
        "project": project,
        "evidence": evidence,
        "department": department,
        "stranger": stranger,
        "other_reviewer": other_reviewer,
        "job": job,
        "target_set": target_set,
        "adjustment": adjustment,
        "rectification": rectification,
        "rectification_evidence": rectification_evidence,
    }


def visible_text(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content[:2] == b"PK":
        workbook = openpyxl.load_workbook(io.BytesIO(content))
        return " ".join(str(c) for ws in workbook for row in ws.iter_rows(values_only=True) for c in row if c)
    return content.decode("utf-8", errors="replace")


def test_the_walk_covers_the_apps_urls():
    names = {name for name, _ in walk()}
    assert {"performance:project-detail", "api:project-evaluation", "budgets:department-detail"} <= names
    assert len(names) >= 20


def test_anonymous_users_are_sent_to_login_everywhere(client, world):
    for name, converters in walk():
        if name == "budgets:home":
            continue
        response = client.get(url_for(name, converters, world))
        if response.status_code == 405:
            response = client.post(url_for(name, converters, world))
        if name.startswith("api:"):  # an API call is answered, not redirected
            assert (response.status_code, response.json()) == (401, {"error": "请先登录"}), name
            continue
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("login")), name


@pytest.mark.parametrize("outsider", ["stranger", "other_reviewer"])
def test_staff_and_reviewers_of_another_department_get_nothing_of_this_unit(client, world, outsider):
    client.force_login(world[outsider])
    for name, converters in walk():
        url = url_for(name, converters, world)
        response = client.get(url)
        if response.status_code == 405:
            response = client.post(url, {"reason": "x"})
        if converters:  # a page of one object of the other unit
            assert response.status_code in (403, 404), f"{name}: {response.status_code}"
        else:  # a list, report, export or upload page: allowed, but nothing of the other unit in it
            assert response.status_code in (200, 302, 400, 403, 404), f"{name}: {response.status_code}"
            text = visible_text(response)
            leaked = [secret for secret in SECRETS if secret in text]
            assert not leaked, f"{name} shows {leaked}"


MONITORING_PAGES = ["monitoring-edit", "monitoring-sheet-project", "monitoring-submit", "monitoring-preview"]


@pytest.mark.parametrize("round_number", [1, 2])
def test_each_monitoring_round_of_the_department_is_closed_to_outsiders_and_anonymous_users(
    client, world, round_number
):
    project_urls = [
        reverse(f"performance:{name}", args=[world["project"].pk]) + f"?round={round_number}"
        for name in MONITORING_PAGES
    ]
    department_urls = [
        f"{reverse(f'performance:{name}')}?department=901&year=2021&round={round_number}"
        for name in ("monitoring-report", "monitoring-sheet-department")
    ]
    for url in project_urls + department_urls:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), url
    for outsider in ("stranger", "other_reviewer"):
        client.force_login(world[outsider])
        for url in project_urls + department_urls:
            response = client.get(url)
            if response.status_code == 405:
                response = client.post(url, {"reason": "x"})
            assert response.status_code == 404, f"{url}: {response.status_code}"
        response = client.post(
            reverse("performance:monitoring-round-start"), {"department": "901", "year": "2021", "round": "1"}
        )
        assert response.status_code == 404


def test_admin_changelists_show_nothing_of_another_unit(client, world):
    stranger = world["stranger"]
    stranger.is_staff = True
    stranger.save(update_fields=["is_staff"])
    stranger.user_permissions.set(Permission.objects.filter(content_type__app_label__in=["budgets", "performance"]))
    client.force_login(stranger)
    for model in admin.site._registry:
        if model._meta.app_label not in {"budgets", "performance"}:
            continue
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        response = client.get(url)
        assert response.status_code == 200, url
        leaked = [secret for secret in SECRETS if secret in response.content.decode()]
        assert not leaked, f"{url} shows {leaked}"
    project = world["project"]
    response = client.get(reverse("admin:budgets_project_change", args=[project.pk]))
    assert response.status_code in (302, 403, 404)
    assert "甲单位秘密项目" not in response.content.decode()

"""The cached parts of the project page (performance.page_cache) and the list's stored scores
(performance.scores): right after every kind of change, the same for every viewer, never holding a viewer's
buttons, CSRF token or messages."""

import re
from decimal import Decimal
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from budgets.models import Access, Project
from performance.entry_services import add_evidence
from performance.models import ActualResult, Evaluation, Indicator, IndicatorCategory, ProjectGoal
from performance.page_cache import project_page_version
from performance.services import score_project
from performance.workflow import submit_evaluation
from tests.factories import (
    make_evaluation,
    make_goal,
    make_indicator,
    make_project,
    make_unit,
    make_user_with_access,
)
from tests.performance.list_helpers import listed_rows

D = Decimal
pytestmark = pytest.mark.django_db
LIST = "/projects/"


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def setup():
    """A project of 10 万元 with two indicators (12次, ≥95%), its unit's staff and the department's reviewer."""
    unit = make_unit(name="科协本级")
    project = make_project(unit=unit, name="科普活动经费", full_year_total=D("10"), full_year_fiscal=D("10"))
    make_goal(project=project, text="全年举办科普活动")
    quantity = make_indicator(project=project, name="举办科普活动", target="12次")
    satisfaction = make_indicator(
        project=project, level1="满意度指标", level2="服务对象满意度指标", name="群众满意度", target="≥95%"
    )
    return {
        "project": project,
        "quantity": quantity,
        "satisfaction": satisfaction,
        "staff": make_user_with_access(role=Access.Role.STAFF, unit=unit),
        "reviewer": make_user_with_access(role=Access.Role.REVIEWER, department=unit.department),
    }


def page_url(project) -> str:
    return reverse("performance:project-detail", args=[project.pk])


def page_total(client, project) -> str:
    html = client.get(page_url(project)).content.decode()
    return re.search(r'data-testid="indicator-total">([^<]+)<', html).group(1)


def listed_total(client, project) -> str:
    """The total in the project's row of the rendered list."""
    html = client.get(LIST).content.decode()
    row = re.search(rf'<tr[^>]*>(?:(?!</tr>).)*?href="{page_url(project)}"(?:(?!</tr>).)*</tr>', html, re.S).group(0)
    return re.findall(r'<td class="[^"]*jx-num[^"]*">\s*([^<\s]+)\s*</td>', row)[-1]


def computed_total(project) -> str:
    return f"{score_project(Project.objects.get(pk=project.pk)).total:.2f}"


def entry_data(setup, *, version: int, quantity: str, executed: str = "10") -> dict:
    data = {
        "version": str(version),
        "action": "save",
        "full_year_total": "10",
        "full_year_fiscal": "10",
        "executed_total": "",
        "executed_fiscal": executed,
        "executed_carryover": "",
        "executed_other": "",
        "goal_actual": "完成",
        "budget_deviation_reason": "",
    }
    for indicator, actual in ((setup["quantity"], quantity), (setup["satisfaction"], "96%")):
        for field, value in {"actual": actual, "tier": "", "evaluator_score": "", "deviation_reason": ""}.items():
            data[f"ind-{indicator.pk}-{field}"] = value
    return data


def csrf_form(html: str, action: str) -> dict:
    """The hidden inputs of the page's form posting to ``action``."""
    form = re.search(rf'<form method="post" action="{re.escape(action)}"[^>]*>(.*?)</form>', html, re.S).group(1)
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))


# --- right after every kind of change --------------------------------------------------------------


def test_an_actual_saved_through_the_entry_form_shows_at_once_on_the_page_and_the_list(client, setup):
    project = setup["project"]
    client.force_login(setup["staff"])
    edit = reverse("performance:evaluation-edit", args=[project.pk])
    assert client.post(edit, entry_data(setup, version=0, quantity="12次")).status_code == 302
    full = computed_total(project)
    assert page_total(client, project) == full  # now cached
    assert listed_total(client, project) == full

    assert client.post(edit, entry_data(setup, version=1, quantity="6次")).status_code == 302

    half = computed_total(project)
    assert half != full
    assert page_total(client, project) == half
    assert listed_total(client, project) == half
    row = {row["项目名称"]: row for row in listed_rows(client.get(LIST))}["科普活动经费"]
    assert row["总分"] == half


@pytest.mark.stale_scores
def test_money_and_a_result_changed_without_save_show_on_the_page_at_once_and_on_the_list_after_rescore(client, setup):
    project = setup["project"]
    ActualResult.objects.create(indicator=setup["quantity"], actual="12次")
    client.force_login(setup["reviewer"])
    before = page_total(client, project)
    assert listed_total(client, project) == before

    Project.objects.filter(pk=project.pk).update(executed_total=D("5"))  # no save(), no signal, no history
    ActualResult.objects.filter(indicator=setup["quantity"]).update(actual="3次")

    after = computed_total(project)
    assert after != before
    assert page_total(client, project) == after  # the page computes its score
    assert listed_total(client, project) == before  # the list reads the stored one, which a bare UPDATE skips
    call_command("rescore", stdout=StringIO())
    assert listed_total(client, project) == after


def test_a_renamed_indicator_category_and_unit_show_at_once(client, setup):
    project = setup["project"]
    client.force_login(setup["reviewer"])
    html = client.get(page_url(project)).content.decode()
    assert "满意度指标" in html and "科协本级" in html

    IndicatorCategory.objects.filter(pk=setup["satisfaction"].level1_id).update(name="满意度类指标")
    project.unit.name = "科协机关"
    project.unit.save()

    html = client.get(page_url(project)).content.decode()
    assert "满意度类指标" in html and "科协机关" in html
    assert "科协机关" in client.get(LIST).content.decode()


def test_evidence_and_history_show_at_once(client, setup):
    project = setup["project"]
    client.force_login(setup["staff"])
    html = client.get(page_url(project)).content.decode()
    assert "暂无佐证材料。" in html

    add_evidence(project=project, file=SimpleUploadedFile("照片.pdf", b"%PDF-1.4 x"), by=setup["staff"])
    result = ActualResult(indicator=setup["quantity"], actual="10次")
    result._history_user = setup["staff"]
    result.save()

    html = client.get(page_url(project)).content.decode()
    assert "照片.pdf" in html
    assert "实际完成值“举办科普活动”" in html


# --- the same cached parts, each viewer's own buttons, tokens and messages --------------------------------


def test_each_viewer_gets_their_own_buttons_and_working_csrf_token_around_the_same_cached_parts(setup):
    project = setup["project"]
    make_evaluation(project=project)
    for indicator, actual in ((setup["quantity"], "12次"), (setup["satisfaction"], "96%")):
        ActualResult.objects.create(indicator=indicator, actual=actual)
    project.executed_total = D("10")
    project.save()
    staff, reviewer = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    staff.force_login(setup["staff"])
    reviewer.force_login(setup["reviewer"])

    reviewer_html = reviewer.get(page_url(project)).content.decode()  # renders and caches the shared parts
    staff_html = staff.get(page_url(project)).content.decode()  # from the cache

    assert 'data-testid="action-submit"' not in reviewer_html and 'data-testid="action-edit"' not in reviewer_html
    assert 'data-testid="action-submit"' in staff_html and 'data-testid="action-edit"' in staff_html
    submit = reverse("performance:evaluation-submit", args=[project.pk])
    fields = csrf_form(staff_html, submit)
    assert fields["csrfmiddlewaretoken"] not in reviewer_html
    assert staff.post(submit, fields).status_code == 302  # the token on the page is this session's
    assert Evaluation.objects.get(project=project).status == Evaluation.Status.SUBMITTED

    reviewer_html = reviewer.get(page_url(project)).content.decode()
    assert 'data-testid="action-approve"' in reviewer_html
    assert "已提交" in reviewer_html
    approve = reverse("performance:evaluation-approve", args=[project.pk])
    assert reviewer.post(approve, csrf_form(reviewer_html, approve)).status_code == 302
    assert "已审核" in staff.get(page_url(project)).content.decode()


def test_a_message_shows_once_on_the_cached_page(client, setup):
    project = setup["project"]
    evaluation = make_evaluation(project=project)
    for indicator, actual in ((setup["quantity"], "12次"), (setup["satisfaction"], "96%")):
        ActualResult.objects.create(indicator=indicator, actual=actual)
    project.executed_total = D("10")
    project.save()
    submit_evaluation(evaluation=evaluation, by=setup["staff"])
    client.force_login(setup["reviewer"])
    client.get(page_url(project))

    returned = client.post(
        reverse("performance:evaluation-return", args=[project.pk]), {"reason": "样本不足"}, follow=True
    )

    assert "已退回填报单位。" in returned.content.decode()
    assert "样本不足" in returned.content.decode()
    again = client.get(page_url(project)).content.decode()
    assert "已退回填报单位。" not in again
    assert "样本不足" in again


def test_the_cached_parts_follow_the_language(client, setup):
    client.force_login(setup["reviewer"])
    assert "Annual overall goal" not in client.get(page_url(setup["project"])).content.decode()
    client.cookies["django_language"] = "en"
    assert "Annual overall goal" in client.get(page_url(setup["project"])).content.decode()


def test_the_cached_list_follows_the_language_even_when_empty(client, setup):
    client.force_login(setup["reviewer"])
    client.get(LIST, {"q": "没有这个项目"})
    client.cookies["django_language"] = "en"
    english = client.get(LIST, {"q": "没有这个项目"}).content.decode()
    assert "No projects match." in english
    assert "Project name" in client.get(LIST).content.decode()


# --- the versions ------------------------------------------------------------------------------------


@pytest.mark.stale_scores
def test_the_page_version_changes_with_each_kind_of_data_not_with_other_projects(setup):
    project, quantity = setup["project"], setup["quantity"]
    other = make_project(unit=project.unit, name="另一个项目")
    version = project_page_version(project)
    assert project_page_version(project) == version
    make_indicator(project=other, name="别的指标")
    assert project_page_version(project) == version

    changes = [
        lambda: Project.objects.filter(pk=project.pk).update(executed_total=D("9")),
        lambda: ProjectGoal.objects.filter(project=project).update(text="新目标"),
        lambda: make_evaluation(project=project),
        lambda: Evaluation.objects.filter(project=project).update(goal_actual="完成"),
        lambda: ActualResult.objects.create(indicator=quantity, actual="10次"),
        lambda: ActualResult.objects.filter(indicator=quantity).update(deviation_reason="原因"),
        lambda: Indicator.objects.filter(pk=quantity.pk).update(target="10次"),
        lambda: IndicatorCategory.objects.filter(pk=quantity.level2_id).update(name="数量"),
        lambda: make_project(unit=project.unit, year=project.year + 1, name=project.name),  # carried forward
    ]
    for change in changes:
        change()
        changed = project_page_version(project)
        assert changed != version
        version = changed


def test_the_targets_state_shows_at_once_on_the_page_and_the_list(client, setup):
    from performance.declaration.models import TargetSet

    project = setup["project"]
    client.force_login(setup["reviewer"])

    def states():
        return {row["项目名称"]: row["目标状态"] for row in listed_rows(client.get(LIST))}

    assert states()["科普活动经费"] == "编制中"
    target_set = TargetSet.objects.create(project=project, status=TargetSet.Status.SUBMITTED)
    assert states()["科普活动经费"] == "已申报"
    # A plain UPDATE sends no signal: the list (cached under the department-year's version) shows it once the
    # writer names the project (bulk writes do) or ``manage.py rescore`` gives every department-year a new version.
    TargetSet.objects.filter(pk=target_set.pk).update(status=TargetSet.Status.APPROVED)
    assert states()["科普活动经费"] == "已申报"
    call_command("rescore", "--quiet")
    assert states()["科普活动经费"] == "已批复"
    assert client.get(page_url(project)).context["targets"]["status"] == "approved"

"""The target review report, the project page's findings and the budget consistency page: scoping, content."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from budgets.models import Access, DepartmentBudget, Project
from performance.demo import DEMO_PASSWORD, load_demo
from performance.review import RULES
from tests.factories import PASSWORD, make_indicator, make_project, make_unit, make_user_with_access

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    load_demo()


def login(client, username, password=DEMO_PASSWORD):
    assert client.login(username=username, password=password)
    return client


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_review_report_needs_a_login(client):
    response = client.get(reverse("performance:review-report"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_review_report_lists_the_seed_findings_by_project_with_counts(client, demo):
    response = login(client, "shenhe").get(reverse("performance:review-report"), {"year": 2021, "department": "731"})
    assert response.status_code == 200
    context = response.context
    assert [group["project"].name for group in context["groups"]] == [
        "科普经费",
        "全民科学素质行动计划专项经费",
        "开展科技工作者助力精准扶贫经费",
        "老科学技术工作者协会工作经费",
        "常设科普展览经费",
        "科普大篷车经费",
    ]
    counts = {item["severity"]: item["count"] for item in context["severity_counts"]}
    assert sum(counts.values()) == context["total"] == sum(group["total"] for group in context["groups"])
    assert counts["错误"] == 1
    rules = {item["rule"].code: item["count"] for item in context["rule_counts"]}
    assert rules["cost-not-money"] == 1
    text = text_of(response)
    assert "成本指标的指标值“4万人”不是金额" in text
    assert "第4行" in text


def test_review_report_and_project_page_name_rules_in_words_never_by_their_codes(client, demo):
    client = login(client, "shenhe")
    report = client.get(reverse("performance:review-report"), {"year": 2021, "department": "731"})
    project = Project.objects.get(name="常设科普展览经费")
    page = client.get(reverse("performance:project-detail", args=[project.pk]))
    for response in (report, page):
        text = text_of(response)
        assert "成本指标不是金额" in text
        assert not [rule.code for rule in RULES if re.search(rf"(?<![\w-]){re.escape(rule.code)}(?![\w-])", text)]


def test_review_report_filters_by_severity(client, demo):
    response = login(client, "shenhe").get(
        reverse("performance:review-report"), {"year": 2021, "department": "731", "severity": "错误"}
    )
    shown = [f for group in response.context["groups"] for f in group["findings"]]
    assert [(f.project.name, f.code) for f in shown] == [("常设科普展览经费", "cost-not-money")]


def test_review_report_shows_staff_only_their_units_projects(client, demo):
    response = login(client, "kejiguan").get(reverse("performance:review-report"), {"year": 2021, "department": "731"})
    assert [group["project"].name for group in response.context["groups"]] == ["常设科普展览经费", "科普大篷车经费"]
    assert "科普经费" not in [f.project.name for group in response.context["groups"] for f in group["findings"]]


def test_review_report_ignores_a_department_the_user_cannot_see(client, demo):
    other = make_project(year=2021, name="别的部门项目")
    make_indicator(project=other, target="")
    response = login(client, "shenhe").get(
        reverse("performance:review-report"), {"year": 2021, "department": other.unit.department.code}
    )
    assert response.context["department"].code == "731"
    assert "别的部门项目" not in text_of(response)


def test_project_page_shows_its_review_findings(client, demo):
    project = Project.objects.get(name="常设科普展览经费")
    response = login(client, "shenhe").get(reverse("performance:project-detail", args=[project.pk]))
    assert response.status_code == 200
    codes = [f.code for f in response.context["review_findings"]]
    assert "cost-not-money" in codes
    assert {f.project.pk for f in response.context["review_findings"]} == {project.pk}
    assert 'data-testid="project-review"' in response.content.decode()
    assert "“受益人数”列在成本指标下，但它不是成本。" in text_of(response)


def test_project_page_says_when_the_review_finds_nothing(client):
    unit = make_unit()
    project = make_project(unit=unit)
    make_indicator(project=project, name="培训次数", description="全年培训次数", target="5次", basis="计划标准")
    make_indicator(
        project=project,
        level1="效益指标",
        level2="社会效益指标",
        name="合格率",
        description="考核合格的比例",
        target="≥90%",
        basis="计划标准",
    )
    make_indicator(
        project=project,
        level1="满意度指标",
        level2="服务对象满意度指标",
        name="满意度",
        description="问卷调查满意的比例",
        target="≥95%",
        basis="计划标准",
    )
    user = make_user_with_access(role=Access.Role.STAFF, unit=unit)
    response = login(client, user.username, PASSWORD).get(reverse("performance:project-detail", args=[project.pk]))
    assert response.context["review_findings"] == []
    assert "目标审核未发现问题。" in text_of(response)


# --- budget consistency page ----------------------------------------------------------------------


def consistency_url(code="731", year=2021):
    return reverse("budgets:consistency", args=[code, year])


def test_consistency_page_says_the_seed_has_no_problem(client, demo):
    response = login(client, "shenhe").get(consistency_url())
    assert response.status_code == 200
    assert response.context["failures"] == []
    assert response.context["checked"] >= 40
    text = text_of(response)
    assert "未发现问题" in text
    assert "基本支出 636.06 = 人员经费 543.45 + 日常公用经费 92.61 = 636.06" in text


def test_consistency_page_names_a_failure_with_its_difference(client, demo):
    DepartmentBudget.objects.filter(department__code="731", year=2021).update(basic_public=Decimal("92.71"))
    response = login(client, "shenhe").get(consistency_url())
    assert [c.code for c in response.context["failures"]] == ["basic-parts"]
    assert "基本支出 636.06 ≠ 人员经费 543.45 + 日常公用经费 92.71 = 636.16，差额 -0.10" in text_of(response)


def test_consistency_page_is_404_for_a_department_the_user_cannot_see(client, demo):
    other = make_unit()
    DepartmentBudget.objects.create(department=other.department, year=2021, income_total=Decimal("1"))
    assert login(client, "shenhe").get(consistency_url(other.department.code)).status_code == 404
    assert client.get(consistency_url(year=2019)).status_code == 404


def test_consistency_page_for_unit_staff_skips_the_department_procurement_total(client, demo):
    response = login(client, "kejiguan").get(consistency_url())
    assert response.status_code == 200
    assert response.context["complete"] is False
    codes = {c.code for section in response.context["sections"] for c in section["checks"]}
    assert "procurement-total" not in codes
    assert "procurement-line-amount" in codes


def test_department_page_links_to_the_consistency_page_and_the_review_report(client, demo):
    response = login(client, "shenhe").get(reverse("budgets:department-detail", args=["731", 2021]))
    html = response.content.decode()
    assert f'href="{consistency_url()}"' in html
    assert f'href="{reverse("performance:review-report")}?year=2021&amp;department=731"' in html

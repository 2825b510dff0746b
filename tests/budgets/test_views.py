"""The home page and the read-only department page: who sees what, the seed's figures, query counts, English."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from budgets.models import DepartmentBudget, ProcurementLine
from performance.demo import DEMO_PASSWORD, load_demo
from tests.factories import (
    make_department,
    make_goal,
    make_indicator,
    make_project,
    make_unit,
    make_user,
    make_user_with_access,
)

pytestmark = pytest.mark.django_db

DEPARTMENT_731 = "/departments/731/2021/"


@pytest.fixture
def demo(client):
    load_demo()
    return client


def login(client, username):
    assert client.login(username=username, password=DEMO_PASSWORD)
    return client


def text_of(response) -> str:
    """The page's text with tags removed and whitespace collapsed."""
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def procurement_line(budget, unit, amount):
    return ProcurementLine.objects.create(
        budget=budget,
        unit=unit,
        source_project="日常公用经费",
        item="台式计算机",
        quantity=Decimal("1"),
        unit_price=amount,
        amount_total=amount,
        amount_general_budget=amount,
    )


def test_url_names_resolve_to_the_pages():
    assert reverse("budgets:home") == "/"
    assert reverse("budgets:department-detail", args=["731", 2021]) == DEPARTMENT_731


@pytest.mark.parametrize("url", ["/", DEPARTMENT_731])
def test_anonymous_visitor_is_sent_to_the_login_page(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next={url}"


def test_login_page_renders_in_chinese(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert 'lang="zh-hans"' in response.content.decode()
    assert "用户名" in text_of(response)


def test_login_redirects_to_the_home_page(demo):
    response = demo.post("/accounts/login/", {"username": "shenhe", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert response.url == "/"


def test_logout_is_a_post_form_that_ends_the_session(demo):
    login(demo, "shenhe")
    assert '<form action="/accounts/logout/" method="post"' in demo.get("/").content.decode()
    response = demo.post("/accounts/logout/")
    assert response.status_code == 302
    assert demo.get("/").status_code == 302


@pytest.mark.parametrize("username", ["admin", "shenhe", "kexie", "kejiguan"])
def test_home_lists_the_seed_department_and_year_for_every_demo_role(demo, username):
    response = login(demo, username).get("/")
    assert response.status_code == 200
    assert f'href="{DEPARTMENT_731}"' in response.content.decode()
    assert "张家口市科学技术协会" in text_of(response)
    assert username in text_of(response)


@pytest.mark.parametrize(("username", "project_count"), [("admin", 6), ("shenhe", 6), ("kexie", 4), ("kejiguan", 2)])
def test_home_counts_the_projects_each_role_may_see(demo, username, project_count):
    response = login(demo, username).get("/")
    (row,) = [row for row in response.context["rows"] if row["department"].code == "731"]  # admin sees 732 too
    assert row["years"] == [{"year": 2021, "projects": project_count, "expenditure_total": Decimal("1006.4600")}]
    assert "2021年 1,006.46" in text_of(response)


def test_department_page_shows_the_seed_disclosure_to_the_reviewer(demo):
    response = login(demo, "shenhe").get(DEPARTMENT_731)
    assert response.status_code == 200
    page = text_of(response)
    # duties and units
    assert "（十）" not in page  # numbered by the list, not repeated in the text
    assert "承担市委、市政府交办的有关事项。" in page
    assert "731005 张家口市科技馆 事业 正科级 财政性资金定额或定项补助" in page
    # income, spending and the change on last year
    assert "收入合计 1,006.46" in page
    assert "其中：人员经费 543.45 日常公用经费 92.61 项目支出 370.40 老科协 9.00 科普活动 147.90" in page
    assert "项目支出 370.40 459.50 -89.10 主要是科技馆项目经费减少" in page
    # 机关运行经费 and 三公经费 (this year, last year, change)
    assert "92.61 万元" in page
    assert "“三公”经费合计 5.34 5.19 0.15" in page
    assert "公务接待费 0.62 0.47 0.15" in page
    # department goals, sub-goals, guarantee measures
    assert "夯实我市创新发展基础" in page
    assert "部门决策" in page
    assert "6. 加强宣传培训" in page
    # procurement: total, subtotals per unit, a line
    assert "合计 7.40 7.40" in page
    assert "张家口市科学技术协会小计 5.40 5.40" in page
    assert "张家口市科技馆小计 2.00 2.00" in page
    assert "日常公用经费 73.98 便携式计算机 A02010105 台 3 0.45 1.35 1.35" in page
    # assets
    assert "资产总额 —— 954.66" in page
    assert "其中：办公用房（平方米） 382.6 27.16" in page


def test_department_page_shows_six_goal_tables_with_level1_cells_merged(demo):
    response = login(demo, "shenhe").get(DEPARTMENT_731)
    tables = response.context["project_tables"]
    assert len(tables) == 6
    assert sum(len(table["rows"]) for table in tables) == 36
    first = tables[0]
    assert first["goal"].text == "用于开展学术及科普活动，组织科普宣讲活动，鼓励并积极参加科技大赛"
    assert [row["level1_rowspan"] for row in first["rows"]] == [4, 0, 0, 0, 1, 1]
    html = response.content.decode()
    assert html.count('data-testid="project-goal-table"') == 6
    assert html.count('rowspan="4" class="jx-level1">产出指标') == 6
    page = text_of(response)
    assert "731001 张家口市科协本级 绩效目标 用于开展学术及科普活动" in page
    assert "总成本 成本不超过预算 ≤81万元 计划标准" in page
    # the seed's non-standard 效果指标 is shown as written, with its standard name beside it
    assert "效果指标 → 效益指标" in page


def test_unit_staff_see_only_their_own_units_projects_and_procurement(demo):
    response = login(demo, "kejiguan").get(DEPARTMENT_731)
    assert response.status_code == 200
    tables = response.context["project_tables"]
    assert [table["project"].unit.code for table in tables] == ["731005", "731005"]
    page = text_of(response)
    assert "科普大篷车经费" in page
    assert "科普经费" not in page.replace("常设科普展览经费", "").replace("科普大篷车经费", "")
    groups = response.context["procurement"]["groups"]
    assert [group.unit.code for group in groups] == ["731005"]
    assert response.context["procurement"]["total"] == Decimal("2.0000")
    assert "张家口市科学技术协会小计" not in page
    assert "日常公用经费 73.98" not in page


def test_kexie_sees_the_four_projects_of_731001(demo):
    response = login(demo, "kexie").get(DEPARTMENT_731)
    assert [table["project"].unit.code for table in response.context["project_tables"]] == ["731001"] * 4
    assert response.context["procurement"]["total"] == Decimal("5.4000")


def test_department_of_another_scope_is_not_found(client):
    outsider = make_user_with_access(role="reviewer")  # reviewer of a fresh department
    load_demo()
    client.force_login(outsider)
    assert client.get(DEPARTMENT_731).status_code == 404


def test_user_without_access_sees_an_empty_home_and_no_department(demo):
    demo.force_login(make_user())
    response = demo.get("/")
    assert response.status_code == 200
    assert response.context["rows"] == []
    assert "尚未分配" in text_of(response)
    assert demo.get(DEPARTMENT_731).status_code == 404


def test_year_without_any_data_is_not_found(demo):
    assert login(demo, "shenhe").get("/departments/731/1999/").status_code == 404


def test_unknown_department_is_not_found(demo):
    assert login(demo, "admin").get("/departments/999/2021/").status_code == 404


def _department_with(projects: int):
    department = make_department()
    units = [make_unit(department=department), make_unit(department=department)]
    budget = DepartmentBudget.objects.create(department=department, year=2021, income_total=Decimal("10"))
    for n in range(projects):
        project = make_project(unit=units[n % 2])
        make_goal(project=project)
        make_indicator(project=project, level1="产出指标", level2="数量指标")
        make_indicator(project=project, level1="效益指标", level2="社会效益指标", target="100%")
        make_indicator(project=project, level1="满意度指标", level2="服务对象满意度指标", target="≥95%")
        procurement_line(budget, units[n % 2], Decimal("1.5"))
    return department


def _queries_for_page(client, department) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/departments/{department.code}/2021/")
    assert response.status_code == 200
    return len(queries)


def test_department_page_query_count_does_not_grow_with_projects(client):
    one, many = _department_with(1), _department_with(5)
    user = make_user_with_access(role="finance")
    client.force_login(user)
    _queries_for_page(client, one)  # warm the session and content types
    assert _queries_for_page(client, many) == _queries_for_page(client, one)
    response = client.get(f"/departments/{many.code}/2021/")
    assert len(response.context["project_tables"]) == 5
    assert response.context["procurement"]["total"] == Decimal("7.5")


def test_english_is_shown_after_switching_language(demo):
    login(demo, "shenhe")
    response = demo.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    home = demo.get("/")
    html = home.content.decode()
    assert 'lang="en"' in html
    assert "Departments and years" in text_of(home)
    assert "Log out" in text_of(home)
    page = text_of(demo.get(DEPARTMENT_731))
    assert "Performance goals of budget projects" in page
    assert "Level-1 indicator" in page
    assert "1,006.46" in page


def test_level1_cells_merge_only_consecutive_rows_of_the_same_written_name(client):
    project = make_project()
    make_goal(project=project)
    make_indicator(project=project, level1="产出指标", level2="数量指标")
    make_indicator(project=project, level1="产出指标", level2="质量指标")
    make_indicator(project=project, level1="效益指标", level2="社会效益指标", level1_as_written="效果指标")
    make_indicator(project=project, level1="效益指标", level2="经济效益指标")
    make_indicator(project=project, level1="产出指标", level2="时效指标")
    client.force_login(make_user_with_access(role="staff", unit=project.unit))
    response = client.get(f"/departments/{project.unit.department.code}/2021/")
    (table,) = response.context["project_tables"]
    assert [row["level1_rowspan"] for row in table["rows"]] == [2, 0, 1, 1, 1]


def test_an_english_browser_still_gets_chinese_until_the_user_switches(client):
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.status_code == 200
    assert 'lang="zh-hans"' in response.content.decode()


def test_department_page_links_to_its_checks_and_its_disclosure(client):
    load_demo()
    client.login(username="shenhe", password=DEMO_PASSWORD)
    page = client.get("/departments/731/2021/").content.decode()
    assert 'href="/departments/731/2021/consistency/"' in page
    assert 'href="/disclosure/731/2021/"' in page

"""The finance console (财政总览): every department's year as SQL aggregates, a drill-down, who sees which rows."""

import json
import re
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from budgets.models import Access
from performance.models import Evaluation
from performance.spotchecks.services import draw_sample, record_review
from performance.tasks.models import Task
from tests.factories import make_department, make_scored_project, make_unit, make_user_with_access

pytestmark = pytest.mark.django_db


@pytest.fixture
def finance():
    return make_user_with_access(role=Access.Role.FINANCE)


def rows_of(response):
    return {row.code: row for row in response.context["rows"]}


def shown(response, code: str) -> dict[str, str]:
    """The figures of a department's row as the page shows them (``data-testid`` → text): what the user reads,
    whether the table was rendered now or served from the cache."""
    page = response.content.decode()
    for row in re.findall(r'<tr data-testid="console-row">(.*?)</tr>', page, re.S):
        if re.search(rf">{re.escape(code)} ", row):
            return dict(re.findall(r'data-testid="([\w-]+)">([^<]*)<', row))
    raise AssertionError(f"no row of {code}")


def chart_of(response) -> dict:
    page = response.content.decode()
    return json.loads(re.search(r'<script id="jx-console-data" type="application/json">(.*?)</script>', page, re.S)[1])


def test_a_department_row_counts_coverage_grades_scores_overdue_spot_checks_and_flags(client, finance):
    department = make_department(code="801", name="甲部门")
    unit = make_unit(department=department)
    inflated = make_scored_project(unit, reported_total=Decimal("100"))  # computed 99: an open inflation flag
    make_scored_project(unit, status=Evaluation.Status.SUBMITTED)
    make_scored_project(unit, status=Evaluation.Status.DRAFT, actual="6次")  # 良 or worse, not submitted
    Task.objects.create(kind=Task.Kind.SELF_EVALUATION, year=2021, deadline=date(2022, 1, 31))
    client.force_login(finance)
    row = rows_of(client.get(reverse("performance:console"), {"year": 2021}))["801"]
    assert (row.projects, row.started, row.submitted, row.approved) == (3, 3, 2, 1)
    assert row.grades["优"] == 2 and sum(row.grades.values()) == 3
    assert row.rate == Decimal("90.00")
    assert (row.overdue, row.flags) == (1, 1)
    item = draw_sample(year=2021, size=1, seed=1, by=finance).items.get()
    assert item.project == inflated  # the only approved project
    record_review(
        item=item,
        scores={inflated.indicators.get().pk: Decimal("80")},
        budget_score=Decimal("9"),
        conclusion="inflated",
        note="",
        by=finance,
    )
    row = rows_of(client.get(reverse("performance:console"), {"year": 2021}))["801"]
    assert (row.sampled, row.reviewed, row.inflated, row.flags) == (1, 1, 1, 0)  # concluded: no longer open


def test_the_console_costs_the_same_queries_for_two_departments_and_for_six(client, finance):
    client.force_login(finance)
    Task.objects.create(kind=Task.Kind.SELF_EVALUATION, year=2021, deadline=date(2022, 1, 31))

    def queries(departments):
        for _ in range(departments):
            unit = make_unit(department=make_department())
            make_scored_project(unit, reported_total=Decimal("100"))
            make_scored_project(unit, status=Evaluation.Status.DRAFT)
        draw_sample(year=2021, size=1, seed=1, by=finance)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("performance:console"), {"year": 2021})
        assert response.status_code == 200
        return len(response.context["rows"]), len(captured)

    two, six = queries(2), queries(4)
    assert (two[0], six[0]) == (2, 6)
    assert two[1] == six[1] > 5  # counted: the console reads its figures in a few queries


def test_the_console_is_served_from_its_cache_and_shows_every_change_at_once(client, finance):
    """The rendered table is cached under what it counts: a self-evaluation approved, a task's deadline passed and a
    spot check drawn each show on the next view."""
    unit = make_unit(department=make_department(code="801"))
    project = make_scored_project(unit, status=Evaluation.Status.SUBMITTED)
    task = Task.objects.create(kind=Task.Kind.SELF_EVALUATION, year=2099, deadline=date(2099, 1, 31))
    client.force_login(finance)

    def view():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("performance:console"), {"year": 2021})
        return shown(response, "801"), len(captured)

    first, computed = view()
    again, served = view()
    assert first == again
    assert (first["approved"], first["overdue"], first["spot-checks"]) == ("0", "0", "0/0/0")
    assert served < computed
    evaluation = project.evaluation
    evaluation.status = Evaluation.Status.APPROVED
    evaluation.save()
    assert view()[0]["approved"] == "1"
    task.year, task.deadline = 2021, date(2022, 1, 31)  # now the year's task, its deadline passed
    task.save()
    project.evaluation.status = Evaluation.Status.RETURNED
    project.evaluation.save()
    assert view()[0]["overdue"] == "1"
    draw_sample(year=2021, size=1, seed=1, scope="any", by=finance)
    assert view()[0]["spot-checks"] == "1/0/0"


def test_the_cached_table_differs_by_who_sees_it(client, finance):
    """A reviewer's rows link only their own department's pages; finance's link every one: never each other's."""
    ours, theirs = make_department(code="801"), make_department(code="802")
    for department in (ours, theirs):
        make_scored_project(make_unit(department=department))
    reviewer = make_user_with_access(role=Access.Role.REVIEWER, department=ours)
    client.force_login(finance)
    assert "802" in client.get(reverse("performance:console"), {"year": 2021}).content.decode()
    client.force_login(reviewer)
    page = client.get(reverse("performance:console"), {"year": 2021}).content.decode()
    assert ">801 " in page and ">802 " not in page


def test_the_drill_down_lists_the_departments_units_and_projects_with_their_flags(client, finance):
    department = make_department(code="801")
    first, second = make_unit(department=department, name="甲一"), make_unit(department=department, name="甲二")
    make_scored_project(first, name="甲一项目", reported_total=Decimal("100"))
    make_scored_project(second, name="甲二项目")
    client.force_login(finance)
    response = client.get(reverse("performance:console-department", args=["801", 2021]))
    assert [row.name for row in response.context["rows"]] == ["甲一", "甲二"]
    page = response.content.decode()
    assert "甲一项目" in page and "甲二项目" in page and "自评虚高" in page


def test_the_drill_down_is_served_from_its_cache_and_shows_a_new_project_and_a_changed_state_at_once(client, finance):
    unit = make_unit(department=make_department(code="801"), name="甲一")
    project = make_scored_project(unit, name="甲一项目", status=Evaluation.Status.SUBMITTED)
    client.force_login(finance)
    url = reverse("performance:console-department", args=["801", 2021])

    def view():
        with CaptureQueriesContext(connection) as captured:
            page = client.get(url).content.decode()
        return page.split('data-testid="console-projects"')[1], len(captured)  # the projects' list

    first, computed = view()
    again, served = view()
    assert first == again and served < computed
    assert "已提交" in first and "已审核" not in first
    project.evaluation.status = Evaluation.Status.APPROVED
    project.evaluation.save()
    make_scored_project(unit, name="甲一新项目")
    page = view()[0]
    assert "已审核" in page and "甲一新项目" in page and "项目（2）" in page


def test_a_unit_without_a_code_is_shown_by_its_name_alone(client, finance):
    """The seed publishes units without a code (张家口市科技干部进修学院): no "None" before the name."""
    department = make_department(code="801")
    make_unit(department=department, code=None, name="甲进修学院")
    client.force_login(finance)
    page = client.get(reverse("performance:console-department", args=["801", 2021])).content.decode()
    assert ">甲进修学院</th>" in page and "None" not in page


def test_the_drill_downs_queries_do_not_grow_with_its_units(client, finance):
    department = make_department(code="801")
    client.force_login(finance)
    url = reverse("performance:console-department", args=["801", 2021])

    def queries(units):
        for _ in range(units):
            make_scored_project(make_unit(department=department))
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        return len(captured)

    assert queries(2) == queries(4) > 5


def test_a_reviewer_sees_only_their_departments_row_and_drill_down(client):
    mine, other = make_department(code="801", name="甲部门"), make_department(code="802", name="乙部门")
    make_scored_project(make_unit(department=mine), name="甲项目")
    make_scored_project(make_unit(department=other), name="乙项目")
    client.force_login(make_user_with_access(role=Access.Role.REVIEWER, department=mine))
    response = client.get(reverse("performance:console"), {"year": 2021})
    assert list(rows_of(response)) == ["801"]
    assert "乙部门" not in response.content.decode()
    assert client.get(reverse("performance:console-department", args=["801", 2021])).status_code == 200
    assert client.get(reverse("performance:console-department", args=["802", 2021])).status_code == 404


def test_unit_staff_may_not_open_the_console(client):
    unit = make_unit()
    client.force_login(make_user_with_access(role=Access.Role.STAFF, unit=unit))
    assert client.get(reverse("performance:console")).status_code == 403
    assert client.get(reverse("performance:console-department", args=[unit.department.code, 2021])).status_code == 403


def test_a_bad_year_falls_back_to_last_year_rather_than_failing(client, finance):
    make_department(code="801")
    client.force_login(finance)
    for year in ("abc", "99999999999", "-3"):
        assert client.get(reverse("performance:console"), {"year": year}).status_code == 200
    assert client.get(reverse("performance:console-department", args=["801", 99999999])).status_code == 404


def test_without_a_year_the_console_shows_the_newest_year_that_has_projects(client, finance):
    """The demo holds 2021 only: a console opened years later shows 2021, not an empty last year."""
    department = make_department(code="801", name="甲部门")
    make_scored_project(make_unit(department=department))
    client.force_login(finance)
    response = client.get(reverse("performance:console"))
    assert response.context["year"] == 2021
    assert [row.code for row in response.context["rows"] if row.projects] == ["801"]


def test_the_console_offers_the_grade_chart_with_its_table(client, finance):
    make_scored_project(make_unit(department=make_department(code="801", name="甲部门")))
    client.force_login(finance)
    response = client.get(reverse("performance:console"), {"year": 2021})
    chart = chart_of(response)
    assert chart["labels"] == ["甲部门"]
    assert [d["label"] for d in chart["datasets"]] == ["优", "良", "中", "差"]
    assert chart["datasets"][0]["data"] == [1]
    assert 'id="jx-console-chart"' in response.content.decode()
    assert "vendor/chartjs/chart.umd.min.js" in response.content.decode()
    assert f'href="{reverse("performance:console-department", args=["801", 2021])}"' in response.content.decode()


def test_a_project_whose_actuals_are_not_all_entered_is_not_flagged_as_inflated(client, finance):
    unit = make_unit(department=make_department(code="801"))
    project = make_scored_project(unit, reported_total=Decimal("100"))
    project.indicators.get().result.delete()  # its computed total is not final yet
    client.force_login(finance)
    assert rows_of(client.get(reverse("performance:console"), {"year": 2021}))["801"].flags == 0


@pytest.mark.parametrize(("role", "shown"), [(Access.Role.REVIEWER, True), (Access.Role.STAFF, False)])
def test_the_navigation_offers_the_console_to_reviewers_not_to_unit_staff(client, role, shown):
    client.force_login(make_user_with_access(role=role))
    page = client.get(reverse("performance:inbox")).content.decode()
    assert (reverse("performance:console") in page) is shown
    assert reverse("performance:spotcheck-list") not in page


def test_each_department_row_links_its_self_evaluation_and_results_sheet_which_open(client, finance):
    for code in ("801", "802"):
        make_scored_project(make_unit(department=make_department(code=code, name=f"部门{code}")))
    client.force_login(finance)
    response = client.get(reverse("performance:console"), {"year": 2021})
    page = response.content.decode()
    for code in ("801", "802"):
        evaluation = reverse("performance:department-evaluation", args=[code, 2021])
        results = reverse("performance:results-sheet", args=[code, 2021])
        row = rows_of(response)[code]
        assert (row.evaluation_href, row.results_href) == (evaluation, results)
        assert f'href="{evaluation}"' in page and f'href="{results}"' in page
        assert client.get(evaluation).status_code == 200 and client.get(results).status_code == 200
    drill_down = client.get(reverse("performance:console-department", args=["801", 2021])).content.decode()
    assert 'href="{}"'.format(reverse("performance:department-evaluation", args=["801", 2021])) in drill_down
    assert 'href="{}"'.format(reverse("performance:results-sheet", args=["801", 2021])) in drill_down


def test_a_reviewers_row_links_only_their_own_departments_pages(client):
    mine, other = make_department(code="801", name="甲部门"), make_department(code="802", name="乙部门")
    make_scored_project(make_unit(department=mine), name="甲项目")
    make_scored_project(make_unit(department=other), name="乙项目")
    client.force_login(make_user_with_access(role=Access.Role.REVIEWER, department=mine))
    response = client.get(reverse("performance:console"), {"year": 2021})
    row = rows_of(response)["801"]
    assert row.evaluation_href == reverse("performance:department-evaluation", args=["801", 2021])
    assert client.get(row.evaluation_href).status_code == 200 and client.get(row.results_href).status_code == 200
    page = response.content.decode()
    assert "/departments/802/" not in page and "/results/802/" not in page

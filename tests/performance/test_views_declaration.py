"""The declaration page, its live preview, the targets' buttons on the project page and adjustments (issue 14)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from budgets.models import Access
from performance.declaration.flows import approve_targets, submit_targets
from performance.declaration.models import Adjustment, TargetSet
from performance.models import Indicator
from tests.factories import category, make_goal, make_indicator, make_project, make_unit, make_user_with_access

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting():
    unit = make_unit()
    project = make_project(unit=unit, full_year_total=Decimal("10"))
    return {
        "project": project,
        "staff": make_user_with_access(role=Access.Role.STAFF, unit=unit),
        "reviewer": make_user_with_access(role=Access.Role.REVIEWER, department=unit.department),
        "other": make_user_with_access(role=Access.Role.STAFF),
    }


def row_data(index, level1, level2, name, target, *, order, weight="", indicator_id="", delete=False):
    prefix = f"rows-{index}"
    data = {
        f"{prefix}-indicator_id": indicator_id,
        f"{prefix}-level1": category(level1).pk,
        f"{prefix}-level2": category(level1, level2).pk,
        f"{prefix}-name": name,
        f"{prefix}-description": f"{name}的说明",
        f"{prefix}-target": target,
        f"{prefix}-basis": "计划标准",
        f"{prefix}-weight": weight,
        f"{prefix}-ORDER": order,
    }
    if delete:
        data[f"{prefix}-DELETE"] = "on"
    return data


def post_data(rows, **extra):
    data = {"rows-TOTAL_FORMS": len(rows), "rows-INITIAL_FORMS": 0, "goal": "普及科学知识", "version": 0}
    for row in rows:
        data.update(row)
    data.update(extra)
    return data


FOUR = [
    ("产出指标", "数量指标", "举办讲座", "≥12次"),
    ("产出指标", "质量指标", "合格率", "≥95%"),
    ("效益指标", "社会效益指标", "素质提升", "效果显著"),
    ("满意度指标", "服务对象满意度指标", "满意度", "≥90%"),
]


def test_staff_save_a_declaration_in_the_order_the_page_gives(client, setting):
    client.force_login(setting["staff"])
    rows = [row_data(i, *r, order=4 - i) for i, r in enumerate(FOUR)]  # the page moved the last row first
    url = reverse("performance:declaration-edit", args=[setting["project"].pk])
    response = client.post(url, post_data(rows, save="1"))
    assert response.status_code == 302
    names = list(setting["project"].indicators.order_by("order").values_list("name", flat=True))
    assert names == ["满意度", "素质提升", "合格率", "举办讲座"]


def test_a_blank_row_added_and_left_empty_is_ignored(client, setting):
    client.force_login(setting["staff"])
    blank = {"rows-4-ORDER": "5", "rows-4-level1": "", "rows-4-level2": "", "rows-4-name": "", "rows-4-target": ""}
    rows = [row_data(i, *r, order=i + 1) for i, r in enumerate(FOUR)] + [blank]
    response = client.post(
        reverse("performance:declaration-edit", args=[setting["project"].pk]), post_data(rows, save="1")
    )
    assert response.status_code == 302
    assert setting["project"].indicators.count() == 4


def test_save_and_submit_refused_with_the_review_error_named_and_the_draft_kept(client, setting):
    client.force_login(setting["staff"])
    rows = [row_data(0, "产出指标", "数量指标", "举办讲座", "", order=1)]
    response = client.post(
        reverse("performance:declaration-edit", args=[setting["project"].pk]), post_data(rows, submit="1")
    )
    assert response.status_code == 200
    assert "未能保存" in response.content.decode()
    assert TargetSet.objects.filter(project=setting["project"], status=TargetSet.Status.SUBMITTED).count() == 0


def test_the_preview_reads_each_target_and_puts_review_findings_beside_its_row(client, setting):
    client.force_login(setting["staff"])
    rows = [
        row_data(0, "产出指标", "数量指标", "举办讲座", "≤81万元", order=1),
        row_data(1, "产出指标", "时效指标", "按时完工", "2021年12月31日前完工", order=2),
        row_data(2, "满意度指标", "服务对象满意度指标", "满意度", "很满意", order=3),
    ]
    response = client.post(reverse("performance:declaration-preview", args=[setting["project"].pk]), post_data(rows))
    data = response.json()
    assert data["rows"]["rows-0"]["reading"]["text"] == "定量：不超过 81 万元"
    assert data["rows"]["rows-1"]["reading"]["text"] == "时间：2021-12-31 前"
    assert data["rows"]["rows-2"]["reading"]["text"].startswith("定性")
    assert any("不是百分比" in finding["message"] for finding in data["rows"]["rows-2"]["findings"])
    assert any("效益" in finding["message"] for finding in data["general"])  # no 效益 indicator at all
    assert Indicator.objects.filter(project=setting["project"]).count() == 0  # nothing saved


def test_the_declaration_page_is_refused_to_other_units_and_to_reviewers(client, setting):
    url = reverse("performance:declaration-edit", args=[setting["project"].pk])
    client.force_login(setting["other"])
    assert client.get(url).status_code == 404
    client.force_login(setting["reviewer"])
    assert client.get(url).status_code == 403
    assert client.post(reverse("performance:declaration-preview", args=[setting["project"].pk])).status_code == 403


def test_a_new_project_starts_from_last_years_targets_with_last_years_actuals_beside_them(client, setting):
    project = setting["project"]
    last = make_project(unit=project.unit, year=project.year - 1, name=project.name)
    indicator = make_indicator(project=last, name="举办讲座", target="≥10次")
    indicator.result = None
    from performance.models import ActualResult

    ActualResult.objects.create(indicator=indicator, actual="11次")
    client.force_login(setting["staff"])
    page = client.get(reverse("performance:declaration-edit", args=[project.pk]) + "?from=last-year").content.decode()
    assert 'value="举办讲座"' in page and 'value="≥10次"' in page
    assert "上年实际" in page and "11次" in page
    assert project.indicators.count() == 0  # offered, not saved


def test_the_project_page_offers_each_role_its_targets_buttons(client, setting):
    project = setting["project"]
    make_goal(project=project)
    for level1, level2, name, target in FOUR:
        make_indicator(project=project, level1=level1, level2=level2, name=name, target=target, description="说明")
    url = reverse("performance:project-detail", args=[project.pk])
    client.force_login(setting["staff"])
    page = client.get(url).content.decode()
    assert 'data-testid="targets-declare"' in page and "编制中" in page
    submit_targets(project=project, by=setting["staff"])
    assert 'data-testid="targets-declare"' not in client.get(url).content.decode()
    client.force_login(setting["reviewer"])
    page = client.get(url).content.decode()
    assert 'data-testid="targets-approve"' in page and 'data-testid="targets-return"' in page
    response = client.post(reverse("performance:targets-return", args=[project.pk]), {"reason": "目标偏低"})
    assert response.status_code == 302
    assert TargetSet.objects.get(project=project).return_reason == "目标偏低"


def test_an_adjustment_request_shows_the_baseline_and_is_approved_on_its_page(client, setting):
    project = setting["project"]
    for level1, level2, name, target in FOUR:
        make_indicator(project=project, level1=level1, level2=level2, name=name, target=target, description="说明")
    submit_targets(project=project, by=setting["staff"])
    approve_targets(project=project, by=setting["reviewer"])
    client.force_login(setting["staff"])
    indicators = list(project.indicators.order_by("order"))
    rows = [row_data(i, *r, order=i + 1, indicator_id=indicators[i].pk) for i, r in enumerate(FOUR)]
    rows[0]["rows-0-target"] = "≥10次"
    data = post_data(rows, reason="场馆维修")
    data["rows-INITIAL_FORMS"] = 4
    response = client.post(reverse("performance:adjustment-create", args=[project.pk]), data)
    adjustment = Adjustment.objects.get(project=project)
    assert response.status_code == 302 and response.url == reverse(
        "performance:adjustment-detail", args=[adjustment.pk]
    )
    page = client.get(response.url).content.decode()
    assert "场馆维修" in page and "≥12次" in page and "≥10次" in page
    assert 'data-testid="adjustment-approve"' not in page  # staff do not decide
    client.force_login(setting["reviewer"])
    client.post(reverse("performance:adjustment-approve", args=[adjustment.pk]))
    page = client.get(reverse("performance:project-detail", args=[project.pk])).content.decode()
    assert 'data-testid="baseline-differences"' in page
    assert "≥12次" in page and "≥10次" in page

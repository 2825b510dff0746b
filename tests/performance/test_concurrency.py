"""No lost updates: a save made on a stale version of the evaluation is refused, nothing written."""

from decimal import Decimal

import pytest
from django.urls import reverse

from budgets.models import Access
from performance.entry_services import (
    EvaluationEntry,
    ResultEntry,
    StaleEntryError,
    entry_from_project,
    save_evaluation_entry,
)
from performance.models import ActualResult, Evaluation
from tests.factories import make_indicator, make_project, make_unit, make_user_with_access

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    unit = make_unit()
    project = make_project(unit=unit, full_year_total=Decimal("10"))
    indicator = make_indicator(project=project, name="举办科普活动", target="12次")
    alice = make_user_with_access(role=Access.Role.STAFF, unit=unit)
    bob = make_user_with_access(role=Access.Role.STAFF, unit=unit)
    return project, indicator, alice, bob


def form_data(indicator, *, version: int, actual: str, reason: str = "") -> dict:
    return {
        "version": str(version),
        "action": "save",
        "full_year_total": "10",
        "executed_fiscal": "10",
        "goal_actual": "",
        f"ind-{indicator.pk}-actual": actual,
        f"ind-{indicator.pk}-deviation_reason": reason,
    }


def test_second_save_on_the_same_version_is_refused_and_shows_what_changed(client, setup):
    project, indicator, alice, bob = setup
    url = reverse("performance:evaluation-edit", args=[project.pk])

    # Both open the page at version 0; Alice saves first.
    client.force_login(alice)
    assert client.post(url, form_data(indicator, version=0, actual="12次")).status_code == 302
    assert Evaluation.objects.get(project=project).version == 1
    history_rows = Evaluation.history.count(), ActualResult.history.count()

    # Bob saves what he typed on his version-0 page.
    client.force_login(bob)
    response = client.post(url, form_data(indicator, version=0, actual="10次", reason="场地不足"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "别人已保存了第 1 版（您打开的是第 0 版），您的修改未保存。" in page
    changes = {change.label: (change.yours, change.theirs) for change in response.context["stale"].changes}
    assert changes["举办科普活动 · 实际完成值"] == ("10次", "12次")
    assert changes["举办科普活动 · 偏差原因"] == ("场地不足", "（空）")
    assert "<td>10次</td><td>12次</td>" in page

    # Nothing of Bob's was written: Alice's value and version stand.
    result = ActualResult.objects.get(indicator=indicator)
    assert (result.actual, result.deviation_reason) == ("12次", "")
    evaluation = Evaluation.objects.get(project=project)
    assert evaluation.version == 1
    assert (Evaluation.history.count(), ActualResult.history.count()) == history_rows


def test_service_refuses_a_stale_version_and_bumps_on_each_save(setup):
    project, indicator, alice, bob = setup
    entry = EvaluationEntry(
        money={"executed_fiscal": Decimal("10")}, results={indicator.pk: ResultEntry(actual="12次")}
    )
    assert save_evaluation_entry(project=project, data=entry, by=alice, version=0).version == 1
    assert save_evaluation_entry(project=project, data=entry, by=alice, version=1).version == 2

    other = EvaluationEntry(money={"executed_fiscal": Decimal("9")}, results={indicator.pk: ResultEntry(actual="11次")})
    with pytest.raises(StaleEntryError) as refused:
        save_evaluation_entry(project=project, data=other, by=bob, version=1)
    labels = [change.label for change in refused.value.changes]
    assert labels == ["全年执行数", "全年执行数-财政拨款", "举办科普活动 · 实际完成值"]
    project.refresh_from_db()
    saved = entry_from_project(project=project, indicators=[indicator])
    assert saved.results[indicator.pk].actual == "12次"
    assert project.executed_fiscal == Decimal("10")
    assert Evaluation.objects.get(project=project).version == 2


def test_after_seeing_the_changes_the_user_may_knowingly_save_over_them(client, setup):
    project, indicator, alice, bob = setup
    url = reverse("performance:evaluation-edit", args=[project.pk])
    client.force_login(alice)
    client.post(url, form_data(indicator, version=0, actual="12次"))
    client.force_login(bob)
    refused = client.post(url, form_data(indicator, version=0, actual="10次", reason="场地不足"))
    assert 'name="overwrite" value="1"' in refused.content.decode()

    response = client.post(url, {**form_data(indicator, version=0, actual="10次", reason="场地不足"), "overwrite": "1"})
    assert response.status_code == 302
    result = ActualResult.objects.get(indicator=indicator)
    assert (result.actual, result.deviation_reason) == ("10次", "场地不足")
    assert Evaluation.objects.get(project=project).version == 2

    # The overwrite names the version it was shown: a third save in between is refused again.
    client.force_login(alice)
    client.post(url, form_data(indicator, version=2, actual="11次"))
    client.force_login(bob)
    again = client.post(url, {**form_data(indicator, version=0, actual="9次"), "overwrite": "2"})
    assert again.status_code == 200
    assert ActualResult.objects.get(indicator=indicator).actual == "11次"

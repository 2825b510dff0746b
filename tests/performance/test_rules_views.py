"""Finance's rule set pages, and what the project page and the 自评表 say of the rules (issue 19)."""

import io
import json
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from budgets.models import Access
from performance.models import ProjectScore
from performance.rules.models import RuleChoice, RuleSet, RuleVersion
from performance.rules.shipped import MANUAL
from performance.rules.value import Rules, rules_to_json
from tests.factories import make_unit, make_user_with_access
from tests.performance.test_rules_services import capped_project, shipped

D = Decimal
pytestmark = pytest.mark.django_db


@pytest.fixture
def finance(client):
    user = make_user_with_access(role=Access.Role.FINANCE)
    client.force_login(user)
    return user


def text(response) -> str:
    return response.content.decode()


def form_data(rules: Rules, **changes) -> dict:
    """The rule set form's fields as a browser posts them, from ``rules``."""
    from performance.rules.forms import RuleSetForm

    data = {key: "" if value is None else str(value) for key, value in RuleSetForm.initial_for(rules).items()}
    data["overshoot_reason"] = "on" if rules.overshoot_reason else ""
    data |= {"name": "某市规则", "description": "说明", "source": "某市财政局文件", "note": ""}
    return data | changes


@pytest.mark.parametrize("name", ["rules-list", "rules-create", "rules-import", "rules-choose"])
def test_only_finance_may_open_the_rule_pages(client, name):
    unit = make_unit()
    client.force_login(make_user_with_access(role=Access.Role.REVIEWER, department=unit.department))
    assert client.get(reverse(f"performance:{name}")).status_code == 403


def test_the_list_shows_the_shipped_sets_and_each_departments_rules_of_the_year(client, finance):
    unit = make_unit()
    RuleChoice.objects.create(department=unit.department, year=2021, version=shipped(MANUAL))
    page = text(client.get(reverse("performance:rules-list") + "?year=2021"))
    assert "财预〔2020〕10号" in page and "预算管理一体化操作手册" in page
    assert f"{unit.department.code} {unit.department.name}" in page
    assert "预算管理一体化操作手册（第1版）" in page


def test_a_rule_sets_page_describes_it_with_its_source_and_rules(client, finance):
    manual = shipped(MANUAL)
    page = text(client.get(reverse("performance:rules-detail", args=[manual.rule_set_id])))
    assert "某省预算管理一体化系统绩效自评操作手册" in page
    assert "执行率 70%（含）至 80%：总分最高 89" in page
    assert "执行率低于 50%：总分最高 59" in page
    assert "实际完成值达到至少型指标值的 130% 及以上：扣 2 分；达到 130% 及以上须分析原因" in page


def test_finance_creates_a_rule_set_from_the_form(client, finance):
    response = client.post(reverse("performance:rules-create"), form_data(Rules(), rate_caps=",60,60\n60,80,80"))
    created = RuleSet.objects.get(name="某市规则")
    assert response.status_code == 302
    rules = created.latest().rules()
    assert [(c.low, c.high, c.cap) for c in rules.rate_caps] == [
        (None, D("0.6"), D("60")),
        (D("0.6"), D("0.8"), D("80")),
    ]
    assert created.latest().created_by == finance


def test_a_bad_rule_set_from_the_form_is_refused_with_every_problem_named(client, finance):
    data = form_data(Rules(), output_weight="60", partial_low="50", rate_caps="50,80,80\n70,90,90\n60;70")
    response = client.post(reverse("performance:rules-create"), data)
    page = text(response)
    assert response.status_code == 200
    assert "封顶第 3 行“60;70”应为“下限%,上限%,封顶分数”。" in page
    data["rate_caps"] = "50,80,80\n70,90,90"
    page = text(client.post(reverse("performance:rules-create"), data))
    for problem in (
        "分值合计应为 100：预算执行率 10 + 产出 60 + 效益 30 + 满意度 10 = 110。",
        "档次“未达成年度指标且效果较差”与“部分达成年度指标并具有一定效果”的区间重叠。",
        "执行率封顶区间重叠：50% 至 80% 与 70% 至 90%。",
    ):
        assert problem in page
    assert not RuleSet.objects.filter(name="某市规则").exists()


def test_editing_a_rule_set_saves_a_new_version_and_keeps_the_old(client, finance):
    manual = shipped(MANUAL)
    data = form_data(manual.rules(), overshoot_points="3", note="扣分改为 3 分")
    data.pop("name")
    response = client.post(reverse("performance:rules-edit", args=[manual.rule_set_id]), data)
    assert response.status_code == 302
    versions = list(RuleVersion.objects.filter(rule_set=manual.rule_set).order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert versions[0].rules().overshoot_points == D("2") and versions[1].rules().overshoot_points == D("3")


def test_a_rule_set_is_exported_as_json_and_imported_back(client, finance):
    manual = shipped(MANUAL)
    response = client.get(reverse("performance:rules-export", args=[manual.rule_set_id]) + "?version=1")
    document = json.loads(response.content)
    assert document["name"] == "预算管理一体化操作手册" and document["rules"] == manual.content
    upload = io.BytesIO(response.content)
    upload.name = "rules.json"
    response = client.post(reverse("performance:rules-import"), {"file": upload})
    assert response.status_code == 302
    assert manual.rule_set.versions.count() == 2


def test_an_imported_file_with_a_bad_rule_set_is_refused_naming_each_problem(client, finance):
    document = {"format": "jixiao-rules", "name": "坏规则", "rules": rules_to_json(Rules()) | {"effect_weight": "20"}}
    upload = io.BytesIO(json.dumps(document).encode())
    upload.name = "bad.json"
    page = text(client.post(reverse("performance:rules-import"), {"file": upload}))
    assert "分值合计应为 100：预算执行率 10 + 产出 50 + 效益 20 + 满意度 10 = 90。" in page
    assert not RuleSet.objects.filter(name="坏规则").exists()


def test_changing_a_departments_rules_shows_a_preview_then_rescores_on_confirmation(client, finance):
    unit = make_unit()
    project = capped_project(unit)
    data = {"department": unit.department.pk, "year": 2021, "version": shipped(MANUAL).pk, "reason": "省里要求"}
    preview = client.post(reverse("performance:rules-choose"), data | {"action": "preview"})
    page = text(preview)
    assert "财预〔2020〕10号（第1版）→ 预算管理一体化操作手册（第1版）" in page
    assert "97.50" in page and "89.00" in page and "-8.50" in page
    assert ProjectScore.objects.get(project=project).total == D("97.50")
    confirmed = client.post(reverse("performance:rules-choose"), data | {"action": "confirm"})
    assert confirmed.status_code == 302
    assert ProjectScore.objects.get(project=project).total == D("89.00")
    assert RuleChoice.objects.get(department=unit.department, year=2021).chosen_by == finance


def test_the_project_page_names_its_rules_and_the_cap_they_applied(client, finance):
    unit = make_unit()
    project = capped_project(unit)
    page = text(client.get(reverse("performance:project-detail", args=[project.pk])))
    assert "本项目按<strong>财预〔2020〕10号（第1版）</strong>计分" in page
    assert "按此规则，本项目的得分没有封顶或扣分。" in page
    RuleChoice.objects.create(department=unit.department, year=2021, version=shipped(MANUAL))
    from performance.scores.keep import changed

    changed([project.pk])
    page = text(client.get(reverse("performance:project-detail", args=[project.pk])))
    assert "本项目按<strong>预算管理一体化操作手册（第1版）</strong>计分" in page
    assert "总分按“预算管理一体化操作手册（第1版）”的执行率封顶规则由 97.50 封顶为 89.00。" in page


def test_the_self_evaluation_sheet_names_the_rules_that_scored_it(client, finance):
    unit = make_unit()
    project = capped_project(unit)
    RuleChoice.objects.create(department=unit.department, year=2021, version=shipped(MANUAL))
    from performance.scores.keep import changed

    changed([project.pk])
    response = client.get(reverse("performance:sheet-project", args=[project.pk]))
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    cells = [str(c) for ws in workbook for row in ws.iter_rows(values_only=True) for c in row if c]
    line = next(c for c in cells if c.startswith("评分规则："))
    assert line.startswith("评分规则：预算管理一体化操作手册（第1版）；预算执行率 75% 在 70% 至 80%")


def test_the_admin_refuses_a_bad_rule_set_version_naming_every_problem(client):
    from tests.factories import make_user

    client.force_login(make_user(is_staff=True, is_superuser=True))
    manual = shipped(MANUAL)
    content = rules_to_json(Rules()) | {"satisfaction_weight": "20"}
    response = client.post(
        reverse("admin:performance_ruleversion_add"),
        {"rule_set": manual.rule_set_id, "number": 2, "content": json.dumps(content), "note": ""},
    )
    assert "分值合计应为 100：预算执行率 10 + 产出 50 + 效益 30 + 满意度 20 = 110。" in text(response)
    assert manual.rule_set.versions.count() == 1


def test_the_evaluation_json_names_the_rules_that_scored_each_project(client, finance):
    unit = make_unit()
    project = capped_project(unit)
    RuleChoice.objects.create(department=unit.department, year=2021, version=shipped(MANUAL))
    from performance.scores.keep import changed

    changed([project.pk])
    document = client.get(reverse("api:project-evaluation", args=[project.pk])).json()
    assert document["rules"] == {"name": "预算管理一体化操作手册", "version": 1}
    assert document["total"] == "89.00"

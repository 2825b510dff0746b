"""The indicator library: its seed, the declaration form's suggestions (last year, peers the user may see, a
constant number of queries), the three review rules, the workbook and the library pages."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from budgets.models import Access, Project
from performance.library.models import LibraryEntry, PeerFactor, ProjectCategory
from performance.library.workbook import COLUMNS, SHEET, export_library, import_library
from performance.models import ActualResult
from performance.review import Severity, review_projects
from tests.factories import (
    category,
    make_department,
    make_indicator,
    make_project,
    make_superuser,
    make_unit,
    make_user_with_access,
)

pytestmark = pytest.mark.django_db


def visits(project, name, target, actual=None, **fields):
    """An indicator of ``project`` (under 数量指标 unless given) with an actual result when ``actual`` is given."""
    indicator = make_indicator(project=project, name=name, target=target, **fields)
    if actual is not None:
        ActualResult.objects.create(indicator=indicator, actual=actual)
    return indicator


def suggestion(data, name):
    return next(entry for entry in data["entries"] if entry["name"] == name)


# --- the seed ------------------------------------------------------------------------------------


def test_the_library_is_seeded_with_a_common_indicator_for_every_level2_of_the_standard_tree():
    common = LibraryEntry.objects.filter(common=True).select_related("level2")
    standard = {
        "数量指标", "质量指标", "时效指标", "成本指标", "经济效益指标", "社会效益指标", "生态效益指标",
        "可持续影响指标", "服务对象满意度指标",
    }  # fmt: skip
    assert {entry.level2.name for entry in common} == standard
    assert LibraryEntry.objects.filter(source=LibraryEntry.Source.SEED, common=False).count() >= 15
    assert set(ProjectCategory.objects.values_list("name", flat=True)) >= {"科普活动", "基建", "设备购置", "补助"}


def test_the_seeds_entries_pass_the_review_rules_they_were_cleaned_by():
    """No seeded 质量 entry counts people or times, no 时效 entry is a slogan, every basis is standard."""
    for entry in LibraryEntry.objects.select_related("level2"):
        if entry.level2.name == "质量指标":
            assert entry.unit == "%", entry.name
        if entry.level2.name == "时效指标":
            assert entry.target_kind in ("date", "at_least"), entry.name
        assert entry.basis in LibraryEntry.Basis.values


# --- suggestions ---------------------------------------------------------------------------------


@pytest.fixture
def science():
    """A 科普活动 project of 2022 whose 2021 project achieved 15 of 12 activities; peers in its department."""
    department = make_department()
    unit = make_unit(department=department)
    last = make_project(unit=unit, year=2021, name="科普活动经费", code="P1")
    visits(last, "开展活动次数", "12次", "15次")
    project = make_project(unit=unit, year=2022, name="科普活动经费", code="P1")
    sibling = make_unit(department=department)
    for n, (target, actual) in enumerate([("10次", "11次"), ("20次", "18次"), ("30次", "30次")]):
        visits(make_project(unit=sibling, year=2021, name=f"科普{n}"), "举办 科普活动次数", target, actual)
    return {"department": department, "unit": unit, "sibling": sibling, "project": project, "last": last}


def test_a_reviewer_sees_last_years_target_and_actual_and_the_peers_spread(client, science):
    reviewer = make_user_with_access(role=Access.Role.REVIEWER, department=science["department"])
    client.force_login(reviewer)
    data = client.get(reverse("performance:library-suggestions", args=[science["project"].pk])).json()
    assert "科普活动" in data["categories"]
    entry = suggestion(data, "开展科普活动次数")
    assert entry["last_year"] == {"target": "12次", "actual": "15次"}
    assert entry["peers"]["target"] == {"count": 3, "min": "10次", "median": "20次", "max": "30次"}
    assert entry["peers"]["actual"] == {"count": 3, "min": "11次", "median": "18次", "max": "30次"}
    assert entry["level2"] == category("产出指标", "数量指标").pk
    assert suggestion(data, "服务对象满意度")["common"] is True
    assert "设备验收合格率" not in {e["name"] for e in data["entries"]}  # 设备购置 only


def test_unit_staff_get_no_figure_from_units_they_may_not_see(client, science):
    staff = make_user_with_access(unit=science["unit"])
    client.force_login(staff)
    entry = suggestion(
        client.get(reverse("performance:library-suggestions", args=[science["project"].pk])).json(), "开展科普活动次数"
    )
    assert entry["last_year"] == {"target": "12次", "actual": "15次"}  # their own unit's
    assert entry["peers"] == {"target": None, "actual": None}  # the sibling unit's projects are not theirs


def test_suggestions_of_a_project_outside_the_users_units_are_not_found(client, science):
    client.force_login(make_user_with_access())
    response = client.get(reverse("performance:library-suggestions", args=[science["project"].pk]))
    assert response.status_code == 404


def test_suggestions_are_computed_in_a_constant_number_of_queries(client, science):
    finance = make_user_with_access(role=Access.Role.FINANCE)
    client.force_login(finance)
    url = reverse("performance:library-suggestions", args=[science["project"].pk])
    client.get(url)
    cache.clear()  # the peers' rows are cached under the department-years' versions: measure a miss
    with CaptureQueriesContext(connection) as few:
        small = client.get(url).json()
    with CaptureQueriesContext(connection) as hit:
        assert client.get(url).json() == small
    for n in range(30):
        peer = make_project(unit=science["sibling"], year=2022, name=f"科普活动{n}")
        visits(peer, "开展科普活动次数", f"{n + 5}次", f"{n + 6}次")
        visits(peer, "满意度", "≥90%", "93%", level1="满意度指标", level2="服务对象满意度指标")
    cache.clear()
    with CaptureQueriesContext(connection) as many:
        large = client.get(url).json()
    assert len(many) == len(few)
    assert len(hit) == len(few) - 1
    assert suggestion(large, "开展科普活动次数")["peers"]["target"]["count"] == 33
    assert suggestion(small, "开展科普活动次数")["peers"]["target"]["count"] == 3


def test_a_new_peer_project_is_counted_at_once_though_the_peers_are_cached(client, science):
    client.force_login(make_user_with_access(role=Access.Role.FINANCE))
    url = reverse("performance:library-suggestions", args=[science["project"].pk])
    assert suggestion(client.get(url).json(), "开展科普活动次数")["peers"]["target"]["count"] == 3
    peer = make_project(unit=science["sibling"], year=2022, name="科普活动新")
    visits(peer, "开展科普活动次数", "40次", "41次")
    after = suggestion(client.get(url).json(), "开展科普活动次数")["peers"]["target"]
    assert after == {"count": 4, "min": "10次", "median": "25次", "max": "40次"}


def test_picking_a_suggestion_fills_the_row_with_the_projects_year_in_a_date_target(client, science):
    client.force_login(make_user_with_access(role=Access.Role.FINANCE))
    data = client.get(reverse("performance:library-suggestions", args=[science["project"].pk])).json()
    assert suggestion(data, "项目完成时间")["target"] == "2022年12月31日前"


# --- the review rules ----------------------------------------------------------------------------


def codes(project, code, **kwargs):
    return [f for f in review_projects([Project.objects.get(pk=project.pk)], **kwargs) if f.code == code]


def test_an_at_least_target_below_last_years_actual_is_questioned(science):
    visits(science["project"], "开展活动场次", "≥13次")
    (finding,) = codes(science["project"], "below-last-actual")
    assert finding.severity == Severity.WARNING
    assert finding.message == "目标值“≥13次”低于上年实际完成值“15次”。"


def test_a_target_at_or_above_last_years_actual_or_an_at_most_target_is_not(science):
    visits(science["project"], "开展活动次数", "15次")
    other = make_project(unit=science["unit"], year=2022, name="别的项目")
    assert codes(science["project"], "below-last-actual") == []
    last = make_project(unit=science["unit"], year=2021, name="成本项目")
    visits(last, "项目总成本", "≤20万元", "18万元", level2="成本指标")
    now = make_project(unit=science["unit"], year=2022, name="成本项目")
    visits(now, "项目总成本", "≤10万元", level2="成本指标")
    assert codes(now, "below-last-actual") == []
    assert codes(other, "below-last-actual") == []


def test_a_target_far_from_the_peer_median_is_questioned_by_the_reviewers_factor(science):
    visits(science["project"], "开展科普活动次数", "100次")
    (finding,) = codes(science["project"], "far-from-peers")
    assert "中位数20次" in finding.message and "3倍" in finding.message
    PeerFactor.objects.create(department=science["department"], factor=Decimal("6"))
    assert codes(science["project"], "far-from-peers") == []


def test_a_target_near_the_peer_median_or_with_too_few_peers_is_not(science):
    visits(science["project"], "开展科普活动次数", "25次")
    assert codes(science["project"], "far-from-peers") == []
    lonely = make_project(year=2022, name="科普活动")
    visits(lonely, "开展科普活动次数", "500次")
    assert codes(lonely, "far-from-peers") == []


def test_peers_for_a_viewer_are_only_the_projects_they_may_see(science):
    visits(science["project"], "开展科普活动次数", "100次")
    staff = make_user_with_access(unit=science["unit"])
    assert codes(science["project"], "far-from-peers", viewer=staff) == []  # no peer they may see


def test_a_unit_that_does_not_fit_the_library_entry_is_questioned(science):
    visits(science["project"], "参与人次", "2000人")
    (finding,) = codes(science["project"], "library-unit")
    assert finding.message == "“参与人次”在指标库中以“人次”计量，指标值“2000人”的单位是“人”。"


def test_a_unit_that_converts_or_a_name_outside_the_library_is_not(science):
    visits(science["project"], "参观人数", "1.8万人")
    visits(science["project"], "自定义指标", "3台")
    visits(science["project"], "参与人次", "2000人次")
    assert codes(science["project"], "library-unit") == []


# --- the workbook --------------------------------------------------------------------------------


def workbook(rows) -> io.BytesIO:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.append(COLUMNS)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out


def test_the_exported_library_imports_back_without_change():
    entries = LibraryEntry.objects.select_related("level1", "level2").prefetch_related("categories")
    data = export_library(entries)
    sheet = openpyxl.load_workbook(io.BytesIO(data))[SHEET]
    assert [c.value for c in sheet[1]] == COLUMNS
    assert sheet.max_row == entries.count() + 1
    summary = import_library(io.BytesIO(data))
    assert (summary.created, summary.updated) == (0, entries.count())


def test_an_import_creates_imported_entries():
    row = [
        "产出指标",
        "数量指标",
        "新建场馆数",
        "",
        "当年建成的场馆",
        "不低于",
        "个",
        "≥1个",
        "计划标准",
        "否",
        "基建",
        "",
    ]
    import_library(workbook([row]))
    entry = LibraryEntry.objects.get(name="新建场馆数")
    assert (entry.source, entry.unit, entry.target_kind) == ("imported", "个", "at_least")
    assert [c.name for c in entry.categories.all()] == ["基建"]


def test_an_import_with_bad_rows_names_each_and_writes_nothing():
    good = ["产出指标", "数量指标", "新建场馆数", "", "", "不低于", "个", "", "计划标准", "否", "", ""]
    bad_level = ["产出指标", "满意度", "甲", "", "", "不低于", "个", "", "计划标准", "否", "", ""]
    bad_kind = ["效益指标", "社会效益指标", "乙", "", "", "越多越好", "个", "", "拍脑袋", "也许", "火箭", ""]
    with pytest.raises(ValidationError) as refused:
        import_library(workbook([good, bad_level, bad_kind]))
    messages = refused.value.messages
    assert "指标库 第3行 B列（二级指标）：“满意度”不是“产出指标”下的二级指标。" in messages
    assert any(m.startswith("指标库 第4行 F列（指标值类型）") for m in messages)
    assert any(m.startswith("指标库 第4行 I列（建议的确定依据）") for m in messages)
    assert any(m.startswith("指标库 第4行 J列（共性指标）") for m in messages)
    assert "指标库 第4行 K列（适用项目类别）：没有项目类别“火箭”。" in messages
    assert not LibraryEntry.objects.filter(name="新建场馆数").exists()


def test_a_file_that_is_not_a_workbook_is_refused_with_a_sentence(client):
    client.force_login(make_user_with_access(role=Access.Role.FINANCE))
    upload = io.BytesIO(b"not a workbook")
    upload.name = "library.xlsx"
    response = client.post(reverse("performance:library-import"), {"file": upload}, follow=True)
    assert response.status_code == 200
    assert "“library.xlsx”不是 .xlsx / .docx 文件" in response.content.decode()  # the upload guard's sentence
    assert LibraryEntry.objects.filter(source="imported").count() == 0


def test_a_workbook_without_the_library_sheet_is_refused_with_its_name():
    wb = openpyxl.Workbook()
    wb.active.title = "Sheet1"
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    with pytest.raises(ValidationError) as refused:
        import_library(out)
    assert refused.value.messages == ["工作簿中没有“指标库”工作表。"]


# --- the pages -----------------------------------------------------------------------------------


def test_the_library_page_is_for_reviewers_and_finance(client):
    client.force_login(make_user_with_access())
    assert client.get(reverse("performance:library-list")).status_code == 403
    client.force_login(make_user_with_access(role=Access.Role.FINANCE))
    response = client.get(reverse("performance:library-list") + "?q=满意")
    assert response.status_code == 200
    assert "服务对象满意度" in response.content.decode() and "验收合格率" not in response.content.decode()


def test_a_reviewer_adds_a_department_entry_that_another_departments_reviewer_may_not_edit(client):
    department = make_department()
    reviewer = make_user_with_access(role=Access.Role.REVIEWER, department=department)
    client.force_login(reviewer)
    level1, level2 = category("产出指标"), category("产出指标", "数量指标")
    response = client.post(
        reverse("performance:library-entry-create"),
        {"level1": level1.pk, "level2": level2.pk, "name": "科普讲座场次", "target_kind": "at_least", "unit": "场",
         "basis": "计划标准"},
    )  # fmt: skip
    assert response.status_code == 302
    entry = LibraryEntry.objects.get(name="科普讲座场次")
    assert (entry.source, entry.department) == ("department", department)
    client.force_login(make_user_with_access(role=Access.Role.REVIEWER))
    assert client.get(reverse("performance:library-entry-edit", args=[entry.pk])).status_code == 403
    client.force_login(reviewer)
    seeded = LibraryEntry.objects.filter(source="seed").first()
    assert client.get(reverse("performance:library-entry-edit", args=[seeded.pk])).status_code == 403


def test_a_second_entry_of_the_same_name_is_refused_not_a_server_error(client):
    client.force_login(make_user_with_access(role=Access.Role.FINANCE))
    level1, level2 = category("产出指标"), category("产出指标", "质量指标")
    response = client.post(
        reverse("performance:library-entry-create"),
        {"level1": level1.pk, "level2": level2.pk, "name": "验收 合格率", "target_kind": "at_least", "unit": "%",
         "basis": "计划标准"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "指标库已有" in response.content.decode()


def test_a_reviewer_sets_their_departments_peer_factor_and_no_other(client):
    department, other = make_department(), make_department()
    client.force_login(make_user_with_access(role=Access.Role.REVIEWER, department=department))
    response = client.post(reverse("performance:library-factor", args=[department.code]), {"factor": "4.5"})
    assert response.status_code == 302
    assert PeerFactor.objects.get(department=department).factor == Decimal("4.5")
    response = client.post(reverse("performance:library-factor", args=[other.code]), {"factor": "2"})
    assert response.status_code == 404
    client.post(reverse("performance:library-factor", args=[department.code]), {"factor": "0.5"})
    assert PeerFactor.objects.get(department=department).factor == Decimal("4.5")


def test_the_admin_refuses_a_department_entry_without_its_department_rather_than_failing(client):
    client.force_login(make_superuser())
    level1, level2 = category("产出指标"), category("产出指标", "数量指标")
    fields = {"level1": level1.pk, "level2": level2.pk, "name": "科普讲座场次", "target_kind": "at_least",
              "basis": "计划标准", "order": 0}  # fmt: skip
    url = reverse("admin:performance_libraryentry_add")
    response = client.post(url, {**fields, "source": "department"})
    assert response.status_code == 200
    assert not LibraryEntry.objects.filter(name="科普讲座场次").exists()
    response = client.post(url, {**fields, "source": "imported"})
    assert response.status_code == 302
    assert LibraryEntry.objects.get(name="科普讲座场次").name_key == "科普讲座场次"

"""Exporting the flat workbook (SPEC section 11) and the evaluation JSON (section 12)."""

import json
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from budgets.models import Department, Project, Unit
from performance.exports import evaluation_document, evaluations_document
from performance.interchange.columns import INDICATOR_COLUMNS, MONEY_COLUMNS, PROJECT_COLUMNS
from performance.interchange.export import MONEY_FORMAT, POINTS_FORMAT, write_flat_workbook
from performance.interchange.importer import import_workbook
from performance.interchange.report import ImportErrors
from performance.models import ActualResult, Evaluation
from performance.services import score_project
from tests.factories import make_goal, make_indicator, make_project

OPTIONAL_PROJECT = ["目标状态", "自评状态", "总分(自评)", "佐证材料"]
OPTIONAL_INDICATOR = ["完成档次", "评价得分", "佐证材料"]
SAMPLE = Path(__file__).parent / "data" / "seed-2021-731001-sample-actuals.xlsx"

pytestmark = pytest.mark.django_db


def flat_workbook(projects) -> BytesIO:
    buffer = BytesIO()
    write_flat_workbook(projects, buffer)
    buffer.seek(0)
    return buffer


def empty_the_database() -> None:
    Project.objects.all().delete()
    Unit.objects.all().delete()
    Department.objects.all().delete()


def test_export_then_import_into_an_empty_database_gives_the_same_json():
    import_workbook(file=SAMPLE)
    before = evaluations_document(Project.objects.all())
    exported = flat_workbook(Project.objects.all())

    empty_the_database()
    import_workbook(file=exported)

    assert evaluations_document(Project.objects.all()) == before
    assert len(before["projects"]) == 4


def test_importing_the_export_back_changes_nothing():
    import_workbook(file=SAMPLE)

    report = import_workbook(file=flat_workbook(Project.objects.all()))

    for kind, counts in report.counts.items():
        assert counts["created"] == counts["updated"] == counts["deleted"] == 0, kind


def test_flat_workbook_has_the_spec_columns_and_numbers_as_numbers():
    import_workbook(file=SAMPLE)

    book = openpyxl.load_workbook(flat_workbook(Project.objects.all()))

    projects, indicators = book["项目"], book["指标"]
    assert [c.value for c in projects[1]] == [*PROJECT_COLUMNS, *OPTIONAL_PROJECT]
    assert [c.value for c in indicators[1]] == [*INDICATOR_COLUMNS, *OPTIONAL_INDICATOR]
    assert projects.max_row == 5 and indicators.max_row == 25
    row = {title: cell.value for title, cell in zip([*PROJECT_COLUMNS, *OPTIONAL_PROJECT], projects[2], strict=True)}
    assert row["项目名称"] == "科普经费"
    assert row["目标状态"] == "已申报"  # the import declared them
    assert (row["年度"], row["单位编码"], row["主管部门编码"]) == (2021, "731001", "731")
    assert row["全年执行数"] == pytest.approx(78.6)
    assert projects.cell(row=2, column=PROJECT_COLUMNS.index("全年执行数") + 1).data_type == "n"
    assert row["全年执行数-上年结转"] is None
    planting = next(r for r in indicators.iter_rows(min_row=2, values_only=True) if r[6] == "提高种植技术")
    values = dict(zip([*INDICATOR_COLUMNS, *OPTIONAL_INDICATOR], planting, strict=True))
    assert (values["一级指标"], values["二级指标"]) == ("效果指标", "社会效益指标")  # as written
    # The sample's 得分 on a qualitative row is the evaluator's: it goes out as 评价得分, the unit's own score empty.
    assert (values["实际完成值"], values["评价得分"], values["得分(自评)"]) == (
        "部分达成年度指标并具有一定效果",
        20,
        None,
    )
    assert values["完成档次"] == "部分达成年度指标并具有一定效果"
    assert row["自评状态"] == "草稿"


def cells_of(workbook: BytesIO) -> dict:
    """Every cell of every sheet as openpyxl reads it: value, type, number format and bold."""
    workbook.seek(0)
    book = openpyxl.load_workbook(workbook)
    return {
        (sheet.title, cell.coordinate): (cell.value, cell.data_type, cell.number_format, cell.font.b)
        for sheet in book
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    }


def test_export_import_export_gives_the_same_cells():
    import_workbook(file=SAMPLE)
    project = make_project(name="长文本项目", full_year_total=Decimal("99999999.9999"))
    make_goal(project=project, text="目标" * 20_000)  # past Excel's 32,767 characters a cell
    indicator = make_indicator(project=project, name="优质服务率", target="效果显著", description="甲\x01乙_x0041_丙")
    ActualResult.objects.create(indicator=indicator, actual="服务满意", tier="partial", evaluator_score=Decimal("60"))
    first = flat_workbook(Project.objects.all())

    empty_the_database()
    import_workbook(file=first)
    second = flat_workbook(Project.objects.all())

    cells = cells_of(first)
    assert cells == cells_of(second)
    tiers = [value for (sheet, where), (value, *_) in cells.items() if sheet == "指标" and where.startswith("O")]
    assert tiers.count("部分达成年度指标并具有一定效果") == 2  # the sample's and the one chosen apart
    again = Project.objects.get(name="长文本项目")
    assert again.goal.text == "目标" * 20_000
    assert again.indicators.get().description == "甲\x01乙_x0041_丙"
    assert again.full_year_total == Decimal("99999999.9999")


def test_flat_workbook_has_a_bold_header_frozen_under_it_widths_by_title_and_number_formats():
    import_workbook(file=SAMPLE)

    book = openpyxl.load_workbook(flat_workbook(Project.objects.all()))

    for sheet, titles in (
        (book["项目"], [*PROJECT_COLUMNS, *OPTIONAL_PROJECT]),
        (book["指标"], [*INDICATOR_COLUMNS, *OPTIONAL_INDICATOR]),
    ):
        assert sheet.freeze_panes == "A2"
        assert all(cell.font.b for cell in sheet[1])
        assert not any(cell.font.b for cell in sheet[2])
        widths = {
            column: dimension.width
            for dimension in sheet.column_dimensions.values()
            for column in range(dimension.min, dimension.max + 1)
        }
        assert widths == {n: max(10, min(40, len(title) * 2 + 2)) for n, title in enumerate(titles, start=1)}
        assert not sheet.merged_cells.ranges and not sheet.data_validations.dataValidation
    money = {PROJECT_COLUMNS.index(title) + 1 for title in MONEY_COLUMNS.values()}
    formats = {
        (c.column in money, c.number_format) for row in book["项目"].iter_rows(min_row=2) for c in row if c.value
    }
    assert formats == {(True, MONEY_FORMAT), (False, "General")}
    points = {
        INDICATOR_COLUMNS.index("分值") + 1,
        INDICATOR_COLUMNS.index("得分(自评)") + 1,
        len(INDICATOR_COLUMNS) + 2,
    }
    formats = {
        (c.column in points, c.number_format) for row in book["指标"].iter_rows(min_row=2) for c in row if c.value
    }
    assert formats == {(True, POINTS_FORMAT), (False, "General")}


def test_money_round_trips_to_the_yuan():
    project = make_project(
        initial_total=Decimal("12345.6789"), initial_fiscal=Decimal("12345.6789"), full_year_total=Decimal("0.0001")
    )
    exported = flat_workbook(Project.objects.all())

    empty_the_database()
    import_workbook(file=exported)

    again = Project.objects.get(name=project.name)
    assert again.initial_total == Decimal("12345.6789")
    assert again.initial_fiscal == Decimal("12345.6789")
    assert again.full_year_total == Decimal("0.0001")
    assert again.executed_total is None


def test_formula_like_text_stays_text():
    project = make_project(name="=1+1项目")
    make_goal(project=project, text='=HYPERLINK("http://example.com")')
    indicator = make_indicator(project=project, name="@人数", target="-", description="+1")
    ActualResult.objects.create(indicator=indicator, actual="=SUM(A1:A2)")

    exported = flat_workbook(Project.objects.all())
    book = openpyxl.load_workbook(exported)
    goal = book["项目"].cell(row=2, column=PROJECT_COLUMNS.index("年度总体目标") + 1)
    actual = book["指标"].cell(row=2, column=INDICATOR_COLUMNS.index("实际完成值") + 1)
    assert (goal.value, goal.data_type) == ('=HYPERLINK("http://example.com")', "s")
    assert (actual.value, actual.data_type) == ("=SUM(A1:A2)", "s")

    exported.seek(0)
    empty_the_database()
    import_workbook(file=exported)
    again = Project.objects.get(name="=1+1项目")
    assert again.goal.text == '=HYPERLINK("http://example.com")'
    row = again.indicators.get()
    assert (row.name, row.target, row.description, row.result.actual) == ("@人数", "-", "+1", "=SUM(A1:A2)")


def test_evaluation_document_has_the_shape_of_spec_section_12():
    import_workbook(file=SAMPLE)
    project = Project.objects.get(name="开展科技工作者助力精准扶贫经费")

    document = evaluation_document(project, score_project(project))

    assert list(document) == [
        "year",
        "unit_code",
        "unit_name",
        "project_code",
        "project_name",
        "status",
        "targets_status",
        "goal",
        "goal_actual",
        "budget",
        "indicators",
        "total",
        "grade",
        "reported_total",
        "findings",
        "evidence",
        "rules",
    ]
    assert document["rules"] == {"name": "财预〔2020〕10号", "version": 1}
    sources = document["budget"].pop("sources")
    assert document["budget"] == {
        "initial": "27.00",
        "full_year": "25.00",
        "executed": "21.30",
        "rate": "0.8520",
        "weight": "10.00",
        "score": "8.52",
        "reported_score": None,
        "deviation_reason": "一次培训推迟，相应经费未支出",
    }
    assert sources["fiscal"] == {"initial": "27.0000", "full_year": "25.0000", "executed": "21.3000"}
    assert document["evidence"] == []
    assert (document["year"], document["unit_code"], document["status"]) == (2021, "731001", "draft")
    assert document["goal_actual"] == "开展培训4次"
    planting = next(row for row in document["indicators"] if row["level3"] == "提高种植技术")
    assert planting == {
        "level1": "效益指标",
        "level2": "社会效益指标",
        "level3": "提高种植技术",
        "target": "被帮扶人员种植技术得到一定程度提高",
        "target_kind": "qualitative",
        "actual": "部分达成年度指标并具有一定效果",
        "tier": "partial",
        "weight": "30.00",
        "score": "20.00",
        "reported_score": None,
        "deviation_reason": "培训后跟踪指导不足，增加田间指导",
        "reason_required": True,
        "breakdown": False,
        "description": "最大程度提高农民种植技术",
        "basis": "计划标准",
        "weight_set": None,
        "tier_chosen": "partial",
        "evaluator_score": "20.00",
        "evidence": [],
    }
    count = document["indicators"][0]
    assert (count["target_kind"], count["tier"], count["weight"], count["score"]) == (
        "quantitative",
        None,
        "12.50",
        "10.00",
    )
    assert isinstance(document["findings"], list)


def test_evaluations_document_uses_a_constant_number_of_queries():
    import_workbook(file=SAMPLE)
    one = Project.objects.filter(name="科普经费")

    with CaptureQueriesContext(connection) as few:
        evaluations_document(one)
    with CaptureQueriesContext(connection) as many:
        document = evaluations_document(Project.objects.all())

    assert len(document["projects"]) == 4
    assert len(many) == len(few)


def test_export_evaluations_command_writes_json(tmp_path):
    import_workbook(file=SAMPLE)
    Evaluation.objects.filter(project__name="科普经费").update(reported_total=Decimal("95"))
    out = tmp_path / "evaluations.json"

    call_command("export_evaluations", "--year", "2021", "--unit", "731001", "--format", "json", "-o", str(out))

    data = json.loads(out.read_text(encoding="utf-8"))
    science = next(p for p in data["projects"] if p["project_name"] == "科普经费")
    assert (science["total"], science["grade"], science["reported_total"]) == ("96.95", "优", "95.00")


def test_export_evaluations_of_a_year_without_projects_is_empty(tmp_path):
    out = tmp_path / "none.json"

    call_command("export_evaluations", "--year", "1999", "--format", "json", "-o", str(out))

    assert json.loads(out.read_text(encoding="utf-8")) == {"projects": []}


def test_export_evaluations_xlsx_writes_the_self_evaluation_workbook(tmp_path):
    # issue 5: the layout itself is tested in tests/performance/test_sheets.py
    out = tmp_path / "sheets.xlsx"

    call_command("export_evaluations", "--year", "2021", "--format", "xlsx", "-o", str(out))
    assert openpyxl.load_workbook(out).sheetnames == ["汇总", "_jixiao"]


def test_export_workbook_command_refuses_an_unknown_unit(tmp_path):
    out = tmp_path / "flat.xlsx"

    with pytest.raises(CommandError, match="没有编码为999的单位"):
        call_command("export_workbook", "--year", "2021", "--unit", "999", "-o", str(out))
    assert not out.exists()


def test_export_workbook_command_writes_the_unit_projects(tmp_path):
    import_workbook(file=SAMPLE)
    make_project(year=2021)  # another unit's project stays out
    out = tmp_path / "flat.xlsx"

    call_command("export_workbook", "--year", "2021", "--unit", "731001", "-o", str(out))

    book = openpyxl.load_workbook(out)
    assert book["项目"].max_row == 5
    assert book["指标"].max_row == 25


def test_a_tier_chosen_apart_from_the_actual_text_survives_the_round_trip():
    """The entry form lets a clerk write 按期完成 and choose 部分达成: the tier travels in 完成档次."""
    project = make_project()
    indicator = make_indicator(project=project, name="优质服务率", target="效果显著")
    ActualResult.objects.create(indicator=indicator, actual="服务满意", tier="partial", evaluator_score=Decimal("60"))
    exported = flat_workbook(Project.objects.all())

    report = import_workbook(file=exported)
    assert report.counts["实际完成值"]["updated"] == 0  # nothing read as a change
    result = ActualResult.objects.get(indicator=indicator)
    assert (result.tier, result.evaluator_score) == ("partial", Decimal("60.00"))

    empty_the_database()
    import_workbook(file=exported)
    result = ActualResult.objects.get(indicator__name="优质服务率")
    assert (result.actual, result.tier, result.evaluator_score) == ("服务满意", "partial", Decimal("60.00"))


def test_an_unknown_tier_is_refused_on_its_cell():
    project = make_project()
    make_indicator(project=project, name="优质服务率", target="效果显著")
    book = openpyxl.load_workbook(flat_workbook(Project.objects.all()))
    book["指标"].cell(row=2, column=len(INDICATOR_COLUMNS) + 1).value = "很好"
    bad = BytesIO()
    book.save(bad)
    bad.seek(0)
    with pytest.raises(ImportErrors) as refused:
        import_workbook(file=bad)
    assert [(p.sheet, p.row, p.column) for p in refused.value.problems] == [("指标", 2, "完成档次")]

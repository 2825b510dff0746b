"""Tables as counties publish them (issue 19, point 6; SPEC sections 4 and 6): comparator variants, compound
units, unweighted breakdown rows (其中：…), a 二级 printed with a suffix and amounts in 元 worked out to more
than 4 places of 万元, read through the real import paths (the flat workbook, the 自评表 upload, the
disclosure) from small workbooks built here."""

import importlib
from decimal import Decimal
from io import BytesIO

import openpyxl
import pytest
from django.apps import apps as django_apps
from django.urls import reverse

from budgets.models import Project
from performance.disclosure.importer import import_disclosure
from performance.exports import evaluation_document
from performance.interchange.columns import INDICATOR_COLUMNS, PROJECT_COLUMNS
from performance.interchange.importer import import_workbook
from performance.interchange.report import ImportErrors
from performance.interchange.sheet_upload import import_evaluation_sheets
from performance.models import ActualResult, Indicator
from performance.scores.models import IndicatorScore, ProjectScore
from performance.services import score_project
from performance.sheets import project_sheet_bytes
from performance.targets import Comparator, Kind
from tests.factories import make_indicator, make_user_with_access
from tests.performance.sheet_helpers import open_workbook, saved
from tests.performance.test_disclosure import seed_text

pytestmark = pytest.mark.django_db
D = Decimal

PROJECT = {
    "年度": 2021,
    "主管部门编码": "901",
    "主管部门": "某县民政局",
    "单位编码": "901001",
    "单位名称": "某县民政局本级",
    "项目编码": "",
    "项目名称": "城乡低保补助",
    "年度总体目标": "保障困难群众基本生活",
    "实际完成情况": "按月足额发放",
    "全年预算数": 100,
    "全年预算数-财政拨款": 100,
    "全年执行数": 100,
    "全年执行数-财政拨款": 100,
    "目标状态": "已批复",
}
# (一级指标, 二级指标, 三级指标, 指标值, 分值, 实际完成值)
WEIGHTED = [
    ("产出指标", "数量指标", "保障人数", "≧1000人", 20, "1000人"),
    ("产出指标", "质量指标", "资金发放准确率", "═100%", 15, "100%"),
    ("产出指标", "时效指标", "发放时限", "≦5天", 5, "5天"),
    ("产出指标", "成本指标", "城市低保标准", "≥600元/人*月", 10, "600元/人·月"),
    ("效益指标", "社会效益指标", "困难群众生活水平", "≥300元/户", 30, "300元/户"),
    ("满意度指标", "服务对象满意度指标", "受助群众满意度", "≥90%", 10, "95%"),
]


def flat_workbook(indicators, **project) -> BytesIO:
    """The flat workbook (SPEC section 11) of one project: its row, then its indicator rows."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "项目"
    titles = [*PROJECT_COLUMNS, "目标状态"]
    sheet.append(titles)
    values = PROJECT | project
    sheet.append([values.get(title) for title in titles])
    rows = book.create_sheet("指标")
    rows.append(INDICATOR_COLUMNS)
    for level1, level2, name, target, weight, actual, *score in indicators:
        cells = {
            "年度": 2021,
            "单位编码": "901001",
            "项目名称": PROJECT["项目名称"],
            "一级指标": level1,
            "二级指标": level2,
            "三级指标": name,
            "指标值": target,
            "分值": weight,
            "实际完成值": actual,
            "得分(自评)": score[0] if score else None,
        }
        rows.append([cells.get(title) for title in INDICATOR_COLUMNS])
    buffer = BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


def indicator(name: str) -> Indicator:
    return Indicator.objects.select_related("level1", "level2").get(name=name)


def project() -> Project:
    return Project.objects.get(name=PROJECT["项目名称"])


# --- comparator variants ----------------------------------------------------------------------------


def test_a_table_with_variant_comparators_imports_them_as_the_comparators_they_are():
    import_workbook(file=flat_workbook(WEIGHTED))

    assert [
        (i.target, i.target_kind, i.target_parsed["comparator"], i.target_parsed["value"])
        for i in (indicator("保障人数"), indicator("资金发放准确率"), indicator("发放时限"))
    ] == [
        ("≧1000人", Kind.QUANTITATIVE, Comparator.AT_LEAST, "1000"),
        ("═100%", Kind.QUANTITATIVE, Comparator.EQUAL, "100"),
        ("≦5天", Kind.QUANTITATIVE, Comparator.AT_MOST, "5"),
    ]
    assert score_project(project()).total == D("100.00")


def test_a_variant_comparator_is_scored_by_its_meaning():
    edited = [row if row[2] != "发放时限" else (*row[:5], "10天") for row in WEIGHTED]  # ≦5天, took 10
    import_workbook(file=flat_workbook(edited))
    row = next(r for r in score_project(project()).rows if r.name == "发放时限")
    assert (row.weight, row.score) == (D("5.00"), D("2.50"))


# --- compound units ---------------------------------------------------------------------------------


def test_a_compound_unit_target_is_quantitative_and_scored_from_its_actual():
    edited = [row if row[2] != "城市低保标准" else (*row[:5], "540元/人*月") for row in WEIGHTED]
    import_workbook(file=flat_workbook(edited))

    standard = indicator("城市低保标准")
    assert (standard.target_kind, standard.target_parsed["unit"]) == (Kind.QUANTITATIVE, "元/人·月")
    assert indicator("困难群众生活水平").target_parsed["unit"] == "元/户"
    row = next(r for r in score_project(project()).rows if r.name == "城市低保标准")
    # 成本: at least 600 written, 540 achieved: 10 × 540/600, not a typed qualitative score.
    assert (row.actual.value, row.score) == (D("540"), D("9.00"))


def test_an_actual_in_another_unit_than_a_compound_target_is_refused_with_the_reason():
    edited = [row if row[2] != "城市低保标准" else (*row[:5], "540元/户") for row in WEIGHTED]
    with pytest.raises(ImportErrors) as refused:
        import_workbook(file=flat_workbook(edited))
    assert [str(p) for p in refused.value.problems] == [
        "指标 第5行 实际完成值：实际完成值“540元/户”的单位与指标值“≥600元/人*月”的单位不一致"
    ]
    assert not Project.objects.exists()


# --- breakdown rows ---------------------------------------------------------------------------------

BREAKDOWN = [
    *WEIGHTED[:1],
    ("产出指标", "数量指标", "其中：城市低保人数", "≧400人", None, "380人"),
    ("产出指标", "数量指标", "其中：农村低保人数", "≧600人", None, "620人"),
    *WEIGHTED[1:],
]


def test_unweighted_breakdown_rows_are_imported_shown_and_not_scored():
    report = import_workbook(file=flat_workbook(BREAKDOWN))

    assert report.counts["绩效指标"]["created"] == 8
    assert (
        "项目“城乡低保补助”指标表第3、4行未填分值，其余指标分值合计已为100分：按分解行（其中）导入，保留并显示，不计分"
        in report.notes
    )
    city = indicator("其中：城市低保人数")
    assert (city.weight, city.result.actual) == (None, "380人")
    score = score_project(project())
    rows = {row.name: row for row in score.rows}
    assert (rows["其中：城市低保人数"].breakdown, rows["其中：城市低保人数"].actual.value) == (True, D("380"))
    assert (rows["其中：城市低保人数"].weight, rows["其中：城市低保人数"].score) == (0, 0)
    assert score.problems == []
    assert score.total == D("100.00")
    # The stored scores ignore them: weight and score 0, the total the computed one.
    assert IndicatorScore.objects.get(indicator=city).weight == 0
    assert ProjectScore.objects.get(project=project()).total == D("100.00")


def test_importing_a_table_with_breakdown_rows_twice_changes_nothing():
    import_workbook(file=flat_workbook(BREAKDOWN))
    again = import_workbook(file=flat_workbook(BREAKDOWN))
    assert again.counts["绩效指标"]["unchanged"] == 8
    assert again.counts["绩效指标"]["updated"] == 0


def test_unweighted_rows_under_weights_that_do_not_sum_to_100_are_still_refused():
    short = [*BREAKDOWN[:-1], (*WEIGHTED[-1][:4], 5, "95%")]  # 满意度 5: the weights sum to 95
    with pytest.raises(ImportErrors) as refused:
        import_workbook(file=flat_workbook(short))
    assert "指标 第3行 分值：项目“城乡低保补助”的其他指标填了分值，此行也须填写" in [
        str(p) for p in refused.value.problems
    ]


def test_the_project_page_and_entry_form_show_breakdown_rows_without_a_score(client):
    import_workbook(file=flat_workbook(BREAKDOWN))
    staff = make_user_with_access(unit=project().unit)
    client.force_login(staff)

    page = client.get(reverse("performance:project-detail", args=[project().pk])).content.decode()
    assert page.count('data-testid="breakdown-row"') == 2
    assert page.count("分解行，不计分") == 2
    form = client.get(reverse("performance:evaluation-edit", args=[project().pk])).content.decode()
    assert form.count('class="jx-breakdown"') == 2


def test_the_evaluation_sheet_shows_breakdown_rows_with_dashes_and_reads_them_back():
    import_workbook(file=flat_workbook(BREAKDOWN))
    staff = make_user_with_access(unit=project().unit)
    wb = open_workbook(project_sheet_bytes(project()))
    ws = wb[wb.sheetnames[0]]
    rows = {ws.cell(row, 4).value: row for row in range(13, 22)}
    city = rows["其中：城市低保人数"]
    assert (ws.cell(city, 7).value, ws.cell(city, 8).value) == ("—", "—")
    assert ws.cell(rows["保障人数"], 7).value == 20

    ws.cell(city, 6).value = "390人"  # the breakdown row's actual, read against its target
    ws["F5"] = 99.1234567  # 全年执行数 in 万元 from 元 and 分: rounded to the 元
    ws["F6"] = 99.1234567
    result = import_evaluation_sheets(file=saved(wb), user=staff)

    assert result.ok, result.errors
    assert ActualResult.objects.get(indicator__name="其中：城市低保人数").actual == "390人"
    saved_project = project()
    assert (saved_project.executed_total, saved_project.executed_fiscal) == (D("99.1235"), D("99.1235"))
    assert any("99.1234567" in note and "99.1235" in note for note in result.notes)
    assert ProjectScore.objects.get(project=saved_project).total == score_project(saved_project).total


# --- a 二级 printed with a suffix ----------------------------------------------------------------------


def test_a_level2_printed_with_a_suffix_is_its_standard_category_and_the_report_says_so():
    suffixed = [*WEIGHTED[:-1], ("满意度指标", "服务对象满意度指标等", *WEIGHTED[-1][2:])]
    report = import_workbook(file=flat_workbook(suffixed))

    satisfaction = indicator("受助群众满意度")
    assert (satisfaction.level1.name, satisfaction.level2.name) == ("满意度指标", "服务对象满意度指标")
    assert satisfaction.level2_as_written == "服务对象满意度指标等"
    assert (
        "二级指标“满意度指标/服务对象满意度指标等”按标准名称“满意度指标/服务对象满意度指标”导入：指标表第7行"
        in report.notes
    )


def test_a_disclosure_printed_with_a_suffix_and_a_variant_comparator_imports():
    text = seed_text()
    text = text.replace("\t服务对象满意度指标\n", "\t服务对象满意度指标等\n", 1).replace("\t≥95%\n", "\t≧95%\n", 1)
    outcome = import_disclosure(content=text.encode())

    suffixed = Indicator.objects.get(level2_as_written="服务对象满意度指标等")
    # The import's report says so (the target review's finding of a non-standard name).
    assert "二级指标写作“服务对象满意度指标等”，不是标准名称，已按“服务对象满意度指标”处理。" in [
        finding["message"] for finding in outcome.findings
    ]
    assert suffixed.level2.name == "服务对象满意度指标"
    variant = Indicator.objects.get(target="≧95%")
    assert (variant.target_kind, variant.target_parsed["comparator"]) == (Kind.QUANTITATIVE, Comparator.AT_LEAST)
    assert Indicator.objects.count() == 36


# --- amounts in 元 ------------------------------------------------------------------------------------


def test_amounts_worked_out_from_yuan_past_4_places_of_wanyuan_are_rounded_to_the_yuan_with_a_note():
    # 1,234,567.89 元 and 1,000,000.05 元, as a table gives them in 万元
    report = import_workbook(
        file=flat_workbook(
            WEIGHTED,
            **{
                "全年预算数": "123.456789",
                "全年预算数-财政拨款": "123.456789",
                "全年执行数": 100.000005,
                "全年执行数-财政拨款": 100.000005,
            },
        )
    )
    saved_project = project()
    assert (saved_project.full_year_total, saved_project.executed_total) == (D("123.4568"), D("100.0000"))
    assert saved_project.executed_fiscal == D("100.0000")
    assert "项目表“全年预算数”的金额多于4位小数（不足1元），已四舍五入到元（万元保留4位小数）：第2行" in report.notes
    assert (
        "项目表“全年执行数-财政拨款”的金额多于4位小数（不足1元），已四舍五入到元（万元保留4位小数）：第2行"
        in report.notes
    )


def test_points_with_more_than_2_places_are_still_refused():
    edited = [(*WEIGHTED[0][:4], 20.123, WEIGHTED[0][5]), *WEIGHTED[1:]]
    with pytest.raises(ImportErrors) as refused:
        import_workbook(file=flat_workbook(edited))
    assert "指标 第2行 分值：20.123最多2位小数" in [str(p) for p in refused.value.problems]


# --- targets stored before these patterns were read -------------------------------------------------


def test_the_migration_reads_again_the_targets_stored_as_qualitative():
    migration = importlib.import_module("performance.migrations.0009_reparse_published_targets")
    compound = make_indicator(target="≥300元/人*月", level1="产出指标", level2="成本指标")
    variant = make_indicator(project=compound.project, target="═100%")
    plain_target = make_indicator(project=compound.project, target="12次")
    stale = {"text": "x", "kind": Kind.QUALITATIVE}
    Indicator.objects.filter(pk__in=[compound.pk, variant.pk]).update(target_kind=Kind.QUALITATIVE, target_parsed=stale)

    migration.reparse(django_apps, None)

    compound.refresh_from_db()
    variant.refresh_from_db()
    assert (compound.target_kind, compound.target_parsed["unit"]) == (Kind.QUANTITATIVE, "元/人·月")
    assert (variant.target_kind, variant.target_parsed["comparator"]) == (Kind.QUANTITATIVE, Comparator.EQUAL)
    assert Indicator.objects.get(pk=plain_target.pk).target_parsed == plain_target.target_parsed


def test_qizhong_rows_in_a_table_without_weights_are_scored_as_indicators_with_a_note():
    unweighted = [(*row[:4], None, row[5]) for row in BREAKDOWN]
    report = import_workbook(file=flat_workbook(unweighted))
    assert "项目“城乡低保补助”指标表第3、4行以“其中”开头，但项目未填分值：按默认权重作为普通指标计分" in report.notes
    assert not any(row.breakdown for row in score_project(project()).rows)


def test_a_score_typed_on_a_breakdown_row_is_kept_with_a_note_that_it_does_not_count():
    scored = [*BREAKDOWN[:1], (*BREAKDOWN[1], 8), *BREAKDOWN[2:]]
    report = import_workbook(file=flat_workbook(scored))
    assert "项目“城乡低保补助”指标表第3行为分解行，所填得分仅作记录，不计入总分" in report.notes
    assert indicator("其中：城市低保人数").result.reported_score == D("8.00")
    assert score_project(project()).total == D("100.00")


def test_the_evaluation_json_marks_breakdown_rows():
    import_workbook(file=flat_workbook(BREAKDOWN))
    document = evaluation_document(project(), score_project(project()))
    shown = [(row["level3"], row["weight"], row["score"], row["breakdown"]) for row in document["indicators"][:3]]
    assert shown == [
        ("保障人数", "20.00", "20.00", False),
        ("其中：城市低保人数", "0.00", "0.00", True),
        ("其中：农村低保人数", "0.00", "0.00", True),
    ]


def test_a_score_typed_on_a_qualitative_breakdown_row_of_the_sheet_is_saved_with_a_note():
    qualitative = [*BREAKDOWN[:2], ("产出指标", "数量指标", "其中：特困人员", "应保尽保", None, "达成"), *BREAKDOWN[3:]]
    import_workbook(file=flat_workbook(qualitative))
    staff = make_user_with_access(unit=project().unit)
    wb = open_workbook(project_sheet_bytes(project()))
    ws = wb[wb.sheetnames[0]]
    row = next(r for r in range(13, 22) if ws.cell(r, 4).value == "其中：特困人员")
    ws.cell(row, 8).value = 5

    result = import_evaluation_sheets(file=saved(wb), user=staff)

    assert result.ok, result.errors
    assert result.notes == [
        f"{ws.title} H{row}：“其中：特困人员”是分解行（其中），不计分，所填得分未计入总分。",
    ]
    assert score_project(project()).total == D("100.00")

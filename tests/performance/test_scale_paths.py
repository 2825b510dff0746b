"""The fast paths added for issue 8 give the same results as the slow ones they replace."""

from decimal import Decimal
from io import BytesIO

import openpyxl
import pytest

from budgets.models import Project
from performance import services
from performance.interchange.columns import INDICATOR_COLUMNS, PROJECT_COLUMNS
from performance.interchange.export import write_flat_workbook
from performance.models import ActualResult, Indicator
from performance.services import score_project, score_projects
from tests.factories import make_evaluation, make_indicator, make_project

D = Decimal
pytestmark = pytest.mark.django_db

TARGETS = [
    ("产出指标", "数量指标", "12次", "11次"),
    ("产出指标", "数量指标", "1.8万人", "17500人"),
    ("产出指标", "质量指标", " ≥95% ", "96%"),
    ("产出指标", "时效指标", "2021年12月31日前", "2021-12-20"),
    ("产出指标", "时效指标", "2021.3.1-2021.12.31", "部分达成"),
    ("产出指标", "成本指标", "≤81万元", "85万元"),
    ("成本指标", "经济成本指标", "12", "11"),
    ("效益指标", "社会效益指标", "效果显著", "达成年度指标"),
    ("效益指标", "经济效益指标", "/", "/"),
    ("满意度指标", "服务对象满意度指标", "≥90%", "88%"),
]


def test_scores_from_the_stored_parse_equal_scores_from_parsing_the_text(monkeypatch):
    project = make_project(full_year_total=D("81"), executed_total=D("70"))
    make_evaluation(project=project, budget_deviation_reason="延期")
    for level1, level2, target, actual in TARGETS:
        indicator = make_indicator(project=project, level1=level1, level2=level2, target=target)
        ActualResult.objects.create(indicator=indicator, actual=actual, deviation_reason="原因")

    stored = score_projects(Project.objects.all())[project.pk]
    stored_target = services._target
    monkeypatch.setattr(services, "_target", lambda text, _stored, *names: stored_target(text, None, *names))
    parsed = score_projects(Project.objects.all())[project.pk]

    assert stored == parsed
    assert stored.total == parsed.total


@pytest.mark.stale_scores
def test_a_target_changed_without_save_is_parsed_again():
    project = make_project(full_year_total=D("10"), executed_total=D("10"))
    indicator = make_indicator(project=project, target="12次")
    ActualResult.objects.create(indicator=indicator, actual="10次", deviation_reason="原因")
    assert score_project(project).rows[0].score == D("75.00")  # 90 × 10/12

    Indicator.objects.filter(pk=indicator.pk).update(target="10次")  # the stored parse still says 12次

    assert score_project(project).rows[0].score == D("90.00")
    assert score_projects([project])[project.pk].rows[0].score == D("90.00")


def test_flat_export_keeps_error_codes_and_formulas_as_text_and_numbers_formatted():
    project = make_project(full_year_total=D("81.5"))
    indicator = make_indicator(project=project, target="#N/A", weight=D("90"))
    ActualResult.objects.create(indicator=indicator, actual="=1+1", reported_score=D("80"))

    out = BytesIO()
    write_flat_workbook(Project.objects.all(), out)
    out.seek(0)
    book = openpyxl.load_workbook(out)
    row = {title: book["指标"].cell(row=2, column=n) for n, title in enumerate(INDICATOR_COLUMNS, start=1)}
    money = book["项目"].cell(row=2, column=PROJECT_COLUMNS.index("全年预算数") + 1)

    assert (row["指标值"].value, row["指标值"].data_type) == ("#N/A", "s")
    assert (row["实际完成值"].value, row["实际完成值"].data_type) == ("=1+1", "s")
    assert (row["分值"].value, row["分值"].number_format) == (90, "0.00")
    assert (row["得分(自评)"].value, row["得分(自评)"].number_format) == (80, "0.00")
    assert (money.value, money.number_format) == (81.5, "#,##0.00##")
    assert (row["三级指标"].value, row["三级指标"].data_type) == (indicator.name, "s")

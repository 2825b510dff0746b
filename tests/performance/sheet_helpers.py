"""The seed's 科普经费 project with money and actuals, as the sheet tests use it."""

from decimal import Decimal
from io import BytesIO

from openpyxl import load_workbook

from budgets.models import Project
from performance.demo import load_demo
from performance.models import ActualResult

MONEY = {
    "initial_total": Decimal("81"),
    "initial_fiscal": Decimal("81"),
    "full_year_total": Decimal("81"),
    "full_year_fiscal": Decimal("76"),
    "full_year_carryover": Decimal("5"),
    "full_year_other": Decimal("0"),
    "executed_total": Decimal("75.6"),
    "executed_fiscal": Decimal("71.1"),
    "executed_carryover": Decimal("4.5"),
    "executed_other": Decimal("0"),
}
# 三级指标 -> (实际完成值, 偏差原因)
ACTUALS = {
    "开展活动场次": ("12次", ""),
    "开展活动次数": ("18次", "受疫情影响，2场活动取消；下半年增加线上科普，扩大覆盖面。"),
    "完工时间": ("按时完工", ""),
    "总成本": ("75.6万元", ""),
    "提高科普意识": ("85%", "=宣传覆盖面不足，明年扩大社区科普"),
    "满意度": ("96%", ""),
}
GOAL_ACTUAL = "全年组织学术活动12场、科普活动18场。"


def seed_kepu() -> Project:
    """load_demo, then give 科普经费 its money, six actual values and 实际完成情况."""
    load_demo()
    project = Project.objects.get(name="科普经费")
    for name, value in MONEY.items():
        setattr(project, name, value)
    project.save()
    for indicator in project.indicators.all():
        actual, reason = ACTUALS[indicator.name]
        ActualResult.objects.create(indicator=indicator, actual=actual, deviation_reason=reason)
    evaluation = project.evaluation
    evaluation.goal_actual = GOAL_ACTUAL
    evaluation.save()
    return project


def open_workbook(data: bytes):
    return load_workbook(BytesIO(data))


def saved(wb) -> BytesIO:
    buffer = BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    return buffer

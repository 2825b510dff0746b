"""The flat interchange workbook's sheets and columns (SPEC section 11), as the import reads them and the
export writes them."""

from __future__ import annotations

from decimal import Decimal

from budgets.models import FUND_SOURCES, STAGES

from ..declaration.models import TargetSet
from ..models import Evaluation

PROJECT_SHEET = "项目"
INDICATOR_SHEET = "指标"
STAGE_TITLES = {"initial": "年初预算数", "full_year": "全年预算数", "executed": "全年执行数"}
SOURCE_TITLES = {"fiscal": "财政拨款", "carryover": "上年结转", "other": "其他资金"}
MONEY_COLUMNS = {f"{stage}_total": STAGE_TITLES[stage] for stage in STAGES} | {
    f"{stage}_{source}": f"{STAGE_TITLES[stage]}-{SOURCE_TITLES[source]}" for source in FUND_SOURCES for stage in STAGES
}
PROJECT_COLUMNS = [
    "年度",
    "主管部门编码",
    "主管部门",
    "单位编码",
    "单位名称",
    "项目编码",
    "项目名称",
    "年度总体目标",
    "实际完成情况",
    *MONEY_COLUMNS.values(),
    "执行率得分(自评)",
    "执行偏差原因",
]
# Optional: older files without it still import. Empty means 已申报 for targets the file declares.
TARGETS_STATUS = "目标状态"
# Optional, and read only: the self-evaluation's state, which an import never changes (a file that says another
# state is refused; the state moves by submitting, returning, approving and reopening in the app).
EVALUATION_STATUS = "自评状态"
# Optional: the unit's own total (复核), beside the computed one.
REPORTED_TOTAL = "总分(自评)"
# Optional, on both sheets: the names of the evidence files (佐证材料) attached to the project (项目) or to the
# indicator (指标), one a line. A reference, not the file: a name the system does not hold refuses the file, and
# a name left out deletes nothing (evidence is removed on the entry page only).
EVIDENCE = "佐证材料"
OPTIONAL_PROJECT_COLUMNS = [TARGETS_STATUS, EVALUATION_STATUS, REPORTED_TOTAL, EVIDENCE]
# The file's words, always Chinese (the labels are translated on English pages).
TARGETS_STATUS_VALUES = {
    "编制中": TargetSet.Status.DRAFT,
    "已申报": TargetSet.Status.SUBMITTED,
    "已退回": TargetSet.Status.RETURNED,
    "已批复": TargetSet.Status.APPROVED,
}
TARGETS_STATUS_WORDS = {value: word for word, value in TARGETS_STATUS_VALUES.items()}
INDICATOR_COLUMNS = [
    "年度",
    "单位编码",
    "项目编码",
    "项目名称",
    "一级指标",
    "二级指标",
    "三级指标",
    "绩效指标描述",
    "指标值",
    "指标值确定依据",
    "分值",
    "实际完成值",
    "得分(自评)",
    "偏差原因分析及改进措施",
]
# Optional: the tier (完成档次) chosen on the entry form or the 自评表, which the actual's text may not say.
# Older files without it still import; empty means the tier is read from 实际完成值, as before.
TIER = "完成档次"
# Optional: the score the evaluator entered inside the tier's band (ActualResult.evaluator_score). Where the file
# has this column, 得分(自评) is on every row the unit's own score (ActualResult.reported_score, compared: 复核);
# in an older file without it, 得分(自评) on a row scored by tier is the evaluator's score (SPEC section 11).
EVALUATOR_SCORE = "评价得分"
OPTIONAL_INDICATOR_COLUMNS = [TIER, EVALUATOR_SCORE, EVIDENCE]
# The self-evaluation's states as the file says them, always in Chinese.
EVALUATION_STATUS_VALUES = {
    "草稿": Evaluation.Status.DRAFT,
    "已提交": Evaluation.Status.SUBMITTED,
    "已退回": Evaluation.Status.RETURNED,
    "已审核": Evaluation.Status.APPROVED,
}
EVALUATION_STATUS_WORDS = {value: word for word, value in EVALUATION_STATUS_VALUES.items()}
# Each sheet's columns in the order the export writes them (and problems and changes are listed in).
SHEET_COLUMNS = {
    PROJECT_SHEET: [*PROJECT_COLUMNS, *OPTIONAL_PROJECT_COLUMNS],
    INDICATOR_SHEET: [*INDICATOR_COLUMNS, *OPTIONAL_INDICATOR_COLUMNS],
}
MONEY = Decimal("0.0001")
LARGEST = Decimal("1e14")
POINTS = Decimal("0.01")

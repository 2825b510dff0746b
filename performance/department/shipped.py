"""The two frameworks the app ships (SPEC section 15), written as version 1 by the data migration.

Data, not code paths: finance changes a framework by saving a new version. Texts are stored as published
(Chinese), as the indicator framework and the rule sets are.
"""

from decimal import Decimal as D

from .framework import ITEMS, THREE_LEVEL, Framework, Item, framework_to_json

THREE_LEVEL_CODE = "department-three-level"
SICHUAN_CODE = "sichuan-department"

THREE_LEVEL_FRAMEWORK = Framework(
    THREE_LEVEL,
    (
        Item(
            "budget",
            "预算执行率",
            D("10"),
            "部门全年执行数 ÷ 全年预算数（基本支出 + 项目支出），得分 = 10 × 执行率，最高 10 分。",
            figure="execution_rate",
        ),
        Item(
            "output", "产出指标", D("50"), "部门产出指标按第 6 节逐项计分（数量、质量、时效、成本）。", figure="output"
        ),
        Item(
            "effect",
            "效益指标",
            D("30"),
            "部门效益指标按第 6 节逐项计分（经济、社会、生态、可持续影响）。",
            figure="effect",
        ),
        Item("satisfaction", "满意度指标", D("10"), "服务对象满意度指标按第 6 节计分。", figure="satisfaction"),
    ),
)


def _i(code, name, weight, guidance="", parent="", figure=""):
    return Item(code, name, D(weight), guidance, parent, figure)


SICHUAN_FRAMEWORK = Framework(
    ITEMS,
    (
        _i("decision", "部门决策", "25"),
        _i("decision.targets", "目标任务", "15", parent="decision"),
        _i(
            "decision.targets.relevance",
            "相关性",
            "5",
            "部门整体绩效目标与部门职责、年度工作计划相符。",
            "decision.targets",
        ),
        _i("decision.targets.clarity", "明确性", "5", "绩效目标细化量化为可衡量的指标。", "decision.targets"),
        _i("decision.targets.reasonable", "合理性", "5", "绩效目标与预算资金量相匹配。", "decision.targets"),
        _i("decision.budgeting", "预算编制", "10", parent="decision"),
        _i("decision.budgeting.basis", "测算依据", "5", "预算编制有充分的测算依据和标准。", "decision.budgeting"),
        _i(
            "decision.budgeting.targets",
            "目标管理",
            "5",
            "项目绩效目标经审核批复的比例 × 5。",
            "decision.budgeting",
            "targets_approved",
        ),
        _i("management", "综合管理", "30"),
        _i("management.allocation", "专项资金分配时限", "2", "专项资金在规定时限内分配下达。", "management"),
        _i("management.midterm", "中期评估", "2", "按要求开展中期评估。", "management"),
        _i("management.monitoring", "绩效监控", "5", parent="management"),
        _i(
            "management.monitoring.progress",
            "预算执行进度监控",
            "2",
            "部门预算执行率 × 2。",
            "management.monitoring",
            "execution_rate",
        ),
        _i(
            "management.monitoring.targets",
            "绩效目标动态监控",
            "3",
            "开展绩效运行监控（已提交或已审核）的项目比例 × 3。",
            "management.monitoring",
            "monitored",
        ),
        _i("management.revenue", "非税收入执收", "2", "非税收入按规定及时足额执收。", "management"),
        _i("management.assets", "资产管理", "6", "资产配置、使用、处置合规，账实相符。", "management"),
        _i("management.controls", "内控制度管理", "2", "内部控制制度健全并有效执行。", "management"),
        _i("management.disclosure", "信息公开", "6", parent="management"),
        _i(
            "management.disclosure.budget",
            "预算公开",
            "2",
            "部门预算按规定公开（系统中有本年度部门预算公开记录）得 2 分。",
            "management.disclosure",
            "budget_disclosed",
        ),
        _i("management.disclosure.accounts", "决算公开", "2", "部门决算按规定公开。", "management.disclosure"),
        _i(
            "management.disclosure.performance",
            "绩效信息公开",
            "2",
            "部门整体绩效目标和项目绩效目标随预算公开得 2 分。",
            "management.disclosure",
            "performance_disclosed",
        ),
        _i("management.evaluation", "绩效评价", "5", parent="management"),
        _i(
            "management.evaluation.done",
            "开展",
            "2",
            "完成绩效自评（已提交或已审核）的项目比例 × 2。",
            "management.evaluation",
            "self_evaluated",
        ),
        _i(
            "management.evaluation.use",
            "结果应用",
            "3",
            "评价发现问题的整改事项已完成的比例 × 3。",
            "management.evaluation",
            "rectification_closed",
        ),
        _i("results", "部门绩效情况", "45"),
        _i(
            "results.duties",
            "履职成效",
            "20",
            "部门特性指标（产出、效益）按第 6 节计分的得分率 × 20。",
            "results",
            "indicators",
        ),
        _i("results.sustainability", "可持续发展能力", "15", parent="results"),
        _i("results.sustainability.reform", "重点改革", "5", "重点改革任务推进情况。", "results.sustainability"),
        _i("results.sustainability.innovation", "创新", "5", "管理和服务创新情况。", "results.sustainability"),
        _i("results.sustainability.talent", "人才培养", "5", "人才队伍建设和培养情况。", "results.sustainability"),
        _i("results.satisfaction", "满意度", "10", parent="results"),
        _i("results.satisfaction.partners", "协作部门", "3", "协作部门满意度调查结果。", "results.satisfaction"),
        _i("results.satisfaction.managed", "管理对象", "3", "管理对象满意度调查结果。", "results.satisfaction"),
        _i("results.satisfaction.public", "社会公众", "4", "社会公众满意度调查结果。", "results.satisfaction"),
    ),
)

SHIPPED = [
    {
        "code": THREE_LEVEL_CODE,
        "name": "部门整体三级指标（财预〔2020〕10号计分）",
        "description": (
            "部门自己的产出、效益、满意度指标按项目自评的规则（规格说明第 6 节）计分，"
            "另设预算执行率 10 分，按部门全部预算（基本支出 + 项目支出）计算。"
        ),
        "source": "财政部《项目支出绩效评价管理办法》（财预〔2020〕10号）；财预〔2015〕88号附件2；规格说明第 15 节。",
        "framework": THREE_LEVEL_FRAMEWORK,
    },
    {
        "code": SICHUAN_CODE,
        "name": "四川部门整体支出绩效评价指标",
        "description": "部门决策 25 分、综合管理 30 分、部门绩效情况 45 分。",
        "source": "四川省某市财政局公布的部门整体支出绩效评价指标体系；规格说明第 15 节。",
        "framework": SICHUAN_FRAMEWORK,
    },
]


def shipped_json() -> list[dict]:
    return [
        {**{k: v for k, v in entry.items() if k != "framework"}, "content": framework_to_json(entry["framework"])}
        for entry in SHIPPED
    ]


def ship_missing() -> None:
    """Write the shipped frameworks the database lacks, version 1 each (what migration 0015 writes)."""
    from .models import DepartmentFramework, DepartmentFrameworkVersion

    for entry in shipped_json():
        framework, _created = DepartmentFramework.objects.get_or_create(
            code=entry["code"],
            defaults={"name": entry["name"], "description": entry["description"], "source": entry["source"]},
        )
        if not framework.versions.exists():
            DepartmentFrameworkVersion.objects.create(framework=framework, number=1, content=entry["content"])

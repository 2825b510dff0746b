"""The rule sets the app ships (SPEC section 16), written by the data migration: each with its source.

Data, not code paths: the migration stores them as version 1 of each set; finance changes them by new
versions. The texts are stored as published (Chinese), as the indicator framework is.
"""

from decimal import Decimal

from .value import OVERSHOOT_POINTS, OVERSHOOT_SHARE, RateCap, Rules, rules_to_json

MOF = "mof-2020-10"
MANUAL = "yitihua-manual"
ENV_SWITCHES = "env-switches"

MOF_RULES = Rules()
MANUAL_NAME = "预算管理一体化操作手册"
ENV_NAME = "10号文加可选规则（原环境变量）"
MANUAL_RULES = Rules(
    name=MANUAL_NAME,
    overshoot=OVERSHOOT_POINTS,
    overshoot_threshold=Decimal("1.3"),
    overshoot_points=Decimal("2"),
    overshoot_reason=True,
    overshoot_reason_threshold=Decimal("1.3"),
    rate_caps=(
        RateCap(Decimal("0.7"), Decimal("0.8"), Decimal("89")),
        RateCap(Decimal("0.6"), Decimal("0.7"), Decimal("79")),
        RateCap(Decimal("0.5"), Decimal("0.6"), Decimal("69")),
        RateCap(None, Decimal("0.5"), Decimal("59")),
    ),
)
OVERSHOOT_PENALTY = {
    "overshoot": OVERSHOOT_SHARE,
    "overshoot_threshold": Decimal("1.3"),
    "overshoot_share": Decimal("0.8"),
}
RATE_CAPS = {
    "rate_caps": (
        RateCap(None, Decimal("0.6"), Decimal("60")),
        RateCap(Decimal("0.6"), Decimal("0.8"), Decimal("80")),
        RateCap(Decimal("0.8"), Decimal("0.9"), Decimal("90")),
    )
}
ENV_RULES = Rules(name=ENV_NAME, **OVERSHOOT_PENALTY, **RATE_CAPS)

SHIPPED = [
    {
        "code": MOF,
        "name": "财预〔2020〕10号",
        "description": (
            "财政部《项目支出绩效评价管理办法》的单位自评计分：预算执行率 10 分，产出 50 分，效益 30 分，满意度 10 分；"
            "定量指标按完成比例计分，不因超额加分；定性指标分达成（80%–100%）、部分达成（60%–80%）、未达成（0–60%）三档；"
            "执行率低于 90% 须说明原因；等级 优 ≥ 90、良 ≥ 80、中 ≥ 60、差 < 60。未选定规则的部门按此计分。"
        ),
        "source": (
            "财政部关于印发《项目支出绩效评价管理办法》的通知（财预〔2020〕10号），"
            "附件1 项目支出绩效自评表及计分说明；本系统规格说明第 6 节。"
        ),
        "rules": MOF_RULES,
    },
    {
        "code": MANUAL,
        "name": MANUAL_NAME,
        "description": (
            "在 10号文计分之上：总分按预算执行率封顶，执行率 70%（含）至 80% 最高 89 分，60%（含）至 70% 最高 79 分，"
            "50%（含）至 60% 最高 69 分，低于 50% 最高 59 分；实际完成值达到或超过至少型指标值 130% 的指标扣 2 分，"
            "并须分析原因（“对完成值高于指标值较多的，要分析原因”）。"
        ),
        "source": "某省预算管理一体化系统绩效自评操作手册（项目支出绩效自评计分规则）；本系统规格说明第 16 节。",
        "rules": MANUAL_RULES,
    },
    {
        "code": ENV_SWITCHES,
        "name": ENV_NAME,
        "description": (
            "原先由环境变量 JIXIAO_OVERSHOOT_PENALTY、JIXIAO_EXECUTION_RATE_CAPS 为整个部署开启的两项可选规则："
            "实际完成值达到或超过至少型指标值 130% 的指标按分值的 80% 计分（指标值设定偏低）；"
            "执行率低于 60% 总分最高 60 分，低于 80% 最高 80 分，低于 90% 最高 90 分。"
        ),
        "source": "本系统此前的部署设置（环境变量），规格说明第 6 节“部门可选规则”。",
        "rules": ENV_RULES,
    },
]


def shipped_json(entry: dict) -> dict:
    return rules_to_json(entry["rules"])

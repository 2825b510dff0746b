"""Scoring a project's self-evaluation by the Ministry of Finance rules: SPEC section 6.

INTERFACE (fixed; the implementation is being written):
    RowInput(group: str, target: Target, actual: str, tier: str = "", evaluator_score: Decimal | None = None,
             weight: Decimal | None = None, reported_score: Decimal | None = None, deviation_reason: str = "")
        group: IndicatorCategory.Group value: "output" | "effect" | "satisfaction"
    BudgetInput(full_year: Decimal | None, executed: Decimal | None, reported_score: Decimal | None = None,
                deviation_reason: str = "")
    Rules(overshoot_penalty: bool = False, execution_rate_caps: bool = False)
    score_evaluation(budget: BudgetInput, rows: list[RowInput], *, rules: Rules = Rules()) -> EvaluationScore
    EvaluationScore: budget: BudgetScore(rate: Decimal | None, weight, score, reason_required: bool, errors: list[str]),
                     rows: list[RowScore(weight, score, actual: Actual, tier: str, reason_required: bool,
                                         errors: list[str])],
                     total: Decimal, grade: str ("优"/"良"/"中"/"差"),
                     problems: list[str]  (what blocks submission, in Chinese),
                     findings: list[str]  (复核: reported vs computed differences, in Chinese)
"""

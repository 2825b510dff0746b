"""Spot checks as services: the sample of a year (drawn, or drawn and stored), finance's re-review of a sampled
project, and the three scores of a sampled project side by side."""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from budgets.models import Project
from budgets.permissions import is_finance_bureau

from ..models import Evaluation, Indicator
from ..scores.models import IndicatorScore, ProjectScore
from .models import SpotCheck, SpotCheckItem, SpotCheckRowScore
from .risk import Risk, draw, risk_of, risk_score, sample_size
from .signals import signals_for

HUNDRED = Decimal("100.00")
ZERO = Decimal("0")


@dataclass(frozen=True)
class Drawn:
    """One project of a sample: its place in the ranking, the project and its risk."""

    rank: int
    project: Project
    risk: Risk


def new_seed() -> int:
    """A seed for a draw where the user gave none (kept with the draw, so it can be drawn again)."""
    return random.SystemRandom().randrange(1, 1_000_000_000)


def population(*, year: int, scope: str = SpotCheck.Scope.APPROVED) -> QuerySet[Project]:
    """The projects a draw chooses from: the year's approved self-evaluations, or every project of the year."""
    projects = Project.objects.filter(year=year)
    if scope == SpotCheck.Scope.APPROVED:
        projects = projects.filter(evaluation__status=Evaluation.Status.APPROVED)
    return projects


def _check_parameters(*, size: int | None, share: Decimal | None, scope: str) -> None:
    if (size is None) == (share is None):
        raise ValidationError(_("请填写抽取数量或抽取比例（二者选一）。"))
    if size is not None and size < 1:
        raise ValidationError({"size": _("抽取数量至少为 1。")})
    if share is not None and not ZERO < share <= HUNDRED:
        raise ValidationError({"share": _("抽取比例应大于 0 且不超过 100。")})
    if scope not in SpotCheck.Scope.values:
        raise ValidationError({"scope": _("未知的抽取范围。")})


def check_draw(*, year: int, size: int | None = None, share: Decimal | None = None, scope=SpotCheck.Scope.APPROVED):
    """Refuse, before any work, a draw that cannot give a sample: no size or share (or both), or no project to
    draw from (one query)."""
    _check_parameters(size=size, share=share, scope=scope)
    if not population(year=year, scope=scope).exists():
        raise ValidationError(_("%(year)s 年没有可抽取的项目。") % {"year": year})


def sample(
    *, year: int, seed: int, size: int | None = None, share: Decimal | None = None, scope=SpotCheck.Scope.APPROVED
) -> tuple[list[Drawn], int]:
    """The sample a draw with these parameters gives (riskiest first) and the number it was drawn from; stores
    nothing. The same parameters over the same data give the same projects (``risk.draw``)."""
    _check_parameters(size=size, share=share, scope=scope)
    signals = signals_for(population(year=year, scope=scope))
    scores = {pk: risk_score(s) for pk, s in signals.items()}
    chosen = draw(scores, sample_size(len(scores), size=size, share=share), seed)
    projects = Project.objects.select_related("unit__department").in_bulk(chosen)
    drawn = [Drawn(rank, projects[pk], risk_of(signals[pk])) for rank, pk in enumerate(chosen, start=1)]
    return drawn, len(scores)


@transaction.atomic
def draw_sample(
    *,
    year: int,
    by,
    seed: int | None = None,
    size: int | None = None,
    share: Decimal | None = None,
    scope: str = SpotCheck.Scope.APPROVED,
) -> SpotCheck:
    """Draw a sample of a year's projects and keep it, with who drew it, when and how."""
    if not is_finance_bureau(by):
        raise PermissionDenied(_("只有财政部门可以抽查复核。"))
    seed = new_seed() if seed is None else seed
    drawn, count = sample(year=year, seed=seed, size=size, share=share, scope=scope)
    if not drawn:
        raise ValidationError(_("%(year)s 年没有可抽取的项目。") % {"year": year})
    check = SpotCheck.objects.create(
        year=year, seed=seed, size=size, share=share, scope=scope, population=count, drawn_by=by
    )
    bulk_create_with_history(
        [
            SpotCheckItem(spot_check=check, project=d.project, rank=d.rank, risk=d.risk.score, reasons=d.risk.reasons)
            for d in drawn
        ],
        SpotCheckItem,
        default_user=by,
        default_change_reason=_("抽中"),
    )
    return check


@dataclass(frozen=True)
class Row:
    """A scored row of a sampled project: self-reported, computed and re-reviewed, with the differences."""

    indicator: Indicator | None  # None: the budget execution row
    name: str
    weight: Decimal
    reported: Decimal | None
    computed: Decimal
    reviewed: Decimal | None

    @property
    def reported_diff(self) -> Decimal | None:
        """自评 − 计算."""
        return None if self.reported is None else self.reported - self.computed

    @property
    def reviewed_diff(self) -> Decimal | None:
        """复核 − 计算."""
        return None if self.reviewed is None else self.reviewed - self.computed

    @property
    def reviewed_minus_reported(self) -> Decimal | None:
        """复核 − 自评."""
        return None if self.reviewed is None or self.reported is None else self.reviewed - self.reported


@dataclass(frozen=True)
class Comparison:
    rows: list[Row]
    total: Row


def comparison(item: SpotCheckItem) -> Comparison:
    """A sampled project's rows and total, each as the unit reported it, as computed and as finance re-reviewed it
    (four queries: rows with their results and stored scores, the stored total, the evaluation, the re-review)."""
    project = item.project
    indicators = list(Indicator.objects.filter(project=project).in_order().select_related("result", "stored_score"))
    stored = ProjectScore.objects.filter(project=project).first()
    evaluation = Evaluation.objects.filter(project=project).first()
    reviewed = dict(SpotCheckRowScore.objects.filter(item=item).values_list("indicator_id", "score"))
    rows = []
    for indicator in indicators:
        score = getattr(indicator, "stored_score", None)
        result = getattr(indicator, "result", None)
        rows.append(
            Row(
                indicator,
                indicator.name,
                score.weight if score else ZERO,
                result.reported_score if result else None,
                score.score if score else ZERO,
                reviewed.get(indicator.pk),
            )
        )
    computed_total = stored.total if stored else ZERO
    row_weights = sum((r.weight for r in rows), ZERO)
    budget = Row(
        None,
        _("预算执行率"),
        HUNDRED - row_weights,
        evaluation.reported_budget_score if evaluation else None,
        computed_total - sum((r.computed for r in rows), ZERO),
        item.budget_score,
    )
    rows.insert(0, budget)
    complete = all(r.reviewed is not None for r in rows)
    total = Row(
        None,
        _("总分"),
        HUNDRED,
        evaluation.reported_total if evaluation else None,
        computed_total,
        sum((r.reviewed for r in rows), ZERO) if complete else None,
    )
    return Comparison(rows, total)


@transaction.atomic
def record_review(
    *,
    item: SpotCheckItem,
    scores: dict[int, Decimal],
    budget_score: Decimal,
    conclusion: str,
    note: str,
    by,
) -> SpotCheckItem:
    """Record finance's own score of every row (复核得分) and its conclusion; refuses a score outside 0…its weight."""
    if not is_finance_bureau(by):
        raise PermissionDenied(_("只有财政部门可以抽查复核。"))
    weights = dict(
        IndicatorScore.objects.filter(indicator__project=item.project_id).values_list("indicator_id", "weight")
    )
    errors = {}
    for pk, weight in weights.items():
        score = scores.get(pk)
        if score is None:
            errors[f"row_{pk}"] = _("请填写复核得分。")
        elif not ZERO <= score <= weight:
            errors[f"row_{pk}"] = _("复核得分应在 0 到 %(weight)s 之间。") % {"weight": weight}
    budget_weight = HUNDRED - sum(weights.values(), ZERO)
    if budget_score is None or not ZERO <= budget_score <= budget_weight:
        errors["budget_score"] = _("复核得分应在 0 到 %(weight)s 之间。") % {"weight": budget_weight}
    if conclusion not in SpotCheckItem.Conclusion.values or not conclusion:
        errors["conclusion"] = _("请选择复核结论。")
    if errors:
        raise ValidationError(errors)
    for pk in weights:
        SpotCheckRowScore.objects.update_or_create(item=item, indicator_id=pk, defaults={"score": scores[pk]})
    item.budget_score, item.conclusion, item.note = budget_score, conclusion, note.strip()
    item.reviewed_by, item.reviewed_at = by, timezone.now()
    item._history_user = by
    item._change_reason = _("记录复核结果")
    item.save()
    return item

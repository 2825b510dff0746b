"""The suggestion sheet of a department's year, the rule's versions and finance's opinions.

- ``version_for(year)``: the year's latest rule version (a year without one starts with the default rules as
  version 1, so every suggestion names a stored version).
- ``save_rule_version``: a new version of the year's rule, refused with every problem named.
- ``suggestion_rows``: per project its stored grade (``performance.scores``), this year's full-year budget and
  execution, the rule and the suggested amount, and the opinion recorded.
- ``record_opinion``: finance's opinion on a project, with the figures and the rule version it was drafted by.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, QuerySet
from django.utils.translation import gettext as _

from budgets.models import Project
from budgets.permissions import PROJECT_ORDER, is_finance_bureau

from .arithmetic import DEFAULT_RULES, GradeRule, rules_problems, rules_to_json, suggested_amount
from .models import ResultOpinion, ResultRuleVersion


def version_for(year: int, *, store: bool = False) -> ResultRuleVersion:
    """The rule version in force for ``year``: its latest; a year without one has version 1 with the default rules,
    saved when ``store`` (when an opinion or a new version needs it), otherwise unsaved (a page only reads)."""
    version = ResultRuleVersion.objects.filter(year=year).order_by("-number").first()
    if version is not None:
        return version
    default = ResultRuleVersion(year=year, number=1, content=rules_to_json(DEFAULT_RULES), note=_("默认规则"))
    if not store:
        return default
    try:
        with transaction.atomic():
            default.save()
            return default
    except IntegrityError:  # another request stored it first
        return ResultRuleVersion.objects.get(year=year, number=1)


@transaction.atomic
def save_rule_version(*, year: int, rules: dict[str, GradeRule], note: str, by) -> ResultRuleVersion:
    """A new version of the year's rule (finance only); the versions before it are kept as they were."""
    if not is_finance_bureau(by):
        raise PermissionDenied
    problems = rules_problems(rules)
    if problems:
        raise ValidationError(problems)
    current = version_for(year, store=True)
    if current.content == rules_to_json(rules):
        raise ValidationError(_("规则没有变化，无需保存新版本。"))
    latest = ResultRuleVersion.objects.filter(year=year).aggregate(n=Max("number"))["n"] or 0
    version = ResultRuleVersion(year=year, number=latest + 1, content=rules_to_json(rules), note=note, created_by=by)
    version.full_clean()
    version.save()
    return version


@dataclass(frozen=True)
class SuggestionRow:
    project: Project
    status: str  # the self-evaluation's state label
    total: Decimal | None
    grade: str  # "" while the project is not evaluated
    full_year: Decimal | None
    executed: Decimal | None
    rate: Decimal | None
    rule: GradeRule | None
    suggested: Decimal | None
    opinion: ResultOpinion | None

    @property
    def rule_text(self) -> str:
        return self.rule.describe() if self.rule else _("未评价，不适用")


def _row(project: Project, rules: dict[str, GradeRule]) -> SuggestionRow:
    stored = getattr(project, "stored_score", None)
    grade = stored.grade if stored is not None else ""
    rule = rules.get(grade)
    full_year = project.total("full_year")
    evaluation = getattr(project, "evaluation", None)
    return SuggestionRow(
        project=project,
        status=evaluation.get_status_display() if evaluation is not None else _("草稿"),
        total=stored.total if stored is not None and grade else None,
        grade=grade,
        full_year=full_year,
        executed=project.total("executed"),
        rate=stored.rate if stored is not None else None,
        rule=rule,
        suggested=suggested_amount(full_year, rule) if rule else None,
        opinion=getattr(project, "result_opinion", None),
    )


def with_figures(projects: QuerySet[Project]) -> QuerySet[Project]:
    return projects.select_related(
        "unit__department", "stored_score", "evaluation", "result_opinion__decided_by", "result_opinion__rule_version"
    ).order_by(*PROJECT_ORDER)


def suggestion_rows(projects: QuerySet[Project], version: ResultRuleVersion) -> list[SuggestionRow]:
    """The sheet's rows for ``projects`` (one year), in the order lists use, in one query."""
    rules = version.rules()
    return [_row(project, rules) for project in with_figures(projects)]


@transaction.atomic
def record_opinion(*, project: Project, opinion: str, decided: Decimal | None, by) -> ResultOpinion:
    """Finance's opinion (结果应用意见) on ``project``: kept with the grade, the figures, the rule version and the
    suggestion it was drafted from, as they are now."""
    if not is_finance_bureau(by):
        raise PermissionDenied
    if not opinion.strip():
        raise ValidationError(_("请填写结果应用意见。"))
    version = version_for(project.year, store=True)
    row = _row(with_figures(Project.objects.filter(pk=project.pk)).get(), version.rules())
    record = ResultOpinion.objects.filter(project=project).first() or ResultOpinion(project=project)
    record.grade, record.total = row.grade, row.total
    record.full_year, record.executed = row.full_year, row.executed
    record.rule_version, record.rule, record.suggested = version, row.rule_text, row.suggested
    record.decided, record.opinion, record.decided_by = decided, opinion.strip(), by
    record._history_user = by
    record.full_clean()
    record.save()
    return record


def opinion_before(project: Project) -> ResultOpinion | None:
    """The opinion on the same project the year before (``carry_forward.same_project``): what next year's
    project shows."""
    from ..carry_forward import same_project

    earlier = same_project(project, project.year - 1)
    return ResultOpinion.objects.filter(project__in=earlier).select_related("project", "rule_version").first()

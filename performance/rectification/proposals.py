"""What the app proposes for rectification in a department's year, from what it already finds:

- ``score``: an indicator row of a fully entered self-evaluation scoring below its weight (the stored scores,
  ``performance.scores``);
- ``review``: a target-review finding of severity 错误 (``performance.review``);
- ``monitoring``: a red light of one of the year's monitoring rounds, for a project's budget or one of its
  indicators (``performance.monitoring``);
- ``spotcheck``: a project finance re-reviewed (``performance.spotchecks``) with the conclusion 复核调整得分 or
  自评虚高: each row whose re-reviewed score differs from the unit's own (its reported score, or the computed one
  where it reported none), or, where no row differs, the conclusion itself.

Each proposal has a key naming the finding; a finding confirmed (an item with that key) or dismissed (a
``DismissedProposal``) is not proposed again.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from budgets.consistency import Severity
from budgets.models import Department, Project, Unit

from ..monitoring import RED, department_report, rounds_of
from ..review import review_projects
from ..scores.models import IndicatorScore
from ..spotchecks.models import SpotCheckItem
from ..spotchecks.services import comparison
from .models import DismissedProposal, RectificationItem, Source

DEFAULT_MEASURES = {
    Source.SCORE: gettext_lazy("分析该指标未达目标的原因，提出改进措施，并在下一年度的绩效目标和预算安排中落实。"),
    Source.MONITORING: gettext_lazy("查明偏离原因，采取纠偏措施，确保年度绩效目标和预算执行进度如期完成。"),
    Source.SPOTCHECK: gettext_lazy("核实自评依据，按复核得分更正自评结果，补充佐证材料，今后如实开展绩效自评。"),
}


@dataclass(frozen=True)
class Proposal:
    key: str
    source: str
    unit: Unit
    project: Project | None
    problem: str
    measures: str

    @property
    def source_label(self) -> str:
        return Source(self.source).label


def _score_proposals(projects) -> list[Proposal]:
    rows = (
        IndicatorScore.objects.filter(
            indicator__project__in=projects, indicator__project__stored_score__complete=True, score__lt=F("weight")
        )
        .select_related("indicator__project__unit")
        .order_by("indicator__project__unit__order", "indicator__project__order", "indicator__order", "indicator_id")
    )
    found = []
    for row in rows:
        indicator = row.indicator
        problem = _("指标“%(name)s”（指标值 %(target)s）得分 %(score)s，低于分值 %(weight)s。") % {
            "name": indicator.name,
            "target": indicator.target or "—",
            "score": row.score,
            "weight": row.weight,
        }
        found.append(
            Proposal(
                f"score:{indicator.pk}",
                Source.SCORE,
                indicator.project.unit,
                indicator.project,
                problem,
                str(DEFAULT_MEASURES[Source.SCORE]),
            )
        )
    return found


def _review_proposals(projects) -> list[Proposal]:
    found = []
    # only 错误 become proposals: the library's rules (warnings and hints) are left out
    for finding in review_projects(projects.order_by("unit__order", "order", "id"), library=False):
        if finding.severity != Severity.ERROR:
            continue
        indicator = finding.indicator.pk if finding.indicator is not None else 0
        found.append(
            Proposal(
                f"review:{finding.project.pk}:{finding.code}:{indicator}",
                Source.REVIEW,
                finding.project.unit,
                finding.project,
                _("%(title)s（%(where)s）：%(message)s")
                % {
                    "title": finding.title,
                    "where": finding.location,
                    "message": finding.message,
                },
                finding.suggestion,
            )
        )
    return found


def _monitoring_proposals(department: Department, year: int, projects) -> list[Proposal]:
    measures = str(DEFAULT_MEASURES[Source.MONITORING])
    found = []
    for monitoring_round in rounds_of(department.pk, year):
        for report in department_report(monitoring_round=monitoring_round, projects=projects):
            project = report.monitoring.project
            prefix = f"monitoring:{monitoring_round.pk}:{project.pk}"
            budget = report.assessment.budget
            if budget.light == RED:
                problem = _("运行监控（截至%(date)s）预算执行红灯：%(reason)s") % {
                    "date": monitoring_round.cut_off,
                    "reason": budget.reason,
                }
                found.append(Proposal(f"{prefix}:budget", Source.MONITORING, project.unit, project, problem, measures))
            for row in report.assessment.rows:
                if row.light.light != RED:
                    continue
                problem = _("运行监控（截至%(date)s）指标“%(name)s”红灯：%(reason)s") % {
                    "date": monitoring_round.cut_off,
                    "name": row.indicator.name,
                    "reason": row.light.reason,
                }
                found.append(
                    Proposal(
                        f"{prefix}:{row.indicator.pk}", Source.MONITORING, project.unit, project, problem, measures
                    )
                )
    return found


SPOTCHECK_CONCLUSIONS = (SpotCheckItem.Conclusion.ADJUSTED, SpotCheckItem.Conclusion.INFLATED)


def _spotcheck_proposals(projects) -> list[Proposal]:
    items = (
        SpotCheckItem.objects.filter(project__in=projects, conclusion__in=SPOTCHECK_CONCLUSIONS)
        .select_related("spot_check", "project__unit")
        .order_by("project__unit__order", "project__order", "project_id", "spot_check__drawn_at", "id")
    )
    measures = str(DEFAULT_MEASURES[Source.SPOTCHECK])
    found = []
    for item in items:
        project = item.project
        prefix = f"spotcheck:{item.pk}"
        heading = _("抽查复核（%(date)s，结论：%(conclusion)s）") % {
            "date": timezone.localdate(item.reviewed_at) if item.reviewed_at else item.spot_check.year,
            "conclusion": item.get_conclusion_display(),
        }
        compared = comparison(item)
        differing = []
        for row in compared.rows:
            own = row.reported if row.reported is not None else row.computed
            if row.reviewed is None or row.reviewed == own:
                continue
            differing.append(row)
            problem = _("%(heading)s：“%(name)s”自评得分 %(own)s，复核得分 %(reviewed)s，相差 %(diff)s。") % {
                "heading": heading,
                "name": row.name,
                "own": own,
                "reviewed": row.reviewed,
                "diff": row.reviewed - own,
            }
            where = row.indicator.pk if row.indicator is not None else "budget"
            found.append(Proposal(f"{prefix}:{where}", Source.SPOTCHECK, project.unit, project, problem, measures))
        if not differing:
            total = compared.total
            problem = _("%(heading)s：自评总分 %(own)s，复核总分 %(reviewed)s。%(note)s") % {
                "heading": heading,
                "own": total.reported if total.reported is not None else total.computed,
                "reviewed": total.reviewed if total.reviewed is not None else "—",
                "note": item.note,
            }
            found.append(Proposal(prefix, Source.SPOTCHECK, project.unit, project, problem.strip(), measures))
    return found


def proposals_for(department: Department, year: int) -> list[Proposal]:
    """The department's year's proposals not yet confirmed nor dismissed, by source, then by unit and project."""
    projects = Project.objects.filter(unit__department=department, year=year).select_related("unit")
    found = [
        *_score_proposals(projects),
        *_review_proposals(projects),
        *_monitoring_proposals(department, year, projects),
        *_spotcheck_proposals(projects),
    ]
    handled = set(
        RectificationItem.objects.filter(source_key__in=[p.key for p in found]).values_list("source_key", flat=True)
    )
    handled.update(
        DismissedProposal.objects.filter(source_key__in=[p.key for p in found]).values_list("source_key", flat=True)
    )
    return [proposal for proposal in found if proposal.key not in handled]

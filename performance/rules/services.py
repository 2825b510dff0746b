"""Which rules score which project, and finance's changes to rule sets (SPEC section 16).

- ``versions_for_heads`` / ``versions_for``: the rule set version of each project: an approved
  self-evaluation keeps the version its stored score was made with; otherwise the version its department
  chose for the year (``RuleChoice``); otherwise the fallback version (10号 as shipped).
- ``save_version``: a new version of a rule set (a new set when none is given), refused with every problem named.
- ``preview_choice`` / ``choose_rules``: what changing a department's rules of a year would do to each
  project (old → new score and grade), then the change itself, which rescores that year.
- ``export_rule_set`` / ``import_rule_set``: a version as JSON, and back as a new version.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.text import slugify
from django.utils.translation import gettext as _

from budgets.models import Department, Project

from .models import RuleChoice, RuleSet, RuleVersion
from .value import Rules, RulesError, rules_from_json, rules_problems, rules_to_json

APPROVED = "approved"  # Evaluation.Status.APPROVED (performance.models imports this package)
FORMAT = "jixiao-rules"
NAME_LENGTH = RuleSet._meta.get_field("name").max_length


# --- which rules score a project ----------------------------------------------------------------------


@dataclass(frozen=True)
class Head:
    """What deciding a project's rules reads: its year, department, self-evaluation state and stored version."""

    year: int
    department_id: int
    status: str | None
    stored_version_id: int | None


HEAD_FIELDS = ["year", "unit__department_id", "evaluation__status", "stored_score__rule_version_id"]


def fallback_version() -> RuleVersion:
    """The version departments without a choice are scored by (the migration ships one)."""
    version = RuleVersion.objects.select_related("rule_set").filter(is_fallback=True).first()
    if version is None:  # a database the migration's data was removed from: 10号, stored again
        version = _store_default()
    return version


def _store_default() -> RuleVersion:
    from .shipped import MOF, SHIPPED

    entry = next(item for item in SHIPPED if item["code"] == MOF)
    rule_set, _created = RuleSet.objects.get_or_create(
        code=MOF, defaults={"name": entry["name"], "description": entry["description"], "source": entry["source"]}
    )
    version = rule_set.latest() or RuleVersion.objects.create(
        rule_set=rule_set, number=1, content=rules_to_json(entry["rules"])
    )
    RuleVersion.objects.filter(pk=version.pk).update(is_fallback=True)
    version.is_fallback = True
    return version


def versions_for_heads(heads: dict[int, Head]) -> dict[int, RuleVersion]:
    """Each project's rule set version (see the module's docstring), in two queries whatever the count."""
    if not heads:
        return {}
    pairs = {(head.department_id, head.year) for head in heads.values()}
    rows = RuleChoice.objects.filter(
        department_id__in={d for d, _y in pairs}, year__in={y for _d, y in pairs}
    ).values_list("department_id", "year", "version_id")
    choices = {(d, y): v for d, y, v in rows}
    chosen: dict[int, int | None] = {}
    for pk, head in heads.items():
        if head.status == APPROVED and head.stored_version_id is not None:
            chosen[pk] = head.stored_version_id
        else:
            chosen[pk] = choices.get((head.department_id, head.year))
    ids = {version_id for version_id in chosen.values() if version_id is not None}
    versions = {
        v.pk: v for v in RuleVersion.objects.select_related("rule_set").filter(Q(pk__in=ids) | Q(is_fallback=True))
    }
    fallback = next((v for v in versions.values() if v.is_fallback), None)
    if fallback is None and None in chosen.values():
        fallback = _store_default()
    return {pk: versions[version_id] if version_id is not None else fallback for pk, version_id in chosen.items()}


def versions_for(projects: QuerySet[Project]) -> dict[int, RuleVersion]:
    heads = {row[0]: Head(*row[1:]) for row in projects.values_list("pk", *HEAD_FIELDS)}
    return versions_for_heads(heads)


def rules_by_version(versions: Iterable[RuleVersion]) -> dict[int, Rules]:
    """Each version's plain rules, read once a version."""
    return {version.pk: version.rules() for version in {v.pk: v for v in versions}.values()}


def version_of(project: Project) -> RuleVersion:
    return versions_for(Project.objects.filter(pk=project.pk))[project.pk]


# --- versions ------------------------------------------------------------------------------------------


def check_rules(data) -> Rules:
    """The rules of ``data`` (their JSON), or ValidationError naming every problem."""
    try:
        rules = rules_from_json(data)
    except RulesError as error:
        raise ValidationError(error.problems) from error
    problems = rules_problems(rules)
    if problems:
        raise ValidationError(problems)
    return rules


@transaction.atomic
def save_version(
    *,
    content: dict,
    by,
    rule_set: RuleSet | None = None,
    name: str = "",
    description: str = "",
    source: str = "",
    note: str = "",
) -> RuleVersion:
    """A new version of ``rule_set`` (or a new rule set named ``name``), refused with every problem named."""
    problems: list[str] = []
    try:
        check_rules(content)
    except ValidationError as error:
        problems += error.messages
    if rule_set is None:
        name = name.strip()
        if not name:
            problems.append(_("请填写评分规则的名称。"))
        elif len(name) > NAME_LENGTH:
            problems.append(_("评分规则的名称不能超过 %(n)s 个字。") % {"n": NAME_LENGTH})
        elif RuleSet.objects.filter(name=name).exists():
            problems.append(_("已有名为“%(name)s”的评分规则；请为其新增版本，或另取名称。") % {"name": name})
    if problems:
        raise ValidationError(problems)
    if rule_set is None:
        rule_set = RuleSet.objects.create(
            code=_unique_code(name), name=name, description=description.strip(), source=source.strip()
        )
    else:
        rule_set = RuleSet.objects.select_for_update().get(pk=rule_set.pk)
        updates = {key: value.strip() for key, value in (("description", description), ("source", source))}
        updates = {key: value for key, value in updates.items() if value}
        for key, value in updates.items():
            setattr(rule_set, key, value)
        if updates:
            rule_set.save(update_fields=list(updates))
    latest = rule_set.latest()
    number = 1 if latest is None else latest.number + 1
    normal = rules_to_json(rules_from_json(content))
    return RuleVersion.objects.create(
        rule_set=rule_set, number=number, content=normal, note=note.strip(), created_by=by
    )


def _unique_code(name: str) -> str:
    base = slugify(name)[:30] or "rules"
    code, n = base, 1
    while RuleSet.objects.filter(code=code).exists():
        n += 1
        code = f"{base}-{n}"
    return code


def export_version(version: RuleVersion) -> dict:
    """A version as the JSON finance downloads and imports elsewhere."""
    rule_set = version.rule_set
    return {
        "format": FORMAT,
        "name": rule_set.name,
        "version": version.number,
        "description": rule_set.description,
        "source": rule_set.source,
        "note": version.note,
        "rules": version.content,
    }


def import_version(*, data: bytes, by) -> RuleVersion:
    """A rule set from its exported JSON: a new version of the set of that name, or a new set. All or nothing."""
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValidationError(_("文件不是有效的 JSON：%(error)s") % {"error": error}) from error
    if not isinstance(document, dict) or document.get("format") != FORMAT or "rules" not in document:
        raise ValidationError(_("文件不是本系统导出的评分规则（缺少 format 或 rules）。"))
    name = str(document.get("name") or "").strip()
    rule_set = RuleSet.objects.filter(name=name).first()
    return save_version(
        content=document["rules"],
        by=by,
        rule_set=rule_set,
        name=name,
        description=str(document.get("description") or ""),
        source=str(document.get("source") or ""),
        note=str(document.get("note") or _("从文件导入")),
    )


# --- choosing a department's rules for a year -------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """What a change of rules does to one project: its score and grade before and after."""

    project: Project
    old_total: Decimal | None
    old_grade: str
    new_total: Decimal
    new_grade: str
    kept: bool  # approved: keeps the score it was approved with

    @property
    def changes(self) -> bool:
        return not self.kept and (self.old_total, self.old_grade) != (self.new_total, self.new_grade)

    @property
    def difference(self) -> Decimal | None:
        return None if self.old_total is None else self.new_total - self.old_total


def current_version(department: Department, year: int) -> RuleVersion:
    choice = RuleChoice.objects.select_related("version__rule_set").filter(department=department, year=year).first()
    return choice.version if choice else fallback_version()


def preview_choice(*, department: Department, year: int, version: RuleVersion) -> list[Change]:
    """What choosing ``version`` for the department's projects of ``year`` would do, project by project
    (nothing is written): stored score and grade → those under the new rules; approved ones are kept."""
    from ..services import score_project_rows

    projects = Project.objects.filter(unit__department=department, year=year).select_related("unit", "evaluation")
    projects = projects.order_by("unit__order", "order", "id")
    new = score_project_rows(projects, rules={pk: version.rules() for pk in projects.values_list("pk", flat=True)})
    stored = {
        pk: (total, grade, started)
        for pk, total, grade, started in Project.objects.filter(pk__in=new).values_list(
            "pk", "stored_score__total", "stored_score__grade", "stored_score__started"
        )
    }
    changes = []
    for project in projects:
        score = new[project.pk]
        old_total, old_grade, _started = stored.get(project.pk, (None, "", False))
        evaluation = getattr(project, "evaluation", None)
        kept = evaluation is not None and evaluation.status == APPROVED
        changes.append(
            Change(project, old_total, old_grade or "", score.total, score.grade if score.started else "", kept)
        )
    return changes


@transaction.atomic
def choose_rules(*, department: Department, year: int, version: RuleVersion, by, reason: str = "") -> int:
    """Score the department's projects of ``year`` by ``version`` from now on (its approved self-evaluations keep
    theirs); the choice's history records who and when. Returns how many projects' scores changed."""
    from ..scores.store import rescore

    choice = RuleChoice.objects.select_for_update().filter(department=department, year=year).first()
    if choice is None:
        choice = RuleChoice(department=department, year=year)
    elif choice.version_id == version.pk:
        raise ValidationError(
            _("%(department)s %(year)s 年度已按此版本计分。") % {"department": department, "year": year}
        )
    choice.version, choice.chosen_by, choice.reason = version, by, reason.strip()
    choice.full_clean()
    choice.save()
    result = rescore(Project.objects.filter(unit__department=department, year=year))
    return len(result.changed)

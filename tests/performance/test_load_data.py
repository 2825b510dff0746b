"""The synthetic load-test department (performance.load_data, generate_load_data command)."""

from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from budgets.models import Project, Unit
from performance.load_data import generate_load_data
from performance.models import ActualResult, Evaluation, Indicator
from performance.services import score_projects
from performance.targets import Kind, parse_target

pytestmark = pytest.mark.django_db


def snapshot(department_code: str) -> list[tuple]:
    """Everything generated for a department, without primary keys or the department's own codes."""
    rows = []
    projects = Project.objects.filter(unit__department__code=department_code).select_related("evaluation", "goal")
    for project in projects.order_by("unit__order", "order"):
        rows.append(
            (
                project.name.replace(department_code, ""),
                project.full_year_fiscal,
                project.full_year_carryover,
                project.executed_total,
                project.evaluation.status,
                project.evaluation.budget_deviation_reason,
            )
        )
        for indicator in project.indicators.select_related("result").order_by("order"):
            result = indicator.result
            rows.append((indicator.name, indicator.target, result.actual, result.tier, result.evaluator_score))
    return rows


def test_same_seed_gives_the_same_data_and_another_seed_does_not():
    generate_load_data(units=2, projects_per_unit=3, indicators_per_project=8, seed=7, department_code="801")
    generate_load_data(units=2, projects_per_unit=3, indicators_per_project=8, seed=7, department_code="802")
    generate_load_data(units=2, projects_per_unit=3, indicators_per_project=8, seed=8, department_code="803")

    assert snapshot("801") == snapshot("802")
    assert snapshot("801") != snapshot("803")


def test_counts_match_the_arguments():
    summary = generate_load_data(units=3, projects_per_unit=4, indicators_per_project=12, department_code="804")

    assert (summary.units, summary.projects, summary.indicators) == (3, 12, 144)
    assert Unit.objects.filter(department__code="804").count() == 3
    assert Project.objects.filter(unit__department__code="804", year=2021).count() == 12
    assert Indicator.objects.filter(project__unit__department__code="804").count() == 144
    assert ActualResult.objects.filter(indicator__project__unit__department__code="804").count() == 144
    assert Evaluation.objects.filter(project__unit__department__code="804").count() == 12


def test_stored_parse_matches_what_indicator_save_would_store():
    generate_load_data(units=2, projects_per_unit=5, indicators_per_project=12, year=2022, department_code="805")

    indicators = Indicator.objects.filter(project__unit__department__code="805").select_related("level1", "level2")
    kinds = set()
    for indicator in indicators:
        expected = parse_target(indicator.target, cost=indicator.is_cost)
        assert indicator.target_parsed == expected.as_json()
        assert indicator.target_kind == expected.kind
        kinds.add(indicator.target_kind)
    assert {Kind.QUANTITATIVE, Kind.DATE, Kind.QUALITATIVE} <= kinds
    assert indicators.filter(target="2022年12月31日前").exists()


def test_every_project_scores_without_errors_or_problems_and_money_is_by_fund_source():
    generate_load_data(units=4, projects_per_unit=10, indicators_per_project=12, seed=3, department_code="806")
    projects = Project.objects.filter(unit__department__code="806")

    scores = score_projects(projects)

    assert len(scores) == 40
    for project in projects:
        score = scores[project.pk]
        assert [error for row in score.rows for error in row.errors] == []
        assert score.problems == []
        assert project.full_year_total <= Decimal("81")
        parts = project.full_year_fiscal + project.full_year_carryover + project.full_year_other
        assert project.full_year_total == parts
    tiers = set(ActualResult.objects.filter(indicator__project__in=projects).values_list("tier", flat=True))
    assert {"met", "partial", "missed"} <= tiers
    missed = ActualResult.objects.filter(indicator__project__in=projects).exclude(deviation_reason="")
    assert missed.exists()
    statuses = set(Evaluation.objects.filter(project__in=projects).values_list("status", flat=True))
    assert len(statuses) >= 3


def test_command_refuses_an_existing_department_code():
    call_command(
        "generate_load_data",
        "--units",
        "1",
        "--projects-per-unit",
        "2",
        "--indicators-per-project",
        "3",
        "--department",
        "807",
    )

    with pytest.raises(CommandError, match="已存在"):
        call_command("generate_load_data", "--units", "1", "--projects-per-unit", "2", "--department", "807")
    assert Project.objects.filter(unit__department__code="807").count() == 2


def test_generated_data_leaves_postgresql_statistics_fresh_and_sqlite_without_any():
    generate_load_data(units=2, projects_per_unit=3, indicators_per_project=4, department_code="941")

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":  # its planner walks the (grade, total) index only without statistics
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
            assert cursor.fetchone()[0] == 0
        else:
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", ["performance_projectscore"])
            assert cursor.fetchone()[0] == 6  # the 6 projects' scores counted

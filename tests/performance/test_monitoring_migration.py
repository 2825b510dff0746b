"""Migration 0019: every monitoring round that existed before rounds became tasks answers a monitoring task."""

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("performance", "0018_department_years")]
AFTER = [("performance", "0019_spot_checks_and_monitoring_tasks")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


@pytest.fixture
def back_to_the_latest_schema():
    """The tests after this one need every migration applied, whichever comes after 0019 one day."""
    yield
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("back_to_the_latest_schema")
def test_existing_rounds_answer_the_task_finance_issued_or_one_made_for_their_year():
    old = migrate(BEFORE)
    try:
        Department = old.get_model("budgets", "Department")
        Task = old.get_model("performance", "Task")
        Round = old.get_model("performance", "MonitoringRound")
        first = Department.objects.create(code="981", name="甲")
        second = Department.objects.create(code="982", name="乙")
        issued = Task.objects.create(
            kind="monitoring", year=2021, round_number=1, deadline=date(2021, 8, 20), all_departments=False
        )
        issued.departments.add(first)
        Round.objects.create(department=first, year=2021, cut_off=date(2021, 7, 31), status="open")
        Round.objects.create(department=second, year=2021, cut_off=date(2021, 6, 30), status="closed")
        Round.objects.create(department=first, year=2020, cut_off=date(2020, 7, 31), status="open")
    finally:
        new = migrate(AFTER)
    Round = new.get_model("performance", "MonitoringRound")
    rounds = {(r.department.code, r.year): r.task for r in Round.objects.select_related("task", "department")}
    assert rounds[("981", 2021)].pk == issued.pk  # the task finance issued to 甲
    made_2021, made_2020 = rounds[("982", 2021)], rounds[("981", 2020)]
    assert (made_2021.kind, made_2021.year, made_2021.round_number) == ("monitoring", 2021, 1)
    assert made_2021.deadline == date(2021, 7, 31) and made_2021.status == "closed"  # its round is closed
    assert [d.code for d in made_2021.departments.all()] == ["982"] and not made_2021.all_departments
    assert (made_2020.year, made_2020.status) == (2020, "open")

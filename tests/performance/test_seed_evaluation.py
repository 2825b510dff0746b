"""The seed demo scored end to end: actuals entered through the entry service, the JSON export checked by hand,
and the seed year round-tripped through the flat workbook into an empty database."""

import io
from decimal import Decimal

import openpyxl
import pytest

from budgets.models import Department, DepartmentBudget, Project, Unit
from performance.demo import load_demo
from performance.entry_services import EvaluationEntry, ResultEntry, save_evaluation_entry
from performance.exports import evaluations_document
from performance.interchange.export import write_flat_workbook
from performance.interchange.importer import import_workbook
from performance.models import Evaluation
from tests.factories import make_superuser

pytestmark = pytest.mark.django_db


def enter_kepu_actuals(by):
    """科普经费: one count missed (16 of 20), the effect at 90% of its 100% target, the rest met."""
    project = Project.objects.get(name="科普经费")
    actuals = {
        "开展活动场次": ResultEntry(actual="12次"),
        "开展活动次数": ResultEntry(actual="16次", deviation_reason="四场活动因场地原因取消"),
        "完工时间": ResultEntry(actual="按时完成"),
        "总成本": ResultEntry(actual="72.9万元"),
        "提高科普意识": ResultEntry(actual="90%", deviation_reason="部分县区宣传覆盖不足"),
        "满意度": ResultEntry(actual="97%"),
    }
    entry = EvaluationEntry(
        money={"full_year_fiscal": Decimal("81"), "executed_fiscal": Decimal("72.9")},
        goal_actual="全年开展学术活动12次、科普活动16次",
        results={indicator.pk: actuals[indicator.name] for indicator in project.indicators.all()},
    )
    save_evaluation_entry(project=project, data=entry, by=by, version=project.evaluation.version)
    return project


def test_seed_project_scores_as_worked_out_by_hand():
    load_demo()
    project = enter_kepu_actuals(make_superuser())

    document = evaluations_document(Project.objects.filter(pk=project.pk))
    (kepu,) = document["projects"]
    rows = {row["level3"]: row for row in kepu["indicators"]}

    # Default weights: 产出 50 over its four rows (12.50 each), 效益 30, 满意度 10, budget 10.
    assert [row["weight"] for row in kepu["indicators"]] == ["12.50", "12.50", "12.50", "12.50", "30.00", "10.00"]
    assert rows["开展活动场次"]["score"] == "12.50"  # 12 of 12
    assert rows["开展活动次数"]["score"] == "10.00"  # 12.50 × 16/20
    assert rows["完工时间"]["score"] == "12.50"  # qualitative, 按时完成 means 达成: full weight
    assert rows["完工时间"]["target_kind"] == "qualitative"
    assert rows["总成本"]["score"] == "12.50"  # ≤81万元, 72.9 spent
    assert rows["提高科普意识"]["score"] == "27.00"  # 30 × 90/100
    assert rows["满意度"]["score"] == "10.00"  # 97% against ≥95%
    assert [row["level3"] for row in kepu["indicators"] if row["reason_required"]] == ["开展活动次数", "提高科普意识"]
    # Budget: 72.9 of 81 = 0.9000 → 9.00 points; exactly 90% needs no reason.
    assert kepu["budget"]["rate"] == "0.9000"
    assert kepu["budget"]["score"] == "9.00"
    assert kepu["total"] == "93.50"  # 12.50 + 10.00 + 12.50 + 12.50 + 27.00 + 10.00 + 9.00
    assert kepu["grade"] == "优"
    assert kepu["status"] == Evaluation.Status.DRAFT


def empty_the_database():
    DepartmentBudget.objects.all().delete()
    Project.objects.all().delete()
    Unit.objects.all().delete()
    Department.objects.all().delete()


def test_seed_year_round_trips_through_the_flat_workbook_into_an_empty_database():
    load_demo(second_department=False)  # the seed's year
    enter_kepu_actuals(make_superuser())
    before = evaluations_document(Project.objects.filter(year=2021))

    workbook = io.BytesIO()
    write_flat_workbook(Project.objects.filter(year=2021), workbook)
    empty_the_database()
    assert Project.objects.count() == 0
    workbook.seek(0)
    import_workbook(file=workbook)

    after = evaluations_document(Project.objects.filter(year=2021))
    assert len(after["projects"]) == 6
    assert sum(len(p["indicators"]) for p in after["projects"]) == 36
    # Each project's ``department`` object (issue 18) is the department's year as a whole: its main tasks,
    # indicators, 基本支出 and disclosure, which the disclosure carries and the flat workbook of projects does not.
    for document in (before, after):
        for project in document["projects"]:
            project.pop("department")
    for a, b in zip(after["projects"], before["projects"], strict=True):
        for key in a:
            assert a[key] == b[key], (key, a[key], b[key])
    assert after == before


def test_importing_a_workbook_that_uses_a_units_short_name_does_not_rename_it(tmp_path):
    load_demo()
    # The demo's own projects (their targets approved: the sample's differ), under the name the sample uses.
    exported = io.BytesIO()
    write_flat_workbook(Project.objects.filter(unit__code="731001"), exported)
    book = openpyxl.load_workbook(io.BytesIO(exported.getvalue()))
    sheet = book["项目"]
    column = [cell.value for cell in sheet[1]].index("单位名称") + 1
    for row in range(2, sheet.max_row + 1):
        sheet.cell(row=row, column=column).value = "张家口市科协本级"
    book.save(tmp_path / "short-name.xlsx")

    report = import_workbook(file=tmp_path / "short-name.xlsx")

    assert report.counts["单位"] == {}
    unit = Unit.objects.get(code="731001")
    assert unit.name == "张家口市科学技术协会"
    assert unit.short_name == "张家口市科协本级"

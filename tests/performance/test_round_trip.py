"""Nothing lost in a round trip (issue 21): what the entry page saves goes out in the flat workbook and comes
back unchanged, the trial import lists every change (sheet, row, column, old → new), and the self-evaluation's
state and evidence files are references the import checks, never changes."""

from dataclasses import replace
from decimal import Decimal
from io import BytesIO

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from budgets.models import Project
from performance.demo import load_demo
from performance.entry_services import ResultEntry, add_evidence, entry_from_project, save_evaluation_entry
from performance.exports import evaluations_document
from performance.interchange import report as report_module
from performance.interchange.export import write_flat_workbook
from performance.interchange.importer import import_workbook
from performance.interchange.report import NOTHING_CHANGED, CellChange, ImportErrors
from performance.models import ActualResult, Evaluation, Evidence, Indicator, Job
from performance.services import score_project
from performance.workflow.evaluation import approve_evaluation, submit_evaluation
from tests.factories import make_department, make_unit, make_user_with_access
from tests.performance.test_imports import SAMPLE

pytestmark = pytest.mark.django_db

CARAVAN = "科普大篷车经费"
# What kejiguan types on the entry page: 按期完成率 达成, 优质服务率 部分达成 scored 24 (the top of the band,
# which the page flags and keeps as a draft).
CARAVAN_ACTUALS = {
    "累计观众人数": ResultEntry(actual="1.9万人"),
    "参与率": ResultEntry(actual="100%"),
    "按期完成率": ResultEntry(actual="2021年12月", tier="met"),
    "不超过预算控制额": ResultEntry(actual="18万元"),
    "优质服务率": ResultEntry(actual="效果显著", tier="partial", evaluator_score=Decimal("24")),
    "服务对象满意度指标": ResultEntry(actual="96%", deviation_reason="部分偏远学校参与人数少"),
}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def user(name: str):
    return get_user_model().objects.get(username=name)


def save_entry(project: Project, results: dict[str, ResultEntry], by, **money) -> None:
    """Save the entry page's values through its service, as the page does, over what is saved."""
    project = Project.objects.get(pk=project.pk)
    indicators = list(Indicator.objects.filter(project=project).in_order())
    entry = entry_from_project(project=project, indicators=indicators)
    typed = {i.pk: results.get(i.name, entry.results[i.pk]) for i in indicators}
    entry = replace(entry, results=typed, money={**entry.money, **money})
    evaluation, _created = Evaluation.objects.get_or_create(project=project)
    save_evaluation_entry(project=project, data=entry, by=by, version=evaluation.version)


def exported(projects) -> BytesIO:
    buffer = BytesIO()
    write_flat_workbook(projects, buffer)
    buffer.seek(0)
    return buffer


def edited(workbook: BytesIO, sheet: str, match: dict, column: str, value) -> tuple[BytesIO, int]:
    """The workbook with one cell replaced, in the row whose cells match ``match``; and that row's number."""
    book = openpyxl.load_workbook(workbook)
    header = [cell.value for cell in book[sheet][1]]
    for row in book[sheet].iter_rows(min_row=2):
        if all(row[header.index(title)].value == want for title, want in match.items()):
            row[header.index(column)].value = value
            number = row[0].row
            break
    buffer = BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer, number


@pytest.fixture
def caravan(db):
    load_demo()
    project = Project.objects.get(year=2021, name=CARAVAN)
    save_entry(
        project, CARAVAN_ACTUALS, user("kejiguan"), full_year_fiscal=Decimal("20"), executed_fiscal=Decimal("18")
    )
    return project


def results_of(project: Project) -> dict[str, tuple]:
    return {
        r.indicator.name: (r.actual, r.tier, r.evaluator_score, r.reported_score, r.deviation_reason)
        for r in ActualResult.objects.filter(indicator__project=project).select_related("indicator")
    }


def test_kejiguans_tiers_survive_a_round_trip_and_the_trial_lists_the_one_cell_changed(caravan):
    kejiguan = user("kejiguan")
    before, total = results_of(caravan), score_project(caravan).total
    workbook, row = edited(
        exported(Project.objects.filter(unit__code="731005")),
        "指标",
        {"项目名称": CARAVAN, "三级指标": "累计观众人数"},
        "实际完成值",
        "1.95万人",
    )

    trial = import_workbook(file=workbook, dry_run=True, user=kejiguan)

    assert trial.changes == [CellChange("指标", row, "实际完成值", "1.9万人", "1.95万人")]
    assert trial.summary().endswith(
        f"试导入将改动1处（工作表、行、列：原值 → 新值）：\n指标 第{row}行 实际完成值：1.9万人 → 1.95万人"
    )
    assert results_of(caravan) == before  # a trial writes nothing

    workbook.seek(0)
    import_workbook(file=workbook, user=kejiguan)

    after = results_of(caravan)
    assert after["累计观众人数"][0] == "1.95万人"
    assert {name: values for name, values in after.items() if name != "累计观众人数"} == {
        name: values for name, values in before.items() if name != "累计观众人数"
    }
    assert (after["按期完成率"][1], after["优质服务率"][1:3]) == ("met", ("partial", Decimal("24.00")))
    assert score_project(caravan).total == total  # 1.9万 and 1.95万人 both meet ≥1.8万人: the total stays


def test_an_unedited_export_of_a_unit_with_an_approved_project_changes_nothing(caravan):
    # The tier's band is kept as the page keeps it on a draft; a submitted evaluation needs it inside.
    in_band = replace(CARAVAN_ACTUALS["优质服务率"], evaluator_score=Decimal("23"), deviation_reason="宣传不足")
    save_entry(caravan, {"优质服务率": in_band}, user("kejiguan"))
    evaluation = Evaluation.objects.select_related("project").get(project_id=caravan.pk)
    submit_evaluation(evaluation=evaluation, by=user("kejiguan"))
    approve_evaluation(evaluation=evaluation, by=user("shenhe"))
    workbook = exported(Project.objects.filter(unit__code="731005"))

    report = import_workbook(file=workbook, dry_run=True, user=user("kejiguan"))

    assert report.changes == []
    assert report.summary().endswith(NOTHING_CHANGED)
    assert report.as_json()["changes_total"] == 0


def test_a_file_may_not_change_the_self_evaluations_state(caravan):
    workbook, row = edited(
        exported(Project.objects.filter(pk=caravan.pk)), "项目", {"项目名称": CARAVAN}, "自评状态", "已审核"
    )

    with pytest.raises(ImportErrors) as refused:
        import_workbook(file=workbook, user=user("shenhe"))

    assert [str(p) for p in refused.value.problems] == [
        f"项目 第{row}行 自评状态：项目“{CARAVAN}”的自评状态为“草稿”，文件中为“已审核”："
        "导入不能改变自评状态，请在系统中提交、退回、审核或重新打开"
    ]
    assert Evaluation.objects.get(project=caravan).status == Evaluation.Status.DRAFT


def test_evidence_names_go_out_and_come_back_and_an_unknown_name_is_refused(caravan):
    kejiguan = user("kejiguan")
    audience = Indicator.objects.get(project=caravan, name="累计观众人数")
    add_evidence(project=caravan, indicator=audience, file=SimpleUploadedFile("观众签到表.pdf", PDF), by=kejiguan)
    add_evidence(project=caravan, file=SimpleUploadedFile("活动总结.pdf", PDF), by=kejiguan)
    workbook = exported(Project.objects.filter(pk=caravan.pk))
    book = openpyxl.load_workbook(workbook)
    projects, indicators = book["项目"], book["指标"]
    assert projects.cell(row=2, column=[c.value for c in projects[1]].index("佐证材料") + 1).value == "活动总结.pdf"
    evidence_column = [c.value for c in indicators[1]].index("佐证材料")
    assert indicators.cell(row=2, column=evidence_column + 1).value == "观众签到表.pdf"

    workbook.seek(0)
    assert import_workbook(file=workbook, dry_run=True, user=kejiguan).changes == []

    workbook.seek(0)
    unknown, row = edited(workbook, "指标", {"三级指标": "累计观众人数"}, "佐证材料", "观众签到表.pdf\n照片.jpg")
    with pytest.raises(ImportErrors) as refused:
        import_workbook(file=unknown, user=kejiguan)
    assert [str(p) for p in refused.value.problems] == [
        f"指标 第{row}行 佐证材料：佐证材料“照片.jpg”不在系统中：导入不能上传文件，请在填报页上传后再导入，或删去此名称"
    ]

    workbook.seek(0)
    left_out, row = edited(workbook, "指标", {"三级指标": "累计观众人数"}, "佐证材料", None)
    report = import_workbook(file=left_out, user=kejiguan)
    assert report.changes == []
    assert f"指标表第{row}行：文件未列出的佐证材料“观众签到表.pdf”仍保留（导入不删除佐证材料）" in report.notes
    assert Evidence.objects.filter(project=caravan).count() == 2


def test_an_evaluators_score_outside_its_band_is_refused_where_the_file_changes_it(caravan):
    workbook, row = edited(
        exported(Project.objects.filter(pk=caravan.pk)), "指标", {"三级指标": "优质服务率"}, "评价得分", 25
    )

    with pytest.raises(ImportErrors) as refused:
        import_workbook(file=workbook, user=user("kejiguan"))

    assert [str(p) for p in refused.value.problems] == [
        f"指标 第{row}行 评价得分：得分25.00不在“部分达成年度指标并具有一定效果”的分数区间[18.00, 24.00)内"
    ]


def test_the_json_carries_what_the_entry_page_saved(caravan):
    document = evaluations_document(Project.objects.filter(pk=caravan.pk))["projects"][0]

    rows = {row["level3"]: row for row in document["indicators"]}
    assert (rows["按期完成率"]["tier_chosen"], rows["优质服务率"]["tier_chosen"]) == ("met", "partial")
    assert rows["优质服务率"]["evaluator_score"] == "24.00"
    assert rows["服务对象满意度指标"]["deviation_reason"] == "部分偏远学校参与人数少"
    assert document["budget"]["sources"]["fiscal"] == {"initial": None, "full_year": "20.0000", "executed": "18.0000"}


def test_the_commands_trial_prints_every_change(caravan, tmp_path, capsys):
    workbook, row = edited(
        exported(Project.objects.filter(pk=caravan.pk)), "项目", {"项目名称": CARAVAN}, "总分(自评)", 88.5
    )
    path = tmp_path / "edited.xlsx"
    path.write_bytes(workbook.getvalue())

    call_command("import_workbook", str(path), "--dry-run", "--user", "kejiguan", verbosity=0)

    out = capsys.readouterr().out
    assert f"项目 第{row}行 总分(自评)：（空） → 88.5" in out
    assert Evaluation.objects.get(project=caravan).reported_total is None


def test_the_trial_page_shows_the_first_changes_and_offers_the_full_list(client, monkeypatch):
    monkeypatch.setattr(report_module, "CHANGES_KEPT", 3)
    department = make_department(code="731", name="张家口市科学技术协会")
    staff = make_user_with_access(unit=make_unit(department=department, code="731001", name="张家口市科协本级"))
    client.force_login(staff)
    upload = SimpleUploadedFile("sample.xlsx", SAMPLE.read_bytes())

    response = client.post(reverse("performance:workbook-upload"), {"file": upload}, follow=True)

    check = Job.objects.get()
    listed = check.report["import"]
    assert len(listed["changes"]) == 3 and listed["changes_total"] > 3
    page = response.content.decode()
    assert page.count('data-testid="import-change"') == 3
    assert f"以上为前 3 处改动，共 {listed['changes_total']} 处" in page
    assert check.output_name == "改动清单-sample.xlsx"
    download = client.get(reverse("performance:job-download", args=[check.pk]))
    book = openpyxl.load_workbook(BytesIO(b"".join(download.streaming_content)))
    rows = list(book["改动清单"].iter_rows(values_only=True))
    assert rows[0] == ("工作表", "行", "列", "原值", "新值")
    assert len(rows) - 1 == listed["changes_total"]
    assert rows[1] == ("项目", 2, "项目名称", None, "新建项目“科普经费”")

"""The flat workbook import respects who may change what and the approved baseline (issue 14, SPEC section 17)."""

from io import BytesIO, StringIO
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from budgets.models import Access, Department, Project, Unit
from performance.declaration.flows import approve_targets
from performance.declaration.models import TargetSet
from performance.exports import evaluations_document
from performance.interchange.export import write_flat_workbook
from performance.interchange.importer import import_workbook
from performance.interchange.report import ImportErrors
from performance.models import ActualResult, Evaluation, Indicator
from tests.factories import make_department, make_superuser, make_unit, make_user_with_access
from tests.performance.test_imports import SAMPLE, edited_sample, row_counts

pytestmark = pytest.mark.django_db

# The sample's rows: 项目 row 2 is 科普经费; 指标 row 2 its 开展活动场次 (12次, actual 12次), row 3 开展活动次数.
KEPU = "科普经费"


@pytest.fixture
def unit():
    department = make_department(code="731", name="张家口市科学技术协会")
    return make_unit(department=department, code="731001", name="张家口市科协本级")


@pytest.fixture
def staff(unit):
    return make_user_with_access(unit=unit, role=Access.Role.STAFF, username="kexie")


@pytest.fixture
def reviewer(unit):
    return make_user_with_access(role=Access.Role.REVIEWER, department=unit.department, username="shenhe")


@pytest.fixture
def imported(unit):
    """The sample imported without a user (bootstrapping): its four projects' targets declared (已申报)."""
    import_workbook(file=SAMPLE)


def kepu() -> Project:
    return Project.objects.get(name=KEPU)


def approve(project: Project) -> None:
    approve_targets(project=project, by=make_superuser())


def snapshot() -> dict:
    return {
        "counts": row_counts(),
        "results": list(ActualResult.objects.order_by("pk").values()),
        "indicators": list(Indicator.objects.order_by("pk").values()),
        "target_sets": list(TargetSet.objects.order_by("pk").values()),
        "history": (Indicator.history.count(), ActualResult.history.count(), TargetSet.history.count()),
    }


def places(error) -> list[tuple]:
    return [(p.sheet, p.row, p.column, p.message) for p in error.problems]


def as_file(buffer: BytesIO, tmp_path: Path) -> Path:
    path = tmp_path / "edited.xlsx"
    path.write_bytes(buffer.getvalue())
    return path


def web_problems(client, user, buffer: BytesIO) -> list[tuple]:
    """Upload the workbook as ``user``: the trial run's problems (sheet, row, column, message)."""
    client.force_login(user)
    upload = SimpleUploadedFile("edited.xlsx", buffer.getvalue())
    response = client.post(reverse("performance:workbook-upload"), {"file": upload}, follow=True)
    return [(p["sheet"], p["row"], p["column"], p["message"]) for p in response.context["problems"]]


NOT_THEIRS = "您无权修改单位731001的数据（只有该单位的填报人可以）"
APPROVED = "项目“科普经费”的绩效目标已批复，不能直接修改；请提出调整申请"


# --- who may change: a reviewer sees the unit but changes nothing of it ---------------------------------


def test_a_reviewers_import_of_a_units_actuals_is_refused_naming_the_row(imported, reviewer):
    before = snapshot()

    with pytest.raises(ImportErrors) as refused:
        import_workbook(file=edited_sample(("指标", 3, "实际完成值", "19次")), user=reviewer)

    assert places(refused.value) == [("指标", 3, "实际完成值", NOT_THEIRS)]
    assert snapshot() == before


def test_a_reviewers_upload_of_a_units_actuals_is_refused_on_the_web(client, imported, reviewer):
    before = snapshot()

    problems = web_problems(client, reviewer, edited_sample(("指标", 3, "实际完成值", "19次")))

    assert problems == [("指标", 3, "实际完成值", NOT_THEIRS)]
    assert snapshot() == before


def test_a_reviewers_import_command_is_refused_and_names_the_row(imported, reviewer, tmp_path, capsys):
    before = snapshot()
    path = as_file(edited_sample(("指标", 3, "实际完成值", "19次")), tmp_path)

    with pytest.raises(CommandError, match="工作簿有1处错误，未导入任何数据"):
        call_command("import_workbook", str(path), user="shenhe")

    assert f"指标 第3行 实际完成值：{NOT_THEIRS}" in capsys.readouterr().err
    assert snapshot() == before


def test_a_reviewer_may_leave_unchanged_rows_in_the_file(imported, reviewer):
    report = import_workbook(file=SAMPLE, user=reviewer)

    assert report.counts["实际完成值"] == {"unchanged": 24}


def test_a_reviewer_may_not_create_a_project(unit, reviewer):
    with pytest.raises(ImportErrors) as refused:
        import_workbook(file=SAMPLE, user=reviewer)

    first = places(refused.value)[0]
    assert first == ("项目", 2, "项目名称", "新建项目：您无权修改单位731001的绩效目标（只有该单位的填报人可以）")
    assert not Project.objects.exists()


def test_finance_may_not_change_a_units_actuals(imported):
    finance = make_user_with_access(role=Access.Role.FINANCE)

    with pytest.raises(ImportErrors) as refused:
        import_workbook(file=edited_sample(("指标", 3, "实际完成值", "19次")), user=finance)

    assert places(refused.value) == [("指标", 3, "实际完成值", NOT_THEIRS)]


def test_the_import_command_refuses_an_unknown_user(imported, tmp_path):
    with pytest.raises(CommandError, match="没有用户nobody"):
        call_command("import_workbook", str(SAMPLE), user="nobody")


def test_the_units_staff_import_their_actuals(imported, staff):
    import_workbook(file=edited_sample(("指标", 3, "实际完成值", "19次")), user=staff)

    assert Indicator.objects.get(name="开展活动次数").result.actual == "19次"


# --- the states bind everyone: an approved baseline, a submitted or approved self-evaluation ---------------


def test_a_changed_approved_target_is_refused_without_a_user(imported):
    approve(kepu())
    before = snapshot()

    with pytest.raises(ImportErrors) as refused:
        import_workbook(file=edited_sample(("指标", 2, "指标值", "13次")))

    assert places(refused.value) == [("指标", 2, "指标值", APPROVED)]
    assert snapshot() == before


def test_a_changed_approved_target_is_refused_for_a_superuser_on_the_web(client, imported):
    approve(kepu())
    before = snapshot()

    problems = web_problems(client, make_superuser(), edited_sample(("指标", 2, "指标值", "13次")))

    assert problems == [("指标", 2, "指标值", APPROVED)]
    assert snapshot() == before


def test_a_changed_approved_target_is_refused_by_the_command_without_a_user(imported, tmp_path, capsys):
    approve(kepu())
    before = snapshot()
    path = as_file(edited_sample(("指标", 2, "指标值", "13次")), tmp_path)

    with pytest.raises(CommandError):
        call_command("import_workbook", str(path))

    assert f"指标 第2行 指标值：{APPROVED}" in capsys.readouterr().err
    assert snapshot() == before


def test_an_indicator_removed_from_approved_targets_is_named_on_the_projects_row(imported):
    approve(kepu())

    with pytest.raises(ImportErrors) as refused:
        import_workbook(file=edited_sample(drop_rows=(("指标", 7),)))  # 科普经费 / 满意度

    assert places(refused.value) == [("项目", 2, "项目名称", f"删除了指标“满意度”：{APPROVED}")]
    assert Indicator.objects.filter(project__name=KEPU).count() == 6


def test_an_unchanged_reimport_of_an_approved_project_is_accepted(imported, staff):
    approve(kepu())

    for user in (None, staff):
        report = import_workbook(file=SAMPLE, user=user)
        assert report.counts["绩效指标"] == {"unchanged": 24}
    assert TargetSet.objects.get(project=kepu()).status == TargetSet.Status.APPROVED


def test_actuals_of_an_approved_project_may_still_change_while_its_evaluation_is_a_draft(imported, staff):
    approve(kepu())

    import_workbook(file=edited_sample(("指标", 3, "实际完成值", "19次")), user=staff)

    assert Indicator.objects.get(name="开展活动次数").result.actual == "19次"


def test_an_actuals_change_of_a_submitted_evaluation_is_refused_even_without_a_user(imported, staff):
    Evaluation.objects.filter(project__name=KEPU).update(status=Evaluation.Status.SUBMITTED)
    before = snapshot()
    submitted = "项目“科普经费”的绩效自评已提交，不能修改实际完成值；如需修改请先由审核人退回或重新打开"

    for user in (None, staff):
        with pytest.raises(ImportErrors) as refused:
            import_workbook(
                file=edited_sample(("指标", 3, "实际完成值", "19次"), ("项目", 2, "执行偏差原因", "x")), user=user
            )
        assert places(refused.value) == [("项目", 2, "执行偏差原因", submitted), ("指标", 3, "实际完成值", submitted)]
    assert snapshot() == before


def test_submitted_targets_are_not_changed_by_an_import(imported, staff):
    with pytest.raises(ImportErrors) as refused:
        import_workbook(file=edited_sample(("指标", 2, "指标值", "13次")), user=staff)

    assert places(refused.value) == [("指标", 2, "指标值", "项目“科普经费”的绩效目标已申报，正在审核，不能修改")]


# --- 目标状态: what the file declares -------------------------------------------------------------------


def with_status(*states: str, source=SAMPLE) -> BytesIO:
    """The workbook with a 目标状态 column, one state a 项目 row (from row 2)."""
    book = openpyxl.load_workbook(source)
    sheet = book["项目"]
    column = sheet.max_column + 1
    sheet.cell(row=1, column=column).value = "目标状态"
    for row, state in enumerate(states, start=2):
        sheet.cell(row=row, column=column).value = state
    buffer = BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


def statuses() -> dict[str, str]:
    return {p.name: getattr(getattr(p, "target_set", None), "status", None) for p in Project.objects.all()}


def test_an_import_declares_the_targets_it_carries(unit, staff):
    report = import_workbook(file=SAMPLE, user=staff)

    assert set(statuses().values()) == {TargetSet.Status.SUBMITTED}
    target_set = TargetSet.objects.get(project=kepu())
    assert (target_set.submitted_by, target_set.history.first().history_user) == (staff, staff)
    assert "绩效目标已申报：4个项目" in report.notes


def test_a_draft_stays_a_draft_when_the_file_says_so_or_changes_nothing(unit, staff):
    import_workbook(file=with_status("编制中", "编制中", "编制中", "编制中"), user=staff)
    assert set(statuses().values()) == {TargetSet.Status.DRAFT}

    import_workbook(file=SAMPLE, user=staff)  # nothing changed: not submitted behind the unit's back
    assert set(statuses().values()) == {TargetSet.Status.DRAFT}

    import_workbook(file=edited_sample(("指标", 2, "指标值", "13次")), user=staff)  # changed: declared
    assert statuses()[KEPU] == TargetSet.Status.SUBMITTED
    assert statuses()["老科学技术工作者协会工作经费"] == TargetSet.Status.DRAFT


def test_approved_in_a_file_approves_through_the_flow_for_a_superuser(unit):
    import_workbook(file=with_status("已批复", "已申报", "编制中", ""))

    assert list(statuses().values()) == ["approved", "submitted", "draft", "submitted"]
    target_set = TargetSet.objects.get(project=kepu())
    assert target_set.baseline.count() == 6
    assert target_set.baseline_goal


def test_the_units_staff_may_not_approve_their_own_targets_by_file(unit, staff):
    with pytest.raises(ImportErrors) as refused:
        import_workbook(file=with_status("已批复"), user=staff)

    assert places(refused.value) == [("项目", 2, "目标状态", "目标状态“已批复”：您无权对项目“科普经费”进行此操作")]
    assert not Project.objects.exists()


def test_a_file_may_not_take_approved_targets_back(imported):
    approve(kepu())

    with pytest.raises(ImportErrors) as refused:
        import_workbook(file=with_status("已申报"))

    message = "项目“科普经费”的绩效目标已批复，不能改为“已申报”；批复后的目标只能通过调整申请修改"
    assert places(refused.value) == [("项目", 2, "目标状态", message)]


def test_an_unknown_state_is_refused(unit):
    with pytest.raises(ImportErrors) as refused:
        import_workbook(file=with_status("通过"))

    assert places(refused.value) == [
        ("项目", 2, "目标状态", "“通过”不是目标状态（应为编制中、已申报、已退回、已批复之一，或留空）")
    ]


def test_export_then_import_into_an_empty_database_keeps_the_targets_states(imported):
    approve(kepu())
    TargetSet.objects.filter(project__name="老科学技术工作者协会工作经费").update(status=TargetSet.Status.RETURNED)
    exported = BytesIO()
    write_flat_workbook(Project.objects.all(), exported)
    before = evaluations_document(Project.objects.all())["projects"]
    sheet = openpyxl.load_workbook(BytesIO(exported.getvalue()))["项目"]
    column = [cell.value for cell in sheet[1]].index("目标状态")
    states = [row[column] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert states == ["已批复", "已申报", "已申报", "已退回"]

    for model in (Project, Unit, Department):  # everything of the projects goes with them
        model.objects.all().delete()
    assert not Unit.objects.exists() and not TargetSet.objects.exists()
    exported.seek(0)
    import_workbook(file=exported)

    after = evaluations_document(Project.objects.all())["projects"]
    assert [p["targets_status"] for p in after] == ["approved", "submitted", "submitted", "returned"]
    assert after == before
    assert TargetSet.objects.get(project=kepu()).baseline.count() == 6


# --- approve_targets --------------------------------------------------------------------------------


def test_approve_targets_approves_the_submitted_targets_one_line_a_project(imported, reviewer, capsys):
    approve(kepu())

    call_command("approve_targets", year=2021, user="shenhe")

    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "731001 全民科学素质行动计划专项经费 已批复",
        "731001 开展科技工作者助力精准扶贫经费 已批复",
        "731001 老科学技术工作者协会工作经费 已批复",
        "共批复3个项目的绩效目标。",
    ]
    assert set(statuses().values()) == {TargetSet.Status.APPROVED}
    assert TargetSet.objects.filter(baseline__isnull=False).distinct().count() == 4
    assert TargetSet.objects.get(project__name="老科学技术工作者协会工作经费").reviewed_by == reviewer


def test_approve_targets_refuses_a_user_who_may_not_and_writes_nothing(imported, staff, capsys):
    before = snapshot()

    err = StringIO()
    # A CommandError is the command's non-zero exit (run_from_argv prints it and exits 1); called in-process,
    # since run_from_argv would also close the test's database connection.
    with pytest.raises(CommandError, match="用户kexie不能批复其中4个项目的绩效目标，未批复任何项目。"):
        call_command("approve_targets", year=2021, user="kexie", stderr=err)

    assert "731001 科普经费：您无权对项目“科普经费”进行此操作" in err.getvalue()
    assert snapshot() == before


def test_approve_targets_says_when_nothing_is_waiting(imported, reviewer, capsys):
    for project in Project.objects.all():
        approve(project)

    call_command("approve_targets", year=2021, unit="731001", user="shenhe")

    assert capsys.readouterr().out.strip() == "2021年度没有待批复（已申报）的绩效目标。"


def test_approve_targets_refuses_an_unknown_user_or_unit(imported, reviewer):
    with pytest.raises(CommandError, match="没有用户nobody"):
        call_command("approve_targets", year=2021, user="nobody")
    with pytest.raises(CommandError, match="没有编码为999的单位"):
        call_command("approve_targets", year=2021, unit="999", user="shenhe")


def test_a_reviewer_may_not_rename_a_unit_nor_staff_their_department(imported, staff, reviewer):
    renamed = edited_sample(*[("项目", row, "单位名称", "科协机关") for row in range(2, 6)])
    with pytest.raises(ImportErrors) as refused:
        import_workbook(file=renamed, user=reviewer)
    assert places(refused.value)[0] == ("项目", 2, "单位名称", "您无权修改单位731001的名称（只有该单位的填报人可以）")

    moved = edited_sample(*[("项目", row, "主管部门", "科协") for row in range(2, 6)])
    with pytest.raises(ImportErrors) as refused:
        import_workbook(file=moved, user=staff)
    assert places(refused.value) == [("项目", 2, "主管部门", "只有系统管理员可以修改主管部门的名称")]
    assert Department.objects.get(code="731").name == "张家口市科学技术协会"

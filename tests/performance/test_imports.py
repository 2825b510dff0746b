"""Importing the flat interchange workbook (SPEC section 11)."""

from decimal import Decimal
from io import BytesIO
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from budgets.models import Access, Department, Project, Unit
from performance.declaration.models import TargetSet
from performance.history import project_history
from performance.interchange import importer, read, write
from performance.interchange.export import write_flat_workbook
from performance.interchange.importer import import_workbook
from performance.interchange.report import ImportErrors, ImportReport
from performance.load_data import generate_load_data
from performance.models import ActualResult, Evaluation, Indicator, ProjectGoal
from performance.scoring import BudgetInput, RowInput, row_weights, score_evaluation, weight_problems
from tests.factories import make_department, make_superuser, make_unit, make_user_with_access

# A copy of /work/shared/samples/seed-2021-731001-sample-actuals.xlsx (SPEC section 11's sample).
SAMPLE = Path(__file__).parent / "data" / "seed-2021-731001-sample-actuals.xlsx"

pytestmark = pytest.mark.django_db


def edited_sample(*edits: tuple[str, int, str, object], drop_rows: tuple[tuple[str, int], ...] = ()) -> BytesIO:
    """The sample workbook with cells replaced: (sheet, row, column title, value)."""
    book = openpyxl.load_workbook(SAMPLE)
    for sheet, row, title, value in edits:
        header = [cell.value for cell in book[sheet][1]]
        book[sheet].cell(row=row, column=header.index(title) + 1).value = value
    for sheet, row in sorted(drop_rows, reverse=True):
        book[sheet].delete_rows(row)
    buffer = BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


def row_counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Department, Unit, Project, ProjectGoal, Evaluation, Indicator, ActualResult)
    }


def test_import_of_the_sample_creates_its_rows():
    report = import_workbook(file=SAMPLE)

    assert row_counts() == {
        "Department": 1,
        "Unit": 1,
        "Project": 4,
        "ProjectGoal": 4,
        "Evaluation": 4,
        "Indicator": 24,
        "ActualResult": 24,
    }
    assert report.counts["绩效指标"]["created"] == 24
    unit = Unit.objects.get(code="731001")
    assert (unit.name, unit.department.code, unit.department.name) == (
        "张家口市科协本级",
        "731",
        "张家口市科学技术协会",
    )
    science = Project.objects.get(name="科普经费")
    assert (science.year, science.code, science.unit) == (2021, "", unit)
    assert science.full_year_total == Decimal("81.0000")
    assert science.executed_total == Decimal("78.6000")
    assert science.executed_fiscal == Decimal("78.6000")
    assert science.executed_carryover is None
    assert science.goal.text == "用于开展学术及科普活动，组织科普宣讲活动，鼓励并积极参加科技大赛"
    assert science.evaluation.goal_actual == "全年开展学术活动12次、科普活动18次"
    assert [i.name for i in science.indicators.order_by("order")] == [
        "开展活动场次",
        "开展活动次数",
        "完工时间",
        "总成本",
        "提高科普意识",
        "满意度",
    ]
    poverty = Project.objects.get(name="开展科技工作者助力精准扶贫经费")
    assert poverty.evaluation.budget_deviation_reason == "一次培训推迟，相应经费未支出"
    planting = poverty.indicators.get(name="提高种植技术")
    assert (planting.level1.name, planting.level1_as_written) == ("效益指标", "效果指标")
    assert (planting.level2.name, planting.level2_as_written) == ("社会效益指标", "")
    assert planting.target_kind == "qualitative"
    assert planting.result.tier == ActualResult.Tier.PARTIAL
    assert (planting.result.evaluator_score, planting.result.reported_score) == (Decimal("20.00"), None)
    count = poverty.indicators.get(name="培训次数")
    assert (count.target, count.target_kind, count.result.actual) == ("5次", "quantitative", "4次")
    assert count.result.deviation_reason == "一次培训因农忙推迟至次年"
    veterans = Project.objects.get(name="老科学技术工作者协会工作经费")
    assert [i.weight for i in veterans.indicators.order_by("order")] == [
        Decimal(w) for w in ("15", "10", "10", "15", "30", "10")
    ]
    assert Indicator.objects.filter(project=science, weight__isnull=False).count() == 0


def test_alias_mapping_is_reported_not_silent():
    report = import_workbook(file=SAMPLE)

    assert report.notes == ["一级指标“效果指标”按标准名称“效益指标”导入：指标表第18行", "绩效目标已申报：4个项目"]
    assert "效果指标" in report.summary()


def test_importing_the_same_file_twice_changes_nothing():
    import_workbook(file=SAMPLE)
    before = row_counts()
    history_before = Indicator.history.count() + ActualResult.history.count()

    report = import_workbook(file=SAMPLE)

    assert row_counts() == before
    assert Indicator.history.count() + ActualResult.history.count() == history_before
    for kind, counts in report.counts.items():
        assert counts["created"] == counts["updated"] == counts["deleted"] == 0, kind
    assert report.counts["绩效指标"]["unchanged"] == 24


def test_dry_run_reports_what_would_change_and_writes_nothing():
    report = import_workbook(file=SAMPLE, dry_run=True)

    assert report.counts["项目"]["created"] == 4
    assert report.counts["绩效指标"]["created"] == 24
    assert "试导入" in report.summary()
    assert Project.objects.count() == 0
    assert Department.objects.count() == 0


def test_three_bad_cells_are_refused_with_three_messages_and_nothing_written():
    import_workbook(file=SAMPLE)
    before = row_counts()
    bad = edited_sample(
        ("指标", 2, "实际完成值", "12万元"),  # the target is 12次
        ("指标", 3, "一级指标", None),
        ("项目", 4, "全年执行数", 30),  # its only fund source says 21.3
    )

    with pytest.raises(ImportErrors) as refused:
        import_workbook(file=bad)

    assert [(p.sheet, p.row, p.column) for p in refused.value.problems] == [
        ("项目", 4, "全年执行数"),
        ("指标", 2, "实际完成值"),
        ("指标", 3, "一级指标"),
    ]
    assert [str(p) for p in refused.value.problems] == [
        "项目 第4行 全年执行数：30与各资金来源之和21.3（财政拨款21.3）不一致，相差8.7",
        "指标 第2行 实际完成值：实际完成值“12万元”的单位与指标值“12次”的单位不一致",
        "指标 第3行 一级指标：必填，不能为空",
    ]
    assert row_counts() == before
    assert Project.objects.get(name="开展科技工作者助力精准扶贫经费").executed_total == Decimal("21.3000")


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            ("指标", 2, "一级指标", "产出类指标"),
            "指标 第2行 一级指标：“产出类指标”既不是标准一级指标，也不是已知的别名",
        ),
        (
            ("指标", 2, "二级指标", "社会效益指标"),
            "指标 第2行 二级指标：“社会效益指标”不属于一级指标“产出指标”（它属于效益指标）",
        ),
        (("指标", 2, "实际完成值", "-3次"), "指标 第2行 实际完成值：实际完成值“-3次”不能为负数。"),
        (("项目", 2, "全年预算数", "八十一"), "项目 第2行 全年预算数：“八十一”不是数字"),
        (("项目", 2, "年初预算数", -1), "项目 第2行 年初预算数：-1为负数，不能为负"),
        (("指标", 2, "项目名称", "没有的项目"), "指标 第2行 项目名称：项目“没有的项目”既不在“项目”表中，也不在系统中"),
        (
            ("指标", 18, "得分(自评)", 25),  # 部分达成 of 30 points: [18, 24)
            "指标 第18行 得分(自评)：得分25.00不在“部分达成年度指标并具有一定效果”的分数区间[18.00, 24.00)内",
        ),
        (
            ("指标", 20, "分值", 20),  # the 老科协 weights then sum to 95 + 10
            "指标 第20行 分值：项目“老科学技术工作者协会工作经费”的指标分值合计95.00，"
            "加预算执行率10分共105.00分，应为100分",
        ),
    ],
)
def test_each_kind_of_bad_cell_is_named(edit, message):
    with pytest.raises(ImportErrors) as refused:
        import_workbook(file=edited_sample(edit))

    assert [str(p) for p in refused.value.problems] == [message]
    assert Project.objects.count() == 0


def test_a_missing_column_is_refused():
    book = openpyxl.load_workbook(SAMPLE)
    book["指标"].delete_cols(9)  # 指标值
    buffer = BytesIO()
    book.save(buffer)
    buffer.seek(0)

    with pytest.raises(ImportErrors) as refused:
        import_workbook(file=buffer)

    assert [str(p) for p in refused.value.problems] == ["指标 第1行 指标值：缺少此列"]


def saved(book) -> BytesIO:
    buffer = BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


def test_titles_below_row_1_are_refused_as_missing_columns():
    book = openpyxl.load_workbook(SAMPLE)
    book["指标"].insert_rows(1, amount=2)

    with pytest.raises(ImportErrors) as refused:
        import_workbook(file=saved(book))

    assert str(refused.value.problems[0]) == "指标 第1行 年度：缺少此列"
    assert not Project.objects.exists()


def test_an_empty_first_column_and_empty_rows_keep_the_sheets_own_row_numbers():
    book = openpyxl.load_workbook(SAMPLE)
    sheet = book["指标"]
    sheet.insert_cols(1)
    sheet.insert_rows(5, amount=3)  # three empty rows: the sample's 5th row is now the 8th
    header = [cell.value for cell in sheet[1]]
    sheet.cell(row=8, column=header.index("分值") + 1).value = "十"

    with pytest.raises(ImportErrors) as refused:
        import_workbook(file=saved(book))

    assert [str(p) for p in refused.value.problems if p.row == 8] == ["指标 第8行 分值：“十”不是数字"]


def test_a_value_repeated_on_many_rows_is_read_into_one_object():
    projects, items, _problems = read.read_rows(SAMPLE, ImportReport(), lambda message: None)

    bases = [item.basis for item in items if item.basis == "计划标准"]
    assert len(bases) > 1 and all(basis is bases[0] for basis in bases)
    science = projects[0].money  # 科普经费: 81 budgeted at the start and for the year, all of it fiscal
    assert science["initial_total"] is science["full_year_total"] is science["initial_fiscal"]


def test_equal_amounts_read_once_keep_their_own_places_and_sign():
    book = openpyxl.load_workbook(SAMPLE)
    header = [cell.value for cell in book["项目"][1]]
    edits = ((3, "执行率得分(自评)", 9), (4, "年初预算数-上年结转", "-0"), (5, "年初预算数-上年结转", 0))
    for row, title, value in edits:
        book["项目"].cell(row=row, column=header.index(title) + 1).value = value

    projects, _items, problems = read.read_rows(saved(book), ImportReport(), lambda message: None)

    assert problems == []
    assert (str(projects[1].reported_budget_score), str(projects[1].money["initial_total"])) == ("9.00", "9.0000")
    assert [str(p.money["initial_carryover"]) for p in projects[2:]] == ["-0.0000", "0.0000"]


def test_a_qualitative_score_without_tier_sets_the_tier():
    import_workbook(
        file=edited_sample(("指标", 18, "实际完成值", "培训覆盖全部帮扶村"), ("指标", 18, "得分(自评)", 27))
    )

    result = Indicator.objects.get(name="提高种植技术").result
    assert (result.tier, result.evaluator_score) == (ActualResult.Tier.MET, Decimal("27.00"))


def returned_for_changes() -> None:
    """The reviewer sent the declared targets back: the unit may change them again (issue 14)."""
    TargetSet.objects.update(status=TargetSet.Status.RETURNED)


def test_rows_no_longer_listed_are_deleted_and_reported():
    import_workbook(file=SAMPLE)
    returned_for_changes()

    report = import_workbook(file=edited_sample(drop_rows=(("指标", 7),)))  # 科普经费 / 满意度

    assert report.counts["绩效指标"]["deleted"] == 1
    assert any("科普经费/满意度" in note for note in report.notes)
    science = Project.objects.get(name="科普经费")
    assert [i.name for i in science.indicators.order_by("order")] == [
        "开展活动场次",
        "开展活动次数",
        "完工时间",
        "总成本",
        "提高科普意识",
    ]
    assert Indicator.objects.count() == 23


def test_a_changed_actual_updates_the_row_in_place():
    import_workbook(file=SAMPLE)
    indicator = Indicator.objects.get(name="开展活动次数")

    report = import_workbook(file=edited_sample(("指标", 3, "实际完成值", "19次")))

    indicator.refresh_from_db()
    assert indicator.result.actual == "19次"
    assert report.counts["实际完成值"]["updated"] == 1
    assert report.counts["绩效指标"] == {"unchanged": 24}


def test_an_approved_evaluation_is_refused():
    import_workbook(file=SAMPLE)
    Evaluation.objects.filter(project__name="科普经费").update(status=Evaluation.Status.APPROVED)

    with pytest.raises(ImportErrors) as refused:
        import_workbook(file=edited_sample(("指标", 3, "实际完成值", "19次")))

    assert [(p.sheet, p.row, p.column) for p in refused.value.problems] == [("指标", 3, "实际完成值")]
    assert "已审核" in str(refused.value.problems[0])
    assert Indicator.objects.get(name="开展活动次数").result.actual == "18次"


def test_an_approved_project_left_as_it_is_does_not_stop_changes_to_the_others():
    import_workbook(file=SAMPLE)
    Evaluation.objects.filter(project__name="科普经费").update(status=Evaluation.Status.APPROVED)
    approved_before = list(ActualResult.objects.filter(indicator__project__name="科普经费").values_list())
    other = ActualResult.objects.exclude(indicator__project__name="科普经费").select_related("indicator").first()
    sheet = openpyxl.load_workbook(SAMPLE)["指标"]
    header = [cell.value for cell in sheet[1]]
    row = next(
        n
        for n, values in enumerate(sheet.iter_rows(min_row=2, values_only=True), start=2)
        if values[header.index("项目名称")] == other.indicator.project.name
        and values[header.index("三级指标")] == other.indicator.name
    )

    report = import_workbook(file=edited_sample(("指标", row, "偏差原因分析及改进措施", "补充说明")))

    assert report.counts["实际完成值"]["updated"] == 1
    other.refresh_from_db()
    assert other.deviation_reason == "补充说明"
    assert list(ActualResult.objects.filter(indicator__project__name="科普经费").values_list()) == approved_before


def test_a_refused_change_to_an_approved_project_writes_nothing_else_either():
    import_workbook(file=SAMPLE)
    Evaluation.objects.filter(project__name="科普经费").update(status=Evaluation.Status.APPROVED)
    before = list(ActualResult.objects.order_by("pk").values_list())
    history = ActualResult.history.count()

    with pytest.raises(ImportErrors):
        import_workbook(
            file=edited_sample(("指标", 3, "实际完成值", "19次"), ("项目", 3, "年度总体目标", "改过的目标"))
        )

    assert list(ActualResult.objects.order_by("pk").values_list()) == before
    assert ActualResult.history.count() == history
    assert not ProjectGoal.objects.filter(text="改过的目标").exists()


def test_a_user_may_import_only_their_own_units():
    department = make_department(code="731", name="张家口市科学技术协会")
    make_unit(department=department, code="731001", name="张家口市科协本级")
    outsider = make_user_with_access(unit=make_unit(department=department, code="731005", name="张家口市科技馆"))

    with pytest.raises(ImportErrors) as refused:
        import_workbook(file=SAMPLE, user=outsider)

    problems = refused.value.problems
    assert len(problems) == 4 + 24
    assert {(p.column, p.message) for p in problems} == {("单位编码", "您无权导入单位731001的数据")}
    assert Project.objects.count() == 0


def test_staff_of_the_unit_may_import_it():
    department = make_department(code="731", name="张家口市科学技术协会")
    unit = make_unit(department=department, code="731001", name="张家口市科协本级")
    staff = make_user_with_access(unit=unit, role=Access.Role.STAFF)

    import_workbook(file=SAMPLE, user=staff)

    assert Project.objects.filter(unit=unit).count() == 4


def test_only_a_superuser_may_create_units():
    staff = make_user_with_access()

    with pytest.raises(ImportErrors) as refused:
        import_workbook(file=SAMPLE, user=staff)
    assert refused.value.problems[0].message == "单位731001不存在，只有系统管理员可以新建单位"

    import_workbook(file=SAMPLE, user=make_superuser())
    assert Unit.objects.filter(code="731001").exists()


def test_command_prints_every_error_and_exits_non_zero(capsys):
    path = Path(__file__).parent / "bad-workbook.xlsx"
    try:
        path.write_bytes(edited_sample(("指标", 2, "实际完成值", "12万元"), ("指标", 3, "一级指标", "")).getvalue())
        with pytest.raises(CommandError, match="工作簿有2处错误，未导入任何数据"):
            call_command("import_workbook", str(path))
    finally:
        path.unlink(missing_ok=True)
    err = capsys.readouterr().err
    assert "指标 第2行 实际完成值：" in err
    assert "指标 第3行 一级指标：必填，不能为空" in err
    assert Project.objects.count() == 0


def test_command_dry_run_prints_the_summary(capsys):
    call_command("import_workbook", str(SAMPLE), "--dry-run")

    out = capsys.readouterr().out
    assert "试导入（未写入数据库）" in out
    assert "绩效指标：新建24" in out
    assert Project.objects.count() == 0


def test_command_refuses_a_missing_file():
    with pytest.raises(CommandError, match="找不到文件"):
        call_command("import_workbook", "/nonexistent/file.xlsx")


def test_command_keeps_no_log_of_its_sql_statements_even_with_debug_on(settings, capsys):
    settings.DEBUG = True
    reset_queries()

    call_command("import_workbook", str(SAMPLE))

    assert connection.queries == []
    assert settings.DEBUG is True
    assert "绩效指标：新建24" in capsys.readouterr().out


def doubled_sample() -> BytesIO:
    """The sample with every project twice (the copies renamed): eight projects, 48 indicators."""
    book = openpyxl.load_workbook(SAMPLE)
    for sheet, name_column in (("项目", 7), ("指标", 4)):
        rows = list(book[sheet].iter_rows(min_row=2, values_only=True))
        for row in rows:
            copy = list(row)
            copy[name_column - 1] = f"{copy[name_column - 1]}（二）"
            book[sheet].append(copy)
    buffer = BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


def test_import_queries_do_not_grow_with_the_rows():
    with CaptureQueriesContext(connection) as small:
        import_workbook(file=SAMPLE, dry_run=True)
    with CaptureQueriesContext(connection) as large:
        report = import_workbook(file=doubled_sample(), dry_run=True)

    assert report.counts["绩效指标"]["created"] == 48
    assert len(large) == len(small)


# --- the audit trail: every row written has its history record, with the user and the import -------

REASON = "导入绩效工作簿“seed-2021-731001-sample-actuals.xlsx”"
AUDITED = (ProjectGoal, Evaluation, Indicator, ActualResult)


def audit_trail(model) -> set[tuple]:
    return set(model.history.values_list("history_type", "history_user", "history_change_reason"))


def test_every_row_the_import_creates_has_its_history_record_with_the_user_and_the_reason():
    user = make_superuser()
    started = timezone.now()

    import_workbook(file=SAMPLE, user=user)

    when = {record.history_date for model in AUDITED for record in model.history.all()}
    assert len(when) == 1 and started <= when.pop() <= timezone.now()
    for model in AUDITED:
        fields = [field.attname for field in model.history.model.tracked_fields]
        assert list(model.history.order_by("id").values_list(*fields)) == list(
            model.objects.order_by("id").values_list(*fields)
        ), model.__name__
        assert audit_trail(model) == {("+", user.pk, REASON)}, model.__name__
    assert ActualResult.history.count() == 24


def test_a_row_the_import_changes_gets_a_change_record_with_the_user_and_the_reason():
    import_workbook(file=SAMPLE)
    user = make_superuser()

    import_workbook(file=edited_sample(("指标", 3, "实际完成值", "19次")), user=user)

    result = Indicator.objects.get(name="开展活动次数").result
    latest = result.history.first()
    assert (latest.history_type, latest.history_user, latest.history_change_reason) == ("~", user, "导入绩效工作簿")
    assert (latest.actual, latest.prev_record.actual) == ("19次", "18次")
    assert ActualResult.history.count() == 25
    assert Indicator.history.count() == 24


def test_rows_the_import_deletes_get_deletion_records_with_the_user_and_the_reason():
    import_workbook(file=SAMPLE)
    returned_for_changes()
    indicator = Indicator.objects.get(project__name="科普经费", name="满意度")
    user = make_superuser()

    import_workbook(file=edited_sample(drop_rows=(("指标", 7),)), user=user)

    deleted = [
        Indicator.history.get(id=indicator.pk, history_type="-"),
        ActualResult.history.get(indicator_id=indicator.pk, history_type="-"),
    ]
    assert [(r.history_user, r.history_change_reason) for r in deleted] == [(user, "导入绩效工作簿")] * 2


def test_the_project_history_names_who_imported():
    user = make_superuser(username="importer")

    import_workbook(file=SAMPLE, user=user)

    entries = project_history(Project.objects.get(name="科普经费"))
    assert len(entries) == 1 + 1 + 1 + 6 + 6  # goal, evaluation, the declaration, six indicators and their results
    assert {(entry.who, entry.kind, entry.reason) for entry in entries} == {("importer", "新建", REASON)}


def test_progress_is_told_the_row_counts_every_few_thousand_rows(monkeypatch, tmp_path):
    generate_load_data(units=2, projects_per_unit=10, indicators_per_project=12, department_code="811")
    path = tmp_path / "flat.xlsx"
    write_flat_workbook(Project.objects.all(), str(path))
    Project.objects.all().delete()
    Unit.objects.all().delete()
    Department.objects.all().delete()
    monkeypatch.setattr(read, "PROGRESS_ROWS", 100)
    monkeypatch.setattr(write, "BATCH", 100)
    messages = []

    report = import_workbook(file=path, progress=messages.append)

    assert report.counts["绩效指标"]["created"] == 240
    assert "正在校验：指标表200/240行……" in messages
    assert [m for m in messages if m.startswith("正在写入绩效指标")] == [
        "正在写入绩效指标：100/240……",
        "正在写入绩效指标：200/240……",
        "正在写入绩效指标：240/240……",
    ]
    assert Indicator.history.filter(history_type="+").count() == 240


@pytest.mark.parametrize("batch", [1, 5, 2000])
def test_an_import_written_a_few_rows_at_a_time_changes_and_deletes_what_one_written_at_once_does(monkeypatch, batch):
    monkeypatch.setattr(write, "BATCH", batch)  # the sample's 4 projects and 24 indicators in 24, 5 or 1 batches
    import_workbook(file=SAMPLE)
    returned_for_changes()

    report = import_workbook(
        file=edited_sample(
            ("项目", 3, "实际完成情况", "完成"),
            ("指标", 3, "实际完成值", "19次"),
            ("指标", 8, "指标值", "25次"),
            drop_rows=(("指标", 7),),  # 科普经费 / 满意度
        )
    )

    assert report.counts["绩效自评"] == {"unchanged": 3, "updated": 1}
    assert report.counts["绩效指标"] == {"unchanged": 22, "updated": 1, "deleted": 1}
    assert report.counts["实际完成值"] == {"unchanged": 22, "updated": 1}
    assert "删除了文件中不再列出的指标：科普经费/满意度" in report.notes
    assert Indicator.objects.get(name="开展活动次数").result.actual == "19次"
    assert Indicator.objects.get(name="活动次数").target == "25次"
    for model in (Indicator, ActualResult):
        types = model.history.values_list("history_type", flat=True)
        assert sorted(types) == ["+"] * 24 + ["-", "~"], model.__name__
    assert row_counts() == {
        "Department": 1,
        "Unit": 1,
        "Project": 4,
        "ProjectGoal": 4,
        "Evaluation": 4,
        "Indicator": 23,
        "ActualResult": 23,
    }


@pytest.mark.parametrize(
    ("edits", "refused"),
    [
        ((), False),
        ((("指标", 20, "分值", None),), True),  # one custom weight missing
        ((("指标", 20, "分值", 20),), True),  # custom weights summing to 95
        ((("指标", 20, "分值", 10), ("指标", 24, "分值", 35)), False),  # other weights, still 90
        ((("指标", 22, "指标值", "/"),), True),  # a weight on a row that takes none: the others sum to 80
        ((("指标", 22, "指标值", "/"), ("指标", 22, "分值", None), ("指标", 24, "分值", 40)), False),
        ((("指标", 18, "得分(自评)", 18),), False),  # 部分达成 of 30: [18, 24)
        ((("指标", 18, "得分(自评)", 24),), True),
        ((("指标", 18, "得分(自评)", 17.99),), True),
        ((("指标", 18, "得分(自评)", 31),), True),  # more than the weight
        ((("指标", 18, "实际完成值", "达成年度指标"), ("指标", 18, "得分(自评)", 30)), False),
        ((("指标", 18, "实际完成值", "未达成年度指标且效果较差"), ("指标", 18, "得分(自评)", 18)), True),
    ],
)
def test_the_import_refuses_the_weights_and_tier_scores_the_scorer_refuses(monkeypatch, edits, refused):
    scorer_refuses = []
    check_weights = importer.check_weights

    def ask_the_scorer_then_check(label, items, notes=None):
        rows = [
            RowInput(
                group=i.level1.group,
                target=i.target_parsed,
                actual=i.actual,
                tier=i.tier,
                evaluator_score=i.evaluator_score,
                weight=i.weight,
            )
            for i in items
        ]
        scored = score_evaluation(BudgetInput(full_year=None, executed=None), rows)
        scorer_refuses.append(bool(weight_problems(rows)) or any(row.errors for row in scored.rows))
        check_weights(label, items, notes)

    monkeypatch.setattr(importer, "check_weights", ask_the_scorer_then_check)
    try:
        import_workbook(file=edited_sample(*edits), dry_run=True)
        import_refuses = False
    except ImportErrors:
        import_refuses = True

    assert (import_refuses, any(scorer_refuses)) == (refused, refused)


def test_the_weights_the_import_checks_scores_against_are_the_scorers(monkeypatch):
    compared = []
    check_weights = importer.check_weights

    def check_and_compare(label, items, notes=None):
        check_weights(label, items, notes)
        rows = [RowInput(group=i.level1.group, target=i.target_parsed, actual=i.actual, weight=i.weight) for i in items]
        scored = score_evaluation(BudgetInput(full_year=None, executed=None), rows).rows
        weights, _problems = row_weights(rows, [i.counts for i in items])  # what the import checks scores against
        compared.append((label, weights, [row.weight for row in scored]))

    monkeypatch.setattr(importer, "check_weights", check_and_compare)
    import_workbook(file=SAMPLE, dry_run=True)
    import_workbook(
        file=edited_sample(
            ("指标", 3, "指标值", "/"),  # not applicable: its share goes to the others
            ("指标", 9, "实际完成值", "/"),
            ("指标", 19, "一级指标", "效益指标"),  # no 满意度 row left in the project: 90 points shared
            ("指标", 19, "二级指标", "社会效益指标"),
            ("指标", 18, "得分(自评)", 12),  # 部分达成 of 16.88
            ("指标", 24, "实际完成值", "/"),  # a custom weight on a row that does not count
        ),
        dry_run=True,
    )
    with pytest.raises(ImportErrors):  # one custom weight missing: the default weights apply, and it is an error
        import_workbook(file=edited_sample(("指标", 20, "分值", None)), dry_run=True)

    assert len(compared) == 4 + 4 + 4
    for label, weights, scorers in compared:
        assert weights == scorers, label

"""The second approval (issue 16 item 2): a department submits its year to finance, which approves it (locking the
year for everyone but finance) or returns it naming projects, each one's self-evaluation reopened with the reason."""

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError

from budgets.models import Access
from performance.approval.flows import (
    approve_department_year,
    reopen_department_year,
    return_department_year,
    submit_department_year,
)
from performance.approval.models import DepartmentYear
from performance.declaration.models import TargetSet
from performance.interchange.importer import import_workbook
from performance.interchange.report import ImportErrors
from performance.models import ActualResult, Evaluation
from performance.rights import may, refusal
from performance.tasks.inbox import inbox_counts
from performance.tasks.models import Notification
from performance.tasks.notifications import digest_for
from performance.workflow import reopen_evaluation
from tests.factories import (
    make_department,
    make_evaluation,
    make_indicator,
    make_project,
    make_unit,
    make_user_with_access,
)
from tests.performance.test_import_rights import KEPU, SAMPLE
from tests.performance.test_imports import edited_sample

pytestmark = pytest.mark.django_db

LOCKED = "项目“%s”所在部门的2021年度自评已经财政审核通过并锁定，不能修改；如需修改请由财政重新打开"


@pytest.fixture
def year():
    """A department's 2021: two units' projects, both self-evaluations approved; its staff, reviewer, finance, and
    a second department with its own reviewer."""
    department = make_department(code="801", name="甲局")
    unit = make_unit(department=department, code="801001", name="甲局本级")
    first = make_project(unit=unit, name="信息化经费")
    second = make_project(unit=unit, name="培训经费")
    for project in (first, second):
        make_evaluation(project=project, status=Evaluation.Status.APPROVED)
        TargetSet.objects.create(project=project, status=TargetSet.Status.APPROVED)
    other = make_department(code="802", name="乙局")
    make_project(unit=make_unit(department=other), name="乙局项目")
    return {
        "department": department,
        "first": first,
        "second": second,
        "staff": make_user_with_access(role=Access.Role.STAFF, unit=unit),
        "reviewer": make_user_with_access(role=Access.Role.REVIEWER, department=department),
        "finance": make_user_with_access(role=Access.Role.FINANCE),
        "other_reviewer": make_user_with_access(role=Access.Role.REVIEWER, department=other),
    }


def submitted(year) -> DepartmentYear:
    return submit_department_year(department=year["department"], year=2021, by=year["reviewer"])


def fresh(project):
    return type(project).objects.select_related("unit", "evaluation").get(pk=project.pk)


def test_submitting_refuses_while_a_project_is_not_approved_and_names_it(year):
    Evaluation.objects.filter(project=year["second"]).update(status=Evaluation.Status.SUBMITTED)

    with pytest.raises(ValidationError) as refused:
        submitted(year)

    assert refused.value.messages[0] == "以下项目的绩效自评尚未审核通过，不能提交财政（共1个）："
    assert "“培训经费”：已提交" in refused.value.messages[1]
    assert not DepartmentYear.objects.exists()  # nothing kept of the refused submission


def test_the_reviewer_submits_the_year_and_finance_is_told(year):
    record = submitted(year)

    assert record.status == DepartmentYear.Status.SUBMITTED
    assert record.submitted_by == year["reviewer"]
    assert record.history.latest().history_change_reason == "部门提交财政审核"
    told = Notification.objects.get(user=year["finance"])
    assert told.department_year == record and "甲局2021年度的绩效自评已提交财政" in told.text
    assert inbox_counts(year["finance"], today=record.submitted_at.date()).to_approve == 1
    body, _news = digest_for(year["finance"], today=record.submitted_at.date())
    assert "部门年度待审批：1，被退回：0" in body


@pytest.mark.parametrize("who", ["staff", "other_reviewer", "finance"])
def test_only_the_departments_reviewer_submits_its_year(year, who):
    with pytest.raises(PermissionDenied):
        submit_department_year(department=year["department"], year=2021, by=year[who])
    assert not DepartmentYear.objects.exists()


def test_finance_returns_naming_a_project_whose_evaluation_reopens_with_the_reason_in_its_history(year):
    record = submitted(year)

    returned = return_department_year(
        department_year=record, by=year["finance"], reason="佐证不足", projects=[year["first"]]
    )

    assert returned.status == DepartmentYear.Status.RETURNED
    assert returned.return_reason == "佐证不足（退回项目：信息化经费）"
    assert list(returned.returned_projects.all()) == [year["first"]]
    evaluation = Evaluation.objects.get(project=year["first"])
    assert (evaluation.status, evaluation.return_reason) == (Evaluation.Status.RETURNED, "佐证不足")
    assert evaluation.history.latest().history_change_reason == "财政退回：佐证不足"
    assert evaluation.history.latest().history_user == year["finance"]
    assert Evaluation.objects.get(project=year["second"]).status == Evaluation.Status.APPROVED
    assert Notification.objects.filter(user=year["staff"], project=year["first"], kind="returned").exists()
    assert Notification.objects.filter(user=year["reviewer"], department_year=record, kind="returned").exists()
    assert inbox_counts(year["reviewer"], today=record.submitted_at.date()).years_returned == 1


@pytest.mark.parametrize(
    ("reason", "named", "message"),
    [("", True, "退回时必须填写退回原因。"), ("佐证不足", False, "退回时请至少选择一个需要修改的项目。")],
)
def test_a_return_needs_a_reason_and_a_project_and_changes_nothing_without(year, reason, named, message):
    record = submitted(year)
    projects = [year["first"]] if named else []

    with pytest.raises(ValidationError, match=message):
        return_department_year(department_year=record, by=year["finance"], reason=reason, projects=projects)

    assert DepartmentYear.objects.get().status == DepartmentYear.Status.SUBMITTED
    assert set(Evaluation.objects.values_list("status", flat=True)) == {Evaluation.Status.APPROVED}


def test_a_return_cannot_name_a_project_of_another_department(year):
    record = submitted(year)
    foreign = make_project(unit=make_unit(department=make_department()), name="别人的项目")

    with pytest.raises(ValidationError, match="至少选择一个"):
        return_department_year(department_year=record, by=year["finance"], reason="不对", projects=[foreign])


def test_nobody_but_finance_returns_or_approves_a_submitted_year(year):
    record = submitted(year)
    for who in ("reviewer", "staff", "other_reviewer"):
        with pytest.raises(PermissionDenied):
            approve_department_year(department_year=record, by=year[who])
        with pytest.raises(PermissionDenied):
            return_department_year(department_year=record, by=year[who], reason="x", projects=[year["first"]])


def test_while_submitted_the_reviewer_cannot_reopen_a_project_of_the_year(year):
    submitted(year)
    project = fresh(year["first"])

    assert not may(year["reviewer"], "review_evaluation", project)
    assert "已提交财政审核，不能修改" in refusal(year["reviewer"], "review_evaluation", project)
    with pytest.raises(PermissionDenied):
        reopen_evaluation(evaluation=project.evaluation, by=year["reviewer"], reason="想改")


def test_finance_approval_locks_the_year_for_everyone_but_finance(year):
    approved = approve_department_year(department_year=submitted(year), by=year["finance"])
    assert approved.status == DepartmentYear.Status.APPROVED
    project = fresh(year["first"])

    assert refusal(year["reviewer"], "review_evaluation", project) == LOCKED % "信息化经费"
    assert refusal(year["staff"], "request_adjustment", project) == LOCKED % "信息化经费"
    assert not may(year["reviewer"], "decide_adjustment", project)
    assert may(year["finance"], "decide_adjustment", project)  # finance is not held by the lock
    assert Notification.objects.filter(user=year["reviewer"], kind="approved", department_year=approved).exists()


def test_finance_reopens_an_approved_year_with_a_recorded_reason_and_the_reviewer_may_act_again(year):
    record = approve_department_year(department_year=submitted(year), by=year["finance"])
    with pytest.raises(ValidationError, match="必须填写原因"):
        reopen_department_year(department_year=record, by=year["finance"], reason=" ")

    reopened = reopen_department_year(department_year=record, by=year["finance"], reason="审计发现问题")

    assert reopened.status == DepartmentYear.Status.RETURNED
    assert reopened.history.latest().history_change_reason == "财政重新打开：审计发现问题"
    assert may(year["reviewer"], "review_evaluation", fresh(year["first"]))


def test_a_returned_year_is_submitted_again_once_the_project_is_approved_again(year):
    record = submitted(year)
    return_department_year(department_year=record, by=year["finance"], reason="补材料", projects=[year["second"]])
    with pytest.raises(ValidationError):
        submitted(year)
    Evaluation.objects.filter(project=year["second"]).update(status=Evaluation.Status.APPROVED)

    assert submitted(year).status == DepartmentYear.Status.SUBMITTED
    reasons = list(DepartmentYear.objects.get().history.order_by("history_date").values_list("history_change_reason"))
    assert [r for (r,) in reasons if r] == [
        "部门提交财政审核",
        "财政退回：补材料（退回项目：培训经费）",
        "部门提交财政审核",
    ]


# --- the lock binds the imports too (performance.rights decides for every path) ---------------------------------


def test_an_import_of_actuals_into_a_locked_year_is_refused_with_the_sentence(client):
    department = make_department(code="731", name="张家口市科学技术协会")
    unit = make_unit(department=department, code="731001", name="张家口市科协本级")
    staff = make_user_with_access(unit=unit, role=Access.Role.STAFF)
    import_workbook(file=SAMPLE)
    DepartmentYear.objects.create(department=department, year=2021, status=DepartmentYear.Status.APPROVED)

    with pytest.raises(ImportErrors) as refused:
        import_workbook(file=edited_sample(("指标", 3, "实际完成值", "19次")), user=staff)

    (problem,) = refused.value.problems
    assert (problem.sheet, problem.row, problem.column, problem.message) == ("指标", 3, "实际完成值", LOCKED % KEPU)


def test_the_admin_refuses_a_units_actual_in_a_locked_year_and_takes_it_once_finance_reopens(client):
    department = make_department(code="821")
    unit = make_unit(department=department)
    project = make_project(unit=unit, name="锁定项目")
    indicator = make_indicator(project=project, target="12次")
    result = ActualResult.objects.create(indicator=indicator, actual="9次")
    make_evaluation(project=project)  # a draft: only the year's lock holds it
    staff = make_user_with_access(role=Access.Role.STAFF, unit=unit)
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    staff.user_permissions.set(Permission.objects.filter(content_type__app_label="performance"))
    locked = DepartmentYear.objects.create(department=department, year=2021, status=DepartmentYear.Status.APPROVED)
    client.force_login(staff)
    url = f"/admin/performance/actualresult/{result.pk}/change/"
    data = {"indicator": indicator.pk, "actual": "12次", "tier": "", "deviation_reason": ""}

    assert client.post(url, data).status_code == 403
    assert ActualResult.objects.get(pk=result.pk).actual == "9次"

    DepartmentYear.objects.filter(pk=locked.pk).update(status=DepartmentYear.Status.RETURNED)  # finance reopened it
    assert client.post(url, data).status_code == 302
    assert ActualResult.objects.get(pk=result.pk).actual == "12次"


def test_a_year_without_projects_is_not_submitted_and_leaves_no_row(year):
    with pytest.raises(ValidationError, match="2030年度没有甲局的项目，无需提交。"):
        submit_department_year(department=year["department"], year=2030, by=year["reviewer"])
    assert not DepartmentYear.objects.exists()

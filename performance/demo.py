"""Demo data: the seed disclosure (张家口市科学技术协会, 2021), a second, made-up department (so that finance's
pages across departments have more than one row) and the demo users.

``load_demo`` reads ``fixtures/seed_2021.json`` (the seed's content as structured data, text kept
character for character) and writes it with ``performance.disclosure.write.write_disclosure``, the
writer ``import_disclosure`` uses too. It is idempotent: every row is found by its natural key and
only saved when a value differs, so running it twice changes nothing.

The disclosure publishes the approved budget, so its targets are loaded as approved: each
project's declaration is approved and its baseline frozen, once.
"""

import datetime
import json
from decimal import Decimal
from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from budgets.models import Access, Department, Project, Unit

from .declaration.models import TargetSet
from .declaration.recorded import record_targets_status
from .disclosure.write import WriteSummary, _upsert, _write_project, write_disclosure
from .rights import targets_status
from .tasks.models import Task
from .tasks.services import issue_task

SEED_FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "seed_2021.json"
DEMO_PASSWORD = "jixiao-demo"  # noqa: S105 - published demo password (README, make run)

# (username, role, unit code or department code); admin is the superuser.
DEMO_USERS = [
    ("kexie", Access.Role.STAFF, "731001"),
    ("kejiguan", Access.Role.STAFF, "731005"),
    ("shenhe", Access.Role.REVIEWER, "731"),
    ("caizheng", Access.Role.FINANCE, ""),
    ("shenhe2", Access.Role.REVIEWER, "732"),
]

# The second department: made up for the demo (not a published disclosure), two units, three projects of 2021.
SECOND_DEPARTMENT = {"code": "732", "name": "张家口市演示局", "short_name": "演示局"}
SECOND_UNITS = [
    {"code": "732001", "name": "张家口市演示局", "short_name": "演示局本级", "order": 1},
    {"code": "732002", "name": "张家口市演示服务中心", "short_name": "演示服务中心", "order": 2},
]
SECOND_PROJECTS = [
    (
        "732001",
        "政务信息化运维经费",
        "保障局机关信息系统全年稳定运行，按时完成系统升级",
        ("120", "108.5"),
        [
            ("产出指标", "数量指标", "运维系统数量", "纳入运维的信息系统", "8个"),
            ("产出指标", "质量指标", "系统可用率", "全年系统可用时间占比", "≥99%"),
            ("产出指标", "时效指标", "升级完成时间", "系统升级完成的时间", "2021年10月底前"),
            ("效益指标", "社会效益指标", "网上办事便利度", "群众办事少跑腿", "明显提升"),
            ("满意度指标", "服务对象满意度指标", "使用人员满意度", "抽样调查的满意度", "≥90%"),
        ],
    ),
    (
        "732001",
        "业务培训经费",
        "组织全系统业务培训，提高干部业务能力",
        ("40", "31.2"),
        [
            ("产出指标", "数量指标", "培训人次", "参加培训的人次", "300人次"),
            ("产出指标", "质量指标", "培训合格率", "考核合格的比例", "≥95%"),
            ("效益指标", "社会效益指标", "业务能力", "参训人员业务能力", "有所提高"),
            ("满意度指标", "服务对象满意度指标", "参训人员满意度", "培训后问卷", "≥90%"),
        ],
    ),
    (
        "732002",
        "便民服务热线经费",
        "保障便民服务热线全年畅通，及时办理群众诉求",
        ("60", "58.8"),
        [
            ("产出指标", "数量指标", "受理诉求件数", "全年受理的诉求", "12000件"),
            ("产出指标", "时效指标", "按时办结率", "按规定时限办结的比例", "≥95%"),
            ("效益指标", "社会效益指标", "诉求解决率", "诉求得到解决的比例", "≥85%"),
            ("满意度指标", "服务对象满意度指标", "来电群众满意度", "回访满意度", "≥90%"),
        ],
    ),
]

DEMO_MONITORING_DEADLINE = datetime.date(2021, 8, 20)
DEMO_TASK_DEADLINE = datetime.date(2022, 4, 30)  # the 2021 self-evaluation task's deadline (自评任务)

DemoSummary = WriteSummary


@transaction.atomic
def load_demo(*, path: Path = SEED_FIXTURE, second_department: bool = True) -> DemoSummary:
    """Load the seed disclosure, the second demo department (unless ``second_department`` is False: the seed's rows
    alone, as a test of the disclosure compares them) and the demo users; running it again changes nothing."""
    seed = json.loads(path.read_text(encoding="utf-8"))
    written = write_disclosure(seed, keep_fixed_targets=True)
    for project in written.projects:
        approved = targets_status(project) == TargetSet.Status.APPROVED
        if not approved:
            record_targets_status(
                project=project, status=TargetSet.Status.APPROVED, by=None, reason="载入演示数据：公开的已批复绩效目标"
            )
        written.summary.add("已批复的绩效目标", "same" if approved else "created")
    departments, units = {written.department.code: written.department}, dict(written.units)
    if second_department:
        second, second_units = _load_second_department(summary=written.summary)
        departments[second.code] = second
        units.update(second_units)
    _load_users(departments=departments, units=units, summary=written.summary)
    _load_task(summary=written.summary)
    return written.summary


def _load_task(*, summary: DemoSummary) -> None:
    """An open self-evaluation task for 2021 to every department, issued by finance (caizheng), and the year's
    第1次 monitoring task, which a department's round of monitoring answers (SPEC section 10)."""
    finance = get_user_model().objects.get(username="caizheng")
    for kind, deadline, note in (
        (
            Task.Kind.SELF_EVALUATION,
            DEMO_TASK_DEADLINE,
            "请各部门组织所属单位完成2021年度项目支出绩效自评，按时提交审核。",
        ),
        (Task.Kind.MONITORING, DEMO_MONITORING_DEADLINE, "请各部门以7月31日为截止日开展2021年度第1次绩效运行监控。"),
    ):
        exists = Task.objects.filter(kind=kind, year=2021).exists()
        if not exists:
            issue_task(kind=kind, year=2021, deadline=deadline, note=note, by=finance)
        summary.add("绩效任务", "same" if exists else "created")


def _load_second_department(*, summary: DemoSummary) -> tuple[Department, dict[str, Unit]]:
    """The made-up second department with its units and 2021 projects (targets approved, self-evaluations drafts),
    found by natural keys like the seed's rows: loading it again changes nothing. Counted apart from the seed's
    rows (``演示部门732：…``), whose counts say what the disclosure holds."""
    own = DemoSummary()
    department, units = _write_second_department(summary=own)
    for label, count in own.counts.items():
        summary.counts[f"演示部门{department.code}：{label}"] = count
    summary.created += own.created
    summary.changed += own.changed
    return department, units


def _write_second_department(*, summary: DemoSummary) -> tuple[Department, dict[str, Unit]]:
    department, outcome = _upsert(
        Department,
        {"code": SECOND_DEPARTMENT["code"]},
        {"name": SECOND_DEPARTMENT["name"], "short_name": SECOND_DEPARTMENT["short_name"]},
    )
    summary.add("部门", outcome)
    units = {}
    for item in SECOND_UNITS:
        values = {key: item[key] for key in ("name", "short_name", "order")}
        units[item["code"]], outcome = _upsert(Unit, {"code": item["code"]}, {**values, "department": department})
        summary.add("预算单位", outcome)
    for order, (unit_code, name, goal, (full_year, executed), rows) in enumerate(SECOND_PROJECTS, start=1):
        item = {
            "name": name,
            "title_as_published": f"{name}绩效目标表",
            "order": order,
            "goal": goal,
            "indicators": [
                {"order": n, "level1": l1, "level2": l2, "name": i, "description": d, "target": t, "basis": "计划标准"}
                for n, (l1, l2, i, d, t) in enumerate(rows, start=1)
            ],
        }
        project, _refusal = _write_project(item, units[unit_code], 2021, summary, keep_fixed_targets=True)
        money = {"full_year_total": Decimal(full_year), "executed_total": Decimal(executed)}
        _upsert(Project, {"pk": project.pk}, money)  # the money: the disclosure's projects have none
        if targets_status(project) != TargetSet.Status.APPROVED:
            record_targets_status(
                project=project, status=TargetSet.Status.APPROVED, by=None, reason="载入演示数据：已批复的绩效目标"
            )
    return department, units


def _load_users(*, departments: dict[str, Department], units: dict[str, Unit], summary: DemoSummary) -> None:
    password = cache(lambda: make_password(DEMO_PASSWORD))  # hashed once (PBKDF2: ½ s a time), if at all
    outcome = _user("admin", password, superuser=True)[1]
    summary.add("用户", outcome)
    for username, role, scope in DEMO_USERS:
        if role == Access.Role.REVIEWER and scope not in departments:
            continue  # the second department's reviewer, without it
        user, outcome = _user(username, password)
        summary.add("用户", outcome)
        if role == Access.Role.STAFF:
            access = {"user": user, "role": role, "unit": units[scope], "department": None}
        elif role == Access.Role.FINANCE:
            access = {"user": user, "role": role, "unit": None, "department": None}
        else:
            access = {"user": user, "role": role, "unit": None, "department": departments[scope]}
        summary.add("用户权限", _upsert(Access, access, {})[1])


def _user(username: str, password, *, superuser: bool = False):
    """A demo user with the demo password (``password()`` hashes it); an existing user keeps a password that
    already matches."""
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    outcome = "same"
    if user is None:
        user = User(username=username)
        outcome = "created"
    wanted = {"is_superuser": superuser, "is_staff": superuser, "is_active": True}
    if any(getattr(user, name) != value for name, value in wanted.items()):
        for name, value in wanted.items():
            setattr(user, name, value)
        outcome = outcome if outcome == "created" else "changed"
    if outcome == "created" or not user.has_usable_password() or not user.check_password(DEMO_PASSWORD):
        user.password = password()
        outcome = outcome if outcome == "created" else "changed"
    if outcome != "same":
        user.save()
    return user, outcome

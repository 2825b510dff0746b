"""Demo data: the seed disclosure (张家口市科学技术协会, 2021) and the demo users.

``load_demo`` reads ``fixtures/seed_2021.json`` (the seed's content as structured data, text kept
character for character) and writes it with ``performance.disclosure.write.write_disclosure``, the
writer ``import_disclosure`` uses too. It is idempotent: every row is found by its natural key and
only saved when a value differs, so running it twice changes nothing.

The disclosure publishes the approved budget, so its targets are loaded as approved: each
project's declaration is approved and its baseline frozen, once.
"""

import datetime
import json
from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from budgets.models import Access, Department, Unit

from .declaration.models import TargetSet
from .declaration.recorded import record_targets_status
from .disclosure.write import WriteSummary, _upsert, write_disclosure
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
]
DEMO_TASK_DEADLINE = datetime.date(2022, 4, 30)  # the 2021 self-evaluation task's deadline (自评任务)

DemoSummary = WriteSummary


@transaction.atomic
def load_demo(*, path: Path = SEED_FIXTURE) -> DemoSummary:
    """Load the seed disclosure and the demo users; running it again changes nothing."""
    seed = json.loads(path.read_text(encoding="utf-8"))
    written = write_disclosure(seed, keep_fixed_targets=True)
    for project in written.projects:
        approved = targets_status(project) == TargetSet.Status.APPROVED
        if not approved:
            record_targets_status(
                project=project, status=TargetSet.Status.APPROVED, by=None, reason="载入演示数据：公开的已批复绩效目标"
            )
        written.summary.add("已批复的绩效目标", "same" if approved else "created")
    _load_users(department=written.department, units=written.units, summary=written.summary)
    _load_task(summary=written.summary)
    return written.summary


def _load_task(*, summary: DemoSummary) -> None:
    """An open self-evaluation task for 2021 to every department, issued by finance (caizheng)."""
    exists = Task.objects.filter(kind=Task.Kind.SELF_EVALUATION, year=2021).exists()
    if not exists:
        issue_task(
            kind=Task.Kind.SELF_EVALUATION,
            year=2021,
            deadline=DEMO_TASK_DEADLINE,
            note="请各部门组织所属单位完成2021年度项目支出绩效自评，按时提交审核。",
            by=get_user_model().objects.get(username="caizheng"),
        )
    summary.add("绩效任务", "same" if exists else "created")


def _load_users(*, department: Department, units: dict[str, Unit], summary: DemoSummary) -> None:
    password = cache(lambda: make_password(DEMO_PASSWORD))  # hashed once (PBKDF2: ½ s a time), if at all
    outcome = _user("admin", password, superuser=True)[1]
    summary.add("用户", outcome)
    for username, role, scope in DEMO_USERS:
        user, outcome = _user(username, password)
        summary.add("用户", outcome)
        if role == Access.Role.STAFF:
            access = {"user": user, "role": role, "unit": units[scope], "department": None}
        elif role == Access.Role.FINANCE:
            access = {"user": user, "role": role, "unit": None, "department": None}
        else:
            access = {"user": user, "role": role, "unit": None, "department": department}
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

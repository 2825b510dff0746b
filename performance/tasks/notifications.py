"""Who acts next after a transition, told in the app; and the daily digest mail.

``notify_evaluation`` is the self-evaluation flow's ``notify`` hook: the workflow engine
(``performance.workflow.engine.run``) calls it after every transition it makes, so no view writes a
notification. Submitted → the reviewers of the project's department; returned, approved or reopened → the
staff of its unit. The one who made the transition is not told of it.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from budgets.models import Access

from .inbox import inbox_counts
from .models import Notification

# transition name → (notification kind, who is told: "reviewers" or "staff", the sentence)
TOLD = {
    "submit": (
        Notification.Kind.SUBMITTED,
        "reviewers",
        gettext_lazy("项目“%(project)s”的绩效自评已提交，等待您审核。"),
    ),
    "return": (Notification.Kind.RETURNED, "staff", gettext_lazy("项目“%(project)s”的绩效自评被退回：%(reason)s")),
    "reopen": (Notification.Kind.RETURNED, "staff", gettext_lazy("项目“%(project)s”的绩效自评被重新打开：%(reason)s")),
    "approve": (Notification.Kind.APPROVED, "staff", gettext_lazy("项目“%(project)s”的绩效自评已审核通过。")),
    "finance_return": (
        Notification.Kind.RETURNED,
        "staff",
        gettext_lazy("项目“%(project)s”的绩效自评被财政退回：%(reason)s"),
    ),
}


def recipients(project, who: str):
    """The users who act next on the project: its department's reviewers, or its unit's staff."""
    if who == "reviewers":
        access = Q(role=Access.Role.REVIEWER, department_id=project.unit.department_id)
    else:
        access = Q(role=Access.Role.STAFF, unit_id=project.unit_id)
    return get_user_model().objects.filter(is_active=True, accesses__in=Access.objects.filter(access)).distinct()


def notify_evaluation(evaluation, *, transition: str, by, reason: str = "") -> list[Notification]:
    """Write the notifications of a self-evaluation's transition (inside its transaction)."""
    if transition not in TOLD:
        return []
    kind, who, sentence = TOLD[transition]
    project = evaluation.project
    text = str(sentence) % {"project": project.name, "reason": reason}
    users = recipients(project, who).exclude(pk=getattr(by, "pk", None))
    return Notification.objects.bulk_create(
        [Notification(user=user, kind=kind, project=project, text=text[:500]) for user in users]
    )


# A department's year before finance (``performance.approval``): submitted → finance; the rest → the department's
# reviewers.
TOLD_OF_YEARS = {
    "submit": (
        Notification.Kind.SUBMITTED,
        "finance",
        gettext_lazy("%(department)s%(year)s年度的绩效自评已提交财政，等待您审核。"),
    ),
    "return": (
        Notification.Kind.RETURNED,
        "reviewers",
        gettext_lazy("%(department)s%(year)s年度的绩效自评被财政退回：%(reason)s"),
    ),
    "approve": (
        Notification.Kind.APPROVED,
        "reviewers",
        gettext_lazy("%(department)s%(year)s年度的绩效自评已经财政审核通过，已锁定。"),
    ),
    "reopen": (
        Notification.Kind.RETURNED,
        "reviewers",
        gettext_lazy("%(department)s%(year)s年度的绩效自评被财政重新打开：%(reason)s"),
    ),
}


def notify_department_year(department_year, *, transition: str, by, reason: str = "") -> list[Notification]:
    """Write the notifications of a department year's transition (the flow's ``notify`` hook)."""
    if transition not in TOLD_OF_YEARS:
        return []
    kind, who, sentence = TOLD_OF_YEARS[transition]
    words = {"department": department_year.department.name, "year": department_year.year, "reason": reason}
    if who == "finance":
        access = Q(role=Access.Role.FINANCE)
    else:
        access = Q(role=Access.Role.REVIEWER, department_id=department_year.department_id)
    users = (
        get_user_model()
        .objects.filter(is_active=True, accesses__in=Access.objects.filter(access))
        .distinct()
        .exclude(pk=getattr(by, "pk", None))
    )
    text = (str(sentence) % words)[:500]
    return Notification.objects.bulk_create(
        [Notification(user=user, kind=kind, department_year=department_year, text=text) for user in users]
    )


def mark_read(*, user) -> int:
    """Mark all of the user's notifications as read; how many were unread."""
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())


def digest_for(user, *, today: datetime.date) -> tuple[str, list[int]] | None:
    """The text of a user's daily digest (what waits and the news not mailed yet) and the ids of those
    notifications; None when there is nothing to tell."""
    counts = inbox_counts(user, today=today)
    news = list(Notification.objects.filter(user=user, mailed_at__isnull=True).order_by("created_at", "id"))
    if not (counts.waiting or counts.overdue or news):
        return None
    lines = [
        _("您好，%(name)s：") % {"name": user.get_full_name() or user.get_username()},
        "",
        _("待填报：%(n)s") % {"n": counts.to_fill},
        _("被退回：%(n)s") % {"n": counts.returned},
        _("待审核：%(n)s") % {"n": counts.to_review},
        _("已逾期：%(n)s") % {"n": counts.overdue},
    ]
    if counts.to_approve or counts.years_returned:
        lines.append(_("部门年度待审批：%(n)s，被退回：%(m)s") % {"n": counts.to_approve, "m": counts.years_returned})
    if news:
        lines += ["", _("新通知：")] + [f"- {n.created_at:%Y-%m-%d %H:%M} {n.text}" for n in news]
    lines += ["", _("请登录绩效管理系统查看待办。")]
    return "\n".join(lines), [n.pk for n in news]


def send_digests(*, today: datetime.date) -> int:
    """Mail each active user with an e-mail address their digest; the notifications sent are marked mailed.
    Returns how many mails were sent."""
    sent = 0
    users = get_user_model().objects.filter(is_active=True).exclude(email="").order_by("pk")
    for user in users:
        digest = digest_for(user, today=today)
        if digest is None:
            continue
        body, news = digest
        send_mail(
            _("绩效管理待办 %(date)s") % {"date": today.isoformat()},
            body,
            settings.DEFAULT_FROM_EMAIL,
            [user.email],
        )
        Notification.objects.filter(pk__in=news).update(mailed_at=timezone.now())
        sent += 1
    return sent

"""Every page checked with axe-core in Chromium, for each role and in the states that show forms (issue 25).

GB/T 37668-2019 asks government sites for about WCAG 2.0 AA; axe-core runs its WCAG 2.1 A and AA rules
(``WCAG_TAGS``) on every page of the URL walk (tests/url_walk.py, the list the access walk uses, so a page
added later is checked too), for the unit's 填报人, the department's 审核人 and the superuser, in four
states of the seed's projects and of each user's jobs (``STATES``). Pages that are not an HTML page (a
workbook, a JSON document, a redirect, a POST-only endpoint: anything but a 200 ``text/html``) are skipped
by what the server answers. axe-core comes bundled in axe-playwright-python (no CDN, no network); the test's
browser context loads it into every page past the page's CSP (``bypass_csp``), the site's CSP is unchanged.

The keyboard journeys below fill, submit and return an evaluation and fill the monitoring form with Tab,
Enter, Space, the arrow keys and typing alone, checking at every Tab that the focused element shows it.
"""

import datetime
import importlib
import os
from pathlib import Path

import pytest
from axe_playwright_python.base import AXE_SCRIPT
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from budgets.models import Project
from performance.declaration.flows import approve_targets, submit_targets
from performance.declaration.models import TargetSet
from performance.declaration.services import DeclaredRow, request_adjustment
from performance.demo import DEMO_PASSWORD, load_demo
from performance.jobs import start_job
from performance.models import Evidence, Job, MonitoringRound
from performance.monitoring import (
    IndicatorEntry,
    MonitoringEntry,
    monitoring_of,
    return_monitoring,
    save_monitoring_entry,
)
from performance.rectification.services import create_item, save_response
from performance.spotchecks.services import draw_sample
from performance.workflow import record_transition, return_evaluation, submit_evaluation
from tests.factories import make_monitoring_task, start_round
from tests.performance.sheet_helpers import seed_kepu
from tests.performance.test_journey_browser import log_in
from tests.url_walk import url_for, walk

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

framework = importlib.import_module("performance.migrations.0002_indicator_framework")

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
ROLES = ["kexie", "shenhe", "admin"]  # 填报人 of unit 731001, 审核人 of department 731, superuser
# (state, the project shown in it, the job shown in it): four projects of unit 731001, four jobs per user.
STATES = [
    ("draft evaluation, empty monitoring, finished export", "开展科技工作者助力精准扶贫经费", "finished"),
    ("returned evaluation, monitoring draft, trial import", "科普经费", "trial"),
    ("submitted evaluation and monitoring, queued job", "全民科学素质行动计划专项经费", "queued"),
    ("approved evaluation, returned monitoring, failed job", "老科学技术工作者协会工作经费", "failed"),
]
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def mark_submitted(record, *, by):
    """A state only, without the checks of the transition (what is checked here is the page, not the data)."""
    return record_transition(record, by=by, reason="提交审核", status="submitted")


def mark_approved(record, *, by):
    return record_transition(record, by=by, reason="审核通过", status="approved")


def pending_adjustment(project, *, staff, reviewer):
    """An adjustment request waiting for approval: the project's targets approved first where they are not."""
    target_set = TargetSet.objects.filter(project=project).first()
    if target_set is None or target_set.status != TargetSet.Status.APPROVED:
        submit_targets(project=project, by=staff)
        approve_targets(project=project, by=reviewer)
        project = Project.objects.get(pk=project.pk)
    rows = [
        DeclaredRow(i.level1, i.level2, i.name, i.description, i.target, i.basis, i.weight, i.pk)
        for i in project.indicators.in_order()
    ]
    first = rows[0]
    rows[0] = DeclaredRow(
        first.level1, first.level2, first.name, first.description, "≥1次", first.basis, first.weight, first.indicator_id
    )
    return request_adjustment(project=project, rows=rows, reason="场馆维修", by=staff)


def check_page(page) -> list[dict]:
    """axe-core's WCAG 2.1 A/AA violations on the page as it is now (axe is loaded by ``browser_context``)."""
    return page.evaluate("(options) => axe.run(document, options)", AXE_OPTIONS)["violations"]


def describe(violation: dict, where: str) -> str:
    """One violation as a line a reader can act on: the rule, the page, the elements."""
    nodes = violation["nodes"]
    first = " ".join(nodes[0]["html"].split())[:200]
    elements = "; ".join(" ".join(node["target"]) for node in nodes[:6]) + (" …" if len(nodes) > 6 else "")
    return (
        f"{violation['id']} ({violation['impact']}: {violation['help']}) on {where}: "
        f"{len(nodes)} element(s): {elements}\n    first: {first}"
    )


def browser_context(chromium):
    """A context like the ``page`` fixture's (Chinese, 1280 px), allowed to inject the checker past the CSP.

    Reduced motion turns Bootstrap's smooth scrolling off: a control focused by Tab is in view at once."""
    context = chromium.new_context(
        locale="zh-CN", viewport={"width": 1280, "height": 900}, bypass_csp=True, reduced_motion="reduce"
    )
    context.set_default_timeout(15_000)
    context.add_init_script(script=AXE_SCRIPT)  # on every page, before its own scripts: loaded once, not per check
    return context


@pytest.fixture
def seeded_states(live_server):
    """The seed with four of 731001's projects in the states that show forms, and four jobs per demo user."""
    framework.load(apps, None)  # the flush of a transactional test removes the migration's data
    kepu = seed_kepu()
    users = {user.username: user for user in get_user_model().objects.filter(username__in=ROLES)}
    kexie, shenhe = users["kexie"], users["shenhe"]
    projects = {p.name: p for p in Project.objects.filter(unit=kepu.unit, year=2021)}
    submitted, approved = projects["全民科学素质行动计划专项经费"], projects["老科学技术工作者协会工作经费"]

    return_evaluation(
        evaluation=submit_evaluation(evaluation=kepu.evaluation, by=kexie), by=shenhe, reason="请补充佐证"
    )
    mark_submitted(submitted.evaluation, by=kexie)  # states only: their actuals are not what is checked here
    mark_approved(mark_submitted(approved.evaluation, by=kexie), by=shenhe)
    indicator = kepu.indicators.order_by("order", "id").first()
    evidence = Evidence(project=kepu, indicator=indicator, original_name="活动照片.png", content_type="image/png")
    evidence.size = len(PNG)
    evidence.file.save("photo.png", SimpleUploadedFile("photo.png", PNG), save=False)
    evidence.save()

    start_round(department=kepu.unit.department, year=2021, by=shenhe)
    monitoring = monitoring_of(kepu)
    typed = IndicatorEntry(value_to_date="7次", forecast="12次", likelihood="certain")
    entry = MonitoringEntry(
        full_year_budget=kepu.total("full_year"),
        executed_to_date=None,
        forecast_full_year_execution=None,
        indicators={indicator.pk: typed},
    )
    save_monitoring_entry(monitoring=monitoring, data=entry, by=kexie, version=monitoring.version)
    mark_submitted(monitoring_of(submitted), by=kexie)
    returned = mark_submitted(monitoring_of(approved), by=kexie)
    return_monitoring(monitoring=returned, by=shenhe, reason="请补充截至监控日的完成情况")
    # A second round of the year, closed (the pages link both rounds), and a third task not started (offered).
    second = start_round(department=kepu.unit.department, year=2021, round_number=2, by=shenhe)
    MonitoringRound.objects.filter(pk=second.pk).update(status=MonitoringRound.Status.CLOSED)
    make_monitoring_task(year=2021, round_number=3)

    adjustment = pending_adjustment(approved, staff=kexie, reviewer=shenhe)
    draw_sample(year=2021, size=1, seed=1, by=users["admin"])  # the spot-check pages (the walk takes the first)
    rectification = create_item(
        unit=kepu.unit,
        project=kepu,
        year=2021,
        problem="开展活动场次未达到年度目标",
        measures="下半年补足活动场次",
        due_date=datetime.date(2022, 3, 31),
        by=shenhe,
    )
    photo = SimpleUploadedFile("整改照片.png", PNG, content_type="image/png")
    rectification = save_response(item=rectification, response="已补足活动场次", files=[photo], by=kexie)
    rectification_evidence = rectification.evidence_files.get()

    jobs = {}
    for username, user in users.items():
        finished = start_job(
            kind=Job.Kind.EXPORT_WORKBOOK, user=user, title="2021年度绩效数据工作簿", params={"year": 2021}
        )
        finished.refresh_from_db()
        upload = SimpleUploadedFile("2021年度绩效数据工作簿.xlsx", finished.output_file.read())
        trial = start_job(kind=Job.Kind.CHECK_WORKBOOK, user=user, title="试导入 2021年度绩效数据工作簿", upload=upload)
        queued = Job.objects.create(kind=Job.Kind.EXPORT_WORKBOOK, user=user, title="排队的导出", params={"year": 2021})
        failed = Job.objects.create(
            kind=Job.Kind.EXPORT_WORKBOOK,
            user=user,
            title="失败的导出",
            status=Job.Status.FAILED,
            error="后台进程已退出",
        )
        jobs[username] = {"finished": finished, "trial": trial, "queued": queued, "failed": failed}

    def states(username):
        for state, project_name, job in STATES:
            project = projects[project_name]
            world = {"project": project, "department": kepu.unit.department, "job": jobs[username][job]}
            yield (
                state,
                world
                | {
                    "evidence": evidence,
                    "adjustment": adjustment,
                    "rectification": rectification,
                    "rectification_evidence": rectification_evidence,
                },
            )

    return live_server.url, states


def test_every_page_meets_wcag_21_aa_for_each_role_and_state(chromium, seeded_states):
    base_url, states = seeded_states
    problems, checked, skipped = [], [], {}

    context = browser_context(chromium)
    page = context.new_page()
    page.goto(f"{base_url}/accounts/login/")
    problems += [describe(v, "/accounts/login/ (anonymous)") for v in check_page(page)]
    checked.append(("anonymous", "", "login"))
    context.close()

    for role in ROLES:
        context = browser_context(chromium)
        page = context.new_page()
        log_in(page, base_url, role)
        seen, not_pages = set(), set()
        for state, world in states(role):
            for name, converters in walk():
                url = url_for(name, converters, world)
                if url in seen or name in not_pages:
                    continue
                seen.add(url)
                response = context.request.get(base_url + url, max_redirects=0)
                content_type = response.headers.get("content-type", "").split(";")[0]
                if response.status != 200 or content_type != "text/html":
                    skipped.setdefault(name, set()).add(f"{role} {response.status} {content_type}".strip())
                    if response.status in (200, 405):  # a file, JSON or POST-only endpoint in every state
                        not_pages.add(name)
                    continue
                page.goto(base_url + url)
                where = f"{url} ({name}) as {role}, {state}"
                problems += [describe(v, where) for v in check_page(page)]
                checked.append((role, state, name))
        context.close()

    pages = {name for _role, _state, name in checked}
    print(
        f"axe-core ({', '.join(WCAG_TAGS)}): {len(checked)} page loads, {len(pages)} pages, "
        f"{len(ROLES)} roles + anonymous, {len(STATES)} states; "
        f"{len(problems)} violations"
    )
    print(f"checked: {sorted(pages)}")
    print(
        "skipped (not a 200 text/html page):",
        *(f"{name}: {sorted(how)}" for name, how in sorted(skipped.items())),
        sep="\n  ",
    )
    forms = {"performance:evaluation-edit", "performance:monitoring-edit", "performance:job-detail"}
    assert len(pages) >= 15 and forms <= pages, f"only {sorted(pages)} were checked"
    assert not problems, f"{len(problems)} accessibility violations:\n" + "\n".join(problems)


# --- keyboard journeys -------------------------------------------------------------------------------------

# The focused element and whether its focus shows: an outline or a box-shadow on it, or on its label when the
# control itself is visually hidden (the file controls' 选择文件 button).
FOCUS = """(selector) => {
  const el = document.activeElement;
  if (!el || el === document.body) return {visible: false, matches: false, what: null};
  const shows = (node) => {
    const style = getComputedStyle(node);
    return (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== "none";
  };
  const boxes = [el, ...(el.labels || [])].filter((node) => node.getBoundingClientRect().width > 1);
  return {visible: boxes.some(shows), matches: el.matches(selector), what: el.outerHTML.slice(0, 160)};
}"""


def tab_to(page, selector: str, *, limit: int = 120) -> None:
    """Press Tab until ``selector`` has the focus, checking that every element on the way shows its focus.

    Past the page's last control the focus leaves the page (the body is active), and the next Tab comes back
    to its first one."""
    if page.evaluate(FOCUS, selector)["matches"]:  # already there (the login form's autofocus)
        return
    for _step in range(limit):
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUS, selector)
        if focus["what"] is None:
            continue
        assert focus["visible"], f"the keyboard focus does not show on {focus['what']} ({page.url})"
        if focus["matches"]:
            return
    pytest.fail(f"{selector} was not reached with {limit} presses of Tab on {page.url}")


def choose_with_arrows(page, selector: str, value: str) -> None:
    """Move a focused select's choice down to ``value`` with the arrow key, as a keyboard user does."""
    for _step in range(10):
        if page.eval_on_selector(selector, "(el) => el.value") == value:
            return
        page.keyboard.press("ArrowDown")
    pytest.fail(f"{selector} never reached {value!r}")


def log_in_by_keyboard(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    tab_to(page, "input[name=username]")
    page.keyboard.type(username)
    tab_to(page, "input[name=password]")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base_url}/")


def screenshot(page, name: str, part=None) -> None:
    """With JIXIAO_SCREENSHOTS=folder, keep what the page (or ``part`` of it) shows, to look at the focus by eye."""
    folder = os.environ.get("JIXIAO_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        (part or page).screenshot(path=str(Path(folder) / f"{name}.png"))


@pytest.fixture
def keyboard_page(chromium, live_server):
    framework.load(apps, None)
    load_demo()
    context = browser_context(chromium)
    page = context.new_page()
    yield page, live_server.url
    context.close()


def test_an_evaluation_is_filled_submitted_and_returned_with_the_keyboard_alone(keyboard_page):
    page, base_url = keyboard_page
    project = Project.objects.get(year=2021, name="科普经费")
    indicators = list(project.indicators.order_by("order", "id"))
    detail_url = f"{base_url}/projects/{project.pk}/"

    log_in_by_keyboard(page, base_url, "kexie")
    page.goto(f"{base_url}/projects/{project.pk}/edit/")
    tab_to(page, "#id_full_year_fiscal")
    page.keyboard.type("81")
    tab_to(page, "#id_executed_fiscal")
    page.keyboard.type("78.6")
    for indicator, actual in zip(indicators, ["12次", "20次", "按时完工", "78.6万元", "100%", "96%"], strict=True):
        tab_to(page, f"#id_ind-{indicator.pk}-actual")
        page.keyboard.type(actual)
        if page.locator(f"#id_ind-{indicator.pk}-tier").count():
            tab_to(page, f"#id_ind-{indicator.pk}-tier")
            choose_with_arrows(page, f"#id_ind-{indicator.pk}-tier", "met")
    tab_to(page, f"#id_ind-{indicators[-1].pk}-evidence")  # the file control on the way shows its focus too
    screenshot(page, "entry-form-file-control-focus")
    tab_to(page, "button[name=action][value=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(detail_url)
    page.wait_for_selector("text=已提交审核。")
    assert page.get_by_test_id("status").inner_text() == "已提交"

    tab_to(page, "[data-testid=user-menu]")  # the user's menu opens from the keyboard, and holds 退出登录
    page.keyboard.press("Enter")
    page.wait_for_selector(".dropdown-menu.show form[action*=logout]")
    tab_to(page, "form[action*=logout] button")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base_url}/accounts/login/")
    log_in_by_keyboard(page, base_url, "shenhe")
    page.goto(detail_url)
    tab_to(page, "[data-testid=action-return]")
    page.keyboard.press("Space")
    page.wait_for_selector("#jx-return-form.collapse.show")
    assert page.get_attribute("[data-testid=action-return]", "aria-expanded") == "true"
    tab_to(page, "#jx-return-reason")
    page.keyboard.type("请补充第二项活动的佐证")
    tab_to(page, "#jx-return-form button[type=submit]")
    screenshot(page, "project-page-return-focus")
    problems = [describe(v, f"{page.url} with the return form open") for v in check_page(page)]
    assert not problems, "\n".join(problems)
    page.keyboard.press("Enter")
    page.wait_for_selector("text=已退回填报单位。")
    assert page.get_by_test_id("status").inner_text() == "已退回"
    history = "[data-testid=history] [role=region]"
    tab_to(page, history)
    screenshot(page, "project-page-history-focus")
    page.keyboard.press("PageDown")  # the history's own scroll bar, moved from the keyboard
    page.wait_for_function("(selector) => document.querySelector(selector).scrollTop > 0", arg=history)


def test_monitoring_is_filled_and_saved_with_the_keyboard_alone(keyboard_page):
    page, base_url = keyboard_page
    project = Project.objects.get(year=2021, name="科普经费")
    start_round(department=project.unit.department, year=2021, by=get_user_model().objects.get(username="shenhe"))
    first = project.indicators.order_by("order", "id").first()

    log_in_by_keyboard(page, base_url, "kexie")
    page.goto(f"{base_url}/projects/{project.pk}/monitoring/")
    tab_to(page, "#id_executed_to_date")
    page.keyboard.type("50")
    tab_to(page, f"#id_ind-{first.pk}-value_to_date")
    page.keyboard.type("7次")
    tab_to(page, f"#id_ind-{first.pk}-forecast")
    page.keyboard.type("12次")
    tab_to(page, f"#id_ind-{first.pk}-likelihood")
    choose_with_arrows(page, f"#id_ind-{first.pk}-likelihood", "certain")
    screenshot(page, "monitoring-form-focus", page.get_by_test_id("indicator-table"))
    tab_to(page, "button[name=action][value=save]")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=已保存（第 1 版）")
    assert page.get_attribute(f"#id_ind-{first.pk}-forecast", "value") == "12次"
    assert page.get_by_test_id("indicator-light").first.get_attribute("data-light") == "green"

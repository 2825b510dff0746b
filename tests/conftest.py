import os

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM must still be usable there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """PBKDF2 costs ~0.4 s a password here; tests log in often. Production settings are unchanged."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def no_login_throttling(settings):
    """django-axes needs the request that Client.login() does not pass; tests/security turn it back on."""
    settings.AXES_ENABLED = False


@pytest.fixture(autouse=True)
def chinese_outside_requests():
    """Each test starts in the site's language. LocaleMiddleware leaves the last request's language
    active in the thread, so a test that browsed in English would otherwise turn the next test's
    messages (built outside any request) English."""
    from django.utils import translation

    translation.activate("zh-hans")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def jobs_run_at_once(settings):
    """Background jobs run inside the request that starts them; tests/performance/test_jobs.py also
    runs them through the database queue and a real worker process."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path_factory):
    """Uploaded and generated files go to a temporary folder, never to the repository's media/."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


@pytest.fixture
def kepu(db):
    """The seed department with its demo users; the project 科普经费 (tests/performance/sheet_helpers)."""
    from tests.performance.sheet_helpers import seed_kepu

    return seed_kepu()


@pytest.fixture(scope="session")
def live_server(request):
    """pytest-django's live server; on in-memory SQLite it runs one request at a time (tests/live_server.py)."""
    from tests.live_server import live_server_address, start_live_server

    server = start_live_server(live_server_address(request.config))
    yield server
    server.stop()


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def chromium():
    """Debian's headless Chromium driven by playwright (pytest-playwright is not used); skipped where absent."""
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium fonts-noto-cjk)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so fixtures can tell in their teardown whether it failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def page(chromium, request):
    """A fresh browser page with a Chinese locale and a 1280 px wide window.

    When the test fails, what the browser last showed is added to the report (the address, the responses
    that were not 2xx/3xx, the page's console errors and its visible text), so a failure on CI explains itself.
    """
    context = chromium.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    seen = []
    page.on("response", lambda r: r.status >= 400 and seen.append(f"{r.status} {r.request.method} {r.url}"))
    page.on("console", lambda m: m.type == "error" and seen.append(f"console: {m.text}"))
    page.on("pageerror", lambda e: seen.append(f"page error: {e}"))
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        try:
            text = page.locator("body").inner_text(timeout=2_000)
        except Exception as error:  # the page may be gone: say so instead
            text = f"(no text: {error})"
        report.sections.append(("browser", "\n".join([f"address: {page.url}", *seen, "visible text:", text[:3000]])))
    context.close()


@pytest.fixture(autouse=True)
def fresh_cache():
    """Each test's database starts empty, and so does the cache of what pages showed of it."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def stored_scores_follow_every_write(request):
    """Issue 20: after every test that wrote to the database, every stored score is the computed one. Whatever
    path a test drove (a form, an import, the admin, the workflow, a command), it kept the scores in step.
    A test that writes around the app on purpose (a bare UPDATE) says so with ``@pytest.mark.stale_scores``."""
    uses_database = request.node.get_closest_marker("django_db") is not None or {
        "db",
        "transactional_db",
        "django_db_setup",
    } & set(request.fixturenames)
    if not uses_database or request.node.get_closest_marker("stale_scores"):
        yield
        return
    request.getfixturevalue("_django_db_helper")  # set up first, so torn down (rolled back) after the check
    yield
    from budgets.models import Project
    from performance.scores import versions
    from performance.scores.store import rescore

    stale = rescore(Project.objects.all(), write=False)
    assert not stale, f"stored scores behind the data after this test: {stale.changed[:3]}, rows {stale.rows_changed}"
    # Every project's department-year has a version the lists and the dashboard cache under.
    unversioned = list(versions.unversioned().values_list("pk", flat=True)[:3])
    assert not unversioned, f"projects without a department-year version after this test: {unversioned}"

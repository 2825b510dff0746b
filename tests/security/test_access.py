"""Access hardening: login throttling, security headers, production settings, admin, secrets in the repository."""

import os
import re
import secrets
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import timezone

from tests.factories import PASSWORD, make_user, make_user_with_access

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture
def throttled(settings):
    settings.AXES_ENABLED = True


def log_in(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_five_wrong_passwords_lock_the_account_for_fifteen_minutes(client, throttled):
    user = make_user(username="zhangsan")
    for _ in range(4):
        assert log_in(client, "zhangsan", "wrong-password").status_code == 200
    locked = log_in(client, "zhangsan", "wrong-password")
    assert locked.status_code == 429
    assert "已暂停登录 15 分钟" in locked.content.decode()

    right = log_in(client, "zhangsan", PASSWORD)  # even the right password, while locked
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session

    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    after = log_in(client, "zhangsan", PASSWORD)
    assert after.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_four_wrong_passwords_then_the_right_one_logs_in(client, throttled):
    make_user(username="lisi")
    for _ in range(4):
        log_in(client, "lisi", "wrong-password")
    assert log_in(client, "lisi", PASSWORD).status_code == 302


def test_a_locked_account_does_not_lock_another(client, throttled):
    make_user(username="wangwu")
    make_user(username="zhaoliu")
    for _ in range(5):
        log_in(client, "wangwu", "wrong-password")
    assert log_in(client, "zhaoliu", PASSWORD).status_code == 302


def test_behind_a_proxy_the_lockout_counts_the_forwarded_client_not_the_proxy(client, throttled, settings):
    settings.JIXIAO_TRUSTED_PROXIES = 1  # one nginx in front: it appends the address it saw
    make_user(username="sunqi")
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    for _ in range(5):  # one client, forging a different X-Forwarded-For start each time
        forged = f"198.51.100.{_}, 203.0.113.9"
        client.post(reverse("login"), {"username": "sunqi", "password": "x"}, HTTP_X_FORWARDED_FOR=forged, **proxy)
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.9"}
    locked = client.post(
        reverse("login"), {"username": "sunqi", "password": PASSWORD}, HTTP_X_FORWARDED_FOR="203.0.113.9", **proxy
    )
    assert locked.status_code == 429
    # Another client through the same proxy is not locked out by that one.
    other = client.post(
        reverse("login"), {"username": "sunqi", "password": PASSWORD}, HTTP_X_FORWARDED_FOR="203.0.113.50", **proxy
    )
    assert other.status_code == 302


def test_without_trusted_proxies_a_forwarded_header_is_ignored(client, throttled, settings):
    settings.JIXIAO_TRUSTED_PROXIES = 0
    make_user(username="zhouba")
    for n in range(5):
        client.post(
            reverse("login"),
            {"username": "zhouba", "password": "x"},
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
            REMOTE_ADDR="192.0.2.7",
        )
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"192.0.2.7"}
    assert log_in(client, "zhouba", PASSWORD).status_code == 302  # from 127.0.0.1: another address, not locked


def test_pages_carry_the_security_headers(client):
    client.force_login(make_user_with_access())
    response = client.get(reverse("login"))
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_templates_have_no_inline_script_or_event_handler():
    """CSP allows scripts from this site only: an inline <script> or onclick= would silently stop working."""
    offenders = []
    for template in (ROOT / "templates").rglob("*.html"):
        text = template.read_text()
        offenders += [f"{template.name}: {m}" for m in re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*json)[^>]*>", text)]
        offenders += [f"{template.name}: {m}" for m in re.findall(r"\son[a-z]+\s*=", text)]
        offenders += [f"{template.name}: javascript:" for _ in re.findall(r"javascript:", text)]
    assert offenders == []


def production_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="jixiao.example.cn",
        DJANGO_SETTINGS_MODULE="config.settings",
        **extra,
    )
    return env


def test_check_deploy_is_clean_under_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_cookies_are_secure_and_http_only():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, "
        "s.SECURE_HSTS_SECONDS, s.X_FRAME_OPTIONS)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=production_env(), capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "True", "31536000", "DENY"]


def test_the_admin_is_for_staff_only(client):
    client.force_login(make_user_with_access())
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


SECRET_PATTERNS = [
    re.compile(r"-----BEGIN (?:RSA |EC |OPENSSH )?PRIVATE KEY-----"),
    re.compile(r"AKIA[0-9A-Z]{16}"),
    re.compile(r"SECRET_KEY\s*=\s*[\"'](?!django-insecure-)[^\"']{20,}[\"']"),
    re.compile(r"postgres(?:ql)?://[^:/\s]+:[^@/\s]+@"),  # a password inside a database URL
]


def test_no_secret_is_committed():
    listed = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True)
    found = []
    for name in listed.stdout.split():
        path = ROOT / name
        if not path.is_file() or path.stat().st_size > 2_000_000 or path.suffix in {".xlsx", ".png", ".woff2"}:
            continue
        text = path.read_text(errors="ignore")
        found += [f"{name}: {p.pattern}" for p in SECRET_PATTERNS if p.search(text)]
    assert found == []


def test_weak_passwords_are_refused_in_chinese():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        validate_password("12345678")
    assert refused.value.messages == ["这个密码太常见了。", "密码只包含数字。"]


def test_the_admin_login_is_throttled_too(client, throttled):
    from tests.factories import make_superuser

    admin_user = make_superuser(username="guanliyuan")
    for _ in range(5):
        client.post("/admin/login/", {"username": "guanliyuan", "password": "wrong-password"})
    response = client.post("/admin/login/", {"username": "guanliyuan", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    admin_user.refresh_from_db()
    assert admin_user.last_login is None


def test_code_that_authenticates_without_a_request_still_works_with_throttling_on(client, throttled):
    make_user(username="lisi")
    assert client.login(username="lisi", password=PASSWORD)
    assert not client.login(username="lisi", password="wrong-password")

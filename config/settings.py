"""Settings for Jixiao, read from the environment.

Per-machine values come from environment variables with development defaults:

- ``DATABASE_URL``: default a SQLite file in the repository folder; ``postgres://...`` for PostgreSQL.
- ``DJANGO_SECRET_KEY``: required when ``DJANGO_DEBUG`` is off.
- ``DJANGO_DEBUG``: ``1/0``, ``true/false``, ``yes/no`` (default on).
- ``DJANGO_ALLOWED_HOSTS``: comma-separated host names.
- ``JIXIAO_CACHE_URL``: default this process's memory; ``redis://host:6379/1`` to share the cache between servers.

A malformed value stops start-up with a message that names the variable.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean: use 1/0, true/false, yes/no or on/off.")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name}={raw!r} is below its minimum {minimum}.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    items = [item.strip() for item in raw.split(",") if item.strip()]
    if not items:
        raise ImproperlyConfigured(f"{name}={raw!r} lists no host: give comma-separated host names.")
    return items


def env_database(name: str, default: str) -> dict:
    raw = os.environ.get(name) or default
    try:
        config = dj_database_url.parse(raw, conn_max_age=60)
    except Exception as error:  # dj-database-url raises several kinds for a bad URL
        raise ImproperlyConfigured(f"{name}={raw!r} is not a database URL ({error}).") from error
    if config.get("ENGINE") not in {"django.db.backends.sqlite3", "django.db.backends.postgresql"}:
        raise ImproperlyConfigured(f"{name}={raw!r}: only sqlite:/// and postgres:// URLs are supported.")
    return config


def env_cache(name: str) -> dict:
    """The default cache: this process's memory (unset), Redis shared by every server (redis://), or none (dummy://)."""
    raw = os.environ.get(name, "").strip()
    if raw in ("", "locmem://"):
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 10000}}
    if raw.startswith(("redis://", "rediss://", "unix://")):
        # django-redis: an outage is a cache miss (logged), not an error page; a dead Redis answers within 0.5 s.
        return {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": raw,
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5},
        }
    if raw == "dummy://":
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    raise ImproperlyConfigured(f"{name}={raw!r}: use redis://host:port/db, locmem:// (the default) or dummy://.")


DEBUG = env_bool("DJANGO_DEBUG", True)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")
    SECRET_KEY = "django-insecure-development-only-key"  # noqa: S105 - development default
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tables2",
    "django_filters",
    "simple_history",
    "config.apps.AxesConfig",  # axes, named in Chinese (config/apps.py)
    "csp",
    "django_tasks",
    "config.apps.TasksDatabaseConfig",  # django_tasks_db
    "budgets",
    "performance",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.middleware.ChineseFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {"default": env_database("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Cached parts of the project pages and list (performance.page_cache), keyed by versions of their data.
CACHES = {"default": env_cache("JIXIAO_CACHE_URL")}
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
if CACHES["default"]["BACKEND"] == "django_redis.cache.RedisCache":
    # Sessions read from the shared cache, written through to the database (which stays the truth).
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Evidence files live outside the static path and are served only through a permission-checking view.
MEDIA_ROOT = Path(os.environ.get("JIXIAO_MEDIA_ROOT", BASE_DIR / "media"))

# Login throttling (django-axes): five failures for one user name from one address lock it for 15 minutes.
AUTHENTICATION_BACKENDS = [
    "config.backends.LoginThrottlingBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_COOLOFF_MESSAGE = _("此账号连续多次密码错误，已暂停登录 15 分钟，请稍后再试。")
# The client address that throttling counts: REMOTE_ADDR, unless the app runs behind N reverse proxies
# or load balancers that each append to X-Forwarded-For (JIXIAO_TRUSTED_PROXIES=N, as Werkzeug's
# ProxyFix x_for=N): then the N-th address from the right, which a client cannot forge.
JIXIAO_TRUSTED_PROXIES = env_int("JIXIAO_TRUSTED_PROXIES", 0)
AXES_CLIENT_IP_CALLABLE = "config.backends.client_ip"

# Uploads: bodies without files up to 5 MB in memory; a file above 2.5 MB goes to a temporary file.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000
# A file sent through a web page is kept up to JIXIAO_WEB_UPLOAD_MAX_MB; the rest of a larger one is read
# and dropped (config.upload_limit), and its form refuses it: a larger flat workbook is for
# ``manage.py import_workbook``. 25 MB holds the app's own flat workbook of some 28,000 projects (what the
# guard's former 400 MB admitted) while a province's 50,000 (45 MB) goes to the command; at least 20, as
# an evidence file may be 20 MB.
FILE_UPLOAD_HANDLERS = [
    "config.upload_limit.WebUploadLimit",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
JIXIAO_WEB_UPLOAD_MAX_MB = env_int("JIXIAO_WEB_UPLOAD_MAX_MB", 25, minimum=20)
# The guard every uploaded or imported .xlsx/.docx passes (performance.uploads), on the web and on the
# command line alike. The defaults admit the app's own flat workbook of 50,000 projects x 12 indicators
# (600,001 rows on 指标, 733 MB unpacked from 45 MB, each part about 17:1) with headroom: Excel's own
# 1,048,576 rows a sheet, 2 GB unpacked (about 25 s of checking), while a zip bomb is still refused.
JIXIAO_UPLOAD_MAX_UNPACKED_MB = env_int("JIXIAO_UPLOAD_MAX_UNPACKED_MB", 2048, minimum=1)
JIXIAO_UPLOAD_MAX_SHEET_ROWS = env_int("JIXIAO_UPLOAD_MAX_SHEET_ROWS", 1_048_576, minimum=1)
# A sheet's area, rows x columns: python-calamine holds 32 bytes for each cell of it, empty or not.
# 2**24 is 1,048,576 rows of 16 columns (the 50,000 projects' 指标 sheet: 600,001 x 15), at most 512 MB.
JIXIAO_UPLOAD_MAX_SHEET_CELLS = env_int("JIXIAO_UPLOAD_MAX_SHEET_CELLS", 2**24, minimum=1)
JIXIAO_UPLOAD_MAX_PARTS = env_int("JIXIAO_UPLOAD_MAX_PARTS", 2000, minimum=1)
JIXIAO_UPLOAD_MAX_RATIO = env_int("JIXIAO_UPLOAD_MAX_RATIO", 150, minimum=1)

# Content Security Policy (django-csp 4): every asset is served from this site; no inline script.
# Inline style attributes (progress-bar widths, column widths) stay allowed; style sheets do not.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
X_FRAME_OPTIONS = "DENY"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "budgets:home"
LOGOUT_REDIRECT_URL = "login"

DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5.html"

# Background jobs (long imports and exports) through django-tasks. The default queue is a table in
# the app's own database, worked by ``manage.py db_worker`` (``make run`` starts one). With
# JIXIAO_TASKS=rq the queue is RQ on Redis (REDIS_URL, default redis://127.0.0.1:6379/0), worked by
# ``manage.py rqworker --job-class django_tasks_rq.Job default``. The job rows, their progress and
# their files stay in the database and MEDIA_ROOT either way.
JIXIAO_TASKS = os.environ.get("JIXIAO_TASKS", "database").strip().lower()
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
if JIXIAO_TASKS == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
elif JIXIAO_TASKS == "rq":
    INSTALLED_APPS += ["config.apps.RQConfig", "django_tasks_rq"]  # django_rq
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 3600}}
elif JIXIAO_TASKS == "immediate":
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
else:
    raise ImproperlyConfigured(f"JIXIAO_TASKS={JIXIAO_TASKS!r}: use database, rq or immediate.")
# A running job with no progress for this long, or whose worker process on this host is gone, is
# marked failed (it can be retried). Long single steps (saving a 60,000-row workbook) stay under it.
JIXIAO_JOB_STALE_SECONDS = env_int("JIXIAO_JOB_STALE_SECONDS", 300, minimum=1)
# Department-wide 自评表 / 目标表 workbooks above this many projects are built in the background.
JIXIAO_SYNC_SHEETS_LIMIT = env_int("JIXIAO_SYNC_SHEETS_LIMIT", 50)

# Scoring rules are data (performance/rules, SPEC section 16), chosen by finance per department and year.
# The former switches JIXIAO_OVERSHOOT_PENALTY and JIXIAO_EXECUTION_RATE_CAPS are read once, by the
# migration that ships the rule sets (a deployment that had them on gets the matching rule set as default).
# Target review rules a department switches off (codes from performance.review.RULES, comma list).
JIXIAO_REVIEW_DISABLED = {c.strip() for c in os.environ.get("JIXIAO_REVIEW_DISABLED", "").split(",") if c.strip()}

# Mail (the inbox's daily digest, ``python manage.py send_digest``): printed to the console unless SMTP is set.
EMAIL_BACKEND = os.environ.get("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("DJANGO_EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "jixiao@localhost")

if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

"""Settings for the benchmark only: the app's settings, served as in production over plain HTTP on loopback.

DEBUG is off (no query log, cached templates); cookies are not marked Secure because the load generator
talks HTTP to 127.0.0.1; static files are served unhashed. ``bench.urls`` adds the trivial view.
"""

from config.settings import *  # noqa: F403

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "bench.urls"
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

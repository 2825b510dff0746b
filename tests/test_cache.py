"""The shared Redis cache (django-redis): used when up; a Redis outage is a cache miss, never an error page."""

import os
import subprocess
import sys

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.urls import reverse

pytestmark = pytest.mark.django_db

LIVE = "redis://127.0.0.1:6379/13"  # the machine's Redis (CI has it too); a database of its own
DEAD = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def redis_cache(location):
    return {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": location,
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5},
        }
    }


def test_pages_are_served_when_redis_is_down(client, kepu, settings, caplog):
    settings.CACHES = redis_cache(DEAD)
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    client.force_login(get_user_model().objects.get(username="kexie"))
    for url in (reverse("performance:project-detail", args=[kepu.pk]), reverse("performance:project-list")):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "科普经费" in response.content.decode()
    assert cache.get("anything", "fallback") == "fallback"
    assert not cache.add("k", 1)
    assert "Exception ignored" in caplog.text  # logged (DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS), not raised


def test_the_shared_cache_holds_page_parts_and_sessions_when_redis_is_up(client, kepu, settings):
    import redis

    server = redis.Redis.from_url(LIVE)
    server.flushdb()
    settings.CACHES = redis_cache(LIVE)
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    client.force_login(get_user_model().objects.get(username="kexie"))
    assert client.get(reverse("performance:project-detail", args=[kepu.pk])).status_code == 200
    keys = [key.decode() for key in server.keys("*")]
    assert any("django.contrib.sessions.cached_db" in key for key in keys)  # the session
    assert any("template.cache" in key for key in keys)  # the project page's cached parts
    server.flushdb()


def test_a_redis_cache_url_selects_the_forgiving_backend_and_cached_sessions():
    code = (
        "import django; django.setup(); from django.conf import settings;"
        "print(settings.CACHES['default']['BACKEND'], settings.SESSION_ENGINE)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "JIXIAO_CACHE_URL": LIVE, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.split() == ["django_redis.cache.RedisCache", "django.contrib.sessions.backends.cached_db"]

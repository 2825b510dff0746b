"""Authentication backends and the client address that login throttling counts."""

import ipaddress

from axes.backends import AxesStandaloneBackend
from django.conf import settings


class LoginThrottlingBackend(AxesStandaloneBackend):
    """django-axes' throttling for every login that arrives with a request.

    Every login over HTTP (the login page, the admin) carries its request and is throttled. A call to
    ``authenticate()`` without one (the test client's ``login()``, a script) has no address to throttle;
    axes would raise, so it passes on to the model backend instead.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def client_ip(request) -> str | None:
    """The client's address for throttling (``AXES_CLIENT_IP_CALLABLE``).

    Without trusted proxies it is REMOTE_ADDR. Behind ``JIXIAO_TRUSTED_PROXIES`` = N proxies that each
    append the address they saw to X-Forwarded-For, it is the N-th entry from the right: entries
    further left came from the client and may be forged. A header shorter than N (a request that did
    not pass every proxy) falls back to REMOTE_ADDR.
    """
    remote = request.META.get("REMOTE_ADDR")
    trusted = settings.JIXIAO_TRUSTED_PROXIES
    if trusted <= 0:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if len(hops) < trusted:
        return remote
    candidate = hops[-trusted]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote

"""Authentication backends."""

from axes.backends import AxesStandaloneBackend


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

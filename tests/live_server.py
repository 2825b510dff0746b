"""A live server for the browser tests that never runs two requests at once on a shared connection.

With SQLite the tests' database is in memory, and Django hands the live server the test thread's one
connection, which every request thread then uses (``LiveServerThread(connections_override=...)``). A page
that fires requests side by side (the entry form's live preview while the form is submitted, a job page's
polling) would interleave them on that connection: one request's transaction and savepoints mixed with
another's reads and writes. That makes for failures that come and go with the machine's load, not for a
test of the app (production servers give each request thread its own connection). So when the connection
is shared, the server still accepts connections in threads but runs the app for one request at a time,
the response read to its end inside the lock. On PostgreSQL each request has its own connection and the
server is Django's, unchanged.
"""

from __future__ import annotations

import os
import threading

from django.core.servers.basehttp import ThreadedWSGIServer
from django.test.testcases import LiveServerThread
from pytest_django.live_server_helper import LiveServer


def one_at_a_time(application):
    """``application`` behind a lock: each call runs, and its response is read and closed, alone."""
    lock = threading.Lock()

    def serve(environ, start_response):
        with lock:
            response = application(environ, start_response)
            try:
                return [b"".join(response)]
            finally:
                close = getattr(response, "close", None)
                if close is not None:
                    close()  # sends request_finished, as the server would have after the last chunk

    return serve


class OneAtATimeWSGIServer(ThreadedWSGIServer):
    def set_app(self, application):
        super().set_app(one_at_a_time(application))


class OneAtATimeLiveServerThread(LiveServerThread):
    server_class = OneAtATimeWSGIServer


def start_live_server(addr: str) -> LiveServer:
    """pytest-django's live server, serving one request at a time when it shares the tests' connection."""
    server = LiveServer(addr, start=False)
    shared = server.thread.connections_override
    if shared:
        thread = server.thread
        server.thread = OneAtATimeLiveServerThread(
            thread.host, thread.static_handler, connections_override=shared, port=thread.port
        )
        server.thread.daemon = True
    server.start()
    return server


def live_server_address(config) -> str:
    """Where pytest-django's own fixture would listen."""
    return config.getvalue("liveserver") or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS") or "localhost"

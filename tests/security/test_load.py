"""bench/concurrency.py for five seconds against gunicorn + PostgreSQL (skipped where no PostgreSQL listens)."""

import os
import socket

import pytest

from tests.scripts import run_script

SERVER = "postgres://postgres@127.0.0.1:5432/postgres"


def postgres_listens() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


@pytest.mark.skipif(not postgres_listens(), reason="no PostgreSQL on 127.0.0.1:5432")
def test_twenty_users_saving_for_five_seconds_lose_nothing_and_never_see_a_5xx():
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env["DATABASE_URL"] = SERVER
    figures = run_script(
        "bench/concurrency.py", "--seconds", "5", "--database", f"jixiao_load_test_{os.getpid()}", env=env
    )
    figures = {name: value.split()[0] for name, value in figures.items()}  # "3035 (shared evaluations: 656)"
    assert int(figures["accepted_saves"]) > 0
    assert int(figures["refused_as_conflict"]) > 0  # five users on each shared evaluation do collide
    assert figures["server_errors_5xx"] == "0"
    assert [figures[f"lost_{name}"] for name in ("same_base_version", "version_mismatch")] == ["0", "0"]
    assert [figures[f"lost_{name}"] for name in ("missing_in_history", "last_value_mismatch")] == ["0", "0"]

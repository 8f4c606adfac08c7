"""With the database gone, pages answer a plain 503 page; once it is back, the app recovers by itself."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import pytest
from django.db.utils import InterfaceError, OperationalError
from django.test import Client

from tests.live_server import fetch, free_port, serve_env, serving

PAGE_TEXT = "We cannot reach our records just now"
DEVELOPER_TEXT = ("Traceback", "OperationalError", "InterfaceError", "connection refused")


def assert_plain_503(status: int, retry_after: str | None, text: str) -> None:
    assert status == 503
    assert retry_after == "30"
    assert PAGE_TEXT in text
    for developer_text in DEVELOPER_TEXT:
        assert developer_text not in text


# --- the middleware, with the test client (no database is touched) -------------------


def database_down_in_process_view(get_response):
    """Stands in for a middleware that reads the database before the view (the rate limits do)."""

    class Middleware:
        def __init__(self, get_response):
            self.get_response = get_response

        def __call__(self, request):
            return self.get_response(request)

        def process_view(self, request, view_func, view_args, view_kwargs):
            raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")

    return Middleware(get_response)


@pytest.mark.parametrize(
    "error",
    [OperationalError("connection refused"), InterfaceError("connection already closed")],
    ids=["unreachable", "connection-lost"],
)
def test_a_page_whose_database_cannot_be_reached_answers_the_plain_503_page(client, error):
    with mock.patch("screening.models.TrialQuerySet.open", side_effect=error):
        response = client.get("/")
    assert_plain_503(response.status_code, response.get("Retry-After"), response.text)


def test_a_database_error_raised_before_the_view_also_answers_the_503_page(settings):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "tests.test_database_outage.database_down_in_process_view"]
    response = Client(raise_request_exception=False).get("/trials/")
    assert_plain_503(response.status_code, response.get("Retry-After"), response.text)


def test_other_errors_still_answer_the_500_page():
    with mock.patch("screening.models.TrialQuerySet.open", side_effect=ValueError("a bug")):
        response = Client(raise_request_exception=False).get("/")
    assert response.status_code == 500 and "Something went wrong on our side" in response.text
    assert "Retry-After" not in response


def test_with_debug_on_a_developer_gets_the_error_itself(client, settings):
    # A missing migration is an OperationalError too: the traceback says so, a 503 would hide it.
    settings.DEBUG = True
    down = mock.patch("screening.models.TrialQuerySet.open", side_effect=OperationalError("no such table"))
    with down, pytest.raises(OperationalError):
        client.get("/")


# --- a real PostgreSQL stopped under a running app ----------------------------------


@dataclass
class Postgres:
    bin: Path
    home: Path
    port: int
    as_postgres: list[str]

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def pg_ctl(self, *args: str) -> None:
        subprocess.run(  # noqa: S603 (PostgreSQL's own tool)
            [*self.as_postgres, str(self.bin / "pg_ctl"), "-D", str(self.home / "data"), "-w", *args],
            check=True,
            capture_output=True,
        )

    def start(self) -> None:
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.home} -c fsync=off"
        self.pg_ctl("-l", str(self.home / "log"), "-o", options, "start")

    def stop(self) -> None:
        self.pg_ctl("-m", "immediate", "stop")


@pytest.fixture
def own_postgres() -> Iterator[Postgres]:
    """A throwaway PostgreSQL cluster of this test's own, as scripts/test makes one."""
    initdbs = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda path: int(path.split("/")[4]))
    if not initdbs:
        pytest.skip("PostgreSQL is not installed under /usr/lib/postgresql/*/bin (scripts/test installs it)")
    home = Path(tempfile.mkdtemp(prefix="trialscreen-pg-"))
    as_postgres: list[str] = []
    if os.geteuid() == 0:
        # PostgreSQL refuses to run as root.
        shutil.chown(home, "postgres")
        as_postgres = ["runuser", "-u", "postgres", "--"]
    server = Postgres(Path(initdbs[-1]).parent, home, free_port(), as_postgres)
    initdb = [str(server.bin / "initdb"), "-D", str(home / "data"), "-U", "postgres", "--auth=trust", "-E", "UTF8"]
    subprocess.run([*as_postgres, *initdb], check=True, capture_output=True)  # noqa: S603 (PostgreSQL's own tool)
    server.start()
    try:
        yield server
    finally:
        subprocess.run(  # noqa: S603 (PostgreSQL's own tool)
            [*as_postgres, str(server.bin / "pg_ctl"), "-D", str(home / "data"), "-m", "immediate", "stop"],
            capture_output=True,
        )
        shutil.rmtree(home, ignore_errors=True)


def test_with_the_database_stopped_pages_answer_503_and_the_same_server_recovers_when_it_is_back(
    own_postgres, static_root, tmp_path
):
    env = serve_env(
        DATABASE_URL=own_postgres.url,
        STATIC_ROOT=str(static_root),
        TRIALSCREEN_SECRET_KEY_FILE=str(tmp_path / "secret_key"),
    )
    with serving(env, port=free_port(), log=tmp_path / "serve.log") as base:
        assert fetch(f"{base}/trials/").status == 200

        own_postgres.stop()
        # The catalogue, the start page (it counts trials) and a private link (read before its view).
        for path in ("/trials/", "/start/", "/s/nonsense/review/"):
            answer = fetch(base + path)
            assert_plain_503(answer.status, answer.headers.get("Retry-After"), answer.text)

        own_postgres.start()
        assert fetch(f"{base}/trials/").status == 200
        assert fetch(f"{base}/s/nonsense/review/").status == 404

        # Restarted between two requests: the dead kept connection is replaced, no request fails.
        own_postgres.stop()
        own_postgres.start()
        assert fetch(f"{base}/start/").status == 200

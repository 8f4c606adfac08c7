"""Shared set-up for tests that run the app as production does: scripts/serve in a subprocess."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Nothing listens on the discard port: the sync fails at once and the demo catalogue is loaded.
UNREACHABLE_API = "http://127.0.0.1:9/api/v2"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def static_root(tmp_path_factory) -> Path:
    """One STATIC_ROOT for the session: collecting takes half a minute, and scripts/serve skips it
    when the manifest is newer than every source, so the first test to serve collects for all."""
    return tmp_path_factory.mktemp("static")


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    text: str


def fetch(url: str, timeout: float = 30) -> Answer:
    """GET without raising on 4xx/5xx and without following redirects."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(url, timeout=timeout) as response:  # noqa: S310 (a loopback URL we built)
            return Answer(response.status, dict(response.headers), response.read().decode())
    except urllib.error.HTTPError as error:
        return Answer(error.code, dict(error.headers), error.read().decode())


def serve_env(**overrides: str) -> dict[str, str]:
    """The environment of a production-like run; the test's own DEBUG and settings do not leak in."""
    env = {key: value for key, value in os.environ.items() if key not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"}}
    env.update(
        CTGOV_BASE_URL=UNREACHABLE_API,
        CTGOV_BACKOFF="0.01",
        WEB_CONCURRENCY="1",
    )
    env.update(overrides)
    return env


@contextmanager
def serving(env: dict[str, str], *, port: int, log: Path, start_timeout: float = 300) -> Iterator[str]:
    """Run scripts/serve with `env` on 127.0.0.1:`port` until the block ends; yields its base URL."""
    base = f"http://127.0.0.1:{port}"
    env = {**env, "TRIALSCREEN_ADDRESS": f"127.0.0.1:{port}"}
    with log.open("w") as output:
        process = subprocess.Popen(  # noqa: S603 (our own script)
            [str(ROOT / "scripts" / "serve")],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so stopping it stops gunicorn's workers too
        )
        try:
            deadline = time.monotonic() + start_timeout
            while True:
                if process.poll() is not None:
                    pytest.fail(f"scripts/serve exited with {process.returncode}:\n{log.read_text()}")
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=1):
                        break
                except OSError:
                    if time.monotonic() > deadline:
                        pytest.fail(f"scripts/serve did not answer within {start_timeout} s:\n{log.read_text()}")
                    time.sleep(0.5)
            yield base
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()

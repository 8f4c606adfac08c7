from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from tests.replay import ReplayServer, load_records

pytest_plugins = ["tests.browser"]

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("TRIALSCREEN_SHARED", ROOT.parent / "shared")).resolve()


def shared_path(*parts: str) -> Path:
    """A path inside the shared real data; skips the test when it is not there."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real data not found at {path} (set TRIALSCREEN_SHARED to the shared/ folder)")
    return path


@pytest.fixture(scope="session")
def real_records() -> list[dict[str, Any]]:
    return load_records(shared_path("ctgov", "studies"), shared_path("ctgov", "converted"))


@pytest.fixture
def replay(real_records: list[dict[str, Any]]) -> Iterator[ReplayServer]:
    server = ReplayServer(real_records, page_limit=60).start()
    yield server
    server.stop()


@pytest.fixture
def demo_catalogue(db) -> None:
    """The lexicon and the demo trials a fresh install starts with."""
    call_command("load_lexicon", stdout=io.StringIO())
    call_command("load_demo_catalogue", stdout=io.StringIO())

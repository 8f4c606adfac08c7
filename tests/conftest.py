from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from tests.replay import ReplayServer, load_records

pytest_plugins = ["tests.browser", "tests.live_server"]

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("TRIALSCREEN_SHARED", ROOT.parent / "shared")).resolve()


def shared_path(*parts: str) -> Path:
    """A path inside the shared real data; skips the test when it is not there."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real data not found at {path} (set TRIALSCREEN_SHARED to the shared/ folder)")
    return path


@pytest.fixture(autouse=True)
def rate_limits_off(settings) -> None:
    """Tests start many questionnaires from 127.0.0.1; tests/test_rate_limits.py turns the limits back on."""
    settings.RATE_LIMITS_ENABLED = False
    settings.AXES_ENABLED = False


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


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that commits (a live server, a browser, two processes) ends with every table
    emptied, the lexicon `migrate` seeds among them; each such test starts again from the
    migrated database, as a fresh install does (the app reads the lexicon from the database,
    never from a stale copy in memory)."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker is not None and marker.kwargs.get("transaction") and not marker.kwargs.get("serialized_rollback"):
            item.add_marker(pytest.mark.django_db(**{**marker.kwargs, "serialized_rollback": True}), append=False)


@pytest.fixture(autouse=True)
def lexicon_in_committing_tests(request) -> None:
    """Whatever emptied the tables before a committing test, it starts with what `migrate` seeds:
    the lexicon and the staff role groups."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("transaction"):
        return
    request.getfixturevalue("transactional_db")
    from django.contrib.auth.models import Group

    from screening.models import Concept
    from screening.staff.roles import Role

    if not Concept.objects.exists():
        call_command("load_lexicon", stdout=io.StringIO())
    for role in Role.values:
        Group.objects.get_or_create(name=role)

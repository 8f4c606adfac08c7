"""The scheduled jobs (sync_trials, purge_screenings) run once at a time, however many hosts start them."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.utils import timezone

from screening.locks import LockLost, try_lock
from screening.models import JobLock, Screening, SyncRun
from tests.replay import Fault, open_breast_ids

# Committed for real (other connections must see the lock), and the seeded lexicon put back for each test.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ROOT = Path(__file__).resolve().parent.parent
LEASE = dt.timedelta(minutes=5)


@pytest.fixture
def api(settings, replay):
    settings.CTGOV_BASE_URL = replay.url
    settings.CTGOV_MIN_INTERVAL = 0
    settings.CTGOV_BACKOFF = 0.01
    settings.CTGOV_MAX_RETRIES = 1
    return replay


def command(name: str) -> str:
    out = io.StringIO()
    call_command(name, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_a_sync_started_while_another_host_runs_one_does_nothing_and_says_so(settings):
    # Pointed nowhere: if this run went ahead, it would fail loudly instead of saying "nothing done".
    settings.CTGOV_BASE_URL = "http://127.0.0.1:9/api/v2"
    JobLock.objects.create(name="sync_trials", holder="host-b pid 41", locked_until=timezone.now() + LEASE)

    output = command("sync_trials")

    assert output.strip() == "Another sync is running (host-b pid 41); nothing done."
    assert not SyncRun.objects.exists()


def test_a_finished_sync_gives_the_lock_back_for_the_next_run(api):
    assert "Sync finished (full" in command("sync_trials")
    assert JobLock.objects.get(name="sync_trials").holder == ""
    assert "Sync finished (incremental" in command("sync_trials")


def test_a_lock_whose_holder_died_is_taken_once_its_lease_has_ended():
    JobLock.objects.create(name="sync_trials", holder="host-b pid 41", locked_until=timezone.now() + LEASE)
    assert try_lock("sync_trials", LEASE) is None

    JobLock.objects.update(locked_until=timezone.now() - dt.timedelta(seconds=1))

    held = try_lock("sync_trials", LEASE)
    assert held is not None
    lock = JobLock.objects.get()
    assert lock.holder == held.holder and lock.locked_until > timezone.now() + LEASE - dt.timedelta(minutes=1)


def test_a_run_whose_lease_ran_out_and_was_taken_over_stops_at_its_next_renewal():
    slow = try_lock("sync_trials", LEASE)
    JobLock.objects.update(locked_until=timezone.now() - dt.timedelta(seconds=1))
    newer = try_lock("sync_trials", LEASE)
    assert newer is not None

    with pytest.raises(LockLost):
        slow.renew()
    newer.renew()  # the newer run keeps it
    slow.release()  # and a late release by the slow one does not free it
    assert JobLock.objects.get().holder == newer.holder


def test_a_run_left_running_by_a_killed_process_is_marked_failed_by_the_next(api):
    killed = SyncRun.objects.create(mode=SyncRun.Mode.FULL)

    command("sync_trials")

    killed.refresh_from_db()
    assert killed.outcome == "failed" and killed.finished_at and "killed" in killed.error
    assert SyncRun.objects.filter(outcome="running").count() == 0
    assert SyncRun.objects.first().outcome == "succeeded"


def test_purge_screenings_does_nothing_while_another_host_purges_and_runs_once_it_is_free():
    expired, _ = Screening.begin()
    Screening.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    other = try_lock("purge_screenings", LEASE)

    assert command("purge_screenings").strip() == f"Another purge is running ({other.holder}); nothing done."
    assert Screening.objects.filter(pk=expired.pk).exists()

    other.release()
    assert "Deleted 1 expired screening" in command("purge_screenings")
    assert not Screening.objects.exists()


# --- two real processes at once, as two hosts' cron jobs would be -------------------


@contextmanager
def fresh_database(backend: str, tmp_path: Path) -> Iterator[str]:
    """An empty database for the subprocesses on the given backend; yields its URL."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'jobs.sqlite3'}"
        return
    server = os.environ.get("DATABASE_URL", "")
    if not server.startswith(("postgres://", "postgresql://")):
        pytest.skip("DATABASE_URL does not point to PostgreSQL (scripts/test runs this against its own)")
    import psycopg

    name = f"trialscreen_locks_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlsplit(server)._replace(path=f"/{name}").geturl()
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 (our own manage.py)
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_two_syncs_started_at_once_leave_one_whole_catalogue_and_one_run_in_the_log(backend, replay, tmp_path):
    with fresh_database(backend, tmp_path) as url:
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "CTGOV_BASE_URL": replay.url,
            "CTGOV_MIN_INTERVAL": "0",
            "CTGOV_READ_TIMEOUT": "30",
            "TRIALSCREEN_SERIAL_EXTRACTION": "1",
        }
        migrated = manage(env, "migrate", "--noinput")
        assert migrated.returncode == 0, migrated.stderr
        # The run that gets the lock waits on its first request, so the other surely starts meanwhile.
        replay.queue(Fault("timeout", delay=4))

        runs = [
            subprocess.Popen(  # noqa: S603 (our own manage.py)
                [sys.executable, "manage.py", "sync_trials"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        results = [(run.wait(timeout=300), *run.communicate()) for run in runs]

        assert [status for status, _, _ in results] == [0, 0], results
        outputs = sorted(out.strip() for _, out, _ in results)
        expected = open_breast_ids(replay)
        assert outputs[0].startswith("Another sync is running (") and outputs[0].endswith("); nothing done.")
        assert outputs[1] == (
            f"Sync finished (full, all open breast-cancer trials): {len(expected)} new, 0 updated, 0 unchanged, 0 failed."
        )

        state = manage(
            env,
            "shell",
            "-v",
            "0",
            "-c",
            "import json; from screening.models import JobLock, SyncRun, Trial; print(json.dumps({"
            "'trials': list(Trial.objects.values_list('nct_id', flat=True)),"
            "'runs': list(SyncRun.objects.values('outcome', 'mode', 'new', 'updated', 'failed')),"
            "'locks': list(JobLock.objects.values_list('name', 'holder'))}))",
        )
        assert state.returncode == 0, state.stderr
        found = json.loads(state.stdout.strip().splitlines()[-1])
        assert sorted(found["trials"]) == sorted(expected)  # every trial, each once
        assert found["runs"] == [
            {"outcome": "succeeded", "mode": "full", "new": len(expected), "updated": 0, "failed": 0}
        ]
        assert found["locks"] == [["sync_trials", ""]]

        # The lock was given back: the next scheduled run goes ahead.
        after = manage(env, "sync_trials")
        assert after.returncode == 0 and after.stdout.startswith("Sync finished (incremental"), after.stdout

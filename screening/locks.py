"""One run at a time for the scheduled jobs, however many hosts start them.

Each job (sync_trials, purge_screenings) owns a JobLock row. A run takes it with one
conditional UPDATE ("free, or its lease has ended") and gives it back when done. The
same statement works on SQLite (one writer at a time) and PostgreSQL (a concurrent
UPDATE of the row waits for the first to commit, then sees the lease taken), keeps
working behind a transaction-pooling proxy, where a session-level advisory lock would
not, and leaves who holds the lock readable in the table. A run killed before it could
give the lock back holds it only until its lease ends; long runs renew it as they go.
Times are the database's, so hosts whose clocks disagree still agree on the lease.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db.models import DateTimeField, ExpressionWrapper, Value
from django.db.models.functions import Now

from screening.models import JobLock

# The beginning of time for a lock row that has never been held.
NEVER = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


class LockLost(Exception):
    """The lease ran out and another run took the lock: stop before both write."""


def _until(lease: dt.timedelta) -> ExpressionWrapper:
    return ExpressionWrapper(Now() + Value(lease), output_field=DateTimeField())


@dataclass
class Held:
    name: str
    holder: str
    lease: dt.timedelta

    def renew(self) -> None:
        """Push the lease on; raises LockLost when another run has taken the lock meanwhile."""
        renewed = JobLock.objects.filter(name=self.name, holder=self.holder).update(locked_until=_until(self.lease))
        if not renewed:
            raise LockLost(f"the {self.name} lock was taken by another run after its lease ended")

    def release(self) -> None:
        JobLock.objects.filter(name=self.name, holder=self.holder).update(holder="", locked_until=NEVER)


def try_lock(name: str, lease: dt.timedelta) -> Held | None:
    """Take the named lock for `lease`, or return None when another run holds it."""
    # The row is made on first use, so a new job needs no migration; a concurrent insert
    # of the same name is ignored by the unique constraint.
    JobLock.objects.bulk_create([JobLock(name=name, locked_until=NEVER)], ignore_conflicts=True)
    holder = f"{socket.gethostname()} pid {os.getpid()} run {uuid.uuid4().hex[:8]}"
    taken = JobLock.objects.filter(name=name, locked_until__lt=Now()).update(holder=holder, locked_until=_until(lease))
    return Held(name, holder, lease) if taken else None


def holder_of(name: str) -> str:
    return JobLock.objects.filter(name=name).values_list("holder", flat=True).first() or "unknown"


@contextmanager
def job_lock(name: str, lease: dt.timedelta) -> Iterator[Held | None]:
    """Hold the named lock for the block; yields None (and runs nothing of its own) when it is taken."""
    held = try_lock(name, lease)
    try:
        yield held
    finally:
        if held is not None:
            held.release()

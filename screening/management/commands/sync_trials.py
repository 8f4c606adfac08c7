from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from screening.ctgov import CtGovClient, CtGovError
from screening.locks import LockLost, holder_of, job_lock
from screening.sync import close_abandoned_runs, sync

# Renewed after every page, so this only bounds how long a run killed mid-way blocks the next.
LEASE = dt.timedelta(minutes=30)


class Command(BaseCommand):
    help = (
        "Fetch recruiting and not-yet-recruiting breast-cancer trials from the ClinicalTrials.gov API v2 "
        "(CTGOV_BASE_URL) into the catalogue; after the first run, only records updated since the last one."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--full",
            action="store_true",
            help="Fetch everything again and re-check trials that may have left the search.",
        )

    def handle(self, *args: Any, full: bool, **options: Any) -> None:
        # Every app host may schedule the sync; the first to start runs it, the others
        # leave the catalogue to it and exit as a success (nothing is wrong).
        with job_lock("sync_trials", LEASE) as held:
            if held is None:
                self.stdout.write(f"Another sync is running ({holder_of('sync_trials')}); nothing done.")
                return
            abandoned = close_abandoned_runs()
            if abandoned:
                self.stderr.write(f"Marked {abandoned} run(s) left unfinished by a stopped process as failed.")
            self._sync(full, renew=held.renew)

    def _sync(self, full: bool, renew: Callable[[], None]) -> None:
        client = CtGovClient.from_settings()
        bar: tqdm | None = None

        def progress(done: int, total: int | None) -> None:
            nonlocal bar
            renew()
            if bar is None:
                bar = tqdm(total=total, unit="study", desc="Syncing", disable=not sys.stderr.isatty(), file=sys.stderr)
            bar.n = done
            bar.refresh()

        problems: list[str] = []
        try:
            run = sync(client, force_full=full, progress=progress, problems=problems)
        except (CtGovError, LockLost) as error:
            raise CommandError(f"Sync failed; the catalogue keeps every page fetched so far. {error}") from None
        except KeyboardInterrupt:
            raise CommandError(
                "Sync interrupted; every page fetched so far is kept and the next run resumes."
            ) from None
        finally:
            if bar is not None:
                bar.close()
            client.close()
        for problem in problems:
            self.stderr.write(f"Skipped a record: {problem}")
        scope = f"since {run.since:%Y-%m-%d}" if run.since else "all open breast-cancer trials"
        self.stdout.write(f"Sync finished ({run.get_mode_display().lower()}, {scope}): {run.summary()}.")

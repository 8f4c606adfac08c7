from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from screening.ctgov import CtGovClient, CtGovError
from screening.sync import sync


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
        client = CtGovClient.from_settings()
        bar: tqdm | None = None

        def progress(done: int, total: int | None) -> None:
            nonlocal bar
            if bar is None:
                bar = tqdm(total=total, unit="study", desc="Syncing", disable=not sys.stderr.isatty(), file=sys.stderr)
            bar.n = done
            bar.refresh()

        problems: list[str] = []
        try:
            run = sync(client, force_full=full, progress=progress, problems=problems)
        except CtGovError as error:
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

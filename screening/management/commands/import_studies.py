from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from screening.catalogue import (
    BATCH_SIZE,
    BadFile,
    UpsertCounts,
    eligibility_text,
    iter_files,
    records_in_file,
    upsert_records,
)
from screening.engine.parallel import rules_ahead, warm_up
from screening.knowledge import current_lexicon


class Command(BaseCommand):
    help = (
        "Load ClinicalTrials.gov API v2 study records into the catalogue. Each PATH is a study file, "
        "a search page ({'studies': [...]}) or a directory of such *.json files. Bad files are named "
        "and skipped; the exit status is non-zero when anything was skipped."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", type=Path, metavar="PATH")

    def handle(self, *args: Any, paths: list[Path], verbosity: int, **options: Any) -> None:
        lexicon = current_lexicon()
        warm_up(lexicon)
        totals = UpsertCounts()
        skipped_files = 0
        files = 0
        batch: list[dict[str, Any]] = []
        sources: list[str] = []
        waiting: tuple[list[dict[str, Any]], list[str], Callable[[], dict[str, list[dict]]]] | None = None

        def flush() -> None:
            # Start extracting this batch, then write the previous one while the workers run.
            nonlocal waiting, batch, sources
            ahead = rules_ahead([eligibility_text(record) for record in batch], lexicon)
            write_waiting()
            waiting = (batch, sources, ahead)
            batch, sources = [], []

        def write_waiting() -> None:
            if waiting is not None:
                records, names, ahead = waiting
                totals.add(upsert_records(records, names, lexicon, prepared=ahead()))

        for path in paths:
            if not path.exists():
                self.stderr.write(f"Skipped {path}: no such file or directory")
                skipped_files += 1
        for path in iter_files(p for p in paths if p.exists()):
            try:
                records = records_in_file(path)
            except BadFile as error:
                self.stderr.write(f"Skipped {error}")
                skipped_files += 1
                continue
            files += 1
            for index, record in enumerate(records):
                batch.append(record)
                sources.append(str(path) if len(records) == 1 else f"{path} (study {index + 1})")
            if len(batch) >= BATCH_SIZE:
                flush()
        if batch:
            flush()
        write_waiting()

        for problem in totals.problems:
            self.stderr.write(f"Skipped a record in {problem}")
        self.stdout.write(
            f"Imported {totals.loaded} studies from {files} files: {totals.new} new, {totals.updated} updated, "
            f"{totals.unchanged} unchanged, {totals.failed} failed; {skipped_files} files skipped."
        )
        if skipped_files or totals.failed:
            raise CommandError(f"{skipped_files} files and {totals.failed} records were skipped (named above).")

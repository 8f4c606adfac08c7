from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from screening.curation.store import CurationsRefused, load_files


class Command(BaseCommand):
    help = (
        "Check curated readings (trialscreen/curated-criteria@1 files, or folders of them) and store them "
        "all in one transaction; if any file fails, name each file and field at fault and store nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="A file, or a folder of *.json files.")

    def handle(self, *args: Any, paths: list[Path], **options: Any) -> None:
        try:
            loaded = load_files(paths)
        except CurationsRefused as refused:
            for problem in refused.problems:
                self.stderr.write(problem)
            raise CommandError(
                f"{refused.failed} of {refused.files} curated reading file{'s' if refused.files != 1 else ''} "
                "refused; nothing was loaded."
            ) from None
        if not loaded.files:
            self.stdout.write(f"No curated readings in {', '.join(map(str, paths))}: nothing to load.")
            return
        parts = [f"stored {len(loaded.stored)} new curation{'s' if len(loaded.stored) != 1 else ''}"]
        if loaded.unchanged:
            parts.append(f"{len(loaded.unchanged)} already current")
        if loaded.automatic:
            parts.append(
                f"{len(loaded.automatic)} unsigned automatic reading{'s' if len(loaded.automatic) != 1 else ''} (nothing to store)"
            )
        self.stdout.write(f"Checked {loaded.files} file{'s' if loaded.files != 1 else ''}: " + "; ".join(parts) + ".")
        for nct_id in loaded.stored:
            self.stdout.write(f"  {nct_id}: new curation stored")

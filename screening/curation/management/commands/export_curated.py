from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from screening.curation.store import CURATED_DIR, export_trial
from screening.models import Trial


class Command(BaseCommand):
    help = (
        "Write each trial's reading to DIR/<NCT_ID>.json (trialscreen/curated-criteria@1): its current curation "
        "unless stale, otherwise the engine's automatic reading, unsigned, as a curator's starting point."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("nct_ids", nargs="+", metavar="NCT_ID")
        parser.add_argument("--out", type=Path, default=CURATED_DIR, metavar="DIR", help="Default: fixtures/curated")

    def handle(self, *args: Any, nct_ids: list[str], out: Path, **options: Any) -> None:
        wanted = list(dict.fromkeys(nct_id.upper() for nct_id in nct_ids))
        trials = Trial.objects.in_bulk(wanted, field_name="nct_id")
        missing = [nct_id for nct_id in wanted if nct_id not in trials]
        if missing:
            raise CommandError(f"Not in the catalogue: {', '.join(missing)}")
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise CommandError(f"Cannot make the folder {out}: {error.strerror}") from None
        for nct_id in wanted:
            exported = export_trial(trials[nct_id])
            path = out / f"{nct_id}.json"
            path.write_text(exported.curation.dumps(), encoding="utf-8")
            curation = exported.curation
            if curation.signed:
                what = f"curated by {curation.curated_by} at {curation.curated_at}"
            elif exported.stale is not None:
                what = (
                    f"the automatic reading: the curation by {exported.stale.curated_by} was made against "
                    "an earlier criteria text"
                )
            else:
                what = "the automatic reading, a starting point: sign it with curated_by and curated_at"
            self.stdout.write(f"Wrote {path} ({what}).")

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from screening.engine.lexicon import CATEGORIES
from screening.evaluation import (
    JudgementReport,
    Score,
    evaluate_extraction,
    evaluate_gold_profiles,
    evaluate_pairs,
    evaluate_trec,
    latest_first_look,
)
from screening.knowledge import current_lexicon

GOLD = Path(settings.BASE_DIR) / "fixtures" / "gold"
TREC_PROFILES = Path(settings.BASE_DIR) / "fixtures" / "eval" / "trec2021_profiles.json"


def share(value: float | None) -> str:
    return "  n/a" if value is None else f"{value:5.2f}"


class Command(BaseCommand):
    help = (
        "Measure the engine on real trials: extraction precision and recall per category on the gold set, "
        "and screening against the TREC 2021 breast judgements, the gold profiles and the blind-judged pairs."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--shared",
            type=Path,
            default=Path(os.environ.get("TRIALSCREEN_SHARED", Path(settings.BASE_DIR).parent / "shared")),
            help="The shared real-data folder (default: $TRIALSCREEN_SHARED or ../shared).",
        )
        parser.add_argument(
            "--batch",
            help="Measure only one blind batch (a folder name under fixtures/gold/batches/): its gold trials and pairs.",
        )
        parser.add_argument("--details", action="store_true", help="List every mistake.")

    def handle(self, *args: Any, shared: Path, batch: str | None, details: bool, **options: Any) -> None:
        if not (shared / "ctgov" / "converted").is_dir():
            raise CommandError(f"Real data not found at {shared}; pass --shared or set TRIALSCREEN_SHARED.")
        lexicon = current_lexicon()
        batches = sorted(path for path in (GOLD / "batches").glob("*") if path.is_dir())
        if batch:
            batches = [path for path in batches if path.name == batch]
            if not batches:
                raise CommandError(f"No batch {batch!r} under {GOLD / 'batches'}.")
            drawn = json.loads((batches[0] / "drawn.json").read_text())
            labelled = (GOLD / "trials" / f"{nct_id}.json" for nct_id in drawn["gold_trials"])
            gold_paths = [path for path in labelled if path.exists()]
        else:
            gold_paths = sorted((GOLD / "trials").glob("NCT*.json"))

        extraction = evaluate_extraction(gold_paths, shared, lexicon)
        self.stdout.write(f"Extraction on the gold set: {extraction.trials} trials, {extraction.criteria} criteria")
        self.stdout.write(f"  {'category':<16} {'precision':>9} {'recall':>7} {'expected':>9}")
        for category in CATEGORIES:
            score = extraction.by_category.get(category, Score())
            self.stdout.write(
                f"  {category:<16} {share(score.precision):>9} {share(score.recall):>7} {score.true_positive + score.false_negative:>9}"
            )
        overall = extraction.overall
        self.stdout.write(
            f"  {'all':<16} {share(overall.precision):>9} {share(overall.recall):>7} {overall.true_positive + overall.false_negative:>9}"
        )
        if extraction.unmatched:
            self.stdout.write(f"  {len(extraction.unmatched)} gold criteria were not found in the parsed text")

        profiles = sorted(GOLD.glob("profiles*.json"))
        reports = (
            []
            if batch
            else [evaluate_trec(shared, TREC_PROFILES, lexicon), evaluate_gold_profiles(profiles, shared, lexicon)]
        )
        reports += [
            evaluate_pairs(path, profiles, shared, lexicon) for path in batches if any(path.glob("labeller-*.json"))
        ]
        for report in reports:
            self.report(report, details)

        first_look = latest_first_look(GOLD / "first-look.md")
        if first_look:
            self.stdout.write(
                "Latest first look, on trials the engine had not been fixed against "
                "(fixtures/gold/first-look.md): " + "; ".join(f"{name} {value}" for name, value in first_look.items())
            )

        if details:
            for line in extraction.mistakes + extraction.unmatched:
                self.stdout.write(f"  extraction: {line}")

    def report(self, report: JudgementReport, details: bool) -> None:
        self.stdout.write(
            f"Screening, {report.name}: {report.eligible} judged eligible, {share(report.eligible_hidden_share).strip()} of them "
            f"marked not_a_fit; {report.excluded} judged excluded, "
            f"{share(report.excluded_caught_share).strip()} of them marked not_a_fit"
        )
        if details:
            for line in report.hidden:
                self.stdout.write(f"  hidden although eligible: {line}")
            for line in report.missed:
                self.stdout.write(f"  kept although excluded: {line}")

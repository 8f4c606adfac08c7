from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from screening.engine.lexicon import CATEGORIES
from screening.evaluation import JudgementReport, Score, evaluate_extraction, evaluate_gold_profiles, evaluate_trec
from screening.knowledge import current_lexicon

GOLD = Path(settings.BASE_DIR) / "fixtures" / "gold"
TREC_PROFILES = Path(settings.BASE_DIR) / "fixtures" / "eval" / "trec2021_profiles.json"


def share(value: float | None) -> str:
    return "  n/a" if value is None else f"{value:5.2f}"


class Command(BaseCommand):
    help = (
        "Measure the engine on real trials: extraction precision and recall per category on the gold set, "
        "and screening against the TREC 2021 breast judgements and the gold profiles."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--shared",
            type=Path,
            default=Path(os.environ.get("TRIALSCREEN_SHARED", Path(settings.BASE_DIR).parent / "shared")),
            help="The shared real-data folder (default: $TRIALSCREEN_SHARED or ../shared).",
        )
        parser.add_argument("--details", action="store_true", help="List every mistake.")

    def handle(self, *args: Any, shared: Path, details: bool, **options: Any) -> None:
        records = shared / "ctgov" / "converted"
        if not records.is_dir():
            raise CommandError(f"Real data not found at {shared}; pass --shared or set TRIALSCREEN_SHARED.")
        lexicon = current_lexicon()

        extraction = evaluate_extraction(GOLD / "trials", records, lexicon)
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

        for report in (
            evaluate_trec(shared, TREC_PROFILES, lexicon),
            evaluate_gold_profiles(sorted(GOLD.glob("profiles*.json")), records, lexicon),
        ):
            self.report(report, details)

        if details:
            for line in extraction.mistakes + extraction.unmatched:
                self.stdout.write(f"  extraction: {line}")

    def report(self, report: JudgementReport, details: bool) -> None:
        self.stdout.write(
            f"Screening, {report.name}: {report.eligible} judged eligible, {share(report.eligible_hidden_share).strip()} of them "
            f"marked not_a_fit (target at most 0.05); {report.excluded} judged excluded, "
            f"{share(report.excluded_caught_share).strip()} of them marked not_a_fit"
        )
        if details:
            for line in report.hidden:
                self.stdout.write(f"  hidden although eligible: {line}")
            for line in report.missed:
                self.stdout.write(f"  kept although excluded: {line}")

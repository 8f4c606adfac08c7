from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from screening.engine.match import TIER_WORDS
from screening.engine.profile import ProfileError, load_profile
from screening.models import Trial
from screening.screening import screen_profile

OUTCOME_MARKS = {"met": "+", "not_met": "x", "unknown": "?", "not_assessed": "."}


class Command(BaseCommand):
    help = "Screen a profile (trialscreen/profile@1 JSON) against the catalogue and print the shortlist."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("profile", type=Path, metavar="PROFILE.json")
        parser.add_argument(
            "--trial", action="append", nargs="+", metavar="NCT_ID", default=[], help="Only these trials (repeatable)."
        )
        parser.add_argument("--format", choices=["json", "text"], default="json")

    def handle(self, *args: Any, profile: Path, trial: list[list[str]], format: str, **options: Any) -> None:
        try:
            data = json.loads(profile.read_text())
        except OSError as error:
            raise CommandError(f"Cannot read the profile {profile}: {error.strerror}") from None
        except json.JSONDecodeError as error:
            raise CommandError(f"The profile {profile} is not valid JSON: {error}") from None
        try:
            patient = load_profile(data)
        except ProfileError as error:
            raise CommandError(f"The profile {profile} is not a valid profile: {error}") from None

        trials = Trial.objects.all()
        wanted = [nct_id.upper() for group in trial for nct_id in group]
        if wanted:
            known = set(Trial.objects.filter(nct_id__in=wanted).values_list("nct_id", flat=True))
            missing = [nct_id for nct_id in wanted if nct_id not in known]
            if missing:
                raise CommandError(f"Not in the catalogue: {', '.join(missing)}")
            trials = trials.filter(nct_id__in=wanted)

        result = screen_profile(patient, trials)
        if format == "json":
            self.stdout.write(json.dumps(result, indent=2, ensure_ascii=False))
        else:
            self.stdout.write(render_text(result))


def render_text(shortlist: dict[str, Any]) -> str:
    results = shortlist["results"]
    counts = {tier: sum(1 for r in results if r["tier"] == tier) for tier in TIER_WORDS}
    lines = [
        f"Screened {len(results)} trials: "
        + ", ".join(f"{counts[tier]} {TIER_WORDS[tier].lower()}" for tier in TIER_WORDS)
        + ".",
        "This is a pre-screening aid, not medical advice; the study team decides who can take part.",
        "",
    ]
    for result in results:
        lines.append(f"{TIER_WORDS[result['tier']].upper()}  {result['nct_id']}  {result['title']}")
        site = result["nearest_site"]
        if site:
            lines.append(f"    Nearest site: {site['facility']}, {site['city']} ({site['distance_miles']} miles)")
        if result.get("cohorts"):
            parts = "; ".join(
                f"{part['name']}: {'ruled out' if part['ruled_out'] else 'may fit'}" for part in result["cohorts"]
            )
            lines.append(
                textwrap.fill(f"Parts of this trial: {parts}.", 100, initial_indent="    ", subsequent_indent="      ")
            )
        for item in result["criteria"]:
            if item["outcome"] == "not_assessed":
                continue
            firmness = f" [tentative: {', '.join(item['doubts'])}]" if item.get("firmness") == "tentative" else ""
            lines.append(
                textwrap.fill(
                    f"{OUTCOME_MARKS[item['outcome']]} {item['reason']}{firmness}",
                    100,
                    initial_indent="    ",
                    subsequent_indent="      ",
                )
            )
            lines.append(textwrap.fill(f"“{item['text']}”", 100, initial_indent="      ", subsequent_indent="      "))
        for asked in result["questions_for_oncologist"]:
            lines.append(textwrap.fill(f"Ask: {asked}", 100, initial_indent="    ", subsequent_indent="      "))
        lines.append("")
    return "\n".join(lines)

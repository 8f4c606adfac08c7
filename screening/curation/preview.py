"""What a change to a trial's reading would do, shown to the curator before she saves it.

Each sample patient is screened against the trial twice, with the reading in use and with the
draft, and the moves between tiers are counted: on the gold profiles (`fixtures/gold`) and on
the saved screenings patients made (anonymous: a saved one is named by when it was last
changed, never by its answers' details or its link).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings

from screening.curation.reading import rules_of
from screening.engine.profile import Profile, ProfileError, load_profile
from screening.engine.shortlist import screen_trial
from screening.knowledge import current_lexicon
from screening.models import Screening, Trial
from screening.questionnaire import as_profile
from screening.screening import facts_for

GOLD = Path(settings.BASE_DIR) / "fixtures" / "gold"
SAVED_SAMPLE = 500  # the most recently changed saved screenings: enough to see an effect, quick to screen
EXAMPLES = 3
TIER_WORDS = {"worth_discussing": "Worth discussing", "check_first": "Check first", "not_a_fit": "Not a fit"}


@dataclass(frozen=True)
class Sample:
    label: str
    group: str  # "gold" or "saved"
    profile: Profile


@dataclass(frozen=True)
class Example:
    label: str
    reasons: tuple[str, ...]  # the draft's reasons for criteria whose outcome moved


@dataclass
class Move:
    before: str
    after: str
    count: int = 0
    examples: list[Example] = field(default_factory=list)

    @property
    def words(self) -> str:
        return f"{TIER_WORDS[self.before]} → {TIER_WORDS[self.after]}"


@dataclass
class GroupEffect:
    name: str
    screened: int = 0
    moves: dict[tuple[str, str], Move] = field(default_factory=dict)

    @property
    def moved(self) -> int:
        return sum(move.count for move in self.moves.values())

    @property
    def listed(self) -> list[Move]:
        return sorted(self.moves.values(), key=lambda move: (-move.count, move.before, move.after))


@dataclass
class Effect:
    gold: GroupEffect
    saved: GroupEffect

    @property
    def groups(self) -> tuple[GroupEffect, GroupEffect]:
        return self.gold, self.saved

    @property
    def moved(self) -> int:
        return self.gold.moved + self.saved.moved


def gold_samples(directory: Path = GOLD) -> list[Sample]:
    return [
        Sample(f"Gold profile {entry['id']}", "gold", load_profile(entry["profile"]))
        for path in sorted(directory.glob("profiles*.json"))
        for entry in json.loads(path.read_text())
    ]


def saved_samples(limit: int = SAVED_SAMPLE) -> list[Sample]:
    samples = []
    for answers, updated_at in (
        Screening.objects.current()
        .exclude(answers={})
        .order_by("-updated_at")
        .values_list("answers", "updated_at")[:limit]
    ):
        try:
            profile = load_profile(as_profile(answers))
        except ProfileError:
            continue  # answers the questionnaire would not take as they stand give no shortlist to move
        samples.append(Sample(f"A saved screening last changed {_day(updated_at)}", "saved", profile))
    return samples


def effect(trial: Trial, in_use: list[dict[str, Any]], draft: list[dict[str, Any]], samples: list[Sample]) -> Effect:
    lexicon = current_lexicon()
    before = facts_for(trial, rules_of(in_use), {"source": "automatic"})
    after = facts_for(trial, rules_of(draft), {"source": "curated"})
    groups = {"gold": GroupEffect("Gold profiles"), "saved": GroupEffect("Saved screenings")}
    for sample in samples:
        old = screen_trial(before, sample.profile, lexicon)
        new = screen_trial(after, sample.profile, lexicon)
        group = groups[sample.group]
        group.screened += 1
        if old["tier"] == new["tier"]:
            continue
        move = group.moves.setdefault((old["tier"], new["tier"]), Move(old["tier"], new["tier"]))
        move.count += 1
        if len(move.examples) < EXAMPLES:
            move.examples.append(Example(sample.label, moved_reasons(old, new)))
    return Effect(groups["gold"], groups["saved"])


def moved_reasons(old: dict[str, Any], new: dict[str, Any]) -> tuple[str, ...]:
    """The draft's reasons for the criteria whose outcome is not what it was (a criterion new to the
    reading counts as moved)."""
    outcomes: dict[tuple[str, str], list[str]] = defaultdict(list)
    for entry in old["criteria"]:
        outcomes[(entry["kind"], entry["text"])].append(entry["outcome"])
    reasons = []
    for entry in new["criteria"]:
        if entry["outcome"] not in outcomes.get((entry["kind"], entry["text"]), ()):
            reason = f"“{entry['text']}”: {entry['reason']}"
            if reason not in reasons:
                reasons.append(reason)
    return tuple(reasons)


def _day(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%-d %b %Y")

"""What changed between two readings of a trial, in words a curator reads in the history.

Items are matched by their kind and the trial's words, so an item added or taken out does not
make every later one look changed.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from typing import Any

ITEM_FIELDS = ("kind", "cohort", "reading")
RULE_FIELDS = ("logic", "negated", "constraints", "doubts", "alternative")
EXCERPT = 80


@dataclass(frozen=True)
class Change:
    what: str  # "added", "removed", "changed"
    text: str  # the item's words, shortened
    details: tuple[str, ...] = ()


def changes(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> list[Change]:
    keys_before = [(item["kind"], item["text"]) for item in before]
    keys_after = [(item["kind"], item["text"]) for item in after]
    found: list[Change] = []
    matcher = difflib.SequenceMatcher(a=keys_before, b=keys_after, autojunk=False)
    for op, low_a, high_a, low_b, high_b in matcher.get_opcodes():
        if op == "equal":
            for old, new in zip(before[low_a:high_a], after[low_b:high_b], strict=True):
                details = field_changes(old, new)
                if details:
                    found.append(Change("changed", excerpt(new["text"]), details))
            continue
        if op == "replace" and high_a - low_a == high_b - low_b:
            # The same items with their kind or words changed (a kind set right, a quote shortened).
            for old, new in zip(before[low_a:high_a], after[low_b:high_b], strict=True):
                details = field_changes(old, new, with_text=True)
                found.append(Change("changed", excerpt(new["text"]), details))
            continue
        found += [Change("removed", excerpt(item["text"])) for item in before[low_a:high_a]]
        found += [Change("added", excerpt(item["text"])) for item in after[low_b:high_b]]
    return found


def field_changes(old: dict[str, Any], new: dict[str, Any], *, with_text: bool = False) -> tuple[str, ...]:
    details = []
    if with_text and old["text"] != new["text"]:
        details.append(f"words: “{excerpt(old['text'])}” → “{excerpt(new['text'])}”")
    both_rules = old["reading"] == new["reading"] == "rule"
    either_rule = "rule" in (old["reading"], new["reading"])
    # A reading that stops or starts being a rule is said by its reading and constraints alone.
    names = ITEM_FIELDS + (RULE_FIELDS if both_rules else ("constraints",) if either_rule else ())
    for name in names:
        was, now = old.get(name, _DEFAULTS.get(name)), new.get(name, _DEFAULTS.get(name))
        if was != now:
            details.append(f"{name}: {shown(was)} → {shown(now)}")
    return tuple(details)


_DEFAULTS: dict[str, Any] = {"cohort": "", "negated": False, "alternative": False, "doubts": [], "constraints": []}


def shown(value: Any) -> str:
    if value == "":
        return "(everyone)"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1].rstrip() + "…"

"""The trial's criteria text cut into passages, each item's words marked where they are found.

So the review page shows the text beside its reading, and each item can be found in it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from screening.criteria import clean


@dataclass(frozen=True)
class Passage:
    text: str
    item: int | None = None  # the index of the item whose words these are


def passages(criteria_text: str, items: list[dict[str, Any]]) -> list[Passage]:
    text = clean(criteria_text)
    spans: list[tuple[int, int, int]] = []
    cursor = 0
    for index, item in enumerate(items):
        pattern = words_pattern(item["text"])
        if pattern is None:
            continue
        # Items follow the text's order; an item out of order (edited, or a curator's split) is looked for from the top.
        found = pattern.search(text, cursor) or pattern.search(text)
        if found is None or any(start < found.end() and found.start() < end for start, end, _ in spans):
            continue
        spans.append((found.start(), found.end(), index))
        cursor = max(cursor, found.end())
    spans.sort()
    cut: list[Passage] = []
    position = 0
    for start, end, index in spans:
        if start > position:
            cut.append(Passage(text[position:start]))
        cut.append(Passage(text[start:end], index))
        position = end
    if position < len(text):
        cut.append(Passage(text[position:]))
    return cut


def words_pattern(words: str) -> re.Pattern[str] | None:
    parts = words.split()
    if not parts:
        return None
    # The item's words may have been joined from several lines, or lost a list mark between them.
    return re.compile(r"\s+(?:(?:[*\-+•·▪◦●○]|\(?\w{1,4}[.)])\s+)?".join(map(re.escape, parts)))

"""The readers: one per kind of fact, each turning a clause's words into constraints.

Each eligibility category keeps its readers in a module of its own beside this one. A
reader declares where it is defined the words that make it worth running (`triggers`) and
how the item's structure applies to it (flags below); `extract.extract_item` runs them in
the order they are registered (the categories' import order, then definition order).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from screening.engine.clauses import words_pattern
from screening.engine.lexicon import Lexicon
from screening.engine.rules import Constraint

# (normalised text, rule kind, negated, lexicon) -> constraints
Extractor = Callable[[str, str, bool, Lexicon], list[Constraint]]


@dataclass(frozen=True)
class Reader:
    name: str
    read: Extractor
    # Cheap first looks: the reader runs only when one of these appears (plain substrings, so
    # a look may let through text the reader then ignores, never the other way round), or
    # when the pattern matches.
    triggers: tuple[str, ...] | re.Pattern[str]
    # Speaks of the breast cancer only: nothing to read in a criterion about another cancer,
    # a carve-out among exclusions, or an exclusion qualified by what the patient lacks.
    breast_only: bool = False
    # Still read in a basket trial's criterion that lists breast cancer among others.
    in_baskets: bool = False
    # Reads what a basket's breast parts agree on ("TNBC, HR+/HER2- breast cancer").
    basket_biology: bool = False
    # About treatment received: nothing to read in a criterion about another cancer.
    therapy: bool = False
    # Names therapies: a lead lends it its verb, and a therapy "if indicated" is conditional.
    names_therapies: bool = False
    # Reads only the main clause, not the exceptions carved out after it.
    main_clause_only: bool = False
    # Under exclusions, also reads the notes that follow (where permissions are given).
    notes_in_exclusions: bool = False

    def __call__(self, text: str, kind: str, negated: bool, lexicon: Lexicon) -> list[Constraint]:
        return self.read(text, kind, negated, lexicon)


# Readers run category by category in this order, and within a category in the order they are
# defined, so constraints come out in the same order whichever module is imported first.
CATEGORIES = ("age_sex", "health", "history", "stage", "therapy", "biology")
READERS: list[Reader] = []
_RANKS: dict[str, tuple[int, int]] = {}


def reader(*, triggers: tuple[str, ...] | re.Pattern[str], **flags: bool) -> Callable[[Extractor], Extractor]:
    """Register a reader where it is defined."""

    def register(read: Extractor) -> Extractor:
        _RANKS[read.__name__] = (CATEGORIES.index(read.__module__.rsplit(".", 1)[-1]), len(_RANKS))
        READERS.append(Reader(read.__name__, read, triggers, **flags))
        READERS.sort(key=lambda registered: _RANKS[registered.name])
        return read

    return register


@lru_cache(maxsize=1)
def _scan() -> tuple[re.Pattern[str], dict[str, set[str]], dict[str, re.Pattern[str]]]:
    """One scan for all the plain trigger words (longest first), built once every reader is registered.

    A word hidden inside a longer one is missed, which can only leave a reader unrun, never run
    one wrongly; a longer word found implies every trigger word that is its prefix.
    """
    patterns = {r.name: r.triggers for r in READERS if isinstance(r.triggers, re.Pattern)}
    words = sorted(
        {word for r in READERS if not isinstance(r.triggers, re.Pattern) for word in r.triggers}, key=len, reverse=True
    )
    triggered_by = {
        found: {
            r.name
            for r in READERS
            if not isinstance(r.triggers, re.Pattern) and any(found.startswith(w) for w in r.triggers)
        }
        for found in words
    }
    return re.compile(words_pattern(words)), triggered_by, patterns


@lru_cache(maxsize=8192)
def triggered(text: str) -> frozenset[str]:
    """The names of the readers worth running on a text."""
    scan, triggered_by, patterns = _scan()
    names: set[str] = set()
    for found in scan.findall(text):
        names |= triggered_by[found]
    for name, pattern in patterns.items():
        if pattern.search(text):
            names.add(name)
    return frozenset(names)


# The categories register their readers on import, in this order.
from screening.engine.readers import age_sex, health, history, stage, therapy, biology  # noqa: E402, F401, I001

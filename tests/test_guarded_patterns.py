"""A guarded pattern (clauses.Guarded) finds exactly what its pattern finds, on real criteria.

The guard's words are written beside the pattern by hand; if the pattern is changed to match
without one of them, this says so.
"""

from __future__ import annotations

import pytest

from screening.catalogue import eligibility_text
from screening.criteria import flatten, parse
from screening.engine import clauses, extract
from screening.engine.clauses import Guarded, normalise

# Each guarded pattern once, under the module that defines it (extract imports some of clauses').
GUARDED = {
    id(value): (f"{module.__name__.rsplit('.', 1)[-1]}.{name}", value)
    for module in (extract, clauses)
    for name, value in vars(module).items()
    if isinstance(value, Guarded)
}
GUARDED = dict(GUARDED.values())


def test_every_guarded_pattern_is_checked_here():
    assert {"clauses.PERMISSION", "clauses.DEFINITION", "clauses.LIMIT_WORDING"} <= set(GUARDED)


@pytest.mark.parametrize("name", sorted(GUARDED))
def test_a_guard_never_hides_a_match_of_its_pattern(real_records, name):
    guarded = GUARDED[name]
    sentences = {
        normalise(item.text)
        for record in real_records
        for section in parse(eligibility_text(record))
        for item in flatten(section.items)
    }
    missed = [text for text in sentences if guarded.pattern.search(text) and not guarded.search(text)]
    assert missed == []
    # And the guard is worth having: most criteria hold none of its words.
    assert sum(not any(word in text for word in guarded.words) for text in sentences) > len(sentences) // 2

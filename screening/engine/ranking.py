"""Which trials come first within a tier, and the one line that says why.

Within a tier the order is what matters to her, most first: a biomarker the trial is built
for and she has (a HER2-low trial for HER2-low cancer, a PIK3CA, ESR1 or BRCA mutation, a
triple-negative cohort of a basket); a trial whose record names breast cancer before a basket
that takes it among other cancers; a treatment line that fits what she has had; a trial for
the setting she is in; a recruiting site within her travel distance; the later phase; then the
rest: fewer unknowns, more criteria met, the nearer site.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from screening.engine.facts import describe
from screening.engine.lexicon import Lexicon
from screening.engine.match import MET, UNKNOWN, Outcome, TrialFacts
from screening.engine.rules import Constraint

# HER2 levels a trial is built for; "negative" or "zero" alongside them means any HER2-negative cancer.
_TARGETED_HER2 = {"positive", "low", "ultralow"}
_LINE_CONCEPTS = {"prior_therapy", "prior_lines"}
_SETTING_CONCEPTS = {"metastatic_disease"}


@dataclass(frozen=True)
class Standing:
    """Where a trial stands within its tier (`key`, lower first) and why it is near the top."""

    key: tuple
    why: str


def targets(constraint: Constraint) -> bool:
    """A biomarker the trial selects patients by, rather than one most patients have."""
    if constraint.concept == "her2":
        return set(constraint.value) <= _TARGETED_HER2
    if constraint.concept == "gene_alteration":
        return constraint.value == "altered"
    if constraint.concept == "pd_l1":
        return constraint.value == "positive"
    return constraint.concept == "triple_negative" and constraint.value is True


def _had(outcomes: list[Outcome]) -> list[Constraint]:
    """The constraints of her met requirements that she has."""
    return [
        constraint
        for outcome in outcomes
        if outcome.outcome == MET and not outcome.rule.excludes
        for constraint, truth in outcome.facts
        if truth is True
    ]


def _phase(phases: list[str]) -> int:
    return max((int(phase[-1]) for phase in phases if phase[-1:].isdigit()), default=0)


def standing(
    trial: TrialFacts,
    outcomes: list[Outcome],
    site: dict[str, Any] | None,
    outside_travel_distance: bool,
    breast_named: bool,
    lexicon: Lexicon,
) -> Standing:
    had = _had(outcomes)
    biomarkers = [c for c in had if targets(c)]
    line = [c for c in had if c.concept in _LINE_CONCEPTS]
    setting = any(c.concept in _SETTING_CONCEPTS for c in had)
    within = site is not None and not outside_travel_distance
    phase = _phase(trial.extra.get("phases", []))
    unknowns = sum(1 for outcome in outcomes if outcome.outcome == UNKNOWN)
    met = sum(1 for outcome in outcomes if outcome.outcome == MET)
    key = (
        not biomarkers,
        not breast_named,
        not line,
        not setting,
        not within,
        -phase,
        unknowns,
        -met,
        site["distance_miles"] if site else float("inf"),
        trial.nct_id,
    )
    reasons = []
    if biomarkers:
        reasons.append(f"it is built for {_named(biomarkers, lexicon)}, which you said you have")
    if line:
        reasons.append(f"your treatment so far fits it ({_named(line, lexicon)})")
    if within and (biomarkers or line):
        reasons.append(f"it has a site about {site['distance_miles']:.0f} miles away")
    why = ("Near the top because " + "; ".join(reasons) + ".") if reasons else ""
    return Standing(key, why)


def _named(constraints: list[Constraint], lexicon: Lexicon) -> str:
    """The first constraint of each concept, said plainly (a second HER2 or line rule adds nothing to one line)."""
    first = {constraint.concept: constraint for constraint in reversed(constraints)}
    return " and ".join(dict.fromkeys(describe(c, lexicon) for c in constraints if first[c.concept] is c))

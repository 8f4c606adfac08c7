"""Plain-language reasons and questions for the oncologist, built from outcomes."""

from __future__ import annotations

from screening.engine.facts import answer, describe
from screening.engine.firmness import in_words
from screening.engine.lexicon import Lexicon
from screening.engine.match import MET, NOT_ASSESSED, NOT_MET, STUDY_TEAM_CHECKS, UNKNOWN, Outcome
from screening.engine.profile import Profile
from screening.engine.rules import Constraint


def reason(outcome: Outcome, lexicon: Lexicon, profile: Profile) -> str:
    rule = outcome.rule
    if outcome.outcome == NOT_ASSESSED:
        return STUDY_TEAM_CHECKS
    constraint = _deciding(outcome)
    fact = describe(constraint, lexicon)
    verb = "rules out" if rule.excludes else "needs"
    cohort = f" (for {rule.cohort} only)" if rule.cohort else ""
    said = answer(constraint, profile, lexicon)
    if outcome.outcome == MET:
        return f"This trial {verb} {fact}{cohort}; {said}, which fits."
    if outcome.outcome == NOT_MET:
        return f"This trial {verb} {fact}{cohort}, and {said}."
    if outcome.contradicted:
        return (
            f"This trial may {'rule out' if rule.excludes else 'need'} {fact}{cohort}, and {said}; "
            f"but its wording leaves room ({in_words(rule.doubts)}), so the study team should say whether it applies."
        )
    return f"This trial {verb} {fact}{cohort}; {said}, so this is still to check."


def _deciding(outcome: Outcome) -> Constraint:
    """The constraint that settled the outcome (the first unknown when unknown).

    When one of several alternatives is met, the reason names that one, not one the patient lacks.
    """
    for constraint, value in outcome.facts:
        if outcome.outcome == UNKNOWN and value is None:
            return constraint
        if outcome.outcome == MET and value is (not outcome.rule.excludes):
            return constraint
        if outcome.outcome == NOT_MET and value is (bool(outcome.rule.excludes)):
            return constraint
    return outcome.facts[0][0] if outcome.facts else outcome.rule.constraints[0]


def question(outcome: Outcome, lexicon: Lexicon) -> str | None:
    if outcome.outcome != UNKNOWN:
        return None
    if outcome.contradicted:
        # Her answer is known; what is uncertain is the trial's meaning, so quote its words.
        words = outcome.rule.text if len(outcome.rule.text) <= 200 else outcome.rule.text[:197].rstrip() + "…"
        return f"Does this rule me out? The trial says: “{words}”"
    constraint = _deciding(outcome)
    concept = lexicon.concepts.get(_concept_key(constraint))
    ask = concept.question if concept else "Does this criterion apply to me?"
    verb = "excludes" if outcome.rule.excludes else "needs"
    return f"{ask} (This trial {verb} {describe(constraint, lexicon)}.)"


def _concept_key(constraint: Constraint) -> str:
    return (
        "leptomeningeal"
        if constraint.concept == "brain_metastases" and constraint.value == ("leptomeningeal",)
        else constraint.concept
    )

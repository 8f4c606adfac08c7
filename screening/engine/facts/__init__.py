"""What each concept means for a patient: one registered object per concept.

A constraint names a concept ("her2", "prior_lines"); its `Fact` knows how her answers
settle it (`evaluate`, three-valued), how to say it (`describe`: "HER2-low cancer") and
what she told us about it (`answer`). Each eligibility category keeps its concepts in a
module of its own beside this one, so a concept is defined in one place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from screening.engine.lexicon import Lexicon
from screening.engine.logic import Truth
from screening.engine.profile import Profile
from screening.engine.rules import Constraint


@dataclass(frozen=True)
class Fact:
    key: str
    evaluate: Callable[[Constraint, Profile, Lexicon], Truth]
    describe: Callable[[Constraint, Lexicon], str]
    answer: Callable[[Constraint, Profile, Lexicon], str]


FACTS: dict[str, Fact] = {}


def register(*keys: str, evaluate, describe, answer) -> None:
    for key in keys:
        FACTS[key] = Fact(key, evaluate, describe, answer)


def evaluate(constraint: Constraint, profile: Profile, lexicon: Lexicon) -> Truth:
    """Does the patient have the fact the constraint describes?"""
    fact = FACTS.get(constraint.concept)
    return fact.evaluate(constraint, profile, lexicon) if fact else None


def describe(constraint: Constraint, lexicon: Lexicon) -> str:
    """The fact a constraint describes, as a phrase: "HER2-low cancer"."""
    fact = FACTS.get(constraint.concept)
    return fact.describe(constraint, lexicon) if fact else constraint.concept.replace("_", " ")


def answer(constraint: Constraint, profile: Profile, lexicon: Lexicon) -> str:
    """What the patient told us about the constraint's topic, or that they were not sure."""
    fact = FACTS.get(constraint.concept)
    return fact.answer(constraint, profile, lexicon) if fact else "from your answers"


def listed(items: list[str], joiner: str = "and") -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + f" {joiner} " + items[-1]


def flag(answer: bool | None, specific: bool) -> Truth:
    """A yes/no answer against a criterion; a narrower criterion turns "yes" into a question."""
    if answer is None:
        return None
    if answer and specific:
        return None
    return answer


def yes_no(answer: bool | None, words: str) -> str:
    if answer is None:
        return f"you were not sure about {words}"
    return f"you said you have {words}" if answer else f"you said you do not have {words}"


def yes_or_no(key: str, field_name: str, described: str, asked: str) -> None:
    """A concept the questionnaire asks as yes / no / not sure."""

    def evaluate(constraint: Constraint, profile: Profile, lexicon: Lexicon) -> Truth:
        answer = getattr(profile.health, field_name)
        if constraint.value is False:
            # "Seronegative for HIV" among inclusion criteria: the fact is not having it.
            return None if answer is None else not answer
        return flag(answer, constraint.specific)

    register(
        key,
        evaluate=evaluate,
        # "HIV negative" asks for the absence of it: said so, never "needs HIV".
        describe=lambda c, lexicon: (
            ("the absence of " if c.value is False else "")
            + described
            + (" of the kind the trial describes" if c.specific else "")
        ),
        answer=lambda c, profile, lexicon: yes_no(getattr(profile.health, field_name), asked),
    )


# The categories register their concepts on import.
from screening.engine.facts import age_sex, biology, health, history, stage, therapy  # noqa: E402, F401

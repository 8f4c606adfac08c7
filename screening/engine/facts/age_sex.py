"""Age and sex."""

from __future__ import annotations

from screening.engine.facts import register
from screening.engine.lexicon import Lexicon
from screening.engine.logic import Truth
from screening.engine.profile import Profile
from screening.engine.rules import Constraint

COMPARE = {
    "<=": lambda actual, limit: actual <= limit,
    ">=": lambda actual, limit: actual >= limit,
    "==": lambda actual, limit: actual == limit,
    "<": lambda actual, limit: actual < limit,
    ">": lambda actual, limit: actual > limit,
}


def age(constraint: Constraint, profile: Profile, lexicon: Lexicon) -> Truth:
    return None if profile.age is None else COMPARE[constraint.op](profile.age, constraint.value)


def sex(constraint: Constraint, profile: Profile, lexicon: Lexicon) -> Truth:
    return None if profile.sex is None else profile.sex in constraint.value


register(
    "age",
    evaluate=age,
    describe=lambda c, lexicon: f"age {'at least' if c.op == '>=' else 'at most'} {c.value}",
    answer=lambda c, profile, lexicon: (
        f"you are {profile.age}" if profile.age is not None else "we do not know your age"
    ),
)
register(
    "sex",
    evaluate=sex,
    describe=lambda c, lexicon: " or ".join(c.value) + " patients",
    answer=lambda c, profile, lexicon: "from your answers",
)

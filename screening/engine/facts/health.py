"""Current health: activity level (ECOG or Karnofsky), pregnancy, hospice care, neuropathy."""

from __future__ import annotations

from screening.engine.facts import register, yes_or_no
from screening.engine.lexicon import Lexicon
from screening.engine.logic import Truth, all_of, any_of, negate
from screening.engine.profile import Profile
from screening.engine.rules import Constraint

# ECOG grade <-> Karnofsky range, the usual correspondence; trials may state their own.
ECOG_TO_KARNOFSKY = {0: (90, 100), 1: (70, 80), 2: (50, 60), 3: (30, 40), 4: (0, 20)}
ECOG_WORDS = {
    0: "fully active, no limits",
    1: "up and about and able to do light work",
    2: "up and about more than half the day, able to look after yourself but not work",
    3: "in bed or a chair more than half the day",
    4: "in bed or a chair all the time",
}


def karnofsky_to_ecog(score: int) -> int:
    for grade, (low, _high) in ECOG_TO_KARNOFSKY.items():
        if score >= low:
            return grade
    return 4


def performance(profile: Profile, limits: dict[str, int]) -> Truth:
    """Is the patient's performance at least as good as the trial's limit (ECOG <= e, or Karnofsky >= k)?

    Each scale the patient gave is read against each scale the trial offers, its own directly and
    the other through the usual correspondence; one offered scale she meets is enough ("ECOG 0-1
    or Karnofsky 60-100%" lets in an ECOG 2 who may be Karnofsky 60). Every answer she gave must
    agree (so a second answer can only add a contradiction, never remove one).
    """
    readings: list[Truth] = []
    ecog, karnofsky = profile.health.ecog, profile.health.karnofsky
    if ecog is not None:
        ways_in: list[Truth] = []
        if "ecog" in limits:
            ways_in.append(ecog <= limits["ecog"])
        # The other scale counts only where it sets a lower bar than this one ("ECOG 0-1 (KPS >= 70)"
        # is one bar written twice).
        if "karnofsky" in limits and (
            "ecog" not in limits or limits["karnofsky"] < ECOG_TO_KARNOFSKY[limits["ecog"]][0]
        ):
            # Read across scales the correspondence is approximate: a grade whose band sits just
            # below the limit (ECOG 2 is Karnofsky 50-60, or 60-70 by other tables) is a question.
            low, high = ECOG_TO_KARNOFSKY[ecog]
            limit = limits["karnofsky"]
            ways_in.append(True if low >= limit else (False if high + 10 < limit else None))
        readings.append(any_of(ways_in))
    if karnofsky is not None:
        ways_in = []
        if "karnofsky" in limits:
            ways_in.append(karnofsky >= limits["karnofsky"])
        if "ecog" in limits and ("karnofsky" not in limits or karnofsky_to_ecog(limits["karnofsky"]) < limits["ecog"]):
            grade = karnofsky_to_ecog(karnofsky)
            ways_in.append(True if grade <= limits["ecog"] else (False if grade > limits["ecog"] + 1 else None))
        readings.append(any_of(ways_in))
    return all_of(readings) if readings else None


def ecog(constraint: Constraint, profile: Profile, lexicon: Lexicon) -> Truth:
    within = performance(profile, dict(constraint.value))
    return within if constraint.op == "within" else negate(within)


def describe_ecog(constraint: Constraint, lexicon: Lexicon) -> str:
    limits = dict(constraint.value)
    parts = []
    if "ecog" in limits:
        grade = limits["ecog"]
        parts.append(f"ECOG {'0 to ' + str(grade) if grade else '0'} ({ECOG_WORDS.get(grade, '')})")
    if "karnofsky" in limits:
        parts.append(f"Karnofsky {limits['karnofsky']} or more")
    text = " or ".join(parts)
    return f"an activity level of {text}" if constraint.op == "within" else f"an activity level worse than {text}"


def ecog_answer(constraint: Constraint, profile: Profile, lexicon: Lexicon) -> str:
    health = profile.health
    if health.ecog is not None:
        return f"you described yourself as {ECOG_WORDS[health.ecog]} (ECOG {health.ecog})"
    if health.karnofsky is not None:
        return f"your Karnofsky score is {health.karnofsky}"
    return "you were not sure how to describe your activity level"


def pregnancy(constraint: Constraint, profile: Profile, lexicon: Lexicon) -> Truth:
    answer = profile.health.pregnant_or_breastfeeding
    return None if answer is None else answer == constraint.value


def pregnancy_answer(constraint: Constraint, profile: Profile, lexicon: Lexicon) -> str:
    answer = profile.health.pregnant_or_breastfeeding
    if answer is None:
        return "you were not sure whether you are pregnant or breastfeeding"
    return "you said you are pregnant or breastfeeding" if answer else "you said you are not pregnant or breastfeeding"


register("ecog", evaluate=ecog, describe=describe_ecog, answer=ecog_answer)
register(
    "pregnancy",
    evaluate=pregnancy,
    describe=lambda c, lexicon: "being pregnant or breastfeeding" if c.value else "not being pregnant or breastfeeding",
    answer=pregnancy_answer,
)
yes_or_no("hospice", "in_hospice", "being in hospice care", "hospice care")
yes_or_no("neuropathy", "neuropathy", "nerve damage (neuropathy)", "nerve damage (neuropathy)")

"""Medical history: brain metastases, another cancer, heart and lung conditions, hepatitis, HIV, autoimmune disease."""

from __future__ import annotations

from screening.engine.facts import register, yes_no, yes_or_no
from screening.engine.lexicon import Lexicon
from screening.engine.logic import Truth
from screening.engine.profile import Profile
from screening.engine.rules import Constraint

BRAIN_WORDS = {
    ("active",): "active brain metastases (untreated, growing or causing symptoms)",
    ("active", "treated_stable"): "brain metastases, treated or not",
    ("leptomeningeal",): "leptomeningeal disease (cancer in the fluid around the brain and spine)",
    ("active", "leptomeningeal"): "active brain metastases or leptomeningeal disease",
    ("active", "leptomeningeal", "treated_stable"): "any brain metastases or leptomeningeal disease",
    ("treated_stable",): "brain metastases that have been treated and are stable",
}
BRAIN_ANSWERS = {
    "none": "the cancer has not spread to your brain",
    "treated_stable": "your brain metastases are treated and stable",
    "active": "you have active brain metastases",
    "leptomeningeal": "you have leptomeningeal disease",
}


def brain_metastases(constraint: Constraint, profile: Profile, lexicon: Lexicon) -> Truth:
    status = profile.cancer.brain_metastases
    return None if status is None else status in constraint.value


def brain_answer(constraint: Constraint, profile: Profile, lexicon: Lexicon) -> str:
    status = profile.cancer.brain_metastases
    if status:
        return f"you said {BRAIN_ANSWERS[status]}"
    return "you were not sure whether the cancer has spread to the brain"


def other_malignancy(constraint: Constraint, profile: Profile, lexicon: Lexicon) -> Truth:
    answer, value = profile.health.other_cancer_last_5_years, constraint.value
    if answer is None:
        return None
    if answer:
        if constraint.specific or (value is not None and value < 5):
            return None
        return True
    return False if value is not None and value <= 5 else None


def describe_other_malignancy(constraint: Constraint, lexicon: Lexicon) -> str:
    value, some = constraint.value, (" (some kinds are allowed)" if constraint.specific else "")
    if value == 0:
        return "another cancer that is active now"
    if value is None:
        return "another cancer at any time" + some
    return f"another cancer in the last {value} years" + some


register(
    "brain_metastases",
    evaluate=brain_metastases,
    describe=lambda c, lexicon: BRAIN_WORDS.get(tuple(sorted(c.value)), "brain metastases"),
    answer=brain_answer,
)
register(
    "other_malignancy",
    evaluate=other_malignancy,
    describe=describe_other_malignancy,
    answer=lambda c, profile, lexicon: yes_no(
        profile.health.other_cancer_last_5_years, "another cancer in the last 5 years"
    ),
)
yes_or_no("heart_condition", "heart_condition", "a heart condition", "a heart condition")
yes_or_no(
    "lung_condition",
    "lung_condition",
    "lung inflammation or lung disease (such as ILD or pneumonitis)",
    "a lung condition",
)
yes_or_no("hepatitis", "hepatitis_b_or_c", "hepatitis B or C", "hepatitis B or C")
yes_or_no("hiv", "hiv", "HIV", "HIV")
yes_or_no("autoimmune_disease", "autoimmune_disease", "an autoimmune disease", "an autoimmune disease")

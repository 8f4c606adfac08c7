"""Reading age and sex limits from criterion wording.

Sentences are written for these tests in the styles real records use (escapes, unicode
comparators, qualifiers)."""

from __future__ import annotations

import pytest

from screening.engine.extract import extract
from tests.engine_helpers import constraints_of, lexicon


@pytest.mark.parametrize(
    "text",
    [
        "Men or women aged ≥ 18 years",
        "Female or male patients aged > 18 years",
        "Adult participants must be 18 years of age or older",
        "Participants must be adults",
    ],
)
def test_an_age_limit_beside_either_sex_is_read(text):
    assert constraints_of(text) == [{"concept": "age", "op": ">=", "value": 18}]


@pytest.mark.parametrize("text", ["Female sex.", "Female participants only", "Female patients must be ≥ 18 years old"])
def test_a_trial_for_women_only_says_so(text):
    assert {"concept": "sex", "op": "in", "value": ["female"]} in constraints_of(text)


@pytest.mark.parametrize(
    "text",
    ["Women must provide written informed consent", "Female participants must agree not to breastfeed"],
)
def test_a_duty_laid_on_women_does_not_exclude_men(text):
    assert [c for c in constraints_of(text) if c["concept"] == "sex"] == []


def test_an_either_sex_trial_has_no_sex_requirement():
    assert [c for c in constraints_of("Male or female patients aged 18 or over") if c["concept"] == "sex"] == []


def test_age_from_text():
    assert constraints_of("Age ≥ 18 years at the time of consent") == [{"concept": "age", "op": ">=", "value": 18}]
    assert constraints_of("Aged older than 18 years") == [{"concept": "age", "op": ">=", "value": 18}]
    assert constraints_of("Age ≥ 45 with no menses for at least 2 years") == []
    assert constraints_of("Aged 65 years or older") == [{"concept": "age", "op": ">=", "value": 65}]


@pytest.mark.parametrize(
    "lead",
    ["Postmenopausal women, as defined by any of the following criteria:", "Postmenopausal status is defined by:"],
)
def test_items_defining_menopause_are_not_requirements_of_their_own(lead):
    text = (
        f"Inclusion Criteria:\n\n* {lead}\n"
        "  * Age 60 or over\n  * Women with bilateral oophorectomy\n* ECOG performance status 0 or 1\n"
    )
    found = {rule.text: [c.concept for c in rule.constraints] for rule in extract(text, lexicon())}
    assert found["Age 60 or over"] == [] and found["Women with bilateral oophorectomy"] == []
    assert found["ECOG performance status 0 or 1"] == ["ecog"]


@pytest.mark.parametrize(
    ("text", "kind", "found"),
    [
        (
            "Female ≥ 18 years of age pre and post-menopausal",
            "inclusion",
            [{"concept": "age", "op": ">=", "value": 18}, {"concept": "sex", "op": "in", "value": ["female"]}],
        ),
        ("Postmenopausal women", "inclusion", [{"concept": "sex", "op": "in", "value": ["female"]}]),
        ("Postmenopausal women, or premenopausal women on LHRH analogues, or men", "inclusion", []),
        (
            "Concurrent active or previous malignancy.",
            "exclusion",
            [{"concept": "other_malignancy", "op": "within_years", "value": None}],
        ),
        ("Unresolved or unstable serious toxic side-effects of prior chemotherapy or radiotherapy", "exclusion", []),
        ("Must have disease that is advanced (ie, surgery or radiation is not an option)", "inclusion", []),
        ("Anti-PD-1/PD-L1 naive or must have progressed on treatment", "inclusion", []),
        (
            "Patients must have at least 1 and up to 8 total intact brain metastases",
            "inclusion",
            [{"concept": "brain_metastases", "op": "in", "value": ["active"]}],
        ),
        (
            "Chronic oxygen dependence",
            "exclusion",
            [{"concept": "lung_condition", "op": "is", "value": True, "specific": True}],
        ),
        (
            "History of congenital QT prolongation",
            "exclusion",
            [{"concept": "heart_condition", "op": "is", "value": True, "specific": True}],
        ),
        (
            "Standard adjuvant therapy, consisting of HER2-directed therapy, radiation (if indicated) and endocrine "
            "therapy (if ER+)",
            "inclusion",
            [],
        ),
    ],
)
def test_phrasings_from_a_second_set_of_trials_outside_the_gold_set(text, kind, found):
    assert [c for c in constraints_of(text, kind) if c["concept"] != "metastatic_disease"] == found


@pytest.mark.parametrize(
    "text", ["Age >/= 18 years", "Female greater or equal 18 years of age", "Age greater or equal to 18 years"]
)
def test_less_usual_spellings_of_at_least_are_read(text):
    assert {"concept": "age", "op": ">=", "value": 18} in constraints_of(text)


def test_a_labelled_sex_is_read_and_a_label_for_both_asks_nothing():
    assert constraints_of("Sex: Female") == [{"concept": "sex", "op": "in", "value": ["female"]}]
    assert constraints_of("Gender: Female or male") == []


def test_a_labelled_age_range_without_units_is_read():
    assert constraints_of("Age: 16 to 70") == [
        {"concept": "age", "op": ">=", "value": 16},
        {"concept": "age", "op": "<=", "value": 70},
    ]

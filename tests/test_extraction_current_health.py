"""Reading current health from criterion wording: performance status, pregnancy, hospice, neuropathy.

Sentences are written for these tests in the styles real records use (escapes, unicode
comparators, qualifiers)."""

from __future__ import annotations

import pytest

from screening.engine.extract import extract
from tests.engine_helpers import constraints_of, lexicon


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("ECOG performance status of 0 or 1", {"ecog": 1}),
        (r"Eastern Cooperative Oncology Group (ECOG) performance status \<=1", {"ecog": 1}),
        ("ECOG PS 0-2", {"ecog": 2}),
        ("Eastern Cooperative Oncology Group (ECOG) performance status (PS) of 0, 1, or 2", {"ecog": 2}),
        ("ECOG performance status 0, 1, 2 or 3", {"ecog": 3}),
        ("ECOG ≤ 2 (or Karnofsky ≥ 60%)", {"ecog": 2, "karnofsky": 60}),
        ("Karnofsky performance status of at least 70", {"karnofsky": 70}),
        ("ECOG ≤0-2", {"ecog": 2}),
        ("ECOG 0, 1, & 2", {"ecog": 2}),
        ("Karnofsky > or = 50%", {"karnofsky": 50}),
    ],
)
def test_performance_status_caps_keep_the_trials_own_scales(text, value):
    assert constraints_of(text) == [{"concept": "ecog", "op": "within", "value": value}]


@pytest.mark.parametrize(
    "text",
    [
        "ECOG performance status of 2 or more",
        "Eastern Cooperative Oncology Group (ECOG) performance status of 2, 3, or 4",
    ],
)
def test_a_performance_exclusion_describes_the_worse_status(text):
    assert constraints_of(text, "exclusion") == [{"concept": "ecog", "op": "beyond", "value": {"ecog": 1}}]


def test_pregnancy_and_breastfeeding():
    assert constraints_of("Pregnant or breast-feeding women", "exclusion") == [
        {"concept": "pregnancy", "op": "is", "value": True}
    ]
    assert constraints_of("Women of childbearing potential must agree to use contraception") == []


@pytest.mark.parametrize(
    "text",
    [
        "Persistent toxicity of prior therapy of grade 2 or more, except alopecia or peripheral neuropathy",
        "Unresolved toxicity above grade 1 from prior therapy (with the exception of grade 2 neuropathy)",
        "Unresolved toxicities from prior therapy. Participants with stable grade 2 neuropathy are eligible.",
    ],
)
def test_neuropathy_named_as_an_allowed_exception_does_not_exclude(text):
    assert [c for c in constraints_of(text, "exclusion") if c["concept"] == "neuropathy"] == []


def test_neuropathy_that_excludes_is_still_read():
    found = constraints_of("Peripheral neuropathy of grade 2 or more", "exclusion")
    assert [c["concept"] for c in found] == ["neuropathy"]


def test_a_male_participants_pregnant_partner_is_contraception_not_pregnancy():
    text = "Male participants with a pregnant or non-pregnant female partner who do not agree to use condoms"
    assert constraints_of(text, "exclusion") == []


@pytest.mark.parametrize(
    "text",
    [
        "Negative serum pregnancy test within 7 days of registration",
        "Negative urine or serum pregnancy test done ≤ 7 days prior to registration",
        "Should have a negative urine or serum pregnancy within 72 hours prior to the first dose",
        "Must have a negative serum beta-human chorionic gonadotropin (ß-hCG) at screening",
    ],
)
def test_a_negative_pregnancy_test_requirement_means_not_pregnant(text):
    assert constraints_of(text) == [{"concept": "pregnancy", "op": "is", "value": False}]


def test_a_test_that_cannot_be_confirmed_does_not_tangle_the_requirement():
    text = "WOCBP: Negative urine or serum pregnancy test. If the urine test cannot be confirmed as negative, a serum test is required"
    assert {"concept": "pregnancy", "op": "is", "value": False} in constraints_of(text)


def test_cancers_listed_as_exceptions_under_a_lead_are_let_through():
    text = (
        "Exclusion Criteria:\n\n* Active second malignancy, with the exception of:\n"
        "  * Any other cancer from which the patient has been disease-free for >= 2 years\n"
        "* Pregnant or breastfeeding\n"
    )
    found = {rule.text: [c.concept for c in rule.constraints] for rule in extract(text, lexicon())}
    assert found["Any other cancer from which the patient has been disease-free for >= 2 years"] == []
    assert found["Pregnant or breastfeeding"] == ["pregnancy"]


def test_what_women_who_could_become_pregnant_must_do_asks_nothing_of_the_others():
    text = (
        "Female participants with ER+HER2- advanced breast cancer considered to be of childbearing potential "
        "must be willing to undergo medically induced menopause with an LHRH agonist"
    )
    assert constraints_of(text) == []
    assert constraints_of(
        "Women of childbearing potential must have a negative pregnancy test before chemotherapy"
    ) == [{"concept": "pregnancy", "op": "is", "value": False}]

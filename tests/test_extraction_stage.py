"""Reading stage and spread from criterion wording: metastatic or early disease, measurable disease, bone-only disease.

Sentences are written for these tests in the styles real records use (escapes, unicode
comparators, qualifiers)."""

from __future__ import annotations

import pytest

from screening.engine.extract import extract
from tests.engine_helpers import constraints_of, lexicon, negated


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Metastatic breast cancer", ["metastatic"]),
        ("Locally advanced unresectable or metastatic breast cancer", ["locally_advanced", "metastatic"]),
        ("Advanced breast cancer not amenable to curative therapy", ["locally_advanced", "metastatic"]),
    ],
)
def test_metastatic_or_advanced_disease_is_required(text, value):
    assert constraints_of(text) == [{"concept": "metastatic_disease", "op": "in", "value": value}]


def test_early_stage_only_trials_are_recognised():
    assert constraints_of("Stage II-III operable breast cancer, candidate for surgery") == [
        {"concept": "early_stage", "op": "in", "value": ["II", "III"]}
    ]
    assert constraints_of("Operable breast cancer, candidate for definitive surgery") == [
        {"concept": "early_stage", "op": "is", "value": True}
    ]
    assert constraints_of("Evidence of distant metastatic disease", "exclusion") == [
        {"concept": "metastatic_disease", "op": "in", "value": ["metastatic"]}
    ]


def test_measurable_disease_is_required_unless_evaluable_disease_is_allowed():
    assert constraints_of("Measurable disease per RECIST v1.1") == [
        {"concept": "measurable_disease", "op": "is", "value": True}
    ]
    assert constraints_of("Measurable or evaluable disease per RECIST 1.1") == []
    assert (
        constraints_of("Measurable disease as defined by RECIST 1.1 or non-measurable disease that is evaluable.") == []
    )
    assert (
        constraints_of(
            "Must have at least 1 measurable lesion per RECIST 1.1. Patients without measurable but "
            "evaluable disease are allowed for the dose-escalation phase"
        )
        == []
    )
    assert constraints_of("Bone-only disease", "exclusion") == [
        {"concept": "bone_only_disease", "op": "is", "value": True}
    ]


def test_no_prior_therapy_for_metastatic_disease_means_first_line():
    found = constraints_of("No prior systemic therapy for metastatic disease")
    assert negated("No prior systemic therapy for metastatic disease")
    assert found == [{"concept": "prior_lines", "op": ">=", "value": 1, "scope": "total"}]


@pytest.mark.parametrize("text", ["Invasive breast carcinoma: stage III/IV", "Diagnosed with stages III or IV"])
def test_stage_three_or_four_means_advanced_or_metastatic(text):
    assert constraints_of(text) == [
        {"concept": "metastatic_disease", "op": "in", "value": ["locally_advanced", "metastatic"]}
    ]


def test_a_sentence_defining_a_term_after_the_requirement_keeps_the_requirement():
    found = constraints_of(
        "Histologically confirmed metastatic or advanced and unresectable breast cancer that is HER2-low by "
        "local testing. HER2-low is defined as IHC 1+ or IHC 2+/ISH-negative"
    )
    assert {"concept": "her2", "op": "in", "value": ["low"]} in found
    assert {"concept": "metastatic_disease", "op": "in", "value": ["locally_advanced", "metastatic"]} in found


def test_a_permission_in_brackets_does_not_void_the_requirement_around_it():
    found = constraints_of("Histologically confirmed ER+ (any PR and HER2 status is allowed) metastatic breast cancer")
    assert {"concept": "metastatic_disease", "op": "in", "value": ["metastatic"]} in found


def test_a_permission_outside_brackets_is_still_not_a_requirement():
    assert constraints_of("Patients with treated brain metastases are eligible") == []


def test_symptomatic_metastatic_disease_is_not_an_exclusion_of_all_spread():
    found = constraints_of("Symptomatic metastatic visceral disease", "exclusion")
    assert [c for c in found if c["concept"] == "metastatic_disease"] == []


@pytest.mark.parametrize(
    ("text", "stages"),
    [
        ("Stage I, II, or IIIA breast cancer (cT1-3, N0-1, M0)", ["I", "II", "III"]),
        ("Stage I (T1, N0M0), IIA (T2N0M0) breast cancer", ["I", "II"]),
        ("Clinical stage IIb, IIIa, IIIb or IIIc breast cancer", ["II", "III"]),
        ("Stage I-IIIA operable breast cancer", ["I", "II", "III"]),
    ],
)
def test_early_stage_trials_keep_every_stage_they_name(text, stages):
    assert constraints_of(text) == [{"concept": "early_stage", "op": "in", "value": stages}]


def test_an_or_inside_one_requirement_does_not_make_the_requirements_alternatives():
    text = "HER2-positive breast cancer (IHC 3+, or ISH amplified) that is unresectable locally advanced or metastatic"
    [rule] = extract(f"Inclusion Criteria:\n\n* {text}\n", lexicon())
    assert {c.concept for c in rule.constraints} == {"her2", "metastatic_disease"}
    assert rule.logic == "all"


@pytest.mark.parametrize(
    "text",
    [
        "Has breast cancer amenable to treatment with curative intent",
        "Locally advanced breast cancer or locoregional relapse amenable to any treatment with curative intent",
        "Localized breast cancer which is curable with surgery or radiation",
    ],
)
def test_excluding_curable_disease_makes_a_trial_for_incurable_disease(text):
    assert constraints_of(text, "exclusion") == [{"concept": "early_stage", "op": "is", "value": True}]


def test_disease_not_amenable_to_curative_treatment_is_not_early_stage():
    found = constraints_of("Disease not amenable to treatment with curative intent", "exclusion")
    assert {"concept": "early_stage", "op": "is", "value": True} not in found


@pytest.mark.parametrize(
    "text",
    ["Candidate for breast conserving surgery or mastectomy", "Breast cancer eligible for primary surgery"],
)
def test_a_surgery_candidate_is_early_stage(text):
    assert constraints_of(text) == [{"concept": "early_stage", "op": "is", "value": True}]


def test_surgery_already_done_says_nothing_about_the_stage_now():
    assert constraints_of("Patients must have undergone breast-conserving surgery or mastectomy") == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Incurable or metastatic solid tumor refractory to standard therapy", ["locally_advanced", "metastatic"]),
        (
            "Locoregionally recurrent disease not amenable to resection or radiation therapy with curative intent or metastatic disease",
            ["locally_advanced", "metastatic"],
        ),
    ],
)
def test_incurable_disease_is_advanced(text, value):
    assert {"concept": "metastatic_disease", "op": "in", "value": value} in constraints_of(text)


@pytest.mark.parametrize(
    "text",
    [
        "Tumour tissue available, obtained from metastatic lesions (preferably) or from the primary tumour",
        "HER2-positive as assessed by local laboratory on primary or metastatic tumor",
    ],
)
def test_a_sample_from_a_metastasis_does_not_require_metastatic_disease(text):
    assert [c for c in constraints_of(text) if c["concept"] == "metastatic_disease"] == []


def test_a_basket_trial_that_includes_breast_cancer_can_still_require_measurable_disease():
    text = "Measurable (per RECIST v1.1), metastatic cancer of one of these types: gastrointestinal, breast or ovarian"
    assert {"concept": "measurable_disease", "op": "is", "value": True} in constraints_of(text)


@pytest.mark.parametrize("text", ["Recurrent or metastatic breast cancer", "Relapsed/metastatic solid tumors"])
def test_recurrent_or_metastatic_disease_includes_a_local_recurrence(text):
    assert constraints_of(text) == [
        {"concept": "metastatic_disease", "op": "in", "value": ["locally_advanced", "metastatic"]}
    ]


def test_a_bracket_describing_a_test_does_not_make_an_early_stage_trial():
    text = (
        'Patients with a "Low Risk" MammaPrint (a genomic test that analyzes the activity of certain genes '
        "in early-stage breast cancer) result must have an Oncotype DX test"
    )
    assert [c for c in constraints_of(text) if c["concept"] == "early_stage"] == []


@pytest.mark.parametrize(
    ("text", "found"),
    [
        (
            "HR+/HER2- aBC with disease progression on a CDK4/6 inhibitor and no more than 2 lines of endocrine "
            "therapy for metastatic disease.",
            [{"concept": "metastatic_disease", "op": "in", "value": ["locally_advanced", "metastatic"]}],
        ),
        ("At least 1, and no more than 3, chemotherapy regimens for MBC.", []),
        (
            "Has received no more than 1 prior chemotherapy (which includes antibody drug conjugates) for locally "
            "advanced or metastatic breast cancer.",
            [],
        ),
    ],
)
def test_disease_named_beside_a_count_of_lines_is_required_but_a_therapys_setting_is_not(text, found):
    assert [c for c in constraints_of(text) if c["concept"] == "metastatic_disease"] == found


def test_spread_to_one_named_place_is_not_metastatic_disease_as_a_stage():
    assert constraints_of("Metastatic lesion to the heart or eye.", "exclusion") == []
    assert {"concept": "metastatic_disease", "op": "in", "value": ["metastatic"]} not in constraints_of(
        "Brain metastatic disease, spinal cord compression, or leptomeningeal carcinomatosis.", "exclusion"
    )
    assert constraints_of("Evidence of metastatic disease", "exclusion") == [
        {"concept": "metastatic_disease", "op": "in", "value": ["metastatic"]}
    ]


@pytest.mark.parametrize("text", ["Stage IIIB, IIIC, or IV", "Stage III or IV breast cancer"])
def test_stage_three_listed_by_letter_beside_stage_four_is_advanced_disease(text):
    assert constraints_of(text) == [
        {"concept": "metastatic_disease", "op": "in", "value": ["locally_advanced", "metastatic"]}
    ]


def test_a_cancer_written_with_metastases_is_metastatic_disease():
    assert constraints_of("Histologically proven carcinoma of the breast with metastases") == [
        {"concept": "metastatic_disease", "op": "in", "value": ["metastatic"]}
    ]
    assert constraints_of("Breast cancer without metastases") == [{"concept": "early_stage", "op": "is", "value": True}]


@pytest.mark.parametrize(
    ("text", "places"),
    [
        ("At least one bone metastasis", ["bone"]),
        ("Histologically proven metastatic breast cancer involving at least 1 bone site", ["bone"]),
        ("Patients with HER2-positive breast cancer and with evidence of liver metastasis by imaging", ["liver"]),
        # One way in among others, a limit's condition, or a rule about what counts as measurable: no place required.
        ("Either measurable disease per RECIST 1.1 or at least one predominantly lytic bone lesion", None),
        ("At least one bone lesion or measurable disease", None),
        ("AST <= 5 x ULN in patients with evidence of liver metastases", None),
        ("At least 1 measurable lesion; bone lesions are not measurable", None),
    ],
)
def test_a_required_place_of_spread_is_read_only_where_it_is_required(text, places):
    read = [c for c in constraints_of(text) if c["concept"] == "metastatic_site"]
    assert read == ([{"concept": "metastatic_site", "op": "includes", "value": places}] if places else [])

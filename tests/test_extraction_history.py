"""Reading medical history from criterion wording: brain metastases, other cancers, heart, lung, infections, autoimmune disease.

Sentences are written for these tests in the styles real records use (escapes, unicode
comparators, qualifiers)."""

from __future__ import annotations

import pytest

from screening.engine.extract import extract
from tests.engine_helpers import constraints_of, lexicon, negated


@pytest.mark.parametrize(
    ("text", "states"),
    [
        ("Known active or untreated brain metastases", ["active"]),
        ("Symptomatic CNS metastases", ["active"]),
        ("Known brain metastases, unless treated and stable for at least 4 weeks", ["active"]),
        ("History of brain metastases", ["active", "treated_stable"]),
        ("Leptomeningeal disease or carcinomatous meningitis", ["leptomeningeal"]),
        ("Untreated brain metastases or leptomeningeal disease", ["active", "leptomeningeal"]),
        (
            "Patients with brain metastases except for asymptomatic treated metastases. Patients who required "
            "radiation are eligible after 14 days if clinically stable.",
            ["active"],
        ),
        (
            "Patients with brain metastases. Note: patients with stable, treated brain metastases are allowed.",
            ["active"],
        ),
        ("Patients requiring immediate local therapy for brain metastases", ["active"]),
        (
            "Active, progressing or newly diagnosed CNS metastases, including leptomeningeal carcinomatosis, "
            "because systemic treatment would need to be paused for these patients.",
            ["active", "leptomeningeal"],
        ),
    ],
)
def test_brain_metastases_exclusions_distinguish_active_from_treated(text, states):
    assert constraints_of(text, "exclusion") == [{"concept": "brain_metastases", "op": "in", "value": states}]


def test_a_cohort_that_needs_active_brain_metastases_says_so_after_naming_the_cohort():
    text = "In Phase 2, participants must have at least one active and measurable brain metastasis per RECIST 1.1."
    assert {"concept": "brain_metastases", "op": "in", "value": ["active"]} in constraints_of(text)


def test_a_permission_for_treated_brain_metastases_is_not_a_requirement():
    assert constraints_of("Patients with treated, stable brain metastases are eligible") == []


def test_other_malignancy_keeps_its_look_back_window():
    found = constraints_of(
        "Other malignancy within the past 3 years, except adequately treated non-melanoma skin cancer", "exclusion"
    )
    assert found == [{"concept": "other_malignancy", "op": "within_years", "value": 3, "specific": True}]


@pytest.mark.parametrize(
    ("text", "concept", "specific"),
    [
        ("Symptomatic congestive heart failure (NYHA class II-IV)", "heart_condition", True),
        ("Clinically significant cardiovascular disease", "heart_condition", False),
        (
            "History of non-infectious pneumonitis or interstitial lung disease that required steroids",
            "lung_condition",
            True,
        ),
        ("Active hepatitis B or hepatitis C infection", "hepatitis", True),
        ("Known HIV infection", "hiv", False),
        ("Any form of primary immunodeficiency (such as severe combined immunodeficiency and AIDS)", "hiv", True),
        ("Active autoimmune disease requiring systemic treatment in the past 2 years", "autoimmune_disease", True),
        ("Long QT syndrome", "heart_condition", True),
        ("Clinically significant cardiac abnormalities", "heart_condition", False),
        ("Severe pulmonary, renal or other systemic disease", "lung_condition", False),
        ("History of clinically significant intercurrent lung illnesses", "lung_condition", False),
        ("Active connective tissue disease", "autoimmune_disease", True),
        ("Immune-mediated disease requiring systemic steroids", "autoimmune_disease", True),
    ],
)
def test_history_exclusions(text, concept, specific):
    found = constraints_of(text, "exclusion")
    assert [c["concept"] for c in found] == [concept]
    assert found[0].get("specific", False) is specific


@pytest.mark.parametrize(
    "text",
    [
        "Active infection or a high risk of serious infection (e.g. uncontrolled diabetes, uncontrolled heart disease)",
        "Malabsorption syndrome or gastric bypass surgery that would affect absorption of the study drug",
        "Ureteral stent or biliary stent placed within 14 days",
    ],
)
def test_heart_words_that_do_not_describe_a_heart_condition_are_not_read_as_one(text):
    assert constraints_of(text, "exclusion") == []


def test_heart_conditions_given_only_as_examples_of_uncontrolled_disease_still_count():
    found = constraints_of("Uncontrolled diseases (e.g., heart failure, arrhythmia, unstable diabetes)", "exclusion")
    assert [c["concept"] for c in found] == ["heart_condition"]
    assert constraints_of("Prior coronary artery bypass graft within 6 months", "exclusion")[0]["concept"] == (
        "heart_condition"
    )


@pytest.mark.parametrize(
    ("text", "specific"),
    [
        ("History of interstitial lung disease or pneumonitis", False),
        ("Patients with documented pneumonitis/interstitial lung disease prior to registration", False),
        ("Known pre-existing interstitial lung disease", False),
        ("History of pneumonitis that required steroids", True),
        ("Current pneumonitis or interstitial lung disease", True),
        ("Interstitial pneumonia or pulmonary fibrosis", True),
    ],
)
def test_a_history_of_pneumonitis_is_what_the_lung_answer_settles(text, specific):
    found = constraints_of(text, "exclusion")
    assert [(c["concept"], c.get("specific", False)) for c in found] == [("lung_condition", specific)]


def test_an_exclusion_softened_by_a_later_conditional_permission_still_excludes_active_brain_metastases():
    found = constraints_of(
        "Known active or symptomatic CNS metastases or leptomeningeal disease. Patients with a history of CNS "
        "metastases are eligible if they have been definitively treated and are clinically stable.",
        "exclusion",
    )
    assert found == [{"concept": "brain_metastases", "op": "in", "value": ["active", "leptomeningeal"]}]


def test_meningeal_metastases_are_leptomeningeal_disease():
    found = constraints_of("Untreated brain or meningeal metastases", "exclusion")
    assert found == [{"concept": "brain_metastases", "op": "in", "value": ["active", "leptomeningeal"]}]


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("Currently receiving or have received treatment for a secondary cancer within the past 24 months", 2),
        (
            "Known additional malignancy that is progressing or requires active treatment; exceptions include "
            "malignancies that have been inactive for three years",
            0,
        ),
        ("Presence of any other concurrent, actively treated malignancy", 0),
        ("Has a known additional malignancy that is progressing or requires active treatment.", 0),
        (
            "Prior or concurrent malignancy. Prior malignancies such as carcinoma in situ of the cervix are allowed",
            None,
        ),
    ],
)
def test_how_far_back_another_cancer_counts(text, years):
    found = constraints_of(text, "exclusion")
    assert [(c["concept"], c["value"]) for c in found] == [("other_malignancy", years)]


def test_distant_metastases_listed_with_symptomatic_brain_metastases_are_excluded_outright():
    found = constraints_of(
        "Known distant metastatic disease including CNS metastases, symptomatic CNS metastases, and leptomeningeal disease",
        "exclusion",
    )
    assert {"concept": "metastatic_disease", "op": "in", "value": ["metastatic"]} in found


@pytest.mark.parametrize(
    "text",
    [
        "Patients known to be HIV+ are allowed as long as they have undetectable viral load at baseline.",
        "Patients with active or chronic hepatitis B or C are eligible provided they meet the liver criteria",
    ],
)
def test_a_permission_listed_among_the_exclusions_excludes_nothing(text):
    assert constraints_of(text, "exclusion") == []


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Patient must have no evidence of residual invasive cancer after surgery", "inclusion"),
        ("Prior diagnosis of ductal carcinoma in situ of the ipsilateral breast", "exclusion"),
    ],
)
def test_the_breast_cancer_itself_is_not_another_cancer(text, kind):
    assert [c for c in constraints_of(text, kind) if c["concept"] == "other_malignancy"] == []


def test_dcis_among_the_exceptions_leaves_the_other_cancer_exclusion_standing():
    text = "Other malignancy within the last 5 years, with the exception of DCIS or basal cell carcinoma"
    assert [c["value"] for c in constraints_of(text, "exclusion") if c["concept"] == "other_malignancy"] == [5]


@pytest.mark.parametrize(
    "text",
    [
        "Prior irradiation to >25% of the bone marrow",
        "Clinically active brain metastases. Stable brain metastases after radiotherapy are allowed.",
    ],
)
def test_radiation_named_as_a_dose_limit_or_a_brain_treatment_is_not_prior_radiotherapy(text):
    assert [c for c in constraints_of(text, "exclusion") if c["concept"] == "prior_therapy"] == []


def test_whole_brain_radiotherapy_itself_is_still_prior_radiotherapy():
    found = constraints_of("Patients have been treated with whole brain radiotherapy for brain metastases", "exclusion")
    assert any(c["concept"] == "prior_therapy" for c in found)


def test_a_label_before_the_criterion_does_not_hide_its_negation():
    text = "STEP 2: RANDOMIZATION: Participants must not have a history of (non-infectious) pneumonitis that required steroids"
    assert [c["concept"] for c in constraints_of(text)] == ["lung_condition"]
    assert negated(text)


def test_radiation_pneumonitis_in_a_radiotherapy_wait_is_not_a_lung_history():
    text = "Has received prior radiotherapy within 2 weeks of start of study intervention or had radiation pneumonitis"
    assert [c for c in constraints_of(text, "exclusion") if c["concept"] == "lung_condition"] == []


def test_a_heart_condition_named_in_a_catch_all_raises_a_question():
    text = "Uncontrolled intercurrent illness including, but not limited to, active infection, symptomatic congestive heart failure or psychiatric illness"
    assert constraints_of(text, "exclusion") == [
        {"concept": "heart_condition", "op": "is", "value": True, "specific": True}
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Prior systemic cancer therapy within 3 weeks (including hormonal therapy except for hormonal "
        "prophylaxis for a prior malignancy)",
        "Short course of corticosteroid for the treatment of a non-autoimmune condition",
        "Must not have had an opportunistic infection within 6 months. HIV-infected patients should be "
        "monitored every 12 weeks for viral load",
    ],
)
def test_a_condition_named_only_in_passing_is_not_a_history(text):
    assert constraints_of(text, "exclusion") == []


def test_intracranial_progression_is_active_brain_disease():
    assert constraints_of("Patients must not have intracranial disease progression") == [
        {"concept": "brain_metastases", "op": "in", "value": ["active"]}
    ]


def test_hiv_excluded_only_with_kaposi_sarcoma_asks_rather_than_rules_out():
    [found] = constraints_of(
        "HIV-infected participants with a history of Kaposi's sarcoma and/or Multicentric Castleman's Disease",
        "exclusion",
    )
    assert found["concept"] == "hiv" and found["specific"] is True


def test_one_named_autoimmune_disease_asks_rather_than_rules_out_every_autoimmune_disease():
    [found] = constraints_of("Patients with ulcerative colitis", "exclusion")
    assert found["concept"] == "autoimmune_disease" and found["specific"] is True


def test_provisos_listed_under_a_permission_among_the_exclusions_exclude_nothing():
    text = (
        "Exclusion Criteria:\n\n* Known infection with HIV, HBV, or HCV. The following participants may be enrolled:\n"
        "  * Participants who are HIV-positive with undetectable HIV RNA\n"
        "  * Participants who are HCV-positive with a negative PCR test\n"
        "* Participants presenting with any of the following will not be included in the study:\n"
        "  * Pregnant or breastfeeding\n"
    )
    found = {rule.text: [c.concept for c in rule.constraints] for rule in extract(text, lexicon())}
    assert found["Participants who are HIV-positive with undetectable HIV RNA"] == []
    assert found["Participants who are HCV-positive with a negative PCR test"] == []
    assert found["Pregnant or breastfeeding"] == ["pregnancy"]


def test_another_cancer_the_study_team_must_judge_is_asked_about():
    text = (
        "Patients with a prior or concurrent malignancy whose natural history or treatment has the potential "
        "to interfere with the safety or efficacy assessment"
    )
    assert constraints_of(text, "exclusion") == [
        {"concept": "other_malignancy", "op": "within_years", "value": None, "specific": True}
    ]


def test_what_patients_with_hepatitis_must_show_asks_whether_she_has_it():
    text = "Participants with hepatitis B virus and/or hepatitis C virus infection must have undetectable viral load"
    assert constraints_of(text, "exclusion") == [{"concept": "hepatitis", "op": "is", "value": True, "specific": True}]


def test_a_list_written_with_commas_at_the_ends_of_its_items_is_still_read():
    text = (
        "Exclusion Criteria:\n\n* History of HBV, HCV, or HIV infection,\n* Clinically significant cardiac condition,\n"
    )
    found = [sorted(c.concept for c in rule.constraints) for rule in extract(text, lexicon())]
    assert found == [["hepatitis", "hiv"], ["heart_condition"]]


def test_cancer_that_has_spread_to_the_brain_is_brain_metastases():
    assert [c["concept"] for c in constraints_of("Cancer that has spread to the brain.", "exclusion")] == [
        "brain_metastases"
    ]


@pytest.mark.parametrize("kind", ["inclusion", "exclusion"])
def test_patients_with_something_who_should_be_excluded_are_excluded_not_a_condition(kind):
    rules = extract(
        f"{'Inclusion' if kind == 'inclusion' else 'Exclusion'} Criteria:\n\n"
        "* Patients with known brain metastases should be excluded\n",
        lexicon(),
    )
    assert [(c.concept, rule.excludes) for rule in rules for c in rule.constraints] == [("brain_metastases", True)]


def test_a_cancer_that_started_in_the_brain_is_not_one_that_spread_there():
    assert (
        constraints_of(
            "Must have evidence of cancer (solid tumors, excluding glioblastoma and primary brain tumor) that is advanced or metastatic"
        )
        == []
    )
    assert constraints_of("Primary CNS tumors or brain metastases", "exclusion") == [
        {"concept": "brain_metastases", "op": "in", "value": ["active", "treated_stable"]}
    ]

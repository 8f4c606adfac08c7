"""From criterion wording to constraints. Sentences are written for these tests in the
styles real records use (escapes, unicode comparators, qualifiers)."""

from __future__ import annotations

import pytest

from screening.engine.extract import extract
from tests.engine_helpers import lexicon


def constraints_of(text: str, kind: str = "inclusion") -> list[dict]:
    heading = "Inclusion Criteria:" if kind == "inclusion" else "Exclusion Criteria:"
    rules = extract(f"{heading}\n\n* {text}\n", lexicon())
    return [c.to_dict() for rule in rules for c in rule.constraints]


def negated(text: str, kind: str = "inclusion") -> bool:
    heading = "Inclusion Criteria:" if kind == "inclusion" else "Exclusion Criteria:"
    return extract(f"{heading}\n\n* {text}\n", lexicon())[0].negated


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


def test_lvef_numbers_alone_are_left_to_the_study_team():
    assert constraints_of(r"LVEF \>= 50% by echocardiogram or MUGA") == []


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


@pytest.mark.parametrize(
    ("text", "kind", "op", "value"),
    [
        ("Prior treatment with a CDK4/6 inhibitor", "exclusion", "received_any", ["class:cdk4_6_inhibitor"]),
        (
            "Must have progressed on prior CDK4/6 inhibitor therapy",
            "inclusion",
            "received_any",
            ["class:cdk4_6_inhibitor"],
        ),
        ("Prior fulvestrant or any oral SERD", "exclusion", "received_any", ["drug:fulvestrant", "class:oral_serd"]),
        ("Previous treatment with Enhertu (T-DXd)", "exclusion", "received_any", ["drug:trastuzumab deruxtecan"]),
        ("Prior platinum-based chemotherapy", "exclusion", "received_any", ["class:platinum"]),
        ("Prior PI3K, AKT or mTOR inhibitor", "exclusion", "received_any", ["class:pi3k_akt_mtor_inhibitor"]),
    ],
)
def test_prior_therapy_by_class_or_agent(text, kind, op, value):
    found = constraints_of(text, kind)
    assert [(c["concept"], c["op"], c["value"]) for c in found] == [("prior_therapy", op, value)]


def test_exceptions_are_left_out_of_a_prior_therapy_exclusion():
    found = constraints_of("Prior treatment with any SERD other than fulvestrant", "exclusion")
    assert found[0]["value"] == ["class:serd"]


def test_a_permission_for_another_drug_leaves_a_prior_therapy_exclusion_whole():
    found = constraints_of(
        "Have received any prior therapy with taxanes or platinum. Doxorubicin is allowed.", "exclusion"
    )
    assert [(c["op"], sorted(c["value"])) for c in found] == [("received_any", ["class:platinum", "class:taxane"])]


def test_a_permission_pointing_back_at_the_drugs_is_read_with_the_exclusion():
    found = constraints_of(
        "Continued therapy with tamoxifen or raloxifene. (Patients are eligible if these medications are stopped.)",
        "exclusion",
    )
    assert [c for c in found if c["concept"] == "prior_therapy"] == []


def test_a_permission_for_a_drug_the_exclusion_names_is_read_with_it():
    found = constraints_of("Prior CDK4/6 inhibitor therapy. Prior palbociclib is allowed.", "exclusion")
    assert [c for c in found if c["concept"] == "prior_therapy"] == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Prior chemotherapy (e.g. anthracyclines or taxanes)", ["class:chemotherapy"]),
        ("Prior CDK4/6 inhibitor (such as palbociclib or ribociclib)", ["class:cdk4_6_inhibitor"]),
        ("Prior platinum-based chemotherapy", ["class:platinum"]),
    ],
)
def test_examples_in_brackets_do_not_narrow_the_class_they_illustrate(text, value):
    assert [c["value"] for c in constraints_of(text, "exclusion")] == [value]


def test_an_e_g_does_not_split_a_criterion_into_sentences():
    found = constraints_of(
        "Prior chemotherapy (e.g. anthracyclines) for metastatic disease. Endocrine therapy is allowed.", "exclusion"
    )
    assert found == [{"concept": "prior_lines", "op": ">=", "value": 1, "scope": "chemotherapy"}]


def test_washout_periods_are_not_prior_therapy_exclusions():
    assert constraints_of("Chemotherapy within 21 days before the first dose", "exclusion") == []


def test_a_washout_counted_in_days_before_registration_is_not_a_prior_therapy_exclusion():
    text = "Chemotherapy or radiotherapy ≤ 28 days (6 weeks for nitrosoureas) prior to registration"
    assert constraints_of(text, "exclusion") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Prior chemotherapy for metastatic disease", [("prior_lines", ">=", 1, "chemotherapy")]),
        ("Previous endocrine therapy in the advanced setting", [("prior_lines", ">=", 1, "endocrine")]),
        (
            "Prior chemotherapy or elacestrant in the advanced/metastatic setting",
            [("prior_lines", ">=", 1, "chemotherapy"), ("prior_therapy", "received_any", ["drug:elacestrant"], "")],
        ),
    ],
)
def test_chemotherapy_or_endocrine_therapy_excluded_for_metastatic_disease_is_a_count_of_lines(text, expected):
    found = constraints_of(text, "exclusion")
    assert [(c["concept"], c["op"], c["value"], c.get("scope", "")) for c in found] == expected


def test_chemotherapy_excluded_in_any_setting_stays_a_therapy():
    assert constraints_of("Prior chemotherapy for breast cancer", "exclusion")[0]["value"] == ["class:chemotherapy"]


def test_no_limit_on_the_number_of_prior_therapies_is_not_a_criterion():
    text = "No limitations to number of prior chemotherapies or endocrine therapies for metastatic disease."
    assert constraints_of(text) == []


def test_a_partner_given_as_single_agent_or_in_combination_is_optional():
    text = "Prior lapatinib (either as single agent or in combination with chemotherapy)"
    assert [c["value"] for c in constraints_of(text, "exclusion")] == [["drug:lapatinib"]]


@pytest.mark.parametrize(
    "text",
    [
        "Known hypersensitivity to trastuzumab",
        "History of an anaphylactic reaction to irinotecan.",
        "Prior unanticipated severe reaction to fluoropyrimidine therapy",
    ],
)
def test_a_reaction_to_a_drug_is_not_prior_therapy(text):
    assert constraints_of(text, "exclusion") == []


def test_a_time_window_inside_the_exception_leaves_the_exclusion_standing():
    text = "Prior treatment with an aromatase inhibitor, with the exception of patients who started it < 30 days before day 1"
    assert constraints_of(text, "exclusion")[0]["value"] == ["class:aromatase_inhibitor"]
    bracketed = "Chemotherapy, surgery (excluding local puncture) or radiotherapy within 4 weeks before admission"
    assert constraints_of(bracketed, "exclusion") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("No more than 2 prior lines of chemotherapy for metastatic disease", [("<=", 2, "chemotherapy")]),
        ("More than 1 line of chemotherapy for metastatic disease", [(">=", 2, "chemotherapy")]),
        ("1 to 3 prior lines of systemic therapy in the advanced setting", [(">=", 1, "total"), ("<=", 3, "total")]),
        ("Up to 2 prior endocrine therapies lines for advanced disease", [("<=", 2, "endocrine")]),
    ],
)
def test_limits_on_prior_lines(text, expected):
    kind = "exclusion" if text.startswith("More") else "inclusion"
    found = [(c["op"], c["value"], c["scope"]) for c in constraints_of(text, kind)]
    assert found == expected


def test_classes_spelling_out_no_prior_therapy_for_metastatic_disease_add_nothing_to_the_count():
    text = "No prior systemic anticancer therapy for metastatic disease (chemotherapy or endocrine therapy)"
    assert constraints_of(text) == [{"concept": "prior_lines", "op": ">=", "value": 1, "scope": "total"}]
    assert negated(text)


def test_therapies_joined_by_and_are_all_required():
    found = constraints_of(
        "Must have progressed after at least 1 prior line of an endocrine therapy and a CDK4/6 inhibitor "
        "in the advanced or metastatic setting"
    )
    therapy = [c for c in found if c["concept"] == "prior_therapy"]
    assert [(c["op"], sorted(c["value"])) for c in therapy] == [
        ("received_all", ["class:cdk4_6_inhibitor", "class:endocrine_therapy"])
    ]


def test_a_class_named_beside_a_count_of_lines_is_required_as_well():
    found = constraints_of(
        "Patients must have received at least 2 prior endocrine therapies, including a CDK4/6 inhibitor "
        "in the metastatic setting"
    )
    assert {"concept": "prior_lines", "op": ">=", "value": 2, "scope": "endocrine"} in found
    assert [(c["op"], c["value"]) for c in found if c["concept"] == "prior_therapy"] == [
        ("received_any", ["class:cdk4_6_inhibitor"])
    ]


def test_a_class_that_one_of_the_counted_lines_must_include_is_required():
    found = constraints_of(
        "Treated with one or two prior hormonal therapies in the metastatic setting, "
        "one of which was in combination with a CDK4/6 inhibitor"
    )
    assert [(c["op"], c["value"]) for c in found if c["concept"] == "prior_therapy"] == [
        ("received_any", ["class:cdk4_6_inhibitor"])
    ]


def test_drugs_named_before_a_count_of_lines_are_not_read_as_required():
    found = constraints_of(
        "Criteria for the everolimus combination: one or two prior hormonal therapies for advanced disease"
    )
    assert [c for c in found if c["concept"] == "prior_therapy"] == []


@pytest.mark.parametrize(
    "text",
    [
        "No more than 1 prior chemotherapy (which includes antibody drug conjugates) for metastatic disease",
        "More than 1 prior line of any PARP inhibitor-based regimen for metastatic disease",
    ],
)
def test_a_class_that_only_defines_or_counts_the_lines_is_not_a_requirement_of_its_own(text):
    kind = "exclusion" if text.startswith("More") else "inclusion"
    assert [c for c in constraints_of(text, kind) if c["concept"] == "prior_therapy"] == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        (
            "Received a CDK4/6 inhibitor either alone or in combination with endocrine therapy, "
            "with any duration of therapy permitted",
            ["class:cdk4_6_inhibitor"],
        ),
        (
            "Prior treatment with T-DXd (discontinued for progression and/or intolerance)",
            ["drug:trastuzumab deruxtecan"],
        ),
    ],
)
def test_a_required_therapy_survives_its_asides(text, value):
    found = constraints_of(text)
    assert [(c["concept"], c["op"], c["value"]) for c in found] == [("prior_therapy", "received_any", value)]


def test_intolerance_still_keeps_an_exclusion_from_reading_as_prior_therapy():
    assert constraints_of("Intolerance to trastuzumab deruxtecan (T-DXd)", "exclusion") == []


def test_no_prior_therapy_for_metastatic_disease_means_first_line():
    found = constraints_of("No prior systemic therapy for metastatic disease")
    assert negated("No prior systemic therapy for metastatic disease")
    assert found == [{"concept": "prior_lines", "op": ">=", "value": 1, "scope": "total"}]


@pytest.mark.parametrize(
    ("text", "levels"),
    [
        ("HER2-positive breast cancer (IHC 3+ or ISH amplified)", ["positive"]),
        ("HER2-negative breast cancer", ["low", "ultralow", "zero", "negative"]),
        ("HER2-low (IHC 1+ or IHC 2+/ISH-negative)", ["low"]),
        ("HER2-low or HER2-ultralow disease", ["low", "ultralow"]),
    ],
)
def test_her2_levels(text, levels):
    assert constraints_of(text) == [{"concept": "her2", "op": "in", "value": levels}]


def test_her2_directed_therapy_is_not_a_her2_status():
    assert all(c["concept"] != "her2" for c in constraints_of("Prior HER2-directed therapy", "exclusion"))


def test_hormone_receptors_and_triple_negative():
    assert constraints_of("ER-positive and/or PR-positive, HER2-negative")[0] == {
        "concept": "hormone_receptor",
        "op": "is",
        "value": "positive",
        "scope": "hr",
    }
    assert constraints_of("Triple-negative breast cancer (TNBC)") == [
        {"concept": "triple_negative", "op": "is", "value": True}
    ]


@pytest.mark.parametrize(
    ("text", "scope"),
    [
        ("Documented germline BRCA1 or BRCA2 pathogenic mutation", "BRCA1,BRCA2"),
        ("PIK3CA-mutant tumour by tissue or ctDNA", "PIK3CA"),
        ("ESR1 mutation detected in ctDNA", "ESR1"),
        ("Tumour with a PIK3CA, AKT1 or PTEN alteration", "PIK3CA,AKT1,PTEN"),
    ],
)
def test_gene_alterations(text, scope):
    assert constraints_of(text) == [{"concept": "gene_alteration", "op": "is", "value": "altered", "scope": scope}]


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


def test_a_catch_all_with_examples_is_left_to_the_investigator():
    text = "Current severe, uncontrolled systemic disease (e.g., clinically significant cardiovascular, pulmonary, or metabolic disease)"
    assert constraints_of(text, "exclusion") == []


def test_an_either_sex_trial_has_no_sex_requirement():
    assert [c for c in constraints_of("Male or female patients aged 18 or over") if c["concept"] == "sex"] == []


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


def test_a_sentence_that_only_defines_a_term_requires_nothing():
    text = (
        "Hormone receptor status will be determined at the local institution. "
        "ER and PR negativity will be defined as < 1% tumor staining by IHC"
    )
    assert constraints_of(text) == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        (
            "Patients must have received neoadjuvant taxane-based chemotherapy (anthracyclines are permitted)",
            ["class:taxane"],
        ),
        (
            "Participants have received adjuvant chemotherapy and had no prior endocrine therapy are eligible, "
            "provided that they are endocrine sensitive",
            None,
        ),
    ],
)
def test_what_a_permission_allows_is_not_read_as_required(text, value):
    therapy = [c["value"] for c in constraints_of(text) if c["concept"] == "prior_therapy"]
    assert therapy == ([value] if value else [])


def test_a_permission_outside_brackets_is_still_not_a_requirement():
    assert constraints_of("Patients with treated brain metastases are eligible") == []


@pytest.mark.parametrize(
    ("text", "scope"),
    [
        ("Histologically confirmed ER+ (any progesterone receptor [PR] status is allowed) breast cancer", "er"),
        ("Diagnosis of hormone positive HER2 negative breast cancer", "hr"),
        ("Expression of ER or progesterone receptors (PR)", "hr"),
    ],
)
def test_hormone_receptor_positivity_in_other_wordings(text, scope):
    assert {"concept": "hormone_receptor", "op": "is", "value": "positive", "scope": scope} in constraints_of(text)


def test_any_hormone_receptor_status_is_no_requirement():
    assert [c for c in constraints_of("Any ER or PR status is allowed") if c["concept"] == "hormone_receptor"] == []


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


def test_symptomatic_metastatic_disease_is_not_an_exclusion_of_all_spread():
    found = constraints_of("Symptomatic metastatic visceral disease", "exclusion")
    assert [c for c in found if c["concept"] == "metastatic_disease"] == []


def test_pd_l1():
    assert constraints_of("PD-L1 positive (CPS ≥ 10)") == [{"concept": "pd_l1", "op": "is", "value": "positive"}]
    assert constraints_of("Prior anti-PD-L1 therapy", "exclusion")[0]["concept"] == "prior_therapy"


def test_age_from_text():
    assert constraints_of("Age ≥ 18 years at the time of consent") == [{"concept": "age", "op": ">=", "value": 18}]
    assert constraints_of("Aged older than 18 years") == [{"concept": "age", "op": ">=", "value": 18}]
    assert constraints_of("Age ≥ 45 with no menses for at least 2 years") == []
    assert constraints_of("Aged 65 years or older") == [{"concept": "age", "op": ">=", "value": 65}]


def test_criteria_the_engine_does_not_understand_are_kept_as_not_assessed():
    rules = extract("Inclusion Criteria:\n\n* Adequate bone marrow function\n", lexicon())
    assert len(rules) == 1 and not rules[0].assessed


def test_cohort_scoped_criteria_keep_their_cohort():
    rules = extract("Inclusion Criteria:\n\n* Adults\n\nCohort B only:\n\n* PIK3CA mutation\n", lexicon())
    assert rules[-1].cohort == "Cohort B" and rules[-1].constraints[0].concept == "gene_alteration"


def test_a_denied_item_among_inclusion_criteria_excludes():
    rules = extract(
        "Inclusion Criteria:\n\n* Prior trastuzumab is required. Prior neratinib is not permitted.\n", lexicon()
    )
    assert [(r.excludes, r.constraints[0].value) for r in rules] == [
        (False, ("drug:trastuzumab",)),
        (True, ("drug:neratinib",)),
    ]


def test_requirements_no_patient_could_meet_together_become_alternatives():
    text = "Inclusion Criteria:\n\n* Triple-negative breast cancer\n* Hormone receptor-positive breast cancer\n* ECOG 0-1\n"
    rules = extract(text, lexicon())
    assert [rule.alternative for rule in rules] == [True, True, False]


def test_her2_expressing_means_positive_or_low():
    assert constraints_of("HER2-positive or HER2-low (IHC 1+ to 3+) breast cancer") == [
        {"concept": "her2", "op": "in", "value": ["positive", "low"]}
    ]


def test_a_definition_after_the_requirement_keeps_the_requirement():
    assert constraints_of("HER2-negative breast cancer, defined as IHC 0 or 1+, or 2+ with negative ISH") == [
        {"concept": "her2", "op": "in", "value": ["low", "ultralow", "zero", "negative"]}
    ]


def test_a_not_more_than_limit_never_becomes_a_requirement_for_more():
    text = (
        "Inclusion Criteria:\n\n* Participants must have progressed after at least 1 prior line of endocrine therapy.. "
        "Participants must not have received more than 3 prior lines of systemic therapies including up to 1 line of "
        "cytotoxic chemotherapy for advanced disease\n"
    )
    rules = extract(text, lexicon())
    limit = rules[-1]
    assert limit.excludes
    assert [(c.op, c.value, c.scope) for c in limit.constraints] == [(">=", 4, "total")]


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


def test_a_lost_comparison_sign_leaves_the_bound_to_the_study_team():
    # Some copies of older records dropped "<=" and ">=": "Age  18", "Prior chemotherapy regimens  2".
    assert constraints_of("Age  18") == []
    assert constraints_of("Prior chemotherapy regimens  2 for metastatic disease") == []


def test_lines_spelling_out_a_scoped_requirement_share_its_scope():
    text = "DISEASE CHARACTERISTICS:\nTriple-negative disease only (phase II)\nER and PR negative\nHER2 negative\nNo known CNS metastasis\n"
    rules = extract(text, lexicon())
    scoped = {rule.text: rule.cohort for rule in rules}
    assert scoped["Triple-negative disease only (phase II)"] == "phase II"
    assert scoped["HER2 negative"] == "phase II"
    assert scoped["No known CNS metastasis"] == ""


def test_an_or_inside_one_requirement_does_not_make_the_requirements_alternatives():
    text = "HER2-positive breast cancer (IHC 3+, or ISH amplified) that is unresectable locally advanced or metastatic"
    [rule] = extract(f"Inclusion Criteria:\n\n* {text}\n", lexicon())
    assert {c.concept for c in rule.constraints} == {"her2", "metastatic_disease"}
    assert rule.logic == "all"


@pytest.mark.parametrize(
    "text",
    [
        "Women 18 years or older",
        "Female patients aged 18 years of age or older",
        "ER and/or PgR positive, HER2 negative",
        "Estrogen receptor-positive and/or progesterone receptor-positive, HER2-negative breast cancer",
        "Histologically or cytologically confirmed HR-positive, HER2-negative advanced breast cancer",
        "Metastatic breast cancer that is HER2-positive or HER2-low",
        "Stage II or III, HER2 negative, ER positive invasive breast cancer in male or female patients",
        "HER2-positive locally advanced unresectable breast cancer or metastatic breast cancer",
        "HR+/HER2- advanced breast cancer with progression on an aromatase inhibitor or tamoxifen",
        "ECOG 0-2 or KPS >= 60, female, 18 years or older",
        "Locally advanced, non-resectable, or metastatic ER-positive breast cancer",
    ],
)
def test_an_or_between_values_of_one_requirement_leaves_every_requirement_needed(text):
    [rule] = extract(f"Inclusion Criteria:\n\n* {text}\n", lexicon())
    assert len({c.concept for c in rule.constraints}) > 1
    assert rule.logic == "all"


@pytest.mark.parametrize(
    "text",
    [
        "ER-positive or HER2-positive breast cancer",
        "HER2 positive (IHC 3+ and or FISH amplified) or triple negative breast cancer",
        "Triple-negative breast cancer or HR-low/HER2-negative breast cancer",
    ],
)
def test_an_or_between_requirements_still_offers_alternatives(text):
    [rule] = extract(f"Inclusion Criteria:\n\n* {text}\n", lexicon())
    assert rule.logic == "any"


@pytest.mark.parametrize(
    "text",
    [
        "Female participants with ER+HER2- advanced breast cancer of childbearing potential must be willing to undergo medically induced menopause",
        "Patients with HER2-positive disease must have received trastuzumab",
        "Female patients who are lactating should discontinue nursing before the first dose",
    ],
)
def test_a_requirement_for_some_patients_only_is_left_to_the_study_team(text):
    assert [c for c in constraints_of(text) if c["concept"] != "pregnancy"] == []


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


def test_a_condition_introduced_by_if_is_not_a_requirement():
    found = constraints_of("Age 30 years or older if HER2 positive. Age 50 or older if HER2 negative.")
    assert [c["concept"] for c in found if c["concept"] in ("her2", "triple_negative")] == []


def test_an_alternative_introduced_by_or_if_leaves_both_parts_uncertain():
    text = "Must have HER-2-negative breast cancer or, if HER-2-positive, must be unable to receive trastuzumab"
    assert [c for c in constraints_of(text) if c["concept"] == "her2"] == []


def test_an_if_inside_brackets_does_not_cut_the_requirement():
    found = constraints_of("The primary tumor and metastases (if re-biopsy was performed) were both HER2-negative")
    assert [c["concept"] for c in found] == ["her2"]


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


def test_a_partner_marked_plus_or_minus_is_optional():
    text = "Relapse within 12 months of adjuvant endocrine therapy (+/- CDK4/6 inhibitor)"
    found = [c for c in constraints_of(text) if c["concept"] == "prior_therapy"]
    assert [c["value"] for c in found] == [["class:endocrine_therapy"]]


def test_a_combination_given_with_plus_needs_both_drugs():
    text = "Progression while receiving endocrine therapy plus a CDK4/6 inhibitor"
    found = [c for c in constraints_of(text) if c["concept"] == "prior_therapy"]
    assert [(c["op"], sorted(c["value"])) for c in found] == [
        ("received_all", ["class:cdk4_6_inhibitor", "class:endocrine_therapy"])
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Up to two lines of prior cyclin-dependent kinase (CDK) 4/6 inhibitor, not including abemaciclib",
        "No more than 1 line of systemic therapy was administered from the date of archival tissue collection",
    ],
)
def test_lines_of_one_drug_class_or_within_dates_are_left_to_the_study_team(text):
    assert [c for c in constraints_of(text) if c["concept"] == "prior_lines"] == []


def test_radiation_alone_names_radiotherapy():
    found = constraints_of("Any prior cytotoxic chemotherapy or radiation for the current breast cancer", "exclusion")
    assert [sorted(c["value"]) for c in found] == [["class:chemotherapy", "class:radiotherapy"]]


@pytest.mark.parametrize(
    "text",
    [
        "History of radiation pneumonitis",
        "Pregnant women, because of fetal exposure to radiation",
        "Prior radiation that overlaps with the intended treatment volume",
        "Prior radiotherapy to the target lesion",
    ],
)
def test_radiation_that_names_a_harm_or_one_place_is_not_radiotherapy_in_general(text):
    assert [c for c in constraints_of(text, "exclusion") if c["concept"] == "prior_therapy"] == []


def test_a_test_that_cannot_be_confirmed_does_not_tangle_the_requirement():
    text = "WOCBP: Negative urine or serum pregnancy test. If the urine test cannot be confirmed as negative, a serum test is required"
    assert {"concept": "pregnancy", "op": "is", "value": False} in constraints_of(text)


def test_a_label_before_the_criterion_does_not_hide_its_negation():
    text = "STEP 2: RANDOMIZATION: Participants must not have a history of (non-infectious) pneumonitis that required steroids"
    assert [c["concept"] for c in constraints_of(text)] == ["lung_condition"]
    assert negated(text)


def test_radiation_pneumonitis_in_a_radiotherapy_wait_is_not_a_lung_history():
    text = "Has received prior radiotherapy within 2 weeks of start of study intervention or had radiation pneumonitis"
    assert [c for c in constraints_of(text, "exclusion") if c["concept"] == "lung_condition"] == []


def test_cancers_listed_as_exceptions_under_a_lead_are_let_through():
    text = (
        "Exclusion Criteria:\n\n* Active second malignancy, with the exception of:\n"
        "  * Any other cancer from which the patient has been disease-free for >= 2 years\n"
        "* Pregnant or breastfeeding\n"
    )
    found = {rule.text: [c.concept for c in rule.constraints] for rule in extract(text, lexicon())}
    assert found["Any other cancer from which the patient has been disease-free for >= 2 years"] == []
    assert found["Pregnant or breastfeeding"] == ["pregnancy"]


def test_a_basket_trial_that_includes_breast_cancer_can_still_require_measurable_disease():
    text = "Measurable (per RECIST v1.1), metastatic cancer of one of these types: gastrointestinal, breast or ovarian"
    assert {"concept": "measurable_disease", "op": "is", "value": True} in constraints_of(text)


def test_a_heart_condition_named_in_a_catch_all_raises_a_question():
    text = "Uncontrolled intercurrent illness including, but not limited to, active infection, symptomatic congestive heart failure or psychiatric illness"
    assert constraints_of(text, "exclusion") == [
        {"concept": "heart_condition", "op": "is", "value": True, "specific": True}
    ]


@pytest.mark.parametrize(
    ("text", "levels"),
    [
        ("HER2 IHC 0 status as determined according to ASCO CAP 2018 guidelines", ["ultralow", "zero"]),
        ("HER2-null (IHC 0 with no staining)", ["zero"]),
        ("HER2 0-1+ by IHC", ["low", "ultralow", "zero"]),
    ],
)
def test_ihc_0_covers_ultralow_unless_the_trial_tells_them_apart(text, levels):
    assert [c["value"] for c in constraints_of(text) if c["concept"] == "her2"] == [levels]


def test_a_requirement_before_as_defined_by_is_read():
    assert constraints_of("HER2+ BC as defined by ASCO-CAP guidelines") == [
        {"concept": "her2", "op": "in", "value": ["positive"]}
    ]


@pytest.mark.parametrize("text", ["Tumors must be negative for HER2.", "Negative expression of HER2 per ASCO/CAP"])
def test_negative_written_before_her2_is_her2_negative(text):
    assert [c["value"] for c in constraints_of(text) if c["concept"] == "her2"] == [
        ["low", "ultralow", "zero", "negative"]
    ]


def test_an_exception_only_for_a_treatment_just_begun_leaves_the_count_of_lines():
    text = "Prior endocrine therapy in the metastatic setting is not allowed unless initiated < 30 days from day 1"
    assert constraints_of(text, "exclusion") == [
        {"concept": "prior_lines", "op": ">=", "value": 1, "scope": "endocrine"}
    ]


def test_the_words_before_numbered_alternatives_are_still_required():
    text = "Has received ET in the noncurative setting and has 1) progression on ET with a CDK4/6 inhibitor or 2) received at least 2 lines of ET"
    found = [c for c in constraints_of(text) if c["concept"] == "prior_therapy"]
    assert [(c["op"], c["value"], c.get("qualifiers")) for c in found] == [
        ("received_any", ["class:endocrine_therapy"], ["metastatic_setting"])
    ]


def test_no_sentence_of_a_note_is_a_requirement():
    text = (
        "Note 2: Chemotherapy refers to non-targeted cytotoxic agents. Agents given for less than "
        "1 cycle will not be counted as a prior chemotherapy regimen."
    )
    assert constraints_of(text) == []


def test_what_patients_may_be_is_a_permission_not_a_requirement():
    text = (
        "Depending on the study arm, patients may be naïve to anti-PD(L)1 therapy, or previously "
        "treated with platinum-based chemotherapy with or without anti-PD-(L)1."
    )
    assert constraints_of(text) == []


def test_who_will_be_assigned_what_is_not_a_requirement():
    text = (
        "Patients who have already been exposed to one of the study CDK4/6 inhibitors at registration "
        "will be assigned a different study CDK4/6 inhibitor"
    )
    assert constraints_of(text) == []


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


def test_several_caps_on_lines_in_one_item_are_for_different_groups_and_the_loosest_stands():
    text = (
        "Has received no more than 1 prior hormonal regimen (Treatment Group 1). Has received no more than "
        "2 prior hormonal regimens (Treatment Groups 2 and 3)."
    )
    found = [c for c in constraints_of(text) if c["concept"] == "prior_lines"]
    assert found == [{"concept": "prior_lines", "op": "<=", "value": 2, "scope": "endocrine"}]


def test_the_receptors_spelled_out_beside_triple_negative_are_not_extra_requirements():
    assert constraints_of("African American with triple negative (ER-PR-HER2-) breast cancer") == [
        {"concept": "triple_negative", "op": "is", "value": True}
    ]
    either = constraints_of("HR+ HER2-negative or HR- (ER- and PR-) HER2-negative/triple negative breast cancer")
    assert {c["concept"] for c in either} >= {"her2", "triple_negative"}


@pytest.mark.parametrize("text", ["Recurrent or metastatic breast cancer", "Relapsed/metastatic solid tumors"])
def test_recurrent_or_metastatic_disease_includes_a_local_recurrence(text):
    assert constraints_of(text) == [
        {"concept": "metastatic_disease", "op": "in", "value": ["locally_advanced", "metastatic"]}
    ]


def test_intracranial_progression_is_active_brain_disease():
    assert constraints_of("Patients must not have intracranial disease progression") == [
        {"concept": "brain_metastases", "op": "in", "value": ["active"]}
    ]


def test_investigational_estrogen_receptor_drugs_are_not_their_approved_relatives():
    text = (
        "Prior therapy with elacestrant or other investigational selective estrogen receptor degraders, or "
        "investigational alike agents such as selective estrogen receptor modulators and selective estrogen "
        "receptor covalent antagonists, in the metastatic setting. Prior treatment with fulvestrant is not "
        "exclusionary, as it is an approved medication."
    )
    [found] = constraints_of(text, "exclusion")
    assert sorted(found["value"]) == ["class:oral_serd", "drug:elacestrant"]


def test_a_drug_resistance_that_describes_another_cancer_asks_nothing_of_a_breast_cancer_patient():
    text = "Histological diagnosis of platinum-resistant EOC, including primary peritoneal and fallopian tube carcinoma"
    assert constraints_of(text) == []


@pytest.mark.parametrize(
    ("text", "found"),
    [
        (
            "Locally advanced unresectable or metastatic triple negative breast cancer, ovarian cancer, anal cancer, "
            "MSI-H CRC, mesothelioma, and HNSCC.",
            [{"concept": "triple_negative", "op": "is", "value": True}],
        ),
        (
            "Histological diagnosis of locally advanced or metastatic ER+HER2- breast cancer, CRPC, or NSCLC",
            [
                {"concept": "hormone_receptor", "op": "is", "value": "positive", "scope": "er"},
                {"concept": "her2", "op": "in", "value": ["low", "ultralow", "zero", "negative"]},
            ],
        ),
        (
            "Advanced TNBC, HR+/HER2- breast cancer, ovarian cancer or NSCLC",
            [{"concept": "her2", "op": "in", "value": ["low", "ultralow", "zero", "negative"]}],
        ),
        ("mCRPC, breast cancer (TNBC, HR+/HER2-negative or HER2-low, HR-/HER2+), CRC, NSCLC, or PDAC", []),
        ("Epithelial cancer of the following types: breast (TNBC, HR+/HER2-/+BC), NSCLC, cervical, CRPC", []),
    ],
)
def test_a_basket_trial_says_what_a_breast_cancer_must_be_where_it_names_one(text, found):
    biology = [c for c in constraints_of(text) if c["concept"] in ("her2", "hormone_receptor", "triple_negative")]
    assert biology == found


def test_a_her2_mutation_offered_beside_amplification_does_not_require_her2_positive():
    found = constraints_of("Patients with HER2 overexpressed/amplified/mutant metastatic breast cancer")
    assert [c for c in found if c["concept"] == "her2"] == []


def test_what_women_who_could_become_pregnant_must_do_asks_nothing_of_the_others():
    text = (
        "Female participants with ER+HER2- advanced breast cancer considered to be of childbearing potential "
        "must be willing to undergo medically induced menopause with an LHRH agonist"
    )
    assert constraints_of(text) == []
    assert constraints_of(
        "Women of childbearing potential must have a negative pregnancy test before chemotherapy"
    ) == [{"concept": "pregnancy", "op": "is", "value": False}]


def test_a_bracket_describing_a_test_does_not_make_an_early_stage_trial():
    text = (
        'Patients with a "Low Risk" MammaPrint (a genomic test that analyzes the activity of certain genes '
        "in early-stage breast cancer) result must have an Oncotype DX test"
    )
    assert [c for c in constraints_of(text) if c["concept"] == "early_stage"] == []


@pytest.mark.parametrize(
    ("text", "kind", "found"),
    [
        ("Concurrent pregnancy", "exclusion", [{"concept": "pregnancy", "op": "is", "value": True}]),
        (
            "Has active inflammatory bowel disease requiring immunosuppressive medication",
            "exclusion",
            [{"concept": "autoimmune_disease", "op": "is", "value": True, "specific": True}],
        ),
        (
            "Has locally recurrent unresectable or metastatic TNBC that cannot be treated with curative intent",
            "inclusion",
            [
                {"concept": "metastatic_disease", "op": "in", "value": ["locally_advanced", "metastatic"]},
                {"concept": "triple_negative", "op": "is", "value": True},
            ],
        ),
        (
            "Participants who progress >12 months after adjuvant platinum-based chemotherapy must receive 1 "
            "additional cytotoxic treatment before enrollment",
            "inclusion",
            [],
        ),
        (
            "Measurable disease per RECIST v1.1 for all tumor types other than pleural mesothelioma",
            "inclusion",
            [{"concept": "measurable_disease", "op": "is", "value": True}],
        ),
        (
            "Patient must have received prior endocrine therapy with CDK4/6 inhibitor.",
            "inclusion",
            [
                {
                    "concept": "prior_therapy",
                    "op": "received_all",
                    "value": ["class:endocrine_therapy", "class:cdk4_6_inhibitor"],
                }
            ],
        ),
        ("Maintenance regimens (e.g., with a PARP inhibitor) are not considered separate regimens.", "inclusion", []),
        (
            "Clinical and or radiological CNS parenchymal progression in patients with HER2-positive breast cancer",
            "inclusion",
            [
                {"concept": "brain_metastases", "op": "in", "value": ["active"]},
                {"concept": "her2", "op": "in", "value": ["positive"]},
            ],
        ),
        (
            "Prior therapy with a topoisomerase 1 inhibitor-based antibody drug conjugate.",
            "exclusion",
            [{"concept": "prior_therapy", "op": "received_any", "value": ["class:topoisomerase1_adc"]}],
        ),
        (
            "Current signs or symptoms of peripheral neuropathy, e.g. due to diabetes, HIV, or other conditions",
            "exclusion",
            [{"concept": "neuropathy", "op": "is", "value": True, "specific": True}],
        ),
        (
            "Measurable disease is required as defined by RECIST v1.1 for all Cohorts. Cohort A1 may permit "
            "non-measurable disease.",
            "inclusion",
            [],
        ),
        (
            "Cohort A: HR+/HER2-negative breast cancer with at least 1 and up to 3 prior lines of "
            "non-endocrine-based therapy for advanced disease",
            "inclusion",
            [
                {"concept": "prior_lines", "op": ">=", "value": 1, "scope": "chemotherapy"},
                {"concept": "prior_lines", "op": "<=", "value": 3, "scope": "chemotherapy"},
                {"concept": "hormone_receptor", "op": "is", "value": "positive", "scope": "hr"},
                {"concept": "her2", "op": "in", "value": ["low", "ultralow", "zero", "negative"]},
            ],
        ),
        (
            "Has TNBC with evaluable tumor PD-L1 expression at combined positive score (CPS) ≥10",
            "exclusion",
            [{"concept": "pd_l1", "op": "is", "value": "positive"}],
        ),
        (
            "Has received prior systemic therapy for treatment of locally recurrent unresectable or metastatic "
            "breast cancer",
            "exclusion",
            [{"concept": "prior_lines", "op": ">=", "value": 1, "scope": "total"}],
        ),
        ("ECOG PS of 0~2.", "inclusion", [{"concept": "ecog", "op": "within", "value": {"ecog": 2}}]),
        (
            "Clinically significant cardiovascular, pulmonary, or gastrointestinal disorders.",
            "exclusion",
            [
                {"concept": "heart_condition", "op": "is", "value": True},
                {"concept": "lung_condition", "op": "is", "value": True},
            ],
        ),
        (
            "Treatment with systemic cancer therapy or anti-hormonal therapy within protocol specified intervals.",
            "exclusion",
            [],
        ),
        (
            "Measurable disease per RECIST v1.1. Participants with mCRPC with bone-only, non-measurable disease are allowed.",
            "inclusion",
            [{"concept": "measurable_disease", "op": "is", "value": True}],
        ),
        ("HER2-negative cancers that have no FDA approved indication for HER2-directed therapy.", "exclusion", []),
        (
            "Patients who have progressed on ≤ 2 prior lines of endocrine therapy",
            "inclusion",
            [
                {"concept": "prior_lines", "op": "<=", "value": 2, "scope": "endocrine"},
                {"concept": "prior_lines", "op": ">=", "value": 1, "scope": "endocrine"},
            ],
        ),
        (
            "Prior treatment with any ADC with a topoisomerase payload.",
            "exclusion",
            [{"concept": "prior_therapy", "op": "received_any", "value": ["class:topoisomerase1_adc"]}],
        ),
    ],
)
def test_phrasings_found_in_trials_outside_the_gold_set_are_read(text, kind, found):
    assert constraints_of(text, kind) == found


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


@pytest.mark.parametrize(
    ("text", "kind", "found"),
    [
        ("Has skin only metastatic disease", "exclusion", []),
        (
            "Planned to initiate standard of care first-line therapy with endocrine therapy plus a CDK4/6 inhibitor",
            "inclusion",
            [{"concept": "prior_lines", "op": "==", "value": 0, "scope": "total"}],
        ),
        ("Must be receiving or plan to receive first-line systemic treatment for metastatic disease", "inclusion", []),
    ],
)
def test_spread_and_first_line_phrasings(text, kind, found):
    assert [c for c in constraints_of(text, kind) if c["concept"] in ("metastatic_disease", "prior_lines")] == found


@pytest.mark.parametrize(
    ("text", "found"),
    [
        (
            "HR+/HER2- aBC with disease progression on an aromatase inhibitor or tamoxifen in combination with a "
            "CDK4/6 inhibitor for metastatic disease with no more than 2 lines of endocrine therapy.",
            ["class:aromatase_inhibitor", "class:cdk4_6_inhibitor", "drug:tamoxifen"],
        ),
        ("HR+/HER2-negative endocrine resistant/refractory breast cancer", ["class:endocrine_therapy"]),
        ("For taxane-pretreated patients, has had no more than 1 prior chemotherapy regimen for MBC", []),
        (
            "Progression after one or more androgen-receptor inhibitors with or without a prior course of taxane "
            "therapy, and no more than 3 prior lines",
            [],
        ),
    ],
)
def test_therapies_required_beside_a_count_of_lines(text, found):
    therapies = [c for c in constraints_of(text) if c["concept"] == "prior_therapy"]
    assert sorted(v for c in therapies for v in c["value"]) == found


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


def test_an_if_that_qualifies_the_drugs_does_not_cut_the_count_of_lines_after_it():
    text = (
        "Metastatic TNBC that has relapsed on 2 or more lines of standard-of-care therapy including checkpoint "
        "inhibitors and PARP inhibitors if indicated, but less than 4 lines of total therapies."
    )
    lines = [c for c in constraints_of(text) if c["concept"] == "prior_lines"]
    assert lines == [
        {"concept": "prior_lines", "op": ">=", "value": 2, "scope": "total"},
        {"concept": "prior_lines", "op": "<=", "value": 3, "scope": "total"},
    ]
    assert [c for c in constraints_of(text) if c["concept"] == "prior_therapy"] == []


@pytest.mark.parametrize(
    ("text", "found"),
    [
        (
            "Prior treatment in the recurrent/metastatic setting; patients must have received approved standard therapy",
            [{"concept": "prior_lines", "op": ">=", "value": 1, "scope": "total"}],
        ),
        ("Prior systemic therapy for metastatic disease may consist of chemotherapy as a single agent", []),
    ],
)
def test_prior_treatment_in_the_metastatic_setting_is_a_line_already_given(text, found):
    assert [c for c in constraints_of(text) if c["concept"] == "prior_lines"] == found


@pytest.mark.parametrize(
    "text",
    [
        "Unable to swallow capsules or has malabsorption syndrome, such as ulcerative colitis",
        "Received cyclophosphamide within the past 4 months",
    ],
)
def test_absorption_problems_and_recent_use_exclude_no_history(text):
    assert constraints_of(text, "exclusion") == []


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


def test_a_sentence_setting_a_receptor_threshold_defines_it():
    text = (
        "Documented ER positive and/or PgR positive by immunohistochemistry. The threshold to qualify as ER or "
        "PgR positive is ≥1% per ASCO/CAP guidelines."
    )
    assert constraints_of(text) == [{"concept": "hormone_receptor", "op": "is", "value": "positive", "scope": "hr"}]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("ER- and/or PR-positive breast cancer", "positive"),
        ("ER- or PR-positive breast cancer", "positive"),
    ],
)
def test_a_suspended_hyphen_shares_the_word_after_the_last_one(text, value):
    assert constraints_of(text) == [{"concept": "hormone_receptor", "op": "is", "value": value, "scope": "hr"}]


def test_ultralow_defined_as_ihc_0_with_faint_staining_does_not_take_her2_zero():
    assert constraints_of("HER2-low or HER2-ultralow (IHC 0 with faint staining) breast cancer") == [
        {"concept": "her2", "op": "in", "value": ["low", "ultralow"]}
    ]
    assert constraints_of("HER2 IHC 0 breast cancer") == [
        {"concept": "her2", "op": "in", "value": ["ultralow", "zero"]}
    ]


def test_alternatives_given_with_another_therapy_need_one_of_them_and_the_other():
    rules = [
        rule
        for rule in extract(
            "Inclusion Criteria:\n\n* Disease progression on an aromatase inhibitor or tamoxifen with a CDK4/6 inhibitor\n",
            lexicon(),
        )
        if rule.constraints
    ]

    (rule,) = rules
    assert rule.logic == "all"
    assert [c.value for c in rule.constraints] == [
        ("class:aromatase_inhibitor", "drug:tamoxifen"),
        ("class:cdk4_6_inhibitor",),
    ]


def test_an_inclusion_item_that_opens_with_a_count_requires_it_and_an_additional_line_is_capped():
    assert constraints_of(
        "One prior line of endocrine therapy and up to one additional line of chemotherapy in the metastatic setting"
    ) == [
        {"concept": "prior_lines", "op": ">=", "value": 1, "scope": "endocrine"},
        {"concept": "prior_lines", "op": "<=", "value": 1, "scope": "chemotherapy"},
    ]
    assert constraints_of("Less than or equal to (  ) 3 chemotherapy regimens prior to study entry") == []

"""Reading prior therapy from criterion wording: drugs and classes received, lines of treatment, settings.

Sentences are written for these tests in the styles real records use (escapes, unicode
comparators, qualifiers)."""

from __future__ import annotations

import pytest

from screening.engine.extract import extract
from tests.engine_helpers import constraints_of, lexicon, negated


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


def test_a_denied_item_among_inclusion_criteria_excludes():
    rules = extract(
        "Inclusion Criteria:\n\n* Prior trastuzumab is required. Prior neratinib is not permitted.\n", lexicon()
    )
    assert [(r.excludes, r.constraints[0].value) for r in rules] == [
        (False, ("drug:trastuzumab",)),
        (True, ("drug:neratinib",)),
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


def test_a_lost_comparison_sign_leaves_the_bound_to_the_study_team():
    # Some copies of older records dropped "<=" and ">=": "Age  18", "Prior chemotherapy regimens  2".
    assert constraints_of("Age  18") == []
    assert constraints_of("Prior chemotherapy regimens  2 for metastatic disease") == []


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


def test_several_caps_on_lines_in_one_item_are_for_different_groups_and_the_loosest_stands():
    text = (
        "Has received no more than 1 prior hormonal regimen (Treatment Group 1). Has received no more than "
        "2 prior hormonal regimens (Treatment Groups 2 and 3)."
    )
    found = [c for c in constraints_of(text) if c["concept"] == "prior_lines"]
    assert found == [{"concept": "prior_lines", "op": "<=", "value": 2, "scope": "endocrine"}]


def test_investigational_estrogen_receptor_drugs_are_not_their_approved_relatives():
    text = (
        "Prior therapy with elacestrant or other investigational selective estrogen receptor degraders, or "
        "investigational alike agents such as selective estrogen receptor modulators and selective estrogen "
        "receptor covalent antagonists, in the metastatic setting. Prior treatment with fulvestrant is not "
        "exclusionary, as it is an approved medication."
    )
    [found] = constraints_of(text, "exclusion")
    assert sorted(found["value"]) == ["class:oral_serd", "drug:elacestrant"]


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


def test_a_therapy_given_one_narrow_way_is_asked_about_rather_than_read_as_its_whole_class():
    assert constraints_of("Prior high dose chemotherapy requiring stem cell rescue", "exclusion") == [
        {"concept": "prior_therapy", "op": "received_any", "value": ["class:chemotherapy"], "specific": True}
    ]


def test_checkpoint_inhibitors_named_by_target_are_read_as_that_kind_only():
    assert constraints_of("Prior treatment with an anti-CTLA-4 therapy.", "exclusion") == [
        {"concept": "prior_therapy", "op": "received_any", "value": ["class:ctla4_inhibitor"]}
    ]
    assert constraints_of("Prior immune checkpoint inhibitor", "exclusion") == [
        {"concept": "prior_therapy", "op": "received_any", "value": ["class:immune_checkpoint_inhibitor"]}
    ]


def test_any_cdk_inhibitor_names_the_cdk4_6_inhibitors_she_may_have_had():
    found = constraints_of("Prior treatment with any CDK inhibitor.", "exclusion")
    assert [(c["concept"], c["value"]) for c in found] == [("prior_therapy", ["class:cdk4_6_inhibitor"])]

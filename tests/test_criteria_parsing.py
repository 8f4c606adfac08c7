"""Splitting eligibility text into sections and items."""

from __future__ import annotations

from screening.criteria import EXCLUSION, INCLUSION, OTHER, clean, flatten, parse


def test_markdown_escapes_and_repeated_entities_are_undone():
    assert clean(r"ECOG \<= 1 and LVEF \>= 50% \[MUGA\]") == "ECOG <= 1 and LVEF >= 50% [MUGA]"
    assert clean("ER &amp;amp;lt; 10%") == "ER < 10%"


def test_inclusion_and_exclusion_sections_are_found_whatever_their_headings():
    text = "Key Inclusion Criteria:\n\n* Adults\n\nKey Exclusion Criteria:\n\n* Pregnancy\n"
    assert [(s.kind, [i.text for i in s.items]) for s in parse(text)] == [
        (INCLUSION, ["Adults"]),
        (EXCLUSION, ["Pregnancy"]),
    ]
    numbered = "1.0 INCLUSION CRITERIA\n\n1.1. Women\n\nEXCLUSION CRITERIA:\n1. Men"
    assert [s.kind for s in parse(numbered)] == [INCLUSION, EXCLUSION]


def test_text_before_any_heading_is_kept_as_other():
    sections = parse("Patients must meet all of the following:\n\n* Age 18\n")
    assert sections[0].kind == OTHER and flatten(sections[0].items)[-1].text == "Age 18"


def test_nested_bullets_become_children():
    text = "Inclusion Criteria:\n\n* Adequate organ function:\n  * ANC >= 1500\n  * Platelets >= 100000\n* ECOG 0-1\n"
    items = parse(text)[0].items
    assert [i.text for i in items] == ["Adequate organ function:", "ECOG 0-1"]
    assert [c.text for c in items[0].children] == ["ANC >= 1500", "Platelets >= 100000"]


def test_cohort_scoped_items_are_marked():
    text = "Inclusion Criteria:\n\n* Adults\n\nCohort B only:\n\n* PIK3CA mutation\n* HbA1c < 8%\n"
    items = flatten(parse(text)[0].items)
    assert [(i.text, i.cohort) for i in items] == [
        ("Adults", ""),
        ("PIK3CA mutation", "Cohort B"),
        ("HbA1c < 8%", "Cohort B"),
    ]


def test_a_sub_studys_criteria_and_the_sub_items_of_a_scoped_item_share_its_scope():
    text = (
        "Inclusion Criteria:\n\n* Adults\n* In Phase 1b, patients must also have:\n  * Measurable disease\n"
        "* NCI PDMR INCLUSION CRITERIA: Patients with breast cancer that are either\n  * Triple negative\n"
        "* ECOG 0-1\n"
    )
    items = flatten(parse(text)[0].items)
    assert [i.cohort for i in items] == ["", "Phase 1b", "Phase 1b", "NCI PDMR", "NCI PDMR", ""]


def test_wrapped_lines_join_their_item():
    text = "Exclusion Criteria:\n\n* Known HIV infection, unless\n  on stable therapy\n* Pregnancy"
    assert [i.text for i in parse(text)[0].items] == ["Known HIV infection, unless on stable therapy", "Pregnancy"]


def test_empty_text_gives_no_sections():
    assert parse("") == []


def test_short_labels_naming_a_part_of_the_trial_scope_their_item_however_worded():
    text = (
        "Inclusion Criteria:\n* Phase 2a Cohort A: HR+/HER2- metastatic breast cancer\n"
        "* Monotherapy Cohorts: advanced solid tumours\n"
        "* Combination Cohorts (drug A with drug B): HR+/HER2- breast cancer\n"
        "* Progressed on one line of chemotherapy (Phase IA and IB1)\n"
        "* Eastern Cooperative Oncology Group: 0-1\n"
    )

    (section,) = parse(text)

    assert [item.cohort for item in section.items] == [
        "Phase 2a Cohort A",
        "Monotherapy Cohorts",
        "Combination Cohorts",
        "Phase IA and IB1",
        "",
    ]


def test_headings_that_name_both_kinds_or_ineligibility_and_leads_that_say_who_is_kept_out():
    text = (
        "Key Inclusion/Exclusion Criteria:\n* Adults\n"
        "Ineligibility Criteria:\n* Prior fulvestrant\n"
        "Patients are eligible if:\n* Metastatic breast cancer\n"
        "Patients are NOT eligible if:\n* Prior CDK4/6 inhibitor\n"
        "Participants eligible for study participation CANNOT meet any of the following criteria:\n* Pregnancy\n"
        "Subjects who meet any of the following criteria will be excluded from participation in this study:\n* HIV\n"
    )

    kinds = [(section.kind, section.items[0].text) for section in parse(text)]

    assert kinds == [
        (OTHER, "Adults"),
        (EXCLUSION, "Prior fulvestrant"),
        (INCLUSION, "Metastatic breast cancer"),
        (EXCLUSION, "Prior CDK4/6 inhibitor"),
        (EXCLUSION, "Pregnancy"),
        (EXCLUSION, "HIV"),
    ]


def test_every_item_knows_where_its_words_stand_in_the_cleaned_text():
    text = "Inclusion Criteria:\n\n* Must have one of the following:\n  * no brain metastases\n* ECOG 0-1\n  continued here\n"
    cleaned = clean(text)

    items = flatten(parse(text)[0].items)

    assert [cleaned[item.start : item.end] for item in items] == [
        "Must have one of the following:",
        "no brain metastases",
        "ECOG 0-1\n  continued here",
    ]


def test_a_lead_says_whether_its_items_are_alternatives():
    (section,) = parse(
        "Inclusion Criteria:\n* Must have one of the following:\n  * a\n* All of the following:\n  * b\n"
        "* Meets at least 1 of the following criteria:\n  * c\n"
    )

    assert [item.combinator for item in section.items] == ["any", "all", "any"]


def test_every_rule_points_at_its_items_words_in_the_text():
    from screening.engine.extract import extract
    from tests.engine_helpers import lexicon

    text = "Inclusion Criteria:\n\n* ECOG 0-1\n* HER2-negative breast cancer.\n  Measurable disease.\n"
    cleaned = clean(text)

    spans = [cleaned[rule.span[0] : rule.span[1]] for rule in extract(text, lexicon())]

    assert spans == [
        "ECOG 0-1",
        "HER2-negative breast cancer.\n  Measurable disease.",
        "HER2-negative breast cancer.\n  Measurable disease.",
    ]


def test_an_enumeration_written_inside_one_item_becomes_its_children_with_their_places_in_the_text():
    text = (
        "Inclusion Criteria:\n\n* Must have one of the following: 1. no evidence of brain metastases "
        "2. untreated brain metastases not needing immediate treatment 3. previously treated, stable brain metastases\n"
    )
    lead = parse(text)[0].items[0]
    assert lead.text == "Must have one of the following:" and lead.combinator == "any"
    assert [c.text for c in lead.children] == [
        "no evidence of brain metastases",
        "untreated brain metastases not needing immediate treatment",
        "previously treated, stable brain metastases",
    ]
    assert all(clean(text)[c.start : c.end] == c.text and c.inline for c in lead.children)


def test_lettered_and_roman_enumerations_split_only_in_order_and_after_a_colon():
    lettered = parse("Inclusion Criteria:\n\n* Either of: (a) ECOG 0 to 1; or (b) Karnofsky at least 70\n")[0].items[0]
    assert [c.text for c in lettered.children] == ["ECOG 0 to 1", "Karnofsky at least 70"]
    roman = parse("Exclusion Criteria:\n\n* Heart disease: i. heart failure ii. angina iii. arrhythmia\n")[0].items[0]
    assert [c.text for c in roman.children] == ["heart failure", "angina", "arrhythmia"]
    # Marks out of order, or with no lead before them, are words of the item, not a list.
    for line in ("Grade 2. Neuropathy 1. allowed", "Stage a. and c. only: 1. one"):
        assert not parse(f"Inclusion Criteria:\n\n* {line}\n")[0].items[0].children


def test_a_list_of_subtypes_or_cohorts_is_a_menu_of_alternatives():
    text = "Inclusion Criteria:\n\n* Breast cancer of the following subtypes: (1) triple-negative (2) ER-positive, grade 3\n"
    assert parse(text)[0].items[0].combinator == "any"


def test_an_inline_list_under_a_cohort_label_keeps_that_cohort():
    text = "Inclusion Criteria:\n\n* For enrollment to Dose Expansion Cohort: (i) Biopsy consent. (ii) Measurable disease\n"
    lead = parse(text)[0].items[0]
    assert [c.cohort for c in lead.children] == ["Dose Expansion Cohort"] * 2


def test_plain_lines_naming_two_parts_of_the_trial_scope_the_lines_under_each_until_everyone_again():
    text = (
        "Inclusion Criteria:\n\n"
        "Applicable to the dose escalation phase (Phase 1b) only:\n\n"
        "Relapsed or refractory advanced solid tumours.\n\n"
        "Specific to Arm I: pretreated TNBC\n\n"
        "Histologically documented TNBC.\n\n"
        "All participants:\n\n"
        "ECOG 0 or 1\n"
    )

    (section,) = parse(text)

    assert [(item.text[:22], item.cohort) for item in section.items] == [
        ("Applicable to the dose", "Applicable to the dose escalation phase (Phase 1b) only"),
        ("Relapsed or refractory", "Applicable to the dose escalation phase (Phase 1b) only"),
        ("Specific to Arm I: pre", "Specific to Arm I"),
        ("Histologically documen", "Specific to Arm I"),
        ("All participants:", ""),
        ("ECOG 0 or 1", ""),
    ]


def test_one_part_named_over_a_whole_list_scopes_nothing():
    text = "Inclusion Criteria:\n\nDose expansion phase:\n\nHER2-positive breast cancer\n\nECOG 0 or 1\n"

    (section,) = parse(text)

    assert [item.cohort for item in section.items[1:]] == ["", ""]


def test_a_trailing_bracket_naming_several_parts_and_a_cancer_label_scope_their_item():
    text = (
        "Exclusion Criteria:\n* Past medical history of ILD (Parts E, F, K and L only)\n"
        "* cHL: Participants must have received at least 3 prior systemic therapies.\n"
        "* Hepatic: bilirubin above 1.5 x ULN\n"
    )

    (section,) = parse(text)

    assert [item.cohort for item in section.items] == ["Parts E, F, K and L", "cHL", ""]


def test_an_organ_label_in_a_basket_scopes_its_item():
    text = (
        "Inclusion Criteria:\n* Breast: TNBC with progression after at least one line of chemotherapy\n* Lung: NSCLC\n"
    )

    (section,) = parse(text)

    assert [item.cohort for item in section.items] == ["Breast", "Lung"]


def test_a_stage_of_the_trial_named_at_the_start_of_a_sentence_scopes_it():
    (section,) = parse(
        "Inclusion Criteria:\n* At dose expansion stage, participants should be PIK3CA-mutation positive.\n"
    )

    assert section.items[0].cohort == "dose expansion stage"


def test_a_list_of_parts_naming_the_kind_of_part_again_scopes_its_sentence():
    (section,) = parse("Inclusion Criteria:\n* In Part 2 and Phase 2, women with ER-positive breast cancer.\n")

    assert section.items[0].cohort == "Part 2 and Phase 2"


def test_a_parts_name_alone_on_a_line_scopes_the_lines_under_it():
    (section,) = parse("Inclusion Criteria:\nPhase 1\nAdvanced solid tumour\nPhase 2\nER-positive breast cancer\n")

    assert [(item.text, item.cohort) for item in section.items] == [
        ("Advanced solid tumour", "Phase 1"),
        ("ER-positive breast cancer", "Phase 2"),
    ]


def test_a_heading_that_runs_on_into_a_long_lead_still_opens_its_section():
    inclusion, exclusion = parse(
        "Inclusion Criteria\nMetastatic breast cancer.\nExclusion Criteria Subjects who meet any of the following "
        "criteria will be excluded from participation in the treatment protocol:\nSubjects with meningeal carcinomatosis.\n"
    )

    assert (inclusion.kind, exclusion.kind) == ("inclusion", "exclusion")
    assert [item.text for item in exclusion.items] == ["Subjects with meningeal carcinomatosis."]


def test_a_range_of_numbers_broken_over_lines_is_one_criterion():
    (section,) = parse(
        "Inclusion Criteria:\nECOG(Eastern Cooperative Oncology Group): 0 \n\n 1; \n\nLife expectancy > 3 months\n"
    )

    assert [item.text.strip() for item in section.items] == [
        "ECOG(Eastern Cooperative Oncology Group): 0 1;",
        "Life expectancy > 3 months",
    ]


def test_a_closing_bracket_naming_the_part_or_the_patients_it_is_for_scopes_its_item():
    (section,) = parse(
        "Exclusion Criteria:\n* Prior chemotherapy for metastatic breast cancer (phase II portion)\n"
        "* Known deleterious germline mutation of BRCA1/2 (Patients in Cohorts A and A1)\n"
    )

    assert [item.cohort for item in section.items] == ["phase II", "Cohorts A and A1"]


def test_lettered_lines_under_a_lead_offering_alternatives_are_its_children_until_a_line_marked_otherwise():
    (section,) = parse(
        "Inclusion Criteria:\nAll subjects will have cancer of one of the following types:\n"
        "A. Metastatic breast cancer\nB. Any tumor type with a CCND1 amplification\n- Biopsy Requirements: a biopsy\n"
    )

    lead, biopsy = section.items
    assert lead.combinator == "any"
    assert [child.text for child in lead.children] == [
        "Metastatic breast cancer",
        "Any tumor type with a CCND1 amplification",
    ]
    assert biopsy.text == "Biopsy Requirements: a biopsy"


def test_a_label_naming_a_cancer_then_its_setting_scopes_its_item_and_a_generic_one_does_not():
    (section,) = parse(
        "Inclusion Criteria:\nNSCLC first line: Stage IV NSCLC. Participants must not have received treatment.\n"
        "Cancer treatment and type criteria: at least one prior therapy.\n"
    )

    assert [item.cohort for item in section.items] == ["NSCLC first line", ""]


def test_a_plain_line_that_only_names_a_part_opens_that_parts_criteria_without_a_colon():
    (section,) = parse(
        "Inclusion Criteria:\n\n Monotherapy Period \n\n ECOG 0 to 1; \n\n Combined with Exemestane period \n\n"
        " HER2-negative tumour; \n\n Laboratory values within the screening period: \n\n Platelets at least 100,000/mm3 \n"
    )

    cohorts = {item.text: item.cohort for item in flatten(section.items)}
    assert cohorts["ECOG 0 to 1;"] == "Monotherapy Period"
    assert cohorts["HER2-negative tumour;"] == "Combined with Exemestane period"
    # A screening period is a time, not a part of the trial: the part named before it goes on.
    assert cohorts["Platelets at least 100,000/mm3"] == "Combined with Exemestane period"


def test_a_plain_line_naming_several_parts_or_ending_a_sentence_opens_none():
    (section,) = parse(
        "Inclusion Criteria:\n\nPrimary Study Cohorts\n\nECOG 0 to 1\n\nMeasurable disease (Part 1)\n\nHER2-negative\n"
    )

    assert [item.cohort for item in flatten(section.items)] == ["", "", "Part 1", ""]

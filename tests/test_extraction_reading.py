"""How a criterion is read whatever its concept: permissions, conditions, notes and lists.

Sentences are written for these tests in the styles real records use (escapes, unicode
comparators, qualifiers)."""

from __future__ import annotations

import pytest

from screening.engine.extract import extract
from tests.engine_helpers import constraints_of, lexicon


def test_lvef_numbers_alone_are_left_to_the_study_team():
    assert constraints_of(r"LVEF \>= 50% by echocardiogram or MUGA") == []


def test_a_catch_all_with_examples_is_left_to_the_investigator():
    text = "Current severe, uncontrolled systemic disease (e.g., clinically significant cardiovascular, pulmonary, or metabolic disease)"
    assert constraints_of(text, "exclusion") == []


def test_a_sentence_that_only_defines_a_term_requires_nothing():
    text = (
        "Hormone receptor status will be determined at the local institution. "
        "ER and PR negativity will be defined as < 1% tumor staining by IHC"
    )
    assert constraints_of(text) == []


def test_criteria_the_engine_does_not_understand_are_kept_as_not_assessed():
    rules = extract("Inclusion Criteria:\n\n* Adequate bone marrow function\n", lexicon())
    assert len(rules) == 1 and not rules[0].assessed


def test_a_drug_resistance_that_describes_another_cancer_asks_nothing_of_a_breast_cancer_patient():
    text = "Histological diagnosis of platinum-resistant EOC, including primary peritoneal and fallopian tube carcinoma"
    assert constraints_of(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "Unable to swallow capsules or has malabsorption syndrome, such as ulcerative colitis",
        "Received cyclophosphamide within the past 4 months",
    ],
)
def test_absorption_problems_and_recent_use_exclude_no_history(text):
    assert constraints_of(text, "exclusion") == []


def _read(text: str) -> list[tuple[str, list[str]]]:
    return [(rule.text, sorted(c.concept for c in rule.constraints)) for rule in extract(text, lexicon())]


def test_alternatives_written_inline_each_stay_one_way_in_and_rule_nothing_out_alone():
    text = (
        "Inclusion Criteria:\n\n* Must have one of the following: 1. no evidence of brain metastases "
        "2. untreated brain metastases not needing immediate treatment 3. previously treated, stable brain metastases\n"
    )
    rules = extract(text, lexicon())
    assert len({rule.item for rule in rules}) == 1  # still one criterion of the record
    read = [rule for rule in rules if rule.constraints]
    assert read and all(rule.alternative and "alternatives" in rule.doubts for rule in read)


def test_the_items_under_an_exception_are_a_carve_out_not_exclusions():
    text = (
        "Exclusion Criteria:\n\n* Presence of CNS involvement unless meeting BOTH of the following criteria: "
        "1) At least 4 weeks from prior radiation. 2) Clinically stable CNS tumor and not receiving steroids "
        "for brain metastases\n"
    )
    rules = extract(text, lexicon())
    lead, *carve_out = rules
    assert [(c.concept, c.value) for c in lead.constraints] == [("brain_metastases", ("active",))]
    assert carve_out and not any(rule.constraints for rule in carve_out)


def test_a_carve_out_lends_no_concept_of_its_own_to_its_lead():
    text = (
        "Inclusion Criteria:\n\n* Participants must not require anticoagulants except for the following:\n"
        "  * Therapeutic doses of LMWH in participants without known brain metastases\n"
    )
    assert all(not rule.constraints for rule in extract(text, lexicon()))


def test_a_sentence_before_a_lead_is_a_criterion_and_the_lead_is_not():
    text = (
        "Inclusion Criteria:\n\n* All patients must have measurable disease as defined by RECIST 1.1. "
        "The criteria for defining measurable disease are as follows:\n  * Chest x-ray >= 20 mm\n"
    )
    assert _read(text)[:2] == [
        ("All patients must have measurable disease as defined by RECIST 1.1.", ["measurable_disease"]),
        ("The criteria for defining measurable disease are as follows:", []),
    ]


def test_a_condition_named_before_an_including_list_is_read_as_tentative():
    text = (
        "Exclusion Criteria:\n\n* Patients with a known history of cardiac disease. This includes:\n  * heart failure\n"
    )
    first = extract(text, lexicon())[0]
    assert [c.concept for c in first.constraints] == ["heart_condition"] and "examples" in first.doubts


def test_a_note_written_as_a_list_requires_nothing():
    text = (
        "Inclusion Criteria:\n\n* NOTE: WOCBP is a woman who: 1) has achieved menarche, 2) has not undergone a "
        "hysterectomy or bilateral oophorectomy or 3) has not been naturally postmenopausal for 24 months\n"
    )
    assert all(not rule.constraints for rule in extract(text, lexicon()))


def test_a_footnote_mark_neither_hides_the_therapy_nor_joins_two_sentences():
    rules = [
        rule
        for rule in extract(
            "Inclusion Criteria:\n\n* No prior chemotherapy*. Prior endocrine therapy is allowed if hormone receptor positive.\n",
            lexicon(),
        )
        if rule.constraints
    ]

    assert [(rule.text, [c.to_dict() for c in rule.constraints], rule.negated) for rule in rules] == [
        (
            "No prior chemotherapy*.",
            [{"concept": "prior_therapy", "op": "received_any", "value": ["class:chemotherapy"]}],
            True,
        )
    ]


def test_a_basket_list_left_open_to_other_tumours_asks_nothing_of_her_breast_cancer():
    assert not constraints_of(
        "Relapsed mesothelin positive mesothelioma, ovarian tumors, pancreatic cancer, triple negative breast cancer, "
        "endometrial cancer and other mesothelin positive tumor"
    )
    assert {"concept": "triple_negative", "op": "is", "value": True} in constraints_of(
        "Relapsed mesothelioma, ovarian tumors, pancreatic cancer or triple negative breast cancer"
    )


def test_no_previous_therapy_with_named_drugs_is_about_those_drugs_not_a_count_of_lines():
    found = constraints_of("No previous therapy with anti-VEGF or anti-PD-1 antibody for their metastatic disease.")

    assert [c["concept"] for c in found] == ["prior_therapy"]
    assert constraints_of("No previous therapy for metastatic disease.") == [
        {"concept": "prior_lines", "op": ">=", "value": 1, "scope": "total"}
    ]


@pytest.mark.parametrize(
    "text",
    [
        "The interval after endocrine therapy was less than 1 week;",
        "Patients who had previously used vinorelbine with an interval time of less than 6 months from the end of medication;",
        "Treatment with chemotherapy, radiotherapy,immunotherapy or surgery within3 weeks prior to initiation of study treatment.",
        "The time and treatment between the prior PARP inhibitor and protocol initiation must be documented",
    ],
)
def test_a_therapy_named_only_to_say_how_recently_is_not_a_therapy_requirement(text):
    assert constraints_of(text, "exclusion") == []


def test_a_bracketed_definition_does_not_cut_off_the_facts_after_it():
    found = constraints_of(
        "Estrogen receptor (ER) positive (defined as >1% nuclear ER staining); HER2 negative (defined as IHC 0 or 1+)"
    )

    assert [c["concept"] for c in found] == ["hormone_receptor", "her2"]


def test_non_words_are_not_their_opposites():
    assert constraints_of("Non-triple-negative breast cancer") == []
    assert [c["concept"] for c in constraints_of("Confirmed non-resectable stage IV breast cancer")] == [
        "metastatic_disease"
    ]


def test_a_cumulative_dose_limit_is_not_the_drug_itself():
    assert constraints_of("Patients who have previously received more than 400 mg/m2 doxorubicin", "exclusion") == []
    assert constraints_of("Prior treatment with doxorubicin", "exclusion")


def test_a_later_clause_about_some_patients_asks_nothing_of_everyone():
    found = constraints_of(
        "Progressed on at least one prior chemotherapy regimen for metastatic disease; patients with tumors "
        "that overexpress HER-2/neu should have received trastuzumab"
    )
    assert "her2" not in {c["concept"] for c in found}
    assert {"concept": "prior_lines", "op": ">=", "value": 1, "scope": "chemotherapy"} in found


def test_lines_after_a_lead_offering_choices_with_nothing_under_it_may_be_its_alternatives():
    text = (
        "Inclusion Criteria:\n\nMetastatic breast cancer with a somatic BRCA mutation\n\n"
        "The following disease subtypes are eligible:\n\n"
        "Triple negative breast cancer, with progression on at least one prior chemotherapy regimen.\n\n"
        "Hormone receptor positive, HER2 negative disease with progression on endocrine therapy\n\n"
        "Patients must have measurable disease.\n\nECOG performance status of 0 or 1.\n"
    )
    doubted = {
        rule.text.split(",")[0]: "may be one of a list's alternatives" in rule.doubts
        for rule in extract(text, lexicon())
        if rule.constraints
    }
    # The run of subtypes is doubted; the line about another category of facts ends it.
    assert doubted["Triple negative breast cancer"] and doubted["Hormone receptor positive"]
    assert not doubted["Patients must have measurable disease."] and not doubted["ECOG performance status of 0 or 1."]


def test_items_run_together_in_old_wrapped_text_are_read_one_by_one_and_a_plan_asks_nothing():
    text = (
        "Criteria\n\n        DISEASE CHARACTERISTICS: Histologically proven locally advanced or stage IV\n"
        "        breast cancer Patients with T4 or N2, M0 disease and no prior chemotherapy receive\n"
        "        neoadjuvant chemotherapy prior to mastectomy No known brain metastases\n"
    )
    rules = [rule for rule in extract(text, lexicon()) if rule.constraints]
    concepts = {c.concept for rule in rules for c in rule.constraints}
    # Who receives what is the trial's plan, not "no prior chemotherapy" asked of her.
    assert "prior_lines" not in concepts and "prior_therapy" not in concepts
    brain = [rule for rule in rules if rule.concept == "brain_metastases"]
    assert len(brain) == 1 and brain[0].excludes and brain[0].text.startswith("No known brain metastases")


def test_labelled_items_run_together_in_an_old_nci_record_are_read_one_by_one():
    text = (
        "Criteria\n\n        PATIENT CHARACTERISTICS: Age: 18 and over Sex: Female Menopausal Status: Not\n"
        "        specified Performance status: ECOG 0 or 1\n\n"
        "        DISEASE CHARACTERISTICS: Metastatic breast cancer No current or prior history of brain\n"
        "        metastases Responding or stable disease since the start of chemotherapy\n"
    )
    rules = {rule.concept: rule for rule in extract(text, lexicon()) if rule.constraints}
    assert rules["sex"].constraints[0].value == ("female",) and rules["sex"].firm
    assert rules["ecog"].text.startswith("Performance status: ECOG 0 or 1")
    assert rules["brain_metastases"].excludes and rules["brain_metastases"].firm


def test_one_label_in_a_modern_item_does_not_split_it():
    text = "Inclusion Criteria:\n* Eastern Cooperative Oncology Group (ECOG) Performance Status: 0-1\n"
    (rule,) = [rule for rule in extract(text, lexicon()) if rule.constraints]
    assert rule.concept == "ecog" and rule.text.startswith("Eastern Cooperative")


def test_a_list_of_what_does_not_count_as_measurable_requires_none_of_its_items():
    rules = extract(
        "DISEASE CHARACTERISTICS:\n\n  -  Histologically confirmed metastatic breast cancer\n\n"
        "  -  Bidimensionally measurable lesions\n\n       -  The following are not considered measurable:\n\n"
        "            -  Bone lesions\n\n            -  Leptomeningeal disease\n\n            -  Ascites\n\n"
        "  -  No CNS metastases\n",
        lexicon(),
    )

    read = {rule.text: [c.concept for c in rule.constraints] for rule in rules}
    assert read["Leptomeningeal disease"] == [] and read["Bone lesions"] == []
    assert read["Bidimensionally measurable lesions"] == ["measurable_disease"]
    assert read["No CNS metastases"] == ["brain_metastases"]

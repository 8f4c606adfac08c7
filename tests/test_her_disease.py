"""Her disease and setting: a trial is for her only if its record takes people with breast
cancer, and, when it is for early disease only, only if her cancer has not spread.

The words are the records' own (conditions, titles, criteria); the last tests read real
records from the shared data.
"""

from __future__ import annotations

import json

from screening.engine.disease import early_setting, other_disease, unnamed_basket
from screening.engine.extract import extract
from screening.engine.match import CHECK_FIRST, NOT_A_FIT, TrialFacts, facts_of_trial
from screening.engine.profile import load_profile
from screening.engine.shortlist import screen_trial
from screening.evaluation import find_record, trial_facts_from_record
from tests.conftest import ROOT, shared_path
from tests.engine_helpers import detailed_profile, lexicon


def test_a_trial_whose_conditions_are_other_cancers_is_for_those_cancers():
    found = other_disease(["Renal Cell Carcinoma", "Clear Cell Renal Cell Carcinoma"], ["Belzutifan in RCC"], "")
    assert found.name == "renal cell carcinoma and clear cell renal cell carcinoma"
    assert found.quote == "Conditions: Renal Cell Carcinoma; Clear Cell Renal Cell Carcinoma"


def test_breast_cancer_named_anywhere_keeps_the_trial_for_her():
    assert other_disease(["Ovarian Cancer", "Breast Cancer"], [], "") is None
    assert other_disease(["Solid Tumor"], [], "Inclusion: HER2-low breast cancer or gastric cancer") is None
    # Named among the cancers a basket lists in its criteria, though its conditions do not say so.
    assert other_disease(["Ovarian Cancer"], [], "Cohort 3: triple-negative breast cancer after 1 prior line") is None


def test_a_basket_of_any_solid_tumour_is_for_her_unless_it_leaves_breast_out():
    assert other_disease(["Advanced Solid Tumors"], [], "Measurable disease per RECIST 1.1") is None
    found = other_disease(
        ["Malignant Solid Neoplasm"], [], "Patients must have a HER2 amplified solid tumor except breast cancer."
    )
    assert found.name == "cancers other than breast cancer"
    assert other_disease(["Brain Metastases"], [], "Any primary solid tumour") is None


def test_breastfeeding_is_not_breast_cancer():
    found = other_disease(["Melanoma"], [], "Exclusion Criteria: pregnant or breastfeeding women; breast-feeding")
    assert found is not None and found.name == "melanoma"


def test_conditions_that_are_not_cancers_give_no_verdict():
    # A study of kidney function or of a gene may well take women with breast cancer.
    assert other_disease(["Renal Impairment"], [], "") is None
    assert other_disease(["BRCA1 Mutation", "Healthy Volunteers"], [], "") is None
    found = other_disease(["BRCA1 Mutation", "Ovarian Cancer"], [], "")
    assert found.name == "ovarian cancer"


def test_a_study_whose_every_condition_is_being_healthy_is_for_healthy_volunteers_and_not_a_fit():
    found = other_disease(["Healthy Study Participants"], ["A Study of Drug X in Healthy Adults"], "")
    assert found.name == "healthy volunteers" and found.quote == "Conditions: Healthy Study Participants"
    trial = TrialFacts("NCT00000001", "Healthy adults", [], disease=found)
    result = screen_trial(trial, load_profile(detailed_profile()), lexicon())
    assert result["tier"] == NOT_A_FIT
    assert result["criteria"][0]["reason"].startswith("This study is for healthy volunteers, not for people with")
    # Healthy volunteers beside a condition of her own: not only for healthy people.
    assert other_disease(["Breast Cancer", "Healthy Volunteers"], [], "") is None


def test_with_no_conditions_only_a_title_naming_another_cancer_decides():
    assert other_disease([], ["Pembrolizumab in Metastatic Melanoma"], "").name == "melanoma"
    assert other_disease([], ["A Study of Drug X in Advanced Solid Tumors"], "") is None
    assert other_disease([], ["Video Education With Result Dependent Disclosure"], "") is None


def _screened(nct_id: str) -> dict:
    facts = trial_facts_from_record(find_record(shared_path("ctgov").parent, nct_id), lexicon())
    return screen_trial(facts, load_profile(detailed_profile()), lexicon())


def test_a_melanoma_trial_is_not_a_fit_and_says_so_first_quoting_its_record():
    result = _screened("NCT04971499")
    first = result["criteria"][0]
    assert result["tier"] == NOT_A_FIT
    assert (first["concept"], first["outcome"], first["text"]) == ("disease", "not_met", "Conditions: Melanoma")
    assert first["reason"].startswith("This trial is for melanoma")


def test_a_basket_that_leaves_breast_out_is_not_a_fit():
    first = _screened("NCT06126276")["criteria"][0]
    assert first["concept"] == "disease" and "other than breast cancer" in first["reason"]


def test_a_basket_whose_record_never_names_breast_cancer_is_a_question_first_on_the_card():
    # "Anti-PD-1 mAb Plus Metabolic Modulator in Solid Tumor Malignancies": melanoma, NSCLC,
    # HCC, ... and MSI-high solid tumours; it may or may not take breast cancer.
    result = _screened("NCT04114136")
    first = result["criteria"][0]
    assert result["tier"] != NOT_A_FIT
    assert (first["concept"], first["outcome"]) == ("disease", "unknown")
    assert first["text"].startswith("Conditions: Melanoma; NSCLC; Hepatocellular Carcinoma")
    assert "does not name breast cancer" in first["reason"]
    assert result["questions_for_oncologist"][0].startswith(
        "Does this trial take breast cancer? (The record names: Melanoma"
    )


def test_a_basket_naming_breast_cancer_in_its_inclusion_criteria_asks_nothing_about_the_disease():
    assert unnamed_basket(["Solid Tumor"], [], "Inclusion Criteria:\n* Cohort 2: HER2-low breast cancer") == ""
    # Named only where a past cancer is allowed, it is not named among the diseases the trial takes.
    named_late = "Inclusion Criteria:\n* Advanced solid tumour\nExclusion Criteria:\n* Other cancer except breast DCIS"
    assert unnamed_basket(["Solid Tumor"], [], named_late) == "Conditions: Solid Tumor"


def test_no_trial_of_the_first_gold_set_all_breast_cancer_trials_is_read_as_for_another_disease():
    shared_path("ctgov")
    gold = ROOT / "fixtures" / "gold"
    drawn_later = {n for path in gold.glob("batches/*/drawn.json") for n in json.loads(path.read_text())["gold_trials"]}
    first_set = [path.stem for path in sorted((gold / "trials").glob("NCT*.json")) if path.stem not in drawn_later]
    assert len(first_set) >= 80
    facts = [
        trial_facts_from_record(find_record(shared_path("ctgov").parent, nct_id), lexicon()) for nct_id in first_set
    ]
    assert [trial.nct_id for trial in facts if trial.disease] == []
    assert [trial.nct_id for trial in facts if trial.basket] == []  # nor asked whether it takes breast cancer


def test_a_record_naming_early_disease_only_gives_the_trial_an_early_setting():
    assert (
        early_setting(["Early Breast Cancer"], ["Adjuvant Giredestrant vs Endocrine Therapy"]) == "Early Breast Cancer"
    )
    assert early_setting(["Breast Ductal Carcinoma In Situ"], []) == "Breast Ductal Carcinoma In Situ"
    assert early_setting([], ["Low-Dose Tamoxifen for the Prevention of Breast Cancer"]) != ""
    # Preventing a side effect is not preventing breast cancer; a record naming advanced disease is not early.
    assert early_setting(["Breast Cancer"], ["Tart Cherry Juice for the Prevention of Paclitaxel Neuropathy"]) == ""
    assert early_setting(["Anatomic Stage III Breast Cancer", "Anatomic Stage IV Breast Cancer"], []) == ""
    assert early_setting(["Breast Cancer"], ["Neoadjuvant or Metastatic Therapy With Drug X"]) == ""


def _early_trial() -> TrialFacts:
    return TrialFacts("NCT00000001", "Adjuvant study", [], early_setting=early_setting(["Early Breast Cancer"], []))


def test_an_early_disease_trial_is_not_a_fit_when_her_cancer_has_spread_and_says_so_first():
    result = screen_trial(_early_trial(), load_profile(detailed_profile()), lexicon())
    first = result["criteria"][0]
    assert result["tier"] == NOT_A_FIT
    assert (first["text"], first["outcome"], first["concept"]) == ("Early Breast Cancer", "not_met", "early_stage")


def test_when_she_is_not_sure_of_her_stage_an_early_disease_trial_asks_rather_than_rules_out():
    unsure = load_profile({"schema": "trialscreen/profile@1"})
    result = screen_trial(_early_trial(), unsure, lexicon())
    assert result["tier"] == CHECK_FIRST and result["questions_for_oncologist"]
    early = load_profile({"schema": "trialscreen/profile@1", "cancer": {"stage": "II", "metastatic": False}})
    assert screen_trial(_early_trial(), early, lexicon())["criteria"][0]["outcome"] == "met"


def test_no_gold_trial_that_requires_advanced_disease_is_read_as_for_early_disease_only():
    shared_path("ctgov")

    def requires_advanced(path) -> bool:
        return any(
            entry["kind"] == "inclusion" and not entry.get("negated") and constraint["concept"] == "metastatic_disease"
            for entry in json.loads(path.read_text())["criteria"]
            for constraint in entry["constraints"]
        )

    advanced = [
        path.stem
        for path in sorted((ROOT / "fixtures" / "gold" / "trials").glob("NCT*.json"))
        if requires_advanced(path)
    ]
    assert len(advanced) >= 60
    read_as_early = [
        nct_id
        for nct_id in advanced
        if trial_facts_from_record(find_record(shared_path("ctgov").parent, nct_id), lexicon()).early_setting
    ]
    assert read_as_early == []


def test_a_real_adjuvant_trial_is_not_a_fit_for_cancer_that_has_spread_quoting_its_record():
    # "A Study Evaluating the Efficacy and Safety of Adjuvant Giredestrant ...": Conditions: Early Breast Cancer.
    result = _screened("NCT04961996")
    first = result["criteria"][0]
    assert result["tier"] == NOT_A_FIT
    assert (first["concept"], first["outcome"], first["text"]) == ("early_stage", "not_met", "Early Breast Cancer")


def test_a_neoadjuvant_title_is_no_verdict_when_a_part_of_the_trial_is_for_metastatic_disease():
    criteria = (
        "Inclusion Criteria:\n* Part A: T1-4 breast cancer with a measurable primary tumour\n"
        "* Part B: Patients with metastatic breast cancer with measurable tumor by RECIST criteria.Patients "
        "previously treated with letrozole are eligible if they progressed after adjuvant treatment.\n"
    )
    rules = extract(criteria, lexicon())
    trial = facts_of_trial(
        "NCT00000009", "Neoadjuvant lenvatinib with letrozole", rules, titles=["Neoadjuvant lenvatinib with letrozole"]
    )
    without_parts = facts_of_trial(
        "NCT00000009", "Neoadjuvant lenvatinib with letrozole", [], titles=["Neoadjuvant lenvatinib with letrozole"]
    )

    assert any(rule.cohort == "Part B" and rule.constraints for rule in rules)
    assert trial.early_setting == ""
    assert without_parts.early_setting

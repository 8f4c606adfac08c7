"""Matching a profile against rules: outcomes, three-valued logic and tiers."""

from __future__ import annotations

from dataclasses import replace

import pytest

from screening.engine.explain import reason
from screening.engine.extract import extract
from screening.engine.match import (
    CHECK_FIRST,
    MET,
    NOT_A_FIT,
    NOT_ASSESSED,
    NOT_MET,
    UNKNOWN,
    WORTH_DISCUSSING,
    TrialFacts,
    all_of,
    any_of,
    judge,
)
from screening.engine.rules import Constraint, Rule
from screening.engine.shortlist import screen_trial, shortlist
from tests.engine_helpers import lexicon, profile


def outcome(rule: Rule, **answers) -> str:
    """What the rule's facts say of her answers, as if read firmly (test_firmness covers firmness)."""
    return judge(replace(rule, doubts=()), profile(**answers), lexicon()).outcome


HER2_LOW = Rule("inclusion", "HER2-low", (Constraint("her2", "in", ("low",)),))
HER2_NEGATIVE = Rule("inclusion", "HER2-negative", (Constraint("her2", "in", ("low", "ultralow", "zero", "negative")),))
ACTIVE_BRAIN = Rule("exclusion", "Active brain metastases", (Constraint("brain_metastases", "in", ("active",)),))


def test_three_valued_and_and_or():
    assert all_of([True, None]) is None and all_of([False, None]) is False and all_of([True, True]) is True
    assert any_of([True, None]) is True and any_of([False, None]) is None and any_of([False, False]) is False


def test_unknown_answers_give_unknown_never_not_met():
    assert outcome(HER2_LOW) == UNKNOWN
    assert outcome(ACTIVE_BRAIN, cancer={"brain_metastases": None}) == UNKNOWN


@pytest.mark.parametrize(
    ("her2", "low", "negative"),
    [
        ("low", MET, MET),
        ("zero", NOT_MET, MET),
        ("ultralow", NOT_MET, MET),
        ("positive", NOT_MET, NOT_MET),
        ("negative", UNKNOWN, MET),
    ],
)
def test_her2_negative_trials_include_low_and_zero_and_a_plain_negative_needs_its_level(her2, low, negative):
    assert outcome(HER2_LOW, biomarkers={"her2": her2}) == low
    assert outcome(HER2_NEGATIVE, biomarkers={"her2": her2}) == negative


def test_exclusions_are_met_when_the_patient_does_not_have_the_fact():
    assert outcome(ACTIVE_BRAIN, cancer={"brain_metastases": "treated_stable"}) == MET
    assert outcome(ACTIVE_BRAIN, cancer={"brain_metastases": "active"}) == NOT_MET


def test_a_negated_inclusion_works_like_an_exclusion():
    rule = Rule(
        "inclusion",
        "No prior CDK4/6 inhibitor",
        (Constraint("prior_therapy", "received_any", ("class:cdk4_6_inhibitor",)),),
        negated=True,
    )
    assert outcome(rule, treatment={"agents": ["ribociclib"]}) == NOT_MET
    assert outcome(rule, treatment={"received": {"cdk4_6_inhibitor": False}}) == MET
    assert outcome(rule) == UNKNOWN


def test_brand_names_and_classes_resolve_through_the_lexicon():
    rule = Rule(
        "exclusion",
        "Prior topoisomerase I ADC",
        (Constraint("prior_therapy", "received_any", ("class:topoisomerase1_adc",)),),
    )
    assert outcome(rule, treatment={"agents": ["enhertu"]}) == NOT_MET
    # An ADC was given, but which one is not known.
    assert outcome(rule, treatment={"received": {"antibody_drug_conjugate": True}}) == UNKNOWN
    assert outcome(rule, treatment={"received": {"antibody_drug_conjugate": False}}) == MET


def test_a_topoisomerase_i_inhibitor_exclusion_covers_the_adcs_that_carry_one_and_irinotecan():
    (rule,) = extract("Exclusion Criteria:\n\n* Prior treatment with a TOP1i (e.g. irinotecan, T-DXd)\n", lexicon())
    assert rule.constraints == (Constraint("prior_therapy", "received_any", ("class:topoisomerase1_inhibitor",)),)
    for agent in ("Trodelvy", "enhertu", "irinotecan", "datopotamab deruxtecan"):
        assert outcome(rule, treatment={"agents": [agent]}) == NOT_MET
    # Nobody is asked about this kind of medicine directly, so a "no" to ADCs leaves it to check.
    assert outcome(rule, treatment={"received": {"antibody_drug_conjugate": False}}) == UNKNOWN


def test_an_unrecognised_agent_is_kept_and_does_not_crash():
    rule = Rule("exclusion", "Prior fulvestrant", (Constraint("prior_therapy", "received_any", ("drug:fulvestrant",)),))
    assert outcome(rule, treatment={"agents": ["experimental-xyz"]}) == UNKNOWN


def test_a_drug_given_in_an_unknown_setting_only_raises_a_question():
    rule = Rule(
        "exclusion",
        "Prior CDK4/6 inhibitor for metastatic disease",
        (Constraint("prior_therapy", "received_any", ("class:cdk4_6_inhibitor",), qualifiers=("metastatic_setting",)),),
    )
    assert outcome(rule, treatment={"agents": ["palbociclib"]}) == UNKNOWN
    either = Rule(
        "exclusion",
        "Prior fulvestrant in the adjuvant or metastatic setting",
        (
            Constraint(
                "prior_therapy",
                "received_any",
                ("drug:fulvestrant",),
                qualifiers=("metastatic_setting", "early_setting"),
            ),
        ),
    )
    assert outcome(either, treatment={"agents": ["fulvestrant"]}) == NOT_MET


def test_chemotherapy_for_metastatic_disease_is_settled_by_the_count_of_lines():
    text = "Exclusion Criteria:\n\n* Prior chemotherapy for metastatic disease\n"
    (rule,) = extract(text, lexicon())
    adjuvant_only = {"received": {"chemotherapy": True}, "lines_in_metastatic_setting": {"chemotherapy": 0}}
    assert outcome(rule, treatment=adjuvant_only) == MET
    assert outcome(rule, treatment={"lines_in_metastatic_setting": {"chemotherapy": 1}}) == NOT_MET
    assert outcome(rule, treatment={"received": {"chemotherapy": True}}) == UNKNOWN


def test_a_requirement_with_an_or_inside_one_value_still_needs_every_part():
    (rule,) = extract(
        "Inclusion Criteria:\n\n* Metastatic breast cancer that is HER2-positive or HER2-low\n", lexicon()
    )
    early = {"stage": "II", "metastatic": False, "unresectable_locally_advanced": False}
    assert outcome(rule, cancer=early, biomarkers={"her2": "positive"}) == NOT_MET
    assert outcome(rule, cancer={"stage": "IV", "metastatic": True}, biomarkers={"her2": "low"}) == MET


def test_performance_uses_the_trials_own_scale_and_maps_the_other():
    rule = Rule("inclusion", "ECOG 0-1", (Constraint("ecog", "within", (("ecog", 1),)),))
    assert outcome(rule, health={"ecog": 1}) == MET
    assert outcome(rule, health={"ecog": 2}) == NOT_MET
    assert outcome(rule, health={"karnofsky": 80}) == MET
    assert outcome(rule, health={"karnofsky": 40}) == NOT_MET  # 60 is a question: see the boundary test
    both = Rule("inclusion", "ECOG 0-1 (KPS >= 70)", (Constraint("ecog", "within", (("ecog", 1), ("karnofsky", 70))),))
    assert outcome(both, health={"karnofsky": 70}) == MET
    kps = Rule("inclusion", "KPS >= 70", (Constraint("ecog", "within", (("karnofsky", 70),)),))
    assert outcome(kps, health={"ecog": 1}) == MET and outcome(kps, health={"ecog": 3}) == NOT_MET
    assert outcome(both, health={"ecog": 2}) == NOT_MET  # one bar written on both scales


def test_a_lower_bar_offered_on_the_other_scale_is_another_way_in():
    either = Rule(
        "inclusion", "ECOG 0-1 or Karnofsky 60-100%", (Constraint("ecog", "within", (("ecog", 1), ("karnofsky", 60))),)
    )
    assert outcome(either, health={"ecog": 2}) == UNKNOWN  # ECOG 2 may be Karnofsky 60
    assert outcome(either, health={"ecog": 3}) == NOT_MET
    assert outcome(either, health={"karnofsky": 60}) == MET
    assert outcome(either, health={"ecog": 1, "karnofsky": 50}) == NOT_MET  # a second answer still contradicts


def test_prior_line_limits_count_from_the_treatment_answers():
    rule = Rule("inclusion", "<= 2 chemo lines", (Constraint("prior_lines", "<=", 2, scope="chemotherapy"),))
    assert outcome(rule, treatment={"lines_in_metastatic_setting": {"chemotherapy": 3}}) == NOT_MET
    assert outcome(rule, treatment={"received": {"chemotherapy": False}}) == MET
    assert outcome(rule) == UNKNOWN


def test_another_cancer_answer_against_windows():
    rule = Rule("exclusion", "Other cancer within 3 years", (Constraint("other_malignancy", "within_years", 3),))
    assert outcome(rule, health={"other_cancer_last_5_years": False}) == MET
    assert outcome(rule, health={"other_cancer_last_5_years": True}) == UNKNOWN  # it may be 4 years ago
    ever = Rule("exclusion", "Any other cancer", (Constraint("other_malignancy", "within_years", 5),))
    assert outcome(ever, health={"other_cancer_last_5_years": True}) == NOT_MET


def test_an_or_group_is_met_by_either_branch_and_unknown_if_neither_is_known():
    rule = Rule(
        "inclusion",
        "ER-positive or HER2-positive",
        (Constraint("hormone_receptor", "is", "positive", scope="er"), Constraint("her2", "in", ("positive",))),
        logic="any",
    )
    assert outcome(rule, biomarkers={"er": "negative", "her2": "positive"}) == MET
    assert outcome(rule, biomarkers={"er": "negative"}) == UNKNOWN
    assert outcome(rule, biomarkers={"er": "negative", "her2": "zero"}) == NOT_MET


def test_rules_the_engine_does_not_understand_are_not_assessed():
    assert outcome(Rule("inclusion", "Adequate organ function")) == NOT_ASSESSED


def tier_of(rules: list[Rule], trial_sex="ALL", low=18.0, high=None, **answers) -> str:
    trial = TrialFacts("NCT00000000", "Trial", rules, sex=trial_sex, minimum_age=low, maximum_age=high)
    return screen_trial(trial, profile(**answers), lexicon())["tier"]


def test_tiers():
    assert tier_of([HER2_LOW], trial_sex="FEMALE", age=50, sex="female", biomarkers={"her2": "low"}) == WORTH_DISCUSSING
    assert tier_of([HER2_LOW], age=50, biomarkers={"her2": "zero"}) == NOT_A_FIT
    assert tier_of([HER2_LOW], age=50, biomarkers={"her2": None}) == CHECK_FIRST


def test_structured_age_and_sex_can_rule_a_trial_out():
    assert tier_of([], trial_sex="MALE", age=50, sex="female") == NOT_A_FIT
    assert tier_of([], low=18, high=70, age=75) == NOT_A_FIT
    assert tier_of([], low=18, high=70) == CHECK_FIRST


def test_a_study_only_for_children_is_not_a_fit_even_when_her_age_is_not_known():
    assert tier_of([], low=0.0767, high=17) == NOT_A_FIT
    trial = TrialFacts("NCT00000000", "Biobank", [], minimum_age=0.0767, maximum_age=17)
    first = screen_trial(trial, profile(), lexicon())["criteria"][0]
    assert first["text"] == "Age 0 to 17 years" and first["reason"].startswith("This study is for children")


def test_a_lowest_age_an_adult_meets_asks_nothing():
    trial = TrialFacts("NCT00000000", "Biobank", [], minimum_age=0.0767)
    result = screen_trial(trial, profile(), lexicon())
    assert result["questions_for_oncologist"] == [] and result["tier"] == WORTH_DISCUSSING
    assert tier_of([], low=21) == CHECK_FIRST  # a lowest age above 18 is a real limit


def test_a_cohort_scoped_contradiction_does_not_rule_the_whole_trial_out():
    rule = Rule(
        "inclusion",
        "PIK3CA mutation",
        (Constraint("gene_alteration", "is", "altered", scope="PIK3CA"),),
        cohort="Cohort B",
    )
    assert tier_of([rule], age=50, biomarkers={"genes": {"PIK3CA": "not_altered"}}) == CHECK_FIRST


def test_one_of_several_alternatives_failing_does_not_rule_the_trial_out():
    rule = Rule("inclusion", "Age >= 60", (Constraint("age", ">=", 60),), alternative=True)
    assert tier_of([rule], age=50) == CHECK_FIRST


def test_unknowns_become_questions_for_the_oncologist():
    result = screen_trial(
        TrialFacts("NCT00000000", "Trial", [HER2_LOW]), profile(biomarkers={"her2": "negative"}), lexicon()
    )
    assert result["tier"] == CHECK_FIRST
    assert any("HER2" in question and "HER2-low" in question for question in result["questions_for_oncologist"])


def test_criteria_read_alike_across_trials_are_each_judged_with_their_own_sense_cohort_and_words():
    # One shared constraint, as stored constraints are: a screening works each reading out once,
    # yet every trial keeps its own verdict, reason and question.
    low = Constraint("her2", "in", ("low",))
    readings = {
        "NCT00000001": Rule("inclusion", "HER2-low (IHC 1+ or 2+/ISH-)", (low,)),
        "NCT00000002": Rule("exclusion", "HER2-low disease", (low,)),
        "NCT00000003": Rule("inclusion", "HER2-low, cohort B", (low,), cohort="Cohort B"),
        "NCT00000004": Rule("inclusion", "HER2-low per local lab", (low,), doubts=("number",)),
        "NCT00000005": Rule("inclusion", "HER2 low or ultralow, see appendix", (low,), doubts=("number",)),
    }
    trials = [TrialFacts(nct_id, "Trial", [rule]) for nct_id, rule in readings.items()]
    found = shortlist(profile(biomarkers={"her2": "positive"}), trials, lexicon())
    results = {result["nct_id"]: result for result in found["results"]}
    assert [results[n]["tier"] for n in readings] == [
        NOT_A_FIT,
        WORTH_DISCUSSING,
        CHECK_FIRST,
        CHECK_FIRST,
        CHECK_FIRST,
    ]
    assert "for Cohort B only" in results["NCT00000003"]["criteria"][0]["reason"]
    assert "for Cohort B only" not in results["NCT00000001"]["criteria"][0]["reason"]
    for nct_id in ("NCT00000004", "NCT00000005"):
        assert results[nct_id]["criteria"][0]["firmness"] == "tentative"
        assert results[nct_id]["questions_for_oncologist"] == [
            f"Does this rule me out? The trial says: “{readings[nct_id].text}”"
        ]
    assert results["NCT00000001"]["criteria"][0]["firmness"] == "firm"


def test_two_performance_answers_must_both_fit():
    rule = Rule("inclusion", "ECOG 0-1", (Constraint("ecog", "within", (("ecog", 1),)),))
    assert outcome(rule, health={"ecog": 0, "karnofsky": 10}) == NOT_MET
    assert outcome(rule, health={"ecog": 0, "karnofsky": 90}) == MET


def test_a_reason_for_alternatives_names_the_one_the_patient_meets():
    rule = Rule(
        "inclusion",
        "Metastatic breast cancer or HER2-positive disease",
        (Constraint("metastatic_disease", "in", ("metastatic",)), Constraint("her2", "in", ("positive",))),
        logic="any",
    )
    answers = profile(cancer={"metastatic": False, "stage": "II"}, biomarkers={"her2": "positive"})
    outcome = judge(rule, answers, lexicon())
    assert outcome.outcome == MET
    text = reason(outcome, lexicon(), answers)
    assert "HER2" in text and "not spread" not in text


def test_a_prior_therapy_reason_speaks_only_of_the_therapies_the_trial_names():
    rule = Rule("exclusion", "Prior tucatinib", (Constraint("prior_therapy", "received_any", ("drug:tucatinib",)),))
    answers = profile(treatment={"agents": ["letrozole"], "received": {"breast_surgery": True, "her2_targeted": True}})
    text = reason(judge(rule, answers, lexicon()), lexicon(), answers)
    assert "surgery" not in text and "letrozole" not in text
    assert "HER2-targeted therapy" in text


def test_a_prior_therapy_reason_names_the_medicine_the_patient_listed():
    rule = Rule(
        "exclusion",
        "Prior CDK4/6 inhibitor",
        (Constraint("prior_therapy", "received_any", ("class:cdk4_6_inhibitor",)),),
    )
    answers = profile(treatment={"agents": ["Ibrance", "letrozole"]})
    outcome = judge(rule, answers, lexicon())
    assert outcome.outcome == NOT_MET
    text = reason(outcome, lexicon(), answers)
    assert "ibrance (palbociclib)" in text and "letrozole" not in text


def test_cancer_surgery_cannot_remove_is_not_early_stage():
    rule = Rule("exclusion", "Disease amenable to curative treatment", (Constraint("early_stage", "is", True),))
    unresectable = {"metastatic": False, "unresectable_locally_advanced": True}
    assert outcome(rule, cancer=unresectable) == MET
    assert outcome(rule, cancer={"metastatic": False, "unresectable_locally_advanced": False}) == NOT_MET
    assert outcome(rule, cancer={"metastatic": True}) == MET


def test_an_exclusion_of_a_mutation_without_a_drug_needs_both():
    text = "Exclusion Criteria:\n\n* Participants with known germline BRCA mutation without prior treatment with a PARP inhibitor\n"
    (rule,) = extract(text, lexicon())
    assert rule.logic == "all"
    brca = {"genes": {"BRCA1": "altered"}}
    assert outcome(rule, biomarkers=brca, treatment={"agents": ["olaparib"]}) == MET
    assert outcome(rule, biomarkers=brca, treatment={"received": {"parp_inhibitor": False}}) == NOT_MET
    assert outcome(rule, biomarkers={"genes": {"BRCA1": "not_altered", "BRCA2": "not_altered"}}) == MET


def test_stage_one_or_two_cancer_now_is_not_advanced_disease():
    rule = Rule(
        "inclusion", "Stage III or IV", (Constraint("metastatic_disease", "in", ("locally_advanced", "metastatic")),)
    )
    assert outcome(rule, cancer={"stage": "II", "metastatic": False}) == NOT_MET
    assert outcome(rule, cancer={"stage": "III", "metastatic": False}) == UNKNOWN
    assert outcome(rule, cancer={"stage": "III", "metastatic": False, "unresectable_locally_advanced": True}) == MET


def test_an_exclusion_of_mmae_drug_conjugates_does_not_rule_out_other_drug_conjugates():
    [rule] = extract(
        "Exclusion Criteria:\n\n* Prior treatment with any antibody drug conjugate (ADC) containing a "
        "monomethyl auristatin E (MMAE) payload\n",
        lexicon(),
    )
    # Another drug conjugate does not rule her out; whether she also had an MMAE one is asked.
    assert outcome(rule, treatment={"agents": ["sacituzumab govitecan"]}) == UNKNOWN
    assert outcome(rule, treatment={"received": {"antibody_drug_conjugate": False}}) == MET
    assert outcome(rule, treatment={"agents": ["enfortumab vedotin"]}) == NOT_MET


def test_an_exclusion_naming_one_kind_of_cancer_needs_all_of_it():
    [rule] = extract("Exclusion Criteria:\n\n* Concurrent HER2-overexpressing metastatic breast cancer\n", lexicon())
    assert outcome(rule, cancer={"metastatic": True}, biomarkers={"her2": "low"}) == MET
    assert outcome(rule, cancer={"metastatic": True}, biomarkers={"her2": "positive"}) == NOT_MET


def test_a_performance_limit_on_the_other_scale_is_a_question_at_the_boundary():
    karnofsky_70 = Rule("inclusion", "Karnofsky >= 70%", (Constraint("ecog", "within", (("karnofsky", 70),)),))
    ecog_1 = Rule("inclusion", "ECOG 0-1", (Constraint("ecog", "within", (("ecog", 1),)),))

    assert outcome(karnofsky_70, health={"ecog": 2}) == UNKNOWN  # ECOG 2 is Karnofsky 50-60, or 60-70
    assert outcome(karnofsky_70, health={"ecog": 3}) == NOT_MET
    assert outcome(karnofsky_70, health={"ecog": 1}) == MET
    assert outcome(ecog_1, health={"karnofsky": 60}) == UNKNOWN
    assert outcome(ecog_1, health={"karnofsky": 40}) == NOT_MET


def test_pembrolizumab_does_not_answer_an_anti_ctla_4_exclusion_but_does_answer_a_checkpoint_one():
    ctla4 = Rule(
        "exclusion", "Prior anti-CTLA-4", (Constraint("prior_therapy", "received_any", ("class:ctla4_inhibitor",)),)
    )
    any_checkpoint = Rule(
        "exclusion",
        "Prior checkpoint inhibitor",
        (Constraint("prior_therapy", "received_any", ("class:immune_checkpoint_inhibitor",)),),
    )
    had = {"received": {"immunotherapy": True}, "agents": ["pembrolizumab"]}

    assert outcome(ctla4, treatment=had) == UNKNOWN
    assert outcome(any_checkpoint, treatment=had) == NOT_MET


def test_requirements_no_patient_could_meet_together_become_alternatives():
    text = "Inclusion Criteria:\n\n* Triple-negative breast cancer\n* Hormone receptor-positive breast cancer\n* ECOG 0-1\n"
    rules = TrialFacts("NCT00000001", "A basket", extract(text, lexicon())).rules
    assert [rule.alternative for rule in rules] == [True, True, False]


def test_reading_the_criteria_never_calls_the_matcher():
    import ast
    import inspect

    from screening.engine import extract as extraction

    imported = {
        node.module
        for node in ast.walk(ast.parse(inspect.getsource(extraction)))
        if isinstance(node, ast.ImportFrom) and node.module
    }
    assert "screening.engine.match" not in imported


def test_every_concept_the_lexicon_asks_about_is_one_registered_fact():
    from screening.engine.facts import FACTS

    # "leptomeningeal" is the brain-metastases fact's own question, not a concept of its own.
    assert set(lexicon().concepts) - {"leptomeningeal"} == set(FACTS)
    for fact in FACTS.values():
        assert callable(fact.evaluate) and callable(fact.describe) and callable(fact.answer)


def test_a_reason_says_which_medicines_she_named_when_none_is_one_the_trial_names():
    platinum = Rule("inclusion", "Prior platinum", (Constraint("prior_therapy", "received_any", ("class:platinum",)),))
    patient = profile(treatment={"received": {"chemotherapy": True}, "agents": ["capecitabine"]})

    explained = reason(judge(platinum, patient, lexicon()), lexicon(), patient)

    assert "named capecitabine" in explained and "did not name" not in explained


def test_cancer_surgery_cannot_remove_is_not_early_stage_whatever_stage_was_given():
    early = Rule("inclusion", "Resected stage II or III", (Constraint("early_stage", "in", ("II", "III")),))
    unresectable = {"metastatic": False, "unresectable_locally_advanced": True}

    # The property test found stage II answered fitting where "Not sure" of the stage did not.
    assert outcome(early, cancer={**unresectable, "stage": "II"}) == NOT_MET
    assert outcome(early, cancer=unresectable) == NOT_MET
    assert outcome(early, cancer={"metastatic": False, "stage": "II"}) == MET


HER2_NEGATIVE_AFTER_ANTHRACYCLINES = Rule(
    "inclusion",
    "HER-2 negative advanced breast cancer (patients who have received anthracyclines)",
    (
        Constraint("her2", "in", ("low", "ultralow", "zero", "negative")),
        Constraint("prior_therapy", "received_any", ("class:anthracycline",)),
    ),
    doubts=("treatment history",),
)


def test_a_doubt_about_treatment_history_leaves_the_other_facts_of_a_requirement_firm():
    assert tier_of([HER2_NEGATIVE_AFTER_ANTHRACYCLINES], age=50, biomarkers={"her2": "positive"}) == NOT_A_FIT
    # The treatment part alone failing is still only a question.
    had_none = {"received": {"chemotherapy": False}}
    assert tier_of([HER2_NEGATIVE_AFTER_ANTHRACYCLINES], age=50, biomarkers={"her2": "low"}, treatment=had_none) == (
        CHECK_FIRST
    )
    # Other doubts, or an exclusion, keep the whole reading tentative.
    other = replace(HER2_NEGATIVE_AFTER_ANTHRACYCLINES, doubts=("treatment history", "negation"))
    assert tier_of([other], age=50, biomarkers={"her2": "positive"}) == CHECK_FIRST


def test_subtypes_named_beside_other_facts_that_no_one_could_have_together_are_alternatives():
    triple_negative = Rule(
        "inclusion",
        "Triple negative breast cancer, with progression on at least one prior chemotherapy",
        (Constraint("prior_lines", ">=", 1, scope="chemotherapy"), Constraint("triple_negative", "is", True)),
    )
    hormone_positive = Rule(
        "inclusion",
        "Hormone receptor positive, HER2 negative disease with progression on endocrine therapy",
        (Constraint("prior_lines", ">=", 1, scope="endocrine"), Constraint("hormone_receptor", "is", "positive")),
    )
    facts = TrialFacts("NCT00000001", "Two subtypes", [triple_negative, hormone_positive])
    assert all(rule.alternative for rule in facts.rules)
    assert tier_of([triple_negative, hormone_positive], age=50, biomarkers={"er": "positive", "pr": "positive"}) != (
        NOT_A_FIT
    )


def test_a_required_place_of_spread_is_met_from_her_list_of_places_and_unknown_without_one():
    bone = Rule("inclusion", "At least one bone metastasis", (Constraint("metastatic_site", "includes", ("bone",)),))
    assert outcome(bone, cancer={"sites": ["bone", "liver"]}) == MET
    assert outcome(bone, cancer={"sites": ["liver"]}) == NOT_MET
    # "Not sure" where it has spread, or no place known yet, answers nothing.
    assert outcome(bone, cancer={"sites": None}) == UNKNOWN
    assert outcome(bone, cancer={"sites": []}) == UNKNOWN
    assert "spread to the bones" in reason(
        judge(bone, profile(cancer={"sites": ["liver"]}), lexicon()), lexicon(), profile()
    )


def test_a_requirement_to_be_free_of_a_condition_says_so():
    rule = Rule("inclusion", "HIV negative", (Constraint("hiv", "is", False),))
    answers = profile(health={"hiv": False})
    assert outcome(rule, health={"hiv": False}) == MET
    assert reason(judge(rule, answers, lexicon()), lexicon(), answers).startswith(
        "This trial needs the absence of HIV;"
    )

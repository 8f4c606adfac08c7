"""How firmly a criterion is read: only a firm reading may make a trial not_a_fit."""

from __future__ import annotations

import pytest

from screening.criteria import parse
from screening.engine.extract import extract
from screening.engine.firmness import doubts
from screening.engine.match import CHECK_FIRST, NOT_A_FIT, TrialFacts
from screening.engine.rules import Constraint
from screening.engine.shortlist import screen_trial
from screening.management.commands.screen import render_text
from tests.engine_helpers import lexicon, profile


def rules_of(text: str):
    return [rule for rule in extract(text, lexicon()) if rule.constraints]


def result_for(text: str, **answers):
    trial = TrialFacts("NCT00000001", "A trial", extract(text, lexicon()))
    return screen_trial(trial, profile(**answers), lexicon())


def test_a_plainly_worded_exclusion_is_firm_and_rules_the_trial_out():
    (rule,) = rules_of("Exclusion Criteria:\n* Known active brain metastases")
    assert rule.firm

    result = result_for("Exclusion Criteria:\n* Known active brain metastases", cancer={"brain_metastases": "active"})

    assert result["tier"] == NOT_A_FIT
    assert result["criteria"][0]["firmness"] == "firm"


def test_brain_metastases_counted_in_the_text_are_a_tentative_reading():
    text = "Exclusion Criteria:\n* More than 3 brain metastases"
    (rule,) = rules_of(text)
    assert "number" in rule.doubts

    result = result_for(text, cancer={"brain_metastases": "treated_stable"})

    assert result["tier"] == CHECK_FIRST
    entry = result["criteria"][0]
    assert entry["outcome"] == "unknown" and entry["firmness"] == "tentative"
    assert any("More than 3 brain metastases" in asked for asked in result["questions_for_oncologist"])


def test_alternatives_listed_inside_one_item_never_exclude_on_their_own():
    text = (
        "Inclusion Criteria:\n* Must have one of the following: 1. no evidence of brain metastases "
        "2. untreated brain metastases not needing immediate treatment 3. previously treated, stable brain metastases"
    )

    result = result_for(text, cancer={"brain_metastases": "treated_stable"})

    assert result["tier"] != NOT_A_FIT


def test_a_therapy_named_inside_a_washout_window_is_tentative_and_one_named_outside_it_is_not():
    cdk = (Constraint("prior_therapy", "received_any", ("class:cdk4_6_inhibitor",)),)
    sentence = "Treatment with a CDK4/6 inhibitor within 14 days before the first dose"

    assert "time window" in doubts(sentence, sentence, "", cdk, negated=False)
    assert doubts("Prior treatment with a CDK4/6 inhibitor", "", "", cdk, negated=False) == ()


def test_examples_and_a_condition_make_a_reading_tentative():
    (examples,) = rules_of("Inclusion Criteria:\n* HER2-negative includes HR-positive and triple negative disease")
    (condition,) = rules_of(
        "Inclusion Criteria:\n* ER-positive disease if the patient is enrolled in the endocrine arm"
    )
    assert "examples" in examples.doubts
    assert "condition" in condition.doubts


def test_a_negation_the_reading_did_not_use_makes_it_tentative():
    rules = rules_of(
        "Exclusion Criteria:\n* HER2-positive patients who have not progressed on a prior HER2-targeted therapy"
    )
    assert rules and all("negation" in rule.doubts for rule in rules)


def test_a_tentative_contradiction_explains_itself_and_quotes_the_trial():
    text = "Exclusion Criteria:\n* More than 3 brain metastases"

    result = result_for(text, cancer={"brain_metastases": "active"})

    assert "wording leaves room" in result["criteria"][0]["reason"]
    assert "not sure" not in result["criteria"][0]["reason"]
    assert "[tentative: number]" in render_text({"results": [result | {"nearest_site": None}]})


def test_plain_lines_stating_their_own_requirement_are_not_alternatives_under_a_lead():
    text = (
        "Clinically staged as 1 of the following:\nT4 disease\nT2 or T3 disease\n"
        "Must have estrogen receptor (ER) positive tumor\n"
    )

    (section,) = parse(text)

    lead = section.items[0]
    assert [child.text for child in lead.children] == ["T4 disease", "T2 or T3 disease"]
    assert section.items[1].text.startswith("Must have estrogen receptor")


def test_an_exclusion_of_what_the_trial_itself_requires_is_tentative():
    text = (
        "Inclusion Criteria:\n* Must have received a CDK4/6 inhibitor\n"
        "Exclusion Criteria:\n* Prior CDK4/6 inhibitor in the adjuvant setting\n* Known active brain metastases"
    )

    result = result_for(text, treatment={"agents": ["palbociclib"]}, cancer={"brain_metastases": "none"})

    adjuvant = next(entry for entry in result["criteria"] if entry["text"].startswith("Prior CDK4/6"))
    assert adjuvant["firmness"] == "tentative" and "contradicts the trial's own requirement" in adjuvant["doubts"]
    assert result["tier"] == CHECK_FIRST


def test_a_contradiction_inside_one_cohort_closes_that_cohort_and_the_card_says_which_may_fit():
    text = (
        "Inclusion Criteria:\n* Cohort A: HER2-positive metastatic breast cancer\n"
        "* Cohort B: HER2-negative metastatic breast cancer\n"
    )

    result = result_for(text, biomarkers={"her2": "positive"}, cancer={"metastatic": True})

    assert result["tier"] == CHECK_FIRST
    assert result["cohorts"] == [{"name": "Cohort A", "ruled_out": False}, {"name": "Cohort B", "ruled_out": True}]
    assert "Cohort B: ruled out" in render_text({"results": [result]}).replace("\n      ", " ")


def test_brain_metastases_needing_steroids_and_a_tumour_agnostic_basket_are_tentative_readings():
    (steroids,) = rules_of(
        "Exclusion Criteria:\n* Known symptomatic brain metastases requiring >10 mg/day of prednisolone or equivalent"
    )
    (basket,) = rules_of("Inclusion Criteria:\n* Melanoma, RCC, TNBC, NSCLC, SCCHN, and MSI-Hi tumors")
    (definition,) = rules_of(
        "Inclusion Criteria:\n* TNBC is diagnosed in a tumor which does not express estrogen receptor or progesterone receptor"
    )
    assert "qualifier" in steroids.doubts
    assert "tumour-agnostic alternative" in basket.doubts
    assert "definition" in definition.doubts
    (plain,) = rules_of("Exclusion Criteria:\n* Known active brain metastases")
    assert plain.firm


def test_a_trial_that_counts_low_receptor_expression_as_negative_reads_triple_negative_tentatively():
    text = (
        "Inclusion Criteria:\n* Triple negative breast cancer\n"
        "* Patients who are weakly positive for the estrogen or progesterone receptor (i.e., < or = 10%) are eligible.\n"
    )

    result = result_for(text, biomarkers={"er": "positive", "pr": "negative", "her2": "zero"})

    assert result["tier"] == CHECK_FIRST
    assert "receptor threshold" in result["criteria"][0]["doubts"]


def test_a_progression_she_was_not_asked_about_never_rules_her_out():
    text = "Exclusion Criteria:\n* Has platinum-refractory disease."

    result = result_for(text, treatment={"agents": ["carboplatin"]})

    assert result["tier"] == CHECK_FIRST


def test_a_denied_permission_is_firm_a_permission_for_some_patients_and_a_recent_window_are_not():
    (denied,) = rules_of("Exclusion Criteria:\n* Prior TOPO1 inhibitor therapy is NOT permitted")
    (for_some,) = rules_of("Inclusion Criteria:\n* Patients with TNBC may receive up to 250mg/m2 of prior doxorubicin")
    (recent,) = rules_of("Exclusion Criteria:\n* Receipt of ET for risk reduction in the previous 3 years")

    assert "negation" not in denied.doubts and denied.constraints[0].value == ("class:topoisomerase1_inhibitor",)
    assert "condition" in for_some.doubts
    assert "time window" in recent.doubts


def test_a_treatment_she_is_receiving_now_is_not_read_as_one_she_ever_had():
    assert rules_of("Exclusion Criteria:\n* Receiving chemotherapy") == []


def test_every_doubt_has_plain_words_for_the_patient():
    from screening.engine.firmness import DOUBT_WORDS

    texts = [
        "Exclusion Criteria:\n* More than 3 brain metastases",
        "Inclusion Criteria:\n* Must have one of the following: 1. no evidence of brain metastases 2. untreated brain metastases",
        "Inclusion Criteria:\n* Patients with TNBC may receive up to 250mg/m2 of prior doxorubicin",
        "Exclusion Criteria:\n* Receipt of ET for risk reduction in the previous 3 years",
    ]
    seen = {doubt for text in texts for rule in rules_of(text) for doubt in rule.doubts}
    assert seen and seen <= set(DOUBT_WORDS)

    result = result_for(texts[0], cancer={"brain_metastases": "active"})
    assert "it depends on a number we do not know" in result["criteria"][0]["reason"]


def test_criteria_under_one_of_several_group_headings_are_tentative():
    text = (
        "Inclusion Criteria:\n\nFirst line treatment:\n\nNo prior chemotherapy.\n\n"
        "Late-stage disease:\n\nPrior exposure to a taxane regimen.\n"
    )

    assert [("under a heading naming a group" in rule.doubts) for rule in rules_of(text)] == [True, True]
    result = result_for(text, treatment={"received": {"chemotherapy": True}})
    assert result["tier"] == CHECK_FIRST


def test_an_inclusion_with_another_way_in_it_did_not_read_is_tentative_but_an_exclusion_is_not():
    requirement = (
        "Inclusion Criteria:\n* Disease progressed after trastuzumab-based treatment (no more than 1 line), "
        "or the treatment is effective but is not suitable to continue.\n"
    )
    (rule,) = rules_of(requirement)
    assert "an alternative it did not read" in rule.doubts

    (listed,) = rules_of(
        "Inclusion Criteria:\n* Measurable disease documented by CT scan, MRI, or physical exam is required.\n"
    )
    assert listed.firm
    (exclusion,) = rules_of(
        "Exclusion Criteria:\n* Active brain metastases, or leptomeningeal disease that needs treatment now.\n"
    )
    assert "an alternative it did not read" not in exclusion.doubts


def test_a_lower_bound_on_lines_is_tentative_where_an_early_adjuvant_relapse_counts_as_a_line():
    text = (
        "Inclusion Criteria:\n* Received 1 or 2 chemotherapy treatments for metastatic disease. Patients who relapsed "
        "within 12 months of adjuvant chemotherapy are considered to have failed first-line chemotherapy.\n"
    )
    counts = [rule for rule in rules_of(text) if rule.constraints[0].concept == "prior_lines"]
    assert counts and all("lines counted from adjuvant therapy" in rule.doubts for rule in counts)

    result = result_for(
        text,
        treatment={"received": {"chemotherapy": True}, "lines_in_metastatic_setting": {"total": 0, "chemotherapy": 0}},
    )
    assert result["tier"] == CHECK_FIRST


def test_an_exclusion_of_what_trials_require_is_tentative():
    text = "Exclusion Criteria:\n* Eastern Cooperative Oncology Group (ECOG) Performance Status of 0-1.\n"
    (rule,) = rules_of(text)

    assert "excludes what trials require" in rule.doubts
    assert result_for(text, health={"ecog": 1})["tier"] == CHECK_FIRST
    (plain,) = rules_of("Exclusion Criteria:\n* ECOG performance status of 2 or more\n")
    assert plain.firm


def test_a_triple_negative_requirement_beside_non_triple_negative_disease_is_tentative():
    text = "Inclusion Criteria:\n* Triple-negative breast cancer (TNBC)\n* Non-triple-negative breast cancer\n"

    (rule,) = rules_of(text)

    assert "another subtype named beside it" in rule.doubts
    assert result_for(text, biomarkers={"er": "positive", "pr": "positive", "her2": "zero"})["tier"] == CHECK_FIRST


@pytest.mark.parametrize(
    ("text", "doubt"),
    [
        (
            "Inclusion Criteria:\n* HER2 mutation, HER2 amplification or HER2 positive based on local testing\n",
            "tumour-agnostic alternative",
        ),
        ("Exclusion Criteria:\n* Presence of symptomatic cerebral or leptomeningeal involvement.\n", "qualifier"),
        ("Exclusion Criteria:\n* Brain lesion requiring immediate local therapy\n", "qualifier"),
        (
            "Inclusion Criteria:\n* Previous anti-HER2 therapy and TKI therapy were required for HER2+ patients.\n",
            "condition",
        ),
        ("Inclusion Criteria:\n* Have received at least two lines of hormonal therapy.\n", "setting not stated"),
        (
            "Inclusion Criteria:\n* Locally advanced breast carcinoma, defined as either large T2 or T3-T4, and/or N2-3\n",
            "the trial's own definition",
        ),
    ],
)
def test_readings_narrower_or_wider_than_her_answer_are_tentative(text, doubt):
    assert any(doubt in rule.doubts for rule in rules_of(text))


def test_the_same_facts_plainly_stated_stay_firm():
    for text in (
        "Exclusion Criteria:\n* Known active or untreated brain metastases\n",
        "Inclusion Criteria:\n* No more than two prior lines of chemotherapy for metastatic disease\n",
        "Inclusion Criteria:\n* HER2-positive breast cancer\n",
    ):
        assert all(rule.firm for rule in rules_of(text)), text


@pytest.mark.parametrize(
    "text",
    [
        "Inclusion Criteria:\n* Must have received prior treatment with a CDK4/6 inhibitor\n",
        "Inclusion Criteria:\n* No prior CDK4/6 inhibitor\n",
        "Exclusion Criteria:\n* Prior treatment with a CDK4/6 inhibitor\n",
        "Inclusion Criteria:\n* At least two lines of hormonal therapy for metastatic disease\n",
    ],
)
def test_which_treatments_she_had_or_that_she_had_some_lines_is_never_firm(text):
    rules = [rule for rule in rules_of(text) if rule.constraints]
    assert rules and all("treatment history" in rule.doubts for rule in rules), text


@pytest.mark.parametrize(
    "text",
    [
        "Inclusion Criteria:\n* No more than 2 prior lines of chemotherapy for metastatic disease\n",
        "Inclusion Criteria:\n* No prior chemotherapy for metastatic disease\n",
        "Exclusion Criteria:\n* More than 2 prior chemotherapy regimens for metastatic disease\n",
    ],
)
def test_a_cap_on_how_many_lines_she_had_stays_firm(text):
    rules = [rule for rule in rules_of(text) if rule.constraints]
    assert rules and all(rule.firm for rule in rules), text


def test_a_treatment_she_had_against_a_trial_that_rules_it_out_is_a_question_not_a_verdict():
    text = "Exclusion Criteria:\n* Prior treatment with a CDK4/6 inhibitor\n"
    result = result_for(text, treatment={"received": {"cdk4_6_inhibitor": True}})
    assert result["tier"] == CHECK_FIRST
    entry = result["criteria"][0]
    assert entry["outcome"] == "unknown" and tuple(entry["doubts"]) == ("treatment history",)
    assert any("CDK4/6" in asked for asked in result["questions_for_oncologist"])


def test_every_doubt_the_engine_gives_is_worded_for_her_and_known_to_curators():
    from screening.engine.firmness import DOUBT_WORDS
    from screening.engine.vocabulary import DOUBTS

    text = (
        "Inclusion Criteria:\n\nFirst line treatment:\n\nNo prior chemotherapy.\n\nLate-stage disease:\n\n"
        "Have received at least two lines of hormonal therapy.\n* Triple-negative breast cancer\n"
        "* Non-triple-negative breast cancer\n* Received 1 or 2 chemotherapy lines for metastatic disease. Patients "
        "who relapsed within 12 months of adjuvant chemotherapy are considered to have failed first-line chemotherapy.\n"
        "Exclusion Criteria:\n* ECOG 0-1\n"
    )
    given = {doubt for rule in extract(text, lexicon()) for doubt in rule.doubts}

    assert len(given) >= 5
    assert given <= set(DOUBT_WORDS) == set(DOUBTS)


def test_a_requirement_stated_of_one_group_of_patients_is_tentative_and_one_of_the_whole_trial_is_not():
    text = (
        "Inclusion Criteria:\n* Early stage breast cancer (stages I, IIA) must be estrogen receptor (ER) positive\n"
        "* Metastatic breast cancer (stage IV)\n"
    )
    group, whole = rules_of(text)

    assert "a requirement of one group" in group.doubts
    assert whole.firm
    assert result_for(text, biomarkers={"er": "negative"})["tier"] == CHECK_FIRST
    for whole_trial in ("Breast cancer must be HER2-positive", "Tumors must be ER positive"):
        (rule,) = rules_of(f"Inclusion Criteria:\n* {whole_trial}\n")
        assert rule.firm, whole_trial


def test_an_exclusion_about_one_early_stage_that_kept_no_stage_is_tentative():
    text = "Exclusion Criteria:\n* Stages I, II, and IIIA triple negative breast cancer\n"
    (rule,) = rules_of(text)

    assert "one stage named" in rule.doubts
    assert result_for(text, biomarkers={"er": "negative", "pr": "negative", "her2": "zero"})["tier"] == CHECK_FIRST
    (plain,) = rules_of("Exclusion Criteria:\n* Triple negative breast cancer\n")
    assert plain.firm


def test_an_inclusion_asking_for_poor_performance_is_tentative():
    text = "Inclusion Criteria:\n* Performance status, ECOG greater than or equal to 2\n"
    (rule,) = rules_of(text)

    assert "requires what trials rule out" in rule.doubts
    assert result_for(text, health={"ecog": 1})["tier"] == CHECK_FIRST
    (plain,) = rules_of("Inclusion Criteria:\n* ECOG performance status 0-1\n")
    assert plain.firm


def test_a_subtype_named_as_where_a_treatment_is_given_is_tentative():
    for text in (
        "Inclusion Criteria:\n* Prior treatment with each of the following:\n* Trastuzumab for Her-2 positive disease.\n",
        "Inclusion Criteria:\n* Up to 2 lines of prior chemotherapy (including trastuzumab containing regimens in "
        "Her-2 positive patients) for metastatic disease are allowed\n",
    ):
        assert any("a treatment's setting" in rule.doubts for rule in rules_of(text)), text
    assert result_for(text, biomarkers={"her2": "zero"})["tier"] == CHECK_FIRST
    (plain,) = rules_of("Inclusion Criteria:\n* HER2-positive metastatic breast cancer\n")
    assert "a treatment's setting" not in plain.doubts


def test_the_stricter_of_two_limits_on_one_number_is_tentative():
    text = (
        "Inclusion Criteria:\n* Age greater than or equal to 15 years and less than or equal to 70 years.\n"
        "* Patients aged 15-17 years weigh greater than or equal to 50 kg.\n"
    )
    loose, strict = rules_of(text)

    assert loose.firm and "another limit in the trial" in strict.doubts
    assert result_for(text, age=46)["tier"] == CHECK_FIRST
    assert result_for(text, age=75)["tier"] == NOT_A_FIT


def test_a_performance_range_whose_dash_the_record_lost_is_read_whole():
    (rule,) = rules_of("Inclusion Criteria:\nECOG(Eastern Cooperative Oncology Group): 0 \n\n 1; \n")

    assert dict(rule.constraints[0].value) == {"ecog": 1}
    assert result_for("Inclusion Criteria:\nECOG: 0 \n\n 1;\n", health={"ecog": 1})["tier"] != NOT_A_FIT


def test_one_receptor_named_both_negative_and_positive_is_a_range_of_levels_not_one_status():
    text = "Inclusion Criteria:\n* PR-negative or low-PR positive (≤ 10% by IHC)\n"
    (rule,) = rules_of(text)

    assert "alternatives" in rule.doubts
    assert result_for(text, biomarkers={"pr": "negative"})["tier"] == CHECK_FIRST
    (two,) = rules_of("Inclusion Criteria:\n* ER-positive and PR-negative breast cancer\n")
    assert two.firm


def test_a_spelled_out_receptor_with_a_suspended_hyphen_is_positive_and_a_requirement_of_that_group():
    text = (
        "Inclusion Criteria:\n* Estrogen receptor- and/or progesterone receptor-positive disease must have progressed "
        "on 1 hormonal therapy\n"
    )
    (rule,) = rules_of(text)

    assert ("hormone_receptor", "positive") in [(c.concept, c.value) for c in rule.constraints]
    assert "a requirement of one group" in rule.doubts


def test_a_lead_saying_what_to_be_included_takes_states_requirements_not_permissions():
    text = (
        "Inclusion Criteria:\nTo be included in this study, you must meet the following criteria:\n"
        "Metastatic breast cancer confirmed by biopsy\nAge 18 years or older\n"
    )
    rules = rules_of(text)

    assert rules and not any(rule.alternative for rule in rules)
    early = {"stage": "II", "metastatic": False, "unresectable_locally_advanced": False}
    assert result_for(text, cancer=early)["tier"] == NOT_A_FIT


def test_a_count_of_cycles_is_not_a_count_of_lines_and_no_restriction_asks_nothing():
    (cycles,) = rules_of(
        "Exclusion Criteria:\n* Patients who have received more than two cycles of chemotherapy for the metastatic disease\n"
    )
    assert "number" in cycles.doubts
    assert (
        rules_of("Inclusion Criteria:\n* No restriction on prior chemotherapy regimens for advanced stage disease.\n")
        == []
    )


def test_a_trial_is_not_a_fit_when_every_part_open_to_her_is_closed_and_a_part_for_another_cancer_is_not_hers():
    text = (
        "Inclusion Criteria:\nCohort A: HER2-positive breast cancer\nCohort B: Triple negative breast cancer\n"
        "Bladder Cancer: urothelial carcinoma after platinum\n"
    )
    hr_positive = {"er": "positive", "pr": "positive", "her2": "zero"}

    closed = result_for(text, biomarkers=hr_positive)
    assert closed["tier"] == NOT_A_FIT
    assert all(part["ruled_out"] for part in closed["cohorts"] if part["name"] != "Bladder Cancer")
    assert result_for(text, biomarkers={"er": "negative", "pr": "negative", "her2": "zero"})["tier"] != NOT_A_FIT
    assert result_for(text, biomarkers={"er": None, "pr": None, "her2": None})["tier"] != NOT_A_FIT


@pytest.mark.parametrize(
    "text",
    [
        "Locally advanced breast cancer not amenable to resection with curative intent, or metastatic disease",
        "Metastatic or locally advanced solid tumours without standard treatment options",
        "Unresectable or metastatic breast cancer for which no curative therapy exists",
        "Locally advanced disease that is not surgically resectable",
    ],
)
def test_saying_what_cannot_be_done_for_advanced_disease_is_not_a_negation_left_unread(text):
    (rule,) = rules_of(f"Inclusion Criteria:\n* {text}")
    assert rule.concept == "metastatic_disease" and "negation" not in rule.doubts


def test_a_negation_of_the_disease_itself_still_leaves_doubt():
    (rule,) = rules_of("Inclusion Criteria:\n* Breast cancer that is not metastatic to the bone only, stage IV")
    assert "negation" in rule.doubts


def test_examples_given_after_the_part_an_exclusion_is_read_from_leave_it_firm():
    (rule,) = rules_of(
        "Exclusion Criteria:\n\n* History of known CNS metastases, significant neurological dysfunction including "
        "active seizures, or clinical signs of other significant neurological diseases\n"
    )
    assert rule.firm and [c.concept for c in rule.constraints] == ["brain_metastases"]
    # Read from the examples themselves, the exclusion stays tentative.
    (listed,) = rules_of("Exclusion Criteria:\n\n* Serious illness, such as heart failure, or uncontrolled infection\n")
    assert listed.doubts == ("examples",)


def test_a_requirement_with_examples_after_it_keeps_its_doubt():
    (rule,) = rules_of("Inclusion Criteria:\n\n* Metastatic breast cancer, including patients with bone-only disease\n")
    assert rule.doubts == ("examples",)


def test_a_label_before_the_fact_does_not_hide_the_signals_after_it():
    (rule,) = rules_of(
        "Inclusion Criteria:\n\n* Endocrine therapy: No concurrent corticosteroids to control CNS disease\n"
    )
    assert "qualifier" in rule.doubts
    result = result_for(
        "Inclusion Criteria:\n\n* Endocrine therapy: No concurrent corticosteroids to control CNS disease\n",
        cancer={"brain_metastases": "treated_stable"},
    )
    assert result["tier"] == CHECK_FIRST
    # A label that is itself a condition still makes the reading tentative.
    (conditional,) = rules_of("Inclusion Criteria:\n\n* For pre-menopausal patients: negative pregnancy test\n")
    assert "condition" in conditional.doubts

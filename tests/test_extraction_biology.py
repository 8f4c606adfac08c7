"""Reading tumour biology from criterion wording: hormone receptors, HER2, triple-negative, genes, PD-L1.

Sentences are written for these tests in the styles real records use (escapes, unicode
comparators, qualifiers)."""

from __future__ import annotations

import pytest

from screening.engine.extract import extract
from tests.engine_helpers import constraints_of, lexicon


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


def test_pd_l1():
    assert constraints_of("PD-L1 positive (CPS ≥ 10)") == [{"concept": "pd_l1", "op": "is", "value": "positive"}]
    assert constraints_of("Prior anti-PD-L1 therapy", "exclusion")[0]["concept"] == "prior_therapy"


def test_cohort_scoped_criteria_keep_their_cohort():
    rules = extract("Inclusion Criteria:\n\n* Adults\n\nCohort B only:\n\n* PIK3CA mutation\n", lexicon())
    assert rules[-1].cohort == "Cohort B" and rules[-1].constraints[0].concept == "gene_alteration"


def test_her2_expressing_means_positive_or_low():
    assert constraints_of("HER2-positive or HER2-low (IHC 1+ to 3+) breast cancer") == [
        {"concept": "her2", "op": "in", "value": ["positive", "low"]}
    ]


def test_a_definition_after_the_requirement_keeps_the_requirement():
    assert constraints_of("HER2-negative breast cancer, defined as IHC 0 or 1+, or 2+ with negative ISH") == [
        {"concept": "her2", "op": "in", "value": ["low", "ultralow", "zero", "negative"]}
    ]


def test_lines_spelling_out_a_scoped_requirement_share_its_scope():
    text = "DISEASE CHARACTERISTICS:\nTriple-negative disease only (phase II)\nER and PR negative\nHER2 negative\nNo known CNS metastasis\n"
    rules = extract(text, lexicon())
    scoped = {rule.text: rule.cohort for rule in rules}
    assert scoped["Triple-negative disease only (phase II)"] == "phase II"
    assert scoped["HER2 negative"] == "phase II"
    assert scoped["No known CNS metastasis"] == ""


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


def test_the_receptors_spelled_out_beside_triple_negative_are_not_extra_requirements():
    assert constraints_of("African American with triple negative (ER-PR-HER2-) breast cancer") == [
        {"concept": "triple_negative", "op": "is", "value": True}
    ]
    either = constraints_of("HR+ HER2-negative or HR- (ER- and PR-) HER2-negative/triple negative breast cancer")
    assert {c["concept"] for c in either} >= {"her2", "triple_negative"}


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


@pytest.mark.parametrize(
    ("text", "scope"),
    [
        ("Documented KRAS G12C mutation in tumour tissue or ctDNA", "KRAS"),
        ("Solid tumour harbouring an NTRK1, NTRK2 or NTRK3 gene fusion", "NTRK"),
        ("Tumours with an FGFR2 amplification or rearrangement", "FGFR"),
    ],
)
def test_an_alteration_the_questions_do_not_ask_about_is_read_where_the_trial_is_built_for_it(text, scope):
    # Read so that it becomes a question for her oncologist: no answer ever settles it.
    assert constraints_of(text) == [{"concept": "gene_alteration", "op": "is", "value": "altered", "scope": scope}]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Known activating EGFR mutation", "exclusion"),
        ("Patients must have known BRAF mutational status of tumor; wild-type (WT) or mutated", "inclusion"),
        ("Prior treatment with a KRAS G12C inhibitor", "inclusion"),
        (
            "Patients with activating EGFR mutation or ALK rearrangement must have been previously treated with a "
            "tyrosine kinase inhibitor",
            "inclusion",
        ),
    ],
)
def test_an_unasked_alteration_excluded_tested_or_setting_a_condition_is_not_read(text, kind):
    assert [c for c in constraints_of(text, kind) if c["concept"] == "gene_alteration"] == []


@pytest.mark.parametrize(
    "text",
    [
        "Documented amplification of ErbB2 by FISH",
        "Primary tumor or metastasis must overexpress HER2",
        "Tumors over-expressing Her-2",
        "Histologically confirmed breast cancer and overexpression of Her2neu",
        "Documentation of HER2 gene amplification or overexpression",
        "Tumor shows 3+ overexpression of the human epidermal growth factor receptor 2",
    ],
)
def test_her2_overexpression_written_verb_first_or_spelled_otherwise_is_her2_positive(text):
    assert [c["value"] for c in constraints_of(text) if c["concept"] == "her2"] == [["positive"]]


@pytest.mark.parametrize(
    "text",
    [
        "Evidence of lack of HER2 oncogene amplification as determined by FISH",
        "Tumor must be HER-2-neu negative",
    ],
)
def test_lack_of_her2_amplification_is_her2_negative(text):
    assert [c["value"] for c in constraints_of(text) if c["concept"] == "her2"] == [
        ["low", "ultralow", "zero", "negative"]
    ]


def test_a_sentence_denying_overexpression_is_negated_once_not_twice():
    rules = extract("Inclusion Criteria:\n\n* Does not overexpress HER-2/neu\n", lexicon())
    her2 = [(c.value, rule.negated) for rule in rules for c in rule.constraints if c.concept == "her2"]
    # Not (HER2-positive): the sentence's own "not" applies to the raised level it names.
    assert her2 == [(("positive",), True)]


@pytest.mark.parametrize(
    ("text", "levels"),
    [
        ("Advanced breast cancer that is amplified for HER2 (IHC 2+ or greater)", ["positive", "low"]),
        ("HER2 overexpression (IHC 2+ or 3+)", ["positive", "low"]),
        ("HER2-positive (IHC 3+ or IHC 2+ with ISH amplification)", ["positive"]),
    ],
)
def test_a_trial_taking_ihc_2_plus_alone_takes_her2_low_cancers_scored_2_plus(text, levels):
    assert [c["value"] for c in constraints_of(text) if c["concept"] == "her2"] == [levels]


def test_a_her2_range_covering_every_score_asks_for_none():
    assert constraints_of("0 to 3+ HER2 amplification, as determined by FISH") == []

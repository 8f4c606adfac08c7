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

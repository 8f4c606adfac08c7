"""Properties that must hold for any text and any profile (Hypothesis)."""

from __future__ import annotations

import copy
import json
import os
from functools import cache

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screening.criteria import parse
from screening.engine.extract import extract
from screening.engine.match import NOT_A_FIT, TrialFacts
from screening.engine.profile import GENES, SITES, TREATMENT_CLASSES, load_profile
from screening.engine.shortlist import screen_trial
from tests.engine_helpers import ROOT, lexicon

CRITERIA_WORDS = st.sampled_from(
    [
        "Inclusion Criteria:",
        "Exclusion Criteria:",
        "\n",
        "\n\n",
        "* ",
        "  * ",
        "1. ",
        "ECOG",
        "0-1",
        "≥",
        "\\>=",
        "=<",
        "HER2",
        "-low",
        "-negative",
        "+",
        "brain metastases",
        "unless",
        "treated",
        "stable",
        "prior",
        "CDK4/6 inhibitor",
        "lines",
        "of chemotherapy",
        "no",
        "not",
        "Cohort A only:",
        "&amp;amp;lt;",
        "(",
        ")",
        "BRCA1/2",
        "mutation",
        "PD-L1",
        "years",
        "within",
        "3",
        "pregnant",
        "except",
        "metastatic",
        "stage IV",
        "Karnofsky",
        "70%",
        ":",
        ";",
        ".",
    ]
)
CRITERIA_TEXT = st.one_of(st.text(max_size=400), st.lists(CRITERIA_WORDS, max_size=60).map(" ".join))


@given(CRITERIA_TEXT)
@settings(max_examples=300, deadline=None)
def test_parsing_and_extraction_never_crash(text):
    parse(text)
    for rule in extract(text, lexicon()):
        assert rule.kind in ("inclusion", "exclusion")
        assert rule.text


def maybe(values):
    return st.one_of(st.none(), st.sampled_from(values))


BOOL = maybe([True, False])


def consistent_lines(data: dict) -> bool:
    """The profile refuses a total smaller than its parts, so generate only consistent counts."""
    counts = data["treatment"]["lines_in_metastatic_setting"]
    total = counts["total"]
    received = data["treatment"]["received"]
    if (received.get("chemotherapy") is False and counts["chemotherapy"]) or (
        received.get("endocrine_therapy") is False and counts["endocrine"]
    ):
        return False
    return total is None or all(counts[part] is None or counts[part] <= total for part in ("chemotherapy", "endocrine"))


PROFILES = (
    st.fixed_dictionaries(
        {
            "schema": st.just("trialscreen/profile@1"),
            "age": st.one_of(st.none(), st.integers(18, 95)),
            "sex": maybe(["female", "male"]),
            "cancer": st.fixed_dictionaries(
                {
                    "stage": maybe(["0", "I", "II", "III"]),
                    "metastatic": BOOL,
                    "presentation": maybe(["de_novo", "recurrent"]),
                    "unresectable_locally_advanced": BOOL,
                    "sites": st.one_of(st.none(), st.lists(st.sampled_from(SITES), unique=True, max_size=4)),
                    "brain_metastases": maybe(["none", "treated_stable", "active", "leptomeningeal"]),
                    "measurable_disease": BOOL,
                }
            ),
            "biomarkers": st.fixed_dictionaries(
                {
                    "er": maybe(["positive", "negative"]),
                    "pr": maybe(["positive", "negative"]),
                    "her2": maybe(["positive", "low", "ultralow", "zero", "negative"]),
                    "pd_l1": maybe(["positive", "negative"]),
                    "genes": st.dictionaries(st.sampled_from(GENES), maybe(["altered", "not_altered"]), max_size=4),
                }
            ),
            "treatment": st.fixed_dictionaries(
                {
                    "received": st.dictionaries(st.sampled_from(TREATMENT_CLASSES), BOOL, max_size=6),
                    "agents": st.lists(
                        st.sampled_from(
                            [
                                "palbociclib",
                                "fulvestrant",
                                "enhertu",
                                "olaparib",
                                "capecitabine",
                                "pembrolizumab",
                                "alpelisib",
                                "trastuzumab",
                                "mystery-drug",
                            ]
                        ),
                        unique=True,
                        max_size=3,
                    ),
                    "lines_in_metastatic_setting": st.fixed_dictionaries(
                        {
                            "total": st.one_of(st.none(), st.integers(0, 6)),
                            "chemotherapy": st.one_of(st.none(), st.integers(0, 4)),
                            "endocrine": st.one_of(st.none(), st.integers(0, 4)),
                        }
                    ),
                }
            ),
            "health": st.fixed_dictionaries(
                {
                    "ecog": st.one_of(st.none(), st.integers(0, 4)),
                    "karnofsky": st.one_of(st.none(), st.sampled_from(list(range(10, 101, 10)))),
                    "pregnant_or_breastfeeding": BOOL,
                    "other_cancer_last_5_years": BOOL,
                    "heart_condition": BOOL,
                    "lung_condition": BOOL,
                    "hepatitis_b_or_c": BOOL,
                    "hiv": BOOL,
                    "autoimmune_disease": BOOL,
                    "neuropathy": BOOL,
                    "in_hospice": BOOL,
                }
            ),
        }
    )
    .filter(lambda p: not (p["cancer"]["stage"] == "IV" and p["cancer"]["metastatic"] is False))
    .filter(consistent_lines)
)


@cache
def trials() -> list[TrialFacts]:
    found = []
    for path in sorted((ROOT / "fixtures" / "demo").glob("*.json")):
        section = json.loads(path.read_text())["protocolSection"]
        eligibility = section["eligibilityModule"]
        found.append(
            TrialFacts(
                section["identificationModule"]["nctId"],
                "",
                extract(eligibility["eligibilityCriteria"], lexicon()),
                eligibility.get("sex", "ALL"),
                18.0,
                None,
            )
        )
    return found


def answer_paths(data: dict, prefix: tuple = ()) -> list[tuple]:
    paths = []
    for key, value in data.items():
        if key == "schema":
            continue
        if isinstance(value, dict):
            paths.extend(answer_paths(value, (*prefix, key)))
        elif value is not None and key != "agents":
            paths.append((*prefix, key))
    return paths


def unsure(data: dict, path: tuple) -> dict:
    changed = copy.deepcopy(data)
    target = changed
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = None
    return changed


@given(PROFILES, st.data())
@settings(
    max_examples=int(os.environ.get("TRIALSCREEN_PROPERTY_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
def test_changing_any_answer_to_not_sure_never_makes_a_trial_not_a_fit(data, draw):
    paths = answer_paths(data)
    if not paths:
        return
    path = draw.draw(st.sampled_from(paths))
    before = load_profile(data)
    after = load_profile(unsure(data, path))
    for trial in trials():
        if screen_trial(trial, after, lexicon())["tier"] == NOT_A_FIT:
            assert screen_trial(trial, before, lexicon())["tier"] == NOT_A_FIT, (trial.nct_id, path)


@given(PROFILES)
@settings(max_examples=100, deadline=None)
def test_any_valid_profile_screens_without_error_and_every_criterion_has_a_reason(data):
    patient = load_profile(data)
    for trial in trials():
        result = screen_trial(trial, patient, lexicon())
        assert all(item["reason"] for item in result["criteria"])


@given(PROFILES)
@settings(max_examples=100, deadline=None)
def test_a_criterion_that_is_not_met_never_says_the_answer_was_unknown(data):
    patient = load_profile(data)
    for trial in trials():
        for item in screen_trial(trial, patient, lexicon())["criteria"]:
            if item["outcome"] == "not_met":
                # It may mention another, unknown part of the criterion beside the answer that decides it.
                unsure = "not sure" in item["reason"] or "do not know" in item["reason"]
                assert not unsure or any(known in item["reason"] for known in ("you said", "you told us")), item

"""Shared building blocks for engine tests: the shipped lexicon and quick profiles."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from screening.engine.extract import extract
from screening.engine.lexicon import Lexicon, read_fixtures
from screening.engine.profile import Profile, load_profile

ROOT = Path(__file__).resolve().parent.parent


@cache
def lexicon() -> Lexicon:
    return read_fixtures(sorted((ROOT / "fixtures" / "lexicon").glob("*.json"))).lexicon()


def profile(**sections: Any) -> Profile:
    """A profile from keyword sections: profile(age=60, biomarkers={"her2": "low"})."""
    return load_profile({"schema": "trialscreen/profile@1", **sections})


def detailed_profile() -> dict[str, Any]:
    return {
        "schema": "trialscreen/profile@1",
        "age": 58,
        "sex": "female",
        "location": {"postal_code": "02115", "country": "US"},
        "max_travel_miles": 100,
        "cancer": {
            "stage": "IV",
            "metastatic": True,
            "presentation": "recurrent",
            "unresectable_locally_advanced": None,
            "sites": ["bone", "liver"],
            "brain_metastases": "none",
            "measurable_disease": None,
            "histology": "ductal",
        },
        "biomarkers": {
            "er": "positive",
            "pr": "negative",
            "her2": "low",
            "genes": {"PIK3CA": "altered", "ESR1": "not_altered", "BRCA1": None},
            "pd_l1": None,
        },
        "treatment": {
            "received": {
                "chemotherapy": False,
                "endocrine_therapy": True,
                "cdk4_6_inhibitor": True,
                "radiotherapy": True,
                "breast_surgery": True,
            },
            "agents": ["palbociclib", "letrozole"],
            "lines_in_metastatic_setting": {"total": 1, "chemotherapy": 0, "endocrine": 1},
            "progressed_on_last_therapy": True,
        },
        "health": {
            "ecog": 1,
            "karnofsky": None,
            "pregnant_or_breastfeeding": False,
            "other_cancer_last_5_years": False,
            "heart_condition": False,
            "lung_condition": False,
            "hepatitis_b_or_c": False,
            "hiv": False,
            "autoimmune_disease": False,
            "neuropathy": None,
            "in_hospice": False,
        },
    }


def _healthy(**changes: Any) -> dict[str, Any]:
    health = {
        "ecog": 1,
        "karnofsky": None,
        "pregnant_or_breastfeeding": False,
        "other_cancer_last_5_years": False,
        "heart_condition": False,
        "lung_condition": False,
        "hepatitis_b_or_c": False,
        "hiv": False,
        "autoimmune_disease": False,
        "neuropathy": False,
        "in_hospice": False,
    }
    return {**health, **changes}


def ranking_patients() -> dict[str, dict[str, Any]]:
    """Three realistic patients with metastatic breast cancer, each with a biomarker trials are built for."""
    stage_iv = {
        "stage": "IV",
        "metastatic": True,
        "presentation": "recurrent",
        "unresectable_locally_advanced": None,
        "brain_metastases": "none",
        "measurable_disease": True,
        "histology": "ductal",
    }
    return {
        "HR-positive, HER2-low, after a CDK4/6 inhibitor": {
            "schema": "trialscreen/profile@1",
            "age": 52,
            "sex": "female",
            "location": {"postal_code": "02115", "country": "US"},
            "max_travel_miles": 100,
            "cancer": {**stage_iv, "sites": ["bone", "liver"]},
            "biomarkers": {"er": "positive", "pr": "positive", "her2": "low", "genes": {"PIK3CA": "altered"}},
            "treatment": {
                "received": {"endocrine_therapy": True, "cdk4_6_inhibitor": True, "chemotherapy": True},
                "agents": ["letrozole", "palbociclib", "capecitabine"],
                "lines_in_metastatic_setting": {"total": 2, "chemotherapy": 1, "endocrine": 1},
                "progressed_on_last_therapy": True,
            },
            "health": _healthy(),
        },
        "HER2-positive, after two lines": {
            "schema": "trialscreen/profile@1",
            "age": 47,
            "sex": "female",
            "location": {"postal_code": "77030", "country": "US"},
            "max_travel_miles": 200,
            "cancer": {**stage_iv, "sites": ["lung", "lymph_nodes"]},
            "biomarkers": {"er": "negative", "pr": "negative", "her2": "positive"},
            "treatment": {
                "received": {
                    "her2_targeted": True,
                    "antibody_drug_conjugate": True,
                    "chemotherapy": True,
                    "endocrine_therapy": False,
                    "cdk4_6_inhibitor": False,
                },
                "agents": ["trastuzumab", "pertuzumab", "docetaxel", "trastuzumab deruxtecan"],
                "lines_in_metastatic_setting": {"total": 2, "chemotherapy": 1, "endocrine": 0},
                "progressed_on_last_therapy": True,
            },
            "health": _healthy(ecog=0),
        },
        "Triple-negative, first line, BRCA1 mutation": {
            "schema": "trialscreen/profile@1",
            "age": 39,
            "sex": "female",
            "location": {"postal_code": "10065", "country": "US"},
            "max_travel_miles": 50,
            "cancer": {**stage_iv, "presentation": "de_novo", "sites": ["liver", "lymph_nodes"]},
            "biomarkers": {"er": "negative", "pr": "negative", "her2": "zero", "genes": {"BRCA1": "altered"}},
            "treatment": {
                "received": {
                    "chemotherapy": False,
                    "endocrine_therapy": False,
                    "cdk4_6_inhibitor": False,
                    "her2_targeted": False,
                    "immunotherapy": False,
                    "parp_inhibitor": False,
                },
                "agents": [],
                "lines_in_metastatic_setting": {"total": 0, "chemotherapy": 0, "endocrine": 0},
                "progressed_on_last_therapy": None,
            },
            "health": _healthy(ecog=0),
        },
    }


def constraints_of(text: str, kind: str = "inclusion") -> list[dict]:
    """The constraints read from one criterion, as data."""
    heading = "Inclusion Criteria:" if kind == "inclusion" else "Exclusion Criteria:"
    rules = extract(f"{heading}\n\n* {text}\n", lexicon())
    return [c.to_dict() for rule in rules for c in rule.constraints]


def negated(text: str, kind: str = "inclusion") -> bool:
    """Whether one criterion is read as negated as a whole ("No prior CDK4/6 inhibitor")."""
    heading = "Inclusion Criteria:" if kind == "inclusion" else "Exclusion Criteria:"
    return extract(f"{heading}\n\n* {text}\n", lexicon())[0].negated

"""Best first: within a tier, the trials that matter most to her come first, with a line saying why."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command

from screening.engine.disease import early_setting, unnamed_basket
from screening.engine.extract import extract
from screening.engine.match import WORTH_DISCUSSING, facts_of_trial
from screening.engine.profile import load_profile
from screening.engine.shortlist import shortlist
from screening.models import Trial
from screening.screening import patient_trials, screen_profile
from tests.conftest import shared_path
from tests.engine_helpers import lexicon, ranking_patients

HR_POSITIVE_HER2_LOW = "HR-positive, HER2-low, after a CDK4/6 inhibitor"


def _trial(nct_id: str, criteria: str, *, conditions: list[str], phases: list[str] = ()):
    text = f"Inclusion Criteria:\n\n{criteria}\n"
    return facts_of_trial(
        nct_id,
        f"Trial {nct_id}",
        extract(text, lexicon()),
        conditions=conditions,
        titles=[f"Trial {nct_id}"],
        criteria=text,
        extra={"phases": list(phases)},
    )


def _order(trials, patient):
    results = shortlist(load_profile(patient), trials, lexicon())["results"]
    return [result["nct_id"] for result in results], {result["nct_id"]: result for result in results}


def test_a_trial_built_for_her_biomarker_comes_before_one_that_is_not_and_says_why():
    patient = ranking_patients()[HR_POSITIVE_HER2_LOW]
    plain = _trial("NCT00000001", "* Metastatic breast cancer", conditions=["Breast Cancer"], phases=["PHASE3"])
    built = _trial(
        "NCT00000002",
        "* Metastatic breast cancer\n* HER2-low disease (IHC 1+ or 2+/ISH-)",
        conditions=["Breast Cancer"],
    )
    order, results = _order([plain, built], patient)
    assert order == ["NCT00000002", "NCT00000001"]
    assert results["NCT00000002"]["tier"] == results["NCT00000001"]["tier"] == WORTH_DISCUSSING
    assert "built for HER2-low cancer" in results["NCT00000002"]["why_near_top"]
    assert "why_near_top" not in results["NCT00000001"]


def test_a_trial_for_breast_cancer_comes_before_a_basket_that_takes_it_among_others():
    patient = ranking_patients()[HR_POSITIVE_HER2_LOW]
    basket = _trial(
        "NCT00000001",
        "* Advanced solid tumours, including breast cancer",
        conditions=["Solid Tumor"],
        phases=["PHASE3"],
    )
    breast = _trial("NCT00000002", "* Metastatic breast cancer", conditions=["Metastatic Breast Cancer"])
    assert _order([basket, breast], patient)[0] == ["NCT00000002", "NCT00000001"]


def test_a_treatment_line_that_fits_and_then_the_later_phase_come_first():
    patient = ranking_patients()[HR_POSITIVE_HER2_LOW]
    early_phase = _trial("NCT00000001", "* Metastatic breast cancer", conditions=["Breast Cancer"], phases=["PHASE1"])
    late_phase = _trial("NCT00000002", "* Metastatic breast cancer", conditions=["Breast Cancer"], phases=["PHASE3"])
    after_cdk = _trial(
        "NCT00000003",
        "* Metastatic breast cancer\n* Must have received prior treatment with a CDK4/6 inhibitor",
        conditions=["Breast Cancer"],
        phases=["PHASE1"],
    )
    order, results = _order([early_phase, late_phase, after_cdk], patient)
    assert order == ["NCT00000003", "NCT00000002", "NCT00000001"]
    assert (
        "your treatment so far fits it (earlier treatment with CDK4/6 inhibitor"
        in results["NCT00000003"]["why_near_top"]
    )


@pytest.fixture(scope="module")
def full_catalogue(django_db_setup, django_db_blocker):
    """Every real record in shared/ctgov, imported once for the module and removed after it."""
    with django_db_blocker.unblock():
        call_command(
            "import_studies",
            str(shared_path("ctgov", "studies")),
            str(shared_path("ctgov", "converted")),
            stdout=io.StringIO(),
        )
        yield
        Trial.objects.all().delete()


def _for_breast_cancer(trial: Trial) -> bool:
    """The record names breast cancer among the diseases it takes, and not for early disease only."""
    titles = [trial.title, trial.official_title]
    return not unnamed_basket(trial.conditions, titles, trial.eligibility_text) and not early_setting(
        trial.conditions, titles
    )


# Trials the record itself says are for each patient's biomarker, read from titles, not by the engine.
BIOMARKER_IN_TITLE = {
    HR_POSITIVE_HER2_LOW: re.compile(r"her2[\s-]*low|pik3ca", re.IGNORECASE),
    "HER2-positive, after two lines": re.compile(r"her2[\s-]*(?:positive|\+)", re.IGNORECASE),
    "Triple-negative, first line, BRCA1 mutation": re.compile(
        r"triple[\s-]*negative|tnbc|brca\S*(?: and/or \S+)? mutat", re.IGNORECASE
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(BIOMARKER_IN_TITLE))
def test_her_top_ten_are_breast_cancer_treatment_trials_with_her_biomarker_first(name, full_catalogue):
    document = screen_profile(load_profile(ranking_patients()[name]), patient_trials())
    possible = [r for r in document["results"] if r["tier"] != "not_a_fit" and r.get("study_kind") == "treatment"]
    trials = Trial.objects.in_bulk([r["nct_id"] for r in possible], field_name="nct_id")
    top_ten = [trials[r["nct_id"]] for r in possible[:10]]
    assert len(top_ten) == 10
    assert [t.nct_id for t in top_ten if not _for_breast_cancer(t)] == []

    worth = [trials[r["nct_id"]] for r in possible if r["tier"] == WORTH_DISCUSSING]
    titled = [i for i, t in enumerate(worth) if BIOMARKER_IN_TITLE[name].search(f"{t.title} {t.official_title}")]
    others = [i for i, t in enumerate(worth) if i not in titled]
    assert titled, "the catalogue holds trials named for her biomarker"
    # Trials named for her biomarker stand, on average, in the top third of her worth-discussing list.
    assert sum(titled) / len(titled) < len(worth) / 3 < sum(others) / len(others)

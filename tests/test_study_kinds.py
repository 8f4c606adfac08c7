"""Kinds of study, read from the record's structured fields."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from screening.engine.study_kinds import KINDS, TREATMENT, study_kind
from screening.models import Trial
from tests.conftest import shared_path


def test_an_observational_study_is_observational_whatever_its_purpose_says():
    assert study_kind("OBSERVATIONAL", "") == "observational"


def test_an_interventional_study_is_what_its_primary_purpose_says():
    assert study_kind("INTERVENTIONAL", "TREATMENT") == TREATMENT
    assert study_kind("INTERVENTIONAL", "SUPPORTIVE_CARE") == "supportive_care"
    assert study_kind("INTERVENTIONAL", "DEVICE_FEASIBILITY") == "other"


def test_a_record_without_a_purpose_counts_as_a_treatment_trial_so_nothing_is_hidden_on_a_missing_field():
    assert study_kind("INTERVENTIONAL", "") == TREATMENT
    assert study_kind("", "") == TREATMENT


def test_every_other_kind_says_what_taking_part_means():
    assert all(name and meaning.endswith(".") for name, meaning in KINDS.values())


@pytest.mark.django_db
def test_real_records_are_sorted_into_kinds_from_their_design():
    call_command("import_studies", str(shared_path("ctgov", "studies")), stdout=io.StringIO())
    kinds = {t.nct_id: study_kind(t.study_type, t.primary_purpose) for t in Trial.objects.all()}
    assert kinds["NCT03225586"] == "observational"  # "Prospective Urban Rural Epidemiology Study"
    assert kinds["NCT06056843"] == "screening"  # "Handheld Ultrasound Device to Triage Women ..."
    assert kinds["NCT04961996"] == TREATMENT  # adjuvant giredestrant

"""Every real record validates into the study model the app uses."""

from __future__ import annotations

import json

import pytest

from screening.ctgov import StudiesPage, Study, age_in_years, parse_partial_date
from tests.conftest import shared_path


def test_every_real_study_record_validates():
    files = sorted(shared_path("ctgov", "studies").glob("*.json")) + sorted(
        shared_path("ctgov", "converted").glob("*.json")
    )
    assert len(files) == 1462
    for path in files:
        study = Study.model_validate_json(path.read_bytes())
        assert study.nct_id.startswith("NCT"), path


def test_every_real_search_page_validates_with_its_studies():
    for path in sorted(shared_path("ctgov", "pages").glob("*.json")):
        page = StudiesPage.model_validate_json(path.read_bytes())
        assert page.studies, path
        for record in page.studies:
            Study.model_validate(record)


def test_a_record_without_optional_modules_still_loads():
    study = Study.model_validate({"protocolSection": {"identificationModule": {"nctId": "NCT01234567"}}})
    assert study.protocol_section.eligibility_module.maximum_age_years is None
    assert study.protocol_section.contacts_locations_module.locations == []
    assert study.protocol_section.status_module.overall_status == "UNKNOWN"


def test_sites_keep_their_coordinates_and_status():
    record = json.loads(shared_path("ctgov", "studies", "NCT02513394.json").read_text())
    locations = Study.model_validate(record).protocol_section.contacts_locations_module.locations
    with_points = [location for location in locations if location.geo_point]
    assert len(locations) == 437 and len(with_points) == 435
    assert with_points[0].geo_point.lat == pytest.approx(30.69436)


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("18 Years", 18),
        ("1 Year", 1),
        ("6 Months", 0.5),
        ("26 Weeks", 0.4983),
        ("30 Days", 0.0821),
        ("N/A", None),
        (None, None),
    ],
)
def test_ages_become_years(text, years):
    assert age_in_years(text) == (pytest.approx(years, abs=1e-3) if years is not None else None)


@pytest.mark.parametrize(
    ("text", "day"), [("2015", "2015-01-01"), ("2015-08", "2015-08-01"), ("2026-10-12", "2026-10-12"), ("soon", None)]
)
def test_partial_dates_mean_their_first_day(text, day):
    parsed = parse_partial_date(text)
    assert (parsed.isoformat() if parsed else None) == day


def test_every_reshaped_evaluation_record_validates_even_with_numeric_ages():
    files = sorted(shared_path("eval-source", "trials-v2").glob("*.json"))
    assert len(files) > 600
    for path in files:
        Study.model_validate_json(path.read_bytes())
    study = Study.model_validate(
        {
            "protocolSection": {
                "identificationModule": {"nctId": "NCT00000001"},
                "eligibilityModule": {"minimumAge": 35.0},
            }
        }
    )
    assert study.protocol_section.eligibility_module.minimum_age_years == 35

"""python manage.py import_studies, as the contract defines it."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError

from screening.models import Site, Trial
from tests.conftest import shared_path

pytestmark = pytest.mark.django_db


def test_all_real_records_import_with_no_failure(capsys):
    call_command("import_studies", str(shared_path("ctgov", "studies")), str(shared_path("ctgov", "converted")))
    out = capsys.readouterr().out
    assert "1462 new, 0 updated, 0 unchanged, 0 failed; 0 files skipped" in out
    assert Trial.objects.count() == 1462
    pallas = Trial.objects.get(nct_id="NCT02513394")
    assert pallas.sites.count() == 437
    assert pallas.sites.exclude(latitude=None).count() == 435
    assert pallas.minimum_age_years == 18 and pallas.maximum_age_years is None
    assert (pallas.study_type, pallas.primary_purpose) == ("INTERVENTIONAL", "TREATMENT")
    assert pallas.record["protocolSection"]["identificationModule"]["nctId"] == "NCT02513394"


def test_importing_again_updates_only_what_changed(tmp_path, capsys):
    source = json.loads(shared_path("ctgov", "studies", "NCT02513394.json").read_text())
    (tmp_path / "study.json").write_text(json.dumps(source))
    call_command("import_studies", str(tmp_path))
    call_command("import_studies", str(tmp_path))
    assert "0 new, 0 updated, 1 unchanged" in capsys.readouterr().out.splitlines()[-1]

    source["protocolSection"]["statusModule"]["overallStatus"] = "COMPLETED"
    source["protocolSection"]["contactsLocationsModule"]["locations"] = source["protocolSection"][
        "contactsLocationsModule"
    ]["locations"][:3]
    (tmp_path / "study.json").write_text(json.dumps(source))
    call_command("import_studies", str(tmp_path))
    assert "0 new, 1 updated" in capsys.readouterr().out
    trial = Trial.objects.get(nct_id="NCT02513394")
    assert trial.status == "COMPLETED"
    assert Site.objects.filter(trial=trial).count() == 3


def test_a_search_page_file_loads_its_studies():
    pages = sorted(
        shared_path("ctgov", "pages").glob("genomoncology__biomcp__testdata_sources_ctgov_search_phelan_limit5*.json")
    )
    call_command("import_studies", str(pages[0]))
    expected = {
        s["protocolSection"]["identificationModule"]["nctId"] for s in json.loads(pages[0].read_text())["studies"]
    }
    assert set(Trial.objects.values_list("nct_id", flat=True)) == expected


def test_bad_files_are_named_and_skipped_and_the_rest_still_load(tmp_path, capsys):
    good = shared_path("ctgov", "studies", "NCT02513394.json")
    (tmp_path / "a-good.json").write_text(good.read_text())
    (tmp_path / "b-broken.json").write_text('{"protocolSection": ')
    (tmp_path / "c-shape.json").write_text('{"hello": "world"}')
    (tmp_path / "d-bad-id.json").write_text('{"protocolSection": {"identificationModule": {"nctId": "ABC"}}}')
    (tmp_path / "notes.txt").write_text("ignored, not json")
    with pytest.raises(CommandError, match="2 files and 1 records were skipped"):
        call_command("import_studies", str(tmp_path))
    captured = capsys.readouterr()
    assert "b-broken.json: not readable JSON" in captured.err
    assert "c-shape.json: not a study record or a search page" in captured.err
    assert "d-bad-id.json: identificationModule.nctId: 'ABC' is not an NCT ID" in captured.err
    assert "notes.txt" not in captured.err
    assert list(Trial.objects.values_list("nct_id", flat=True)) == ["NCT02513394"]


def test_a_missing_path_is_reported():
    with pytest.raises(CommandError):
        call_command("import_studies", "/nonexistent/trials")


def test_the_database_refuses_a_malformed_nct_id():
    with pytest.raises(IntegrityError):
        Trial.objects.create(nct_id="NCT123", title="x", status="RECRUITING", record={}, record_hash="x")


def test_the_database_refuses_an_age_range_upside_down():
    with pytest.raises(IntegrityError):
        Trial.objects.create(
            nct_id="NCT12345678",
            title="x",
            status="RECRUITING",
            record={},
            record_hash="x",
            minimum_age_years=70,
            maximum_age_years=18,
        )

"""Curated readings as ../shared/contracts/curation-v1.md defines them: export_curated,
load_curated, the `reading` field of each result, and staleness, on real trial records."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from screening.curation.models import Curation
from screening.curation.reading import text_sha256
from screening.models import Revision, Trial
from screening.screening import results_version
from tests.conftest import shared_path
from tests.engine_helpers import detailed_profile

pytestmark = pytest.mark.django_db

# HER2-positive metastatic breast cancer: the detailed profile (HER2-low) is ruled out by one item only.
HER2_TRIAL = "NCT03377387"
HER2_ITEM = "Documented HER2 overexpression"
OTHERS = ("NCT06065748", "NCT05894239")
SIGNED = {"curated_by": "mlopez", "curated_at": "2026-11-21T12:00:00Z"}


@pytest.fixture
def trials(tmp_path) -> Path:
    """A few real trials in the catalogue; returns the folder their records were imported from."""
    records = tmp_path / "records"
    records.mkdir()
    for nct_id in (HER2_TRIAL, *OTHERS):
        shutil.copy(shared_path("ctgov", "studies", f"{nct_id}.json"), records)
    call_command("load_lexicon", stdout=io.StringIO())
    call_command("import_studies", str(records), stdout=io.StringIO())
    return records


def export(out: Path, *nct_ids: str) -> str:
    output = io.StringIO()
    call_command("export_curated", *nct_ids, "--out", str(out), stdout=output)
    return output.getvalue()


def load(*paths: Path) -> str:
    output = io.StringIO()
    call_command("load_curated", *map(str, paths), stdout=output, stderr=output)
    return output.getvalue()


def refused(*paths: Path) -> str:
    """What load_curated says when it refuses the files (it must exit non-zero)."""
    errors = io.StringIO()
    with pytest.raises(CommandError, match="nothing was loaded"):
        call_command("load_curated", *map(str, paths), stdout=io.StringIO(), stderr=errors)
    return errors.getvalue()


def screen(tmp_path: Path, *nct_ids: str) -> dict[str, Any]:
    """The shortlist of `python manage.py screen PROFILE --format json` for the detailed profile."""
    profile = tmp_path / "profile.json"
    profile.write_text(json.dumps(detailed_profile()))
    output = io.StringIO()
    trial_args = ["--trial", *nct_ids] if nct_ids else []
    call_command("screen", str(profile), *trial_args, "--format", "json", stdout=output)
    return json.loads(output.getvalue())


def result(shortlist: dict[str, Any], nct_id: str) -> dict[str, Any]:
    return next(item for item in shortlist["results"] if item["nct_id"] == nct_id)


def without_reading(shortlist: dict[str, Any]) -> list[dict[str, Any]]:
    return [{key: value for key, value in item.items() if key != "reading"} for item in shortlist["results"]]


def signed(path: Path, **changes: Any) -> dict[str, Any]:
    """An exported file, signed by a curator (and changed as asked), written back."""
    data = json.loads(path.read_text())
    data.update(SIGNED, **changes)
    path.write_text(json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n")
    return data


def curation_revision() -> int:
    return Revision.objects.numbers().get("curation", 0)


def test_an_uncurated_trial_exports_its_automatic_reading_unsigned_and_loading_it_back_changes_nothing(
    trials, tmp_path
):
    out = tmp_path / "curated"
    before = screen(tmp_path)
    assert "automatic reading" in export(out, HER2_TRIAL.lower())
    path = out / f"{HER2_TRIAL}.json"
    first = path.read_bytes()
    data = json.loads(first)
    trial = Trial.objects.get(nct_id=HER2_TRIAL)
    assert data["schema"] == "trialscreen/curated-criteria@1" and data["nct_id"] == HER2_TRIAL
    assert data["criteria_sha256"] == text_sha256(trial.eligibility_text)
    assert data["curated_by"] is None and data["curated_at"] is None
    assert {item["reading"] for item in data["criteria"]} == {"rule", "study_team"}
    assert first.decode() == json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"

    assert "1 unsigned automatic reading" in load(path)

    assert not Curation.objects.exists() and curation_revision() == 0
    export(out, HER2_TRIAL)
    assert path.read_bytes() == first
    assert without_reading(screen(tmp_path)) == without_reading(before)
    assert {item["reading"]["source"] for item in before["results"]} == {"automatic"}


def test_export_then_load_is_a_round_trip_for_every_real_trial(db, tmp_path):
    call_command("load_lexicon", stdout=io.StringIO())
    call_command("import_studies", str(shared_path("ctgov", "studies")), stdout=io.StringIO())
    nct_ids = list(Trial.objects.values_list("nct_id", flat=True))
    out = tmp_path / "curated"
    before = screen(tmp_path)
    export(out, *nct_ids)
    for path in out.glob("*.json"):
        signed(path)
    files = {path.name: path.read_bytes() for path in out.glob("*.json")}

    assert f"stored {len(nct_ids)} new curations" in load(out)

    after = screen(tmp_path)
    assert without_reading(after) == without_reading(before)
    assert {json.dumps(item["reading"]) for item in after["results"]} == {json.dumps({"source": "curated", **SIGNED})}
    export(out, *nct_ids)
    assert {path.name: path.read_bytes() for path in out.glob("*.json")} == files


def test_loading_the_same_files_again_changes_nothing(trials, tmp_path):
    out = tmp_path / "curated"
    export(out, HER2_TRIAL, *OTHERS)
    for path in out.glob("*.json"):
        signed(path, note="Checked against the protocol.")
    load(out)
    versions, revision, version = Curation.objects.count(), curation_revision(), results_version()

    assert "3 already current" in load(out)

    assert Curation.objects.count() == versions == 3
    assert curation_revision() == revision and results_version() == version


def test_a_curation_changes_a_verdict_and_the_result_says_it_is_curated(trials, tmp_path):
    out = tmp_path / "curated"
    before = result(screen(tmp_path, HER2_TRIAL), HER2_TRIAL)
    assert before["tier"] == "not_a_fit"
    assert before["reading"] == {"source": "automatic"}
    export(out, HER2_TRIAL)
    path = out / f"{HER2_TRIAL}.json"
    data = json.loads(path.read_text())
    index = next(i for i, item in enumerate(data["criteria"]) if item["text"].startswith(HER2_ITEM))
    data["criteria"][index] = {"kind": "inclusion", "text": data["criteria"][index]["text"], "reading": "study_team"}
    path.write_text(json.dumps(data))
    signed(path, note="Eligibility by HER2 is for the study team to confirm.")
    version = results_version()

    load(path)

    after = result(screen(tmp_path, HER2_TRIAL), HER2_TRIAL)
    assert after["tier"] != "not_a_fit"
    assert after["reading"] == {"source": "curated", "curated_by": "mlopez", "curated_at": "2026-11-21T12:00:00Z"}
    item = next(c for c in after["criteria"] if c["text"].startswith(HER2_ITEM))
    assert item["outcome"] == "not_assessed" and item["reason"] == "The study team will check this."
    # Stored shortlists were screened against the old reading: every worker screens them again.
    assert results_version() != version


def test_an_ignored_item_is_not_shown(trials, tmp_path):
    out = tmp_path / "curated"
    export(out, HER2_TRIAL)
    path = out / f"{HER2_TRIAL}.json"
    data = json.loads(path.read_text())
    ignored = next(item for item in data["criteria"] if item["reading"] == "study_team")
    data["criteria"] = [
        {"kind": item["kind"], "text": item["text"], "reading": "ignore"} if item is ignored else item
        for item in data["criteria"]
    ]
    path.write_text(json.dumps(data))
    signed(path)

    load(path)

    criteria = result(screen(tmp_path, HER2_TRIAL), HER2_TRIAL)["criteria"]
    shown = [c["text"] for c in criteria if c.get("source") != "structured"]
    assert ignored["text"] not in shown
    assert shown == [item["text"] for item in data["criteria"] if item["reading"] != "ignore"]


def test_a_curation_goes_stale_when_the_text_changes_at_import(trials, tmp_path):
    out = tmp_path / "curated"
    export(out, HER2_TRIAL)
    path = out / f"{HER2_TRIAL}.json"
    data = json.loads(path.read_text())
    data["criteria"] = [
        {"kind": "inclusion", "text": item["text"], "reading": "study_team"}
        if item["text"].startswith(HER2_ITEM)
        else item
        for item in data["criteria"]
    ]
    path.write_text(json.dumps(data))
    signed(path)
    load(path)
    assert result(screen(tmp_path, HER2_TRIAL), HER2_TRIAL)["tier"] != "not_a_fit"

    record_path = trials / f"{HER2_TRIAL}.json"
    record = json.loads(record_path.read_text())
    record["protocolSection"]["eligibilityModule"]["eligibilityCriteria"] += "\n* Life expectancy of at least 12 weeks."
    record_path.write_text(json.dumps(record))
    call_command("import_studies", str(record_path), stdout=io.StringIO())

    after = result(screen(tmp_path, HER2_TRIAL), HER2_TRIAL)
    assert after["tier"] == "not_a_fit"  # the automatic reading of the new text decides again
    assert after["reading"] == {
        "source": "automatic",
        "stale_curation": {"curated_by": "mlopez", "curated_at": "2026-11-21T12:00:00Z"},
    }
    assert "earlier criteria text" in export(out / "again", HER2_TRIAL)
    fresh = json.loads((out / "again" / f"{HER2_TRIAL}.json").read_text())
    assert fresh["curated_by"] is None
    assert fresh["criteria_sha256"] == text_sha256(Trial.objects.get(nct_id=HER2_TRIAL).eligibility_text)
    assert "criteria_sha256: is not the SHA-256 of the trial's criteria text" in refused(path)


def test_a_curation_goes_stale_when_a_sync_changes_the_text(settings, replay, tmp_path):
    settings.CTGOV_BASE_URL, settings.CTGOV_MIN_INTERVAL, settings.CTGOV_BACKOFF = replay.url, 0, 0.01
    call_command("sync_trials", stdout=io.StringIO(), stderr=io.StringIO())
    nct_id = Trial.objects.open().values_list("nct_id", flat=True).first()
    out = tmp_path / "curated"
    export(out, nct_id)
    signed(out / f"{nct_id}.json")
    load(out)
    assert result(screen(tmp_path, nct_id), nct_id)["reading"]["source"] == "curated"

    record = next(r for r in replay.records if r["protocolSection"]["identificationModule"]["nctId"] == nct_id)
    record["protocolSection"]["eligibilityModule"]["eligibilityCriteria"] += "\n* Life expectancy of at least 12 weeks."
    record["protocolSection"]["statusModule"]["lastUpdatePostDateStruct"] = {"date": "2026-11-21"}
    call_command("sync_trials", stdout=io.StringIO(), stderr=io.StringIO())

    assert result(screen(tmp_path, nct_id), nct_id)["reading"] == {"source": "automatic", "stale_curation": SIGNED}


def _rule_at_3(data: dict[str, Any], constraint: dict[str, Any]) -> None:
    data["criteria"][3] = {
        "kind": data["criteria"][3]["kind"],
        "text": data["criteria"][3]["text"],
        "reading": "rule",
        "constraints": [constraint],
    }


BAD_FILES = {
    "bad schema": ("schema", lambda data: data.update(schema="trialscreen/curated-criteria@2")),
    "unknown trial": ("nct_id", lambda data: data.update(nct_id="NCT09999999")),
    "unknown concept": (
        "criteria[3].constraints[0].concept",
        lambda data: _rule_at_3(data, {"concept": "ecgo", "op": "within", "value": {"ecog": 1}}),
    ),
    "bad op": (
        "criteria[3].constraints[0].op",
        lambda data: _rule_at_3(data, {"concept": "her2", "op": "==", "value": ["positive"]}),
    ),
    "wrong value type": (
        "criteria[3].constraints[0].value",
        lambda data: _rule_at_3(data, {"concept": "her2", "op": "in", "value": "positive"}),
    ),
    "wrong value inside an object": (
        "criteria[3].constraints[0].value.ecog",
        lambda data: _rule_at_3(data, {"concept": "ecog", "op": "within", "value": {"ecog": "1"}}),
    ),
    "a drug the lexicon does not know": (
        "criteria[3].constraints[0].value[0]",
        lambda data: _rule_at_3(data, {"concept": "prior_therapy", "op": "received_any", "value": ["drug:neratinibb"]}),
    ),
    "text not the trial's own words": (
        "criteria[0].text",
        lambda data: data["criteria"][0].update(text="Adults aged 18 or over."),
    ),
    "wrong criteria_sha256": ("criteria_sha256", lambda data: data.update(criteria_sha256="0" * 64)),
    "bad reading": ("criteria[3].reading", lambda data: data["criteria"][3].update(reading="maybe")),
    "curated_at not in UTC": ("curated_at", lambda data: data.update(curated_at="2026-11-21 12:00")),
    "an unknown field": ("criteria[0].negate", lambda data: data["criteria"][0].update(negate=True)),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_each_kind_of_bad_file_is_refused_with_its_field_named(trials, tmp_path, case):
    field, spoil = BAD_FILES[case]
    out = tmp_path / "curated"
    export(out, HER2_TRIAL)
    path = out / f"{HER2_TRIAL}.json"
    data = signed(path)
    spoil(data)
    path.write_text(json.dumps(data))

    assert f"{path}: {field}: " in refused(path)

    assert not Curation.objects.exists() and curation_revision() == 0


def test_a_file_that_is_not_json_is_refused(trials, tmp_path):
    path = tmp_path / f"{HER2_TRIAL}.json"
    path.write_text("{not json")
    assert f"{path}: file: is not valid JSON" in refused(path)


def test_an_unsigned_file_whose_reading_was_changed_is_refused(trials, tmp_path):
    out = tmp_path / "curated"
    export(out, HER2_TRIAL)
    path = out / f"{HER2_TRIAL}.json"
    data = json.loads(path.read_text())
    data["criteria"][0]["reading"] = "study_team"
    for name in ("logic", "negated", "constraints", "cohort"):
        data["criteria"][0].pop(name, None)
    path.write_text(json.dumps(data))

    assert f"{path}: curated_by: is null, but the criteria differ" in refused(path)


def test_loading_is_all_or_nothing(trials, tmp_path):
    out = tmp_path / "curated"
    export(out, HER2_TRIAL, OTHERS[0])
    good, bad = out / f"{HER2_TRIAL}.json", out / f"{OTHERS[0]}.json"
    signed(good)
    signed(bad, criteria_sha256="f" * 64)

    errors = refused(out)

    assert str(bad) in errors and str(good) not in errors
    assert not Curation.objects.exists() and curation_revision() == 0
    assert "stored 1 new curation" in load(good)


def test_a_folder_without_curated_files_loads_nothing(trials, tmp_path):
    folder = tmp_path / "curated"
    folder.mkdir()
    shutil.copy(Path(__file__).resolve().parent.parent / "fixtures" / "curated" / "README.md", folder)

    assert "nothing to load" in load(folder)

    assert not Curation.objects.exists() and curation_revision() == 0


def test_exporting_a_trial_not_in_the_catalogue_names_it(trials, tmp_path):
    with pytest.raises(CommandError, match="NCT09999999"):
        export(tmp_path, HER2_TRIAL, "NCT09999999")

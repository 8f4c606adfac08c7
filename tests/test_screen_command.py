"""python manage.py screen, as the contract defines it."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from screening.models import Trial
from tests.engine_helpers import detailed_profile

pytestmark = pytest.mark.django_db

CONTRACT_RESULT_KEYS = {
    "nct_id",
    "title",
    "tier",
    "nearest_site",
    "outside_travel_distance",
    "criteria",
    "questions_for_oncologist",
}


@pytest.fixture
def demo_catalogue():
    call_command("load_demo_catalogue", stdout=io.StringIO())


def screen(tmp_path, data, *args) -> str:
    path = tmp_path / "profile.json"
    path.write_text(json.dumps(data))
    out = io.StringIO()
    call_command("screen", str(path), *args, stdout=out)
    return out.getvalue()


def test_json_output_is_one_shortlist_with_every_trial(tmp_path, demo_catalogue):
    shortlist = json.loads(screen(tmp_path, detailed_profile(), "--format", "json"))
    assert shortlist["schema"] == "trialscreen/shortlist@1"
    assert shortlist["catalogue"]["trials"] == 30
    assert len(shortlist["results"]) == 30
    tiers = [result["tier"] for result in shortlist["results"]]
    order = {"worth_discussing": 0, "check_first": 1, "not_a_fit": 2}
    assert tiers == sorted(tiers, key=order.get)
    assert "not_a_fit" in tiers
    for result in shortlist["results"]:
        assert set(result) >= CONTRACT_RESULT_KEYS
        for item in result["criteria"]:
            assert item["kind"] in ("inclusion", "exclusion")
            assert item["outcome"] in ("met", "not_met", "unknown", "not_assessed")
            assert item["reason"] and item["text"]
            assert "\\>" not in item["text"] and "\\<" not in item["text"]


def test_verdicts_quote_the_trials_own_words(tmp_path, demo_catalogue):
    shortlist = json.loads(screen(tmp_path, detailed_profile()))
    her2_positive_trial = next(r for r in shortlist["results"] if r["nct_id"] == "DEMO-012")
    assert her2_positive_trial["tier"] == "not_a_fit"
    contradiction = next(item for item in her2_positive_trial["criteria"] if item["outcome"] == "not_met")
    record = Trial.objects.get(nct_id="DEMO-012").eligibility_text.replace("\\", "")
    assert contradiction["text"] in record
    assert "HER2-low" in contradiction["reason"]


def test_the_nearest_recruiting_site_is_measured_from_the_zip_code(tmp_path, demo_catalogue):
    shortlist = json.loads(screen(tmp_path, detailed_profile()))
    sites = [r["nearest_site"] for r in shortlist["results"] if r["nearest_site"]]
    assert sites and all(site["distance_miles"] >= 0 for site in sites)
    boston = [site for site in sites if site["city"] == "Boston"]
    assert boston and all(site["distance_miles"] < 10 for site in boston)


def test_a_profile_of_not_sure_everywhere_rules_nothing_out(tmp_path, demo_catalogue):
    shortlist = json.loads(screen(tmp_path, {"schema": "trialscreen/profile@1"}))
    assert {r["tier"] for r in shortlist["results"]} == {"check_first"}
    assert all(r["nearest_site"] is None for r in shortlist["results"])


def test_listed_trials_only_and_the_option_repeats(tmp_path, demo_catalogue):
    shortlist = json.loads(
        screen(tmp_path, detailed_profile(), "--trial", "DEMO-001", "DEMO-002", "--trial", "demo-003")
    )
    assert sorted(r["nct_id"] for r in shortlist["results"]) == ["DEMO-001", "DEMO-002", "DEMO-003"]


def test_an_unknown_trial_is_named(tmp_path, demo_catalogue):
    with pytest.raises(CommandError, match="Not in the catalogue: NCT99999999"):
        screen(tmp_path, detailed_profile(), "--trial", "DEMO-001", "NCT99999999")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"schema": "trialscreen/profile@2"}, "unknown profile schema 'trialscreen/profile@2'"),
        ({"schema": "trialscreen/profile@1", "age": 300}, "age: Input should be less than or equal to 120"),
        ({"schema": "trialscreen/profile@1", "biomarkers": {"her2": "maybe"}}, "biomarkers.her2"),
        (
            {
                "schema": "trialscreen/profile@1",
                "treatment": {"lines_in_metastatic_setting": {"total": 1, "chemotherapy": 2}},
            },
            "the total number of lines (1) cannot be smaller than the chemotherapy lines (2)",
        ),
    ],
)
def test_an_invalid_profile_exits_with_a_message_that_names_it(tmp_path, demo_catalogue, data, message):
    with pytest.raises(CommandError, match="not a valid profile") as raised:
        screen(tmp_path, data)
    assert message in str(raised.value)


def test_a_profile_that_is_not_json_is_named(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("{")
    with pytest.raises(CommandError, match="broken.json is not valid JSON"):
        call_command("screen", str(path))


def test_the_text_format_reads_in_a_terminal(tmp_path, demo_catalogue):
    text = screen(tmp_path, detailed_profile(), "--format", "text", "--trial", "DEMO-012")
    assert text.startswith("Screened 1 trials: 0 worth discussing, 0 check first, 1 probably not a fit.")
    assert "PROBABLY NOT A FIT  DEMO-012" in text and "x This trial needs HER2-positive" in text

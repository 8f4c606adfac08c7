"""The shortlist page: her travel distance first, trials with no site apart, reasons she can
trust, and guidance when her answers are too thin to narrow the list."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from django.core.management import call_command

from screening.guidance import answers_that_narrow
from screening.questionnaire_views import first_by_reason
from screening.screening import in_brief
from tests.engine_helpers import lexicon, profile
from tests.questionnaire_answers import DETAILED
from tests.test_questionnaire import answer_all

pytestmark = pytest.mark.django_db
DEMO = Path(__file__).resolve().parent.parent / "fixtures" / "demo"


def _cards(page: str) -> list[str]:
    return page.split('<article class="usa-card trial-card"')[1:]


def _shown(page: str) -> list[str]:
    return re.findall(r'id="title-([^"]+)"', page)


def test_the_list_starts_at_her_travel_distance_and_keeps_trials_with_no_site_apart(client, demo_catalogue, tmp_path):
    record = json.loads((DEMO / "DEMO-001.json").read_text())
    record["protocolSection"]["identificationModule"]["nctId"] = "NCT09999996"
    record["protocolSection"].pop("contactsLocationsModule", None)
    (tmp_path / "no-site.json").write_text(json.dumps(record))
    call_command("import_studies", str(tmp_path / "no-site.json"), stdout=io.StringIO())
    token, _ = answer_all(client, DETAILED)
    results = {r["nct_id"]: r for r in client.get(f"/s/{token}/shortlist.json").json()["results"]}
    assert results["NCT09999996"]["nearest_site"] is None and results["NCT09999996"]["tier"] != "not_a_fit"

    default = client.get(f"/s/{token}/shortlist/?tier=all").content.decode()
    shown = _shown(default)
    assert shown and "NCT09999996" not in shown
    assert all(results[n]["nearest_site"] and results[n]["nearest_site"]["distance_miles"] <= 100 for n in shown)
    no_site = sum(1 for r in results.values() if r["nearest_site"] is None and r.get("study_kind") == "treatment")
    assert f"{no_site} more trial" in default and "no site yet: the study team can say where" in default
    assert "distance=no_site" in default

    apart = client.get(f"/s/{token}/shortlist/?tier=all&distance=no_site").content.decode()
    assert "NCT09999996" in _shown(apart) and all(results[n]["nearest_site"] is None for n in _shown(apart))
    anywhere = client.get(f"/s/{token}/shortlist/?tier=all&distance=any").content.decode()
    sited = sum(1 for r in results.values() if r["nearest_site"] and r.get("study_kind") == "treatment")
    assert f"<strong>{sited}</strong> trial" in anywhere and "NCT09999996" not in _shown(anywhere)


def test_a_reason_met_in_several_cohorts_is_said_once_quoting_the_first():
    criteria = [
        {"outcome": "met", "reason": "You said you have HER2-low cancer.", "text": "Cohort A: HER2-low", "cohort": "A"},
        {"outcome": "met", "reason": "You said you have HER2-low cancer.", "text": "Cohort B: HER2-low", "cohort": "B"},
        {"outcome": "met", "reason": "You are 54.", "text": "Age 18 or older"},
    ]
    assert [c["text"] for c in first_by_reason(criteria, "met")] == ["Cohort A: HER2-low", "Age 18 or older"]


def test_why_it_may_fit_quotes_the_trial_and_a_not_a_fit_card_says_what_rules_it_out_first(client, demo_catalogue):
    token, _ = answer_all(client, DETAILED)
    possible = client.get(f"/s/{token}/shortlist/?distance=any").content.decode()
    fits = [
        card.split("Why it may fit", 1)[1].split("</ul>", 1)[0] for card in _cards(possible) if "Why it may fit" in card
    ]
    assert fits and all("<li><q>" in block for block in fits)

    ruled_out = _cards(client.get(f"/s/{token}/shortlist/?tier=not_a_fit&distance=any").content.decode())
    assert ruled_out
    for card in ruled_out:
        assert "What rules it out" in card
        if "Why it may fit" in card:
            assert card.index("What rules it out") < card.index("Why it may fit")


def test_the_card_says_in_one_line_why_a_trial_is_near_the_top(client, demo_catalogue):
    token, _ = answer_all(client, DETAILED)
    results = client.get(f"/s/{token}/shortlist.json").json()["results"]
    lines = {r["nct_id"]: r["why_near_top"] for r in results if r.get("why_near_top")}
    assert lines, "a demo trial is built for her HER2-low cancer or fits her treatment so far"
    page = client.get(f"/s/{token}/shortlist/?tier=all&distance=any").content.decode()
    for card in _cards(page):
        nct_id = re.search(r'id="title-([^"]+)"', card)[1]
        if nct_id in lines:
            assert lines[nct_id].replace("'", "&#x27;") in card


def _result(tier: str, *concepts: str, firmness: str = "firm") -> dict:
    criteria = [{"concept": c, "outcome": "unknown", "firmness": firmness} for c in concepts]
    return in_brief({"nct_id": "NCT00000001", "tier": tier, "criteria": criteria})


def test_the_answers_that_would_narrow_the_list_most_are_those_most_trials_wait_on():
    results = [_result("check_first", "her2", "prior_lines") for _ in range(12)]
    results += [_result("check_first", "her2") for _ in range(6)]
    results += [_result("check_first", "ecog", firmness="tentative") for _ in range(20)]  # answered, read loosely
    results += [_result("worth_discussing") for _ in range(4)]
    narrowing = answers_that_narrow(results, profile(), lexicon())
    assert [(n.concept, n.trials, n.step) for n in narrowing] == [
        ("her2", 18, "biology"),
        ("prior_lines", 12, "treatments"),
    ]
    assert narrowing[0].where == "on your pathology report" and narrowing[0].label == "HER2 status"


def test_answers_that_already_narrow_the_list_get_no_advice():
    results = [_result("worth_discussing") for _ in range(30)] + [_result("check_first", "her2") for _ in range(11)]
    assert answers_that_narrow(results, profile(), lexicon()) == []


def test_only_answers_she_left_unsure_are_offered_as_narrowing_the_list():
    results = [_result("check_first", "her2") for _ in range(20)]
    assert answers_that_narrow(results, profile(biomarkers={"her2": "low"}), lexicon()) == []


def test_a_patient_not_sure_of_much_is_told_at_the_top_which_answers_would_narrow_her_list(client, demo_catalogue):
    token, _ = answer_all(client, {})
    page = client.get(f"/s/{token}/shortlist/").content.decode()
    assert "Your answers leave most trials to check first" in page
    advice = page.split('id="narrowing-heading"', 1)[1].split("</ul>", 1)[0]
    assert len(re.findall(r"<li>", advice)) >= 2
    assert re.search(rf'href="/s/{token}/[a-z-]+/"', advice) and "Where to find it" in advice
    assert page.index("narrowing-heading") < page.index("trial-card") if "trial-card" in page else True

    detailed, _ = answer_all(client, DETAILED)
    assert (
        "Your answers leave most trials to check first" not in client.get(f"/s/{detailed}/shortlist/").content.decode()
    )


def test_a_filter_swapped_in_with_htmx_brings_the_counts_for_the_kind_of_study_it_shows(client, demo_catalogue):
    token, _ = answer_all(client, DETAILED)
    results = client.get(f"/s/{token}/shortlist.json").json()["results"]
    response = client.get(
        f"/s/{token}/shortlist/?kind=all", headers={"HX-Request": "true", "HX-Target": "results"}
    ).content.decode()
    assert response.lstrip().startswith('<div id="results"')
    summary = response.split('<div id="summary" hx-swap-oob="true">', 1)[1].split("</ul>", 1)[0]
    for tier in ("worth_discussing", "check_first", "not_a_fit"):
        assert f"<strong>{sum(1 for r in results if r['tier'] == tier)}</strong>" in summary

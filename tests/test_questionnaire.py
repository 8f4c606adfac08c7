"""The patient's questionnaire, shortlist and discussion sheet, through Django's test client."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from screening.models import Screening, token_digest
from tests.questionnaire_answers import DETAILED

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue():
    call_command("load_lexicon", stdout=io.StringIO())
    call_command("load_demo_catalogue", stdout=io.StringIO())


def begin(client) -> tuple[str, str]:
    response = client.post("/start/")
    assert response.status_code == 302
    url = response["Location"]
    return url.split("/")[2], url


def answer_all(client, answers: dict[str, dict]) -> tuple[str, list[str]]:
    token, url = begin(client)
    visited = []
    while "/review/" not in url:
        slug = url.rstrip("/").rsplit("/", 1)[-1]
        visited.append(slug)
        response = client.post(url, answers.get(slug, {}))
        assert response.status_code == 302, errors(response)
        url = response["Location"]
    return token, visited


def errors(response) -> list[str]:
    return re.findall(r'class="usa-error-message"[^>]*>([^<]+)<', response.content.decode())


def test_the_start_page_says_what_is_asked_what_is_stored_and_for_how_long(client):
    page = client.get("/start/").content.decode()
    assert "does not decide whether you can join" in page
    assert "never ask for your name" in page
    assert "deleted 90 days after you last change them" in page
    assert "Tumour biology" in page and "Treatments so far" in page


def test_starting_gives_an_unguessable_link_and_stores_only_its_digest(client):
    token, url = begin(client)
    assert len(token) >= 32 and url == f"/s/{token}/about-you/"
    screening = Screening.objects.get()
    assert screening.token_digest == token_digest(token) and token not in json.dumps(screening.answers)
    assert client.get(url).status_code == 200


def test_a_detailed_questionnaire_becomes_the_contracts_profile(client, catalogue):
    token, visited = answer_all(client, DETAILED)
    assert "brain" not in visited  # no spread to the brain: no question about it
    assert "hormone-therapy" in visited
    profile = client.get(f"/s/{token}/profile.json").json()
    assert profile["schema"] == "trialscreen/profile@1"
    assert profile["age"] == 54 and profile["sex"] == "female"
    assert profile["cancer"]["sites"] == ["bone", "liver"] and profile["cancer"]["brain_metastases"] == "none"
    assert profile["biomarkers"]["her2"] == "low" and profile["biomarkers"]["genes"]["PIK3CA"] == "altered"
    assert profile["biomarkers"]["genes"]["ESR1"] is None
    assert profile["treatment"]["agents"] == ["palbociclib", "letrozole", "some new pill"]
    assert profile["treatment"]["lines_in_metastatic_setting"] == {"total": 1, "chemotherapy": 0, "endocrine": 1}
    assert profile["health"]["ecog"] == 1 and profile["health"]["hiv"] is None
    assert profile["location"]["postal_code"] == "02115" and profile["max_travel_miles"] == 100


def test_not_sure_everywhere_is_never_a_dead_end_and_rules_no_trial_out(client, catalogue):
    token, visited = answer_all(client, {})
    assert "brain" in visited and "hormone-therapy" in visited  # unknown spread and receptors: both asked
    profile = client.get(f"/s/{token}/profile.json").json()
    assert profile["age"] is None and profile["cancer"]["sites"] is None and profile["biomarkers"]["her2"] is None
    shortlist = client.get(f"/s/{token}/shortlist.json").json()
    assert shortlist["results"] and not [r for r in shortlist["results"] if r["tier"] == "not_a_fit"]


def test_hormone_receptor_negative_cancer_skips_the_hormone_therapy_questions(client, catalogue):
    answers = {**DETAILED, "biology": {"er": "negative", "pr": "negative", "her2": "zero"}}
    token, visited = answer_all(client, answers)
    assert "hormone-therapy" not in visited
    assert (
        client.get(f"/s/{token}/profile.json").json()["treatment"]["lines_in_metastatic_setting"]["endocrine"] is None
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [("200", "120 or less"), ("-3", "18 or more"), ("fifty", "whole number"), ("12", "18 or more")],
)
def test_an_impossible_age_gets_a_message_beside_it_and_keeps_the_rest(client, value, message):
    token, url = begin(client)
    client.post(url, {"age": "60", "sex": "female"})
    response = client.post(url, {"age": value, "sex": "male"})
    assert response.status_code == 200
    assert any(message in error for error in errors(response))
    page = response.content.decode()
    assert f'value="{value}"' in page and re.search(r'value="male"\s+checked', page)  # what was typed is kept
    assert Screening.objects.get().answers["age"] == 60  # and what was saved is untouched


def test_an_unknown_zip_code_is_refused_in_plain_words(client):
    token, _ = begin(client)
    response = client.post(f"/s/{token}/location/", {"postal_code": "00000", "max_travel_miles": "50"})
    assert any("could not find that ZIP code" in error for error in errors(response))


def test_answers_that_contradict_each_other_are_pointed_out(client):
    token, _ = begin(client)
    response = client.post(f"/s/{token}/diagnosis/", {"stage": "IV", "metastatic": "no"})
    assert any("Stage IV means the cancer has spread" in error for error in errors(response))
    response = client.post(f"/s/{token}/treatments/", {"lines_total": "1", "lines_chemotherapy": "3"})
    assert any("more than the number of treatments" in error for error in errors(response))


@pytest.mark.parametrize(
    "path",
    ["/s/not-a-real-token-at-all-0000000000/about-you/", "/s/{token}/no-such-step/", "/s/{token}/mark/NCT00000000/"],
)
def test_tampered_links_give_a_404(client, path):
    token, _ = begin(client)
    method = client.post if "/mark/" in path else client.get
    assert method(path.format(token=token)).status_code == 404


def test_a_choice_that_was_never_offered_is_refused_not_a_crash(client):
    token, url = begin(client)
    response = client.post(url, {"age": "40", "sex": "robot"})
    assert response.status_code == 200 and errors(response)


def test_an_oversized_post_is_refused_with_a_400_that_explains(client):
    token, url = begin(client)
    client.post(url, {"age": "60"})
    response = client.post(url, {"age": "61", "padding": "x" * 100_000})
    assert response.status_code == 400
    assert "Anything you saved before is still there" in response.content.decode()
    assert Screening.objects.get().answers["age"] == 60


def test_an_expired_or_unknown_link_explains_itself(client, settings):
    settings.DEBUG = False
    response = client.get("/s/this-link-was-never-given-out-00000/about-you/")
    assert response.status_code == 404 and "may have expired" in response.content.decode()


def test_the_glossary_explains_the_terms_the_questions_use(client):
    page = client.get("/glossary/").content.decode()
    for term in ("HER2-low", "Measurable disease", "Line of treatment", "ECOG"):
        assert term in page


def test_an_expired_link_is_gone_and_the_purge_command_deletes_only_expired_answers(client):
    token, url = begin(client)
    other_token, _ = begin(client)
    Screening.objects.filter(token_digest=token_digest(token)).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert client.get(url).status_code == 404
    out = io.StringIO()
    call_command("purge_screenings", stdout=out)
    assert "Deleted 1 expired screening" in out.getvalue()
    assert list(Screening.objects.values_list("token_digest", flat=True)) == [token_digest(other_token)]


def test_saving_a_step_pushes_the_retention_period_forward(client):
    token, url = begin(client)
    Screening.objects.update(expires_at=timezone.now() + dt.timedelta(days=1))
    client.post(url, {"age": "60"})
    assert Screening.objects.get().expires_at > timezone.now() + dt.timedelta(days=89)


def test_with_htmx_the_next_step_is_swapped_in_with_its_own_url(client):
    token, url = begin(client)
    response = client.post(url, {"age": "60", "sex": "female"}, headers={"HX-Request": "true", "HX-Target": "step"})
    assert response.status_code == 200
    assert response["HX-Push-Url"] == f"/s/{token}/diagnosis/"
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="step"') and "Your diagnosis" in page and "<html" not in page


def test_every_step_has_a_real_action_and_a_back_link(client):
    token, url = begin(client)
    client.post(url, {"age": "60"})
    page = client.get(f"/s/{token}/diagnosis/").content.decode()
    assert f'action="/s/{token}/diagnosis/"' in page
    assert f'href="/s/{token}/about-you/"' in page and f'hx-get="/s/{token}/about-you/"' in page
    assert f"/s/{token}/diagnosis/" in page  # the resume link


def test_the_review_page_shows_every_answer_with_a_way_to_change_it(client, catalogue):
    token, _ = answer_all(client, DETAILED)
    page = client.get(f"/s/{token}/review/").content.decode()
    assert "How old are you?</dt><dd>54" in page
    assert "HER2-low (IHC 1+" in page
    assert f'href="/s/{token}/biology/"' in page and f'href="/s/{token}/shortlist/"' in page


def test_the_shortlist_counts_tiers_filters_and_keeps_not_a_fit_trials_viewable(client, catalogue):
    token, _ = answer_all(client, DETAILED)
    everything = client.get(f"/s/{token}/shortlist.json").json()["results"]
    tiers = {r["nct_id"]: r["tier"] for r in everything}
    page = client.get(f"/s/{token}/shortlist/").content.decode()
    treatment = [r for r in everything if r.get("study_kind", "treatment") == "treatment"]
    for tier in ("worth_discussing", "check_first", "not_a_fit"):
        count = sum(1 for r in treatment if r["tier"] == tier)  # the counts are of the kind of study shown
        assert f"<strong>{count}</strong>" in page
    shown = set(re.findall(r'id="title-([^"]+)"', page))
    assert shown and all(tiers[nct] != "not_a_fit" for nct in shown)
    not_a_fit = client.get(f"/s/{token}/shortlist/?tier=not_a_fit").content.decode()
    hidden = set(re.findall(r'id="title-([^"]+)"', not_a_fit))
    assert hidden and all(tiers[nct] == "not_a_fit" for nct in hidden)
    assert "What rules it out" in not_a_fit


def test_marking_a_trial_keeps_the_filters_and_puts_it_on_the_discussion_sheet(client, catalogue):
    token, _ = answer_all(client, DETAILED)
    results = client.get(f"/s/{token}/shortlist.json").json()["results"]
    chosen = next(r for r in results if r["tier"] != "not_a_fit")
    back = f"/s/{token}/shortlist/?tier=all&sort=distance"
    response = client.post(f"/s/{token}/mark/{chosen['nct_id']}/", {"next": back})
    assert response.status_code == 302 and response["Location"] == back
    assert Screening.objects.get().marked == [chosen["nct_id"]]
    sheet = client.get(f"/s/{token}/sheet/").content.decode()
    assert chosen["title"] in sheet and f"{chosen['nct_id']} (a demo trial, not on ClinicalTrials.gov)" in sheet
    assert "clinicaltrials.gov/study/" not in sheet and "illustrative demo trials" in sheet
    for question in chosen["questions_for_oncologist"]:
        assert question.replace("'", "&#x27;").replace('"', "&quot;") in sheet
    response = client.post(f"/s/{token}/mark/{chosen['nct_id']}/", headers={"HX-Request": "true"})
    assert "Mark to discuss" in response.content.decode() and Screening.objects.get().marked == []


def test_a_mark_cannot_send_the_person_elsewhere(client, catalogue):
    token, _ = answer_all(client, DETAILED)
    nct_id = client.get(f"/s/{token}/shortlist.json").json()["results"][0]["nct_id"]
    response = client.post(f"/s/{token}/mark/{nct_id}/", {"next": "https://evil.example/"})
    assert response["Location"] == f"/s/{token}/shortlist/"


def test_the_discussion_sheet_pdf_holds_the_marked_trials(client, catalogue):
    pypdf = pytest.importorskip("pypdf")
    token, _ = answer_all(client, DETAILED)
    results = client.get(f"/s/{token}/shortlist.json").json()["results"]
    marked = [r["nct_id"] for r in results if r["tier"] != "not_a_fit"][:2]
    for nct_id in marked:
        client.post(f"/s/{token}/mark/{nct_id}/")
    response = client.get(f"/s/{token}/sheet.pdf")
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(response.content)).pages)
    assert all(nct_id in text for nct_id in marked)
    assert "Questions for my oncologist" in text and "How old are you?" in text


def test_the_patients_shortlist_leaves_out_trials_for_other_diseases(client, catalogue, tmp_path):
    record = json.loads((Path(__file__).resolve().parent.parent / "fixtures" / "demo" / "DEMO-001.json").read_text())
    section = record["protocolSection"]
    section["identificationModule"].update({"nctId": "NCT09999999", "briefTitle": "A kidney cancer study"})
    section["identificationModule"].pop("officialTitle", None)
    section["conditionsModule"] = {"conditions": ["Renal Cell Carcinoma"], "keywords": []}
    (tmp_path / "kidney.json").write_text(json.dumps(record))
    call_command("import_studies", str(tmp_path / "kidney.json"), stdout=io.StringIO())
    token, _ = answer_all(client, DETAILED)
    listed = {r["nct_id"] for r in client.get(f"/s/{token}/shortlist.json").json()["results"]}
    assert listed and "NCT09999999" not in listed


def test_the_sheet_links_a_real_trial_to_clinicaltrials_gov(client, catalogue, tmp_path):
    record = json.loads((Path(__file__).resolve().parent.parent / "fixtures" / "demo" / "DEMO-001.json").read_text())
    record["protocolSection"]["identificationModule"]["nctId"] = "NCT09999998"
    (tmp_path / "real.json").write_text(json.dumps(record))
    call_command("import_studies", str(tmp_path / "real.json"), stdout=io.StringIO())
    token, _ = answer_all(client, DETAILED)
    client.post(f"/s/{token}/mark/NCT09999998/")
    sheet = client.get(f"/s/{token}/sheet/").content.decode()
    assert 'href="https://clinicaltrials.gov/study/NCT09999998"' in sheet


def test_the_phase_filter_keeps_only_trials_of_that_phase(client, catalogue):
    token, _ = answer_all(client, DETAILED)
    results = client.get(f"/s/{token}/shortlist.json").json()["results"]
    phase_of = {r["nct_id"]: r["phases"] for r in results}
    page = client.get(f"/s/{token}/shortlist/?tier=all&phase=PHASE2").content.decode()
    shown = set(re.findall(r'id="title-([^"]+)"', page))
    assert shown and all("PHASE2" in phase_of[nct] for nct in shown)


def test_other_kinds_of_study_are_kept_under_their_own_filter_and_say_what_taking_part_means(
    client, catalogue, tmp_path
):
    record = json.loads((Path(__file__).resolve().parent.parent / "fixtures" / "demo" / "DEMO-001.json").read_text())
    section = record["protocolSection"]
    section["identificationModule"].update({"nctId": "NCT09999997", "briefTitle": "A breast cancer registry"})
    section["designModule"] = {"studyType": "OBSERVATIONAL"}
    (tmp_path / "registry.json").write_text(json.dumps(record))
    call_command("import_studies", str(tmp_path / "registry.json"), stdout=io.StringIO())
    token, _ = answer_all(client, DETAILED)
    result = next(r for r in client.get(f"/s/{token}/shortlist.json").json()["results"] if r["nct_id"] == "NCT09999997")
    assert result["study_kind"] == "observational" and result["tier"] != "not_a_fit"
    default = client.get(f"/s/{token}/shortlist/").content.decode()
    assert 'id="title-NCT09999997"' not in default and 'can be shown with "Kind of study"' in default
    observational = client.get(f"/s/{token}/shortlist/?kind=observational").content.decode()
    assert re.findall(r'id="title-([^"]+)"', observational) == ["NCT09999997"]
    assert "Observational study.</strong> Taking part means sharing information" in observational
    everything = client.get(f"/s/{token}/shortlist/?kind=all").content.decode()
    assert 'id="title-NCT09999997"' in everything and len(re.findall(r'id="title-', everything)) > 1

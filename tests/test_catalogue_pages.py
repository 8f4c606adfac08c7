"""The catalogue browser and the trial page."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from screening.models import Trial
from tests.conftest import shared_path

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue():
    call_command("import_studies", str(shared_path("ctgov", "studies")), stdout=None)


def test_the_catalogue_lists_open_trials_by_default(client, catalogue):
    response = client.get(reverse("screening:trial-list"))
    assert response.status_code == 200
    open_count = Trial.objects.open().count()
    assert f"<strong>{open_count}</strong> trial" in response.text
    assert all(trial.is_open for trial in response.context["page"])


def test_searching_by_words_narrows_the_list(client, catalogue):
    response = client.get(reverse("screening:trial-list"), {"q": "palbociclib adjuvant", "status": "any"})
    found = list(response.context["page"].paginator.object_list.only("nct_id", "search_text"))
    assert "NCT02513394" in {trial.nct_id for trial in found}
    assert all("palbociclib" in trial.search_text and "adjuvant" in trial.search_text for trial in found)
    assert len(found) < Trial.objects.count()


def test_filtering_by_phase_includes_combined_phases(client, catalogue):
    response = client.get(reverse("screening:trial-list"), {"status": "any", "phase": "PHASE1"})
    ids = {trial.nct_id for trial in response.context["page"].paginator.object_list}
    assert "NCT03377387" in ids  # Phase 1/2
    assert all("PHASE1" in Trial.objects.get(nct_id=i).phase_codes for i in ids)
    early_only = Trial.objects.filter(phases="EARLY_PHASE1").values_list("nct_id", flat=True)
    assert not ids & set(early_only)


def test_htmx_requests_get_only_the_results_fragment(client, catalogue):
    response = client.get(
        reverse("screening:trial-list"), {"q": "breast"}, headers={"HX-Request": "true", "HX-Target": "results"}
    )
    assert response.text.lstrip().startswith('<div id="results"')
    assert "<html" not in response.text
    assert response["Vary"] and "HX-Request" in response["Vary"]


def test_pages_are_links_that_work_without_javascript(client, catalogue):
    response = client.get(reverse("screening:trial-list"), {"status": "any"})
    assert response.context["page"].paginator.num_pages > 1
    assert 'href="?status=any&amp;page=2"' in response.text
    second = client.get(reverse("screening:trial-list"), {"status": "any", "page": 2})
    assert second.context["page"].number == 2


def test_unknown_filter_values_give_a_clear_message_not_an_error(client, catalogue):
    response = client.get(reverse("screening:trial-list"), {"status": "BOGUS", "page": "zzz"})
    assert response.status_code == 200
    assert "Some filters were not understood" in response.text


def test_the_trial_page_shows_the_plain_facts_and_the_criteria_apart(client, catalogue):
    response = client.get(reverse("screening:trial-detail", args=["NCT03377387"]))
    assert response.status_code == 200
    text = response.text
    assert "Phase 1/2" in text and "early study to find a safe dose" in text
    assert 'data-kind="inclusion"' in text and 'data-kind="exclusion"' in text
    assert "https://clinicaltrials.gov/study/NCT03377387" in text
    assert "Last updated on ClinicalTrials.gov: 18 April 2023" in text
    assert "Recruiting" in text or "Active, not recruiting" in text
    assert "\\&gt;" not in text and "\\>" not in text


def test_a_lowercase_nct_id_redirects_and_an_unknown_one_is_404(client, catalogue):
    assert client.get("/trials/nct03377387/").status_code == 301
    assert client.get("/trials/NCT99999999/").status_code == 404


def test_demo_trials_are_labelled_on_every_page_that_shows_them(client):
    call_command("load_demo_catalogue", stdout=None)
    assert Trial.objects.demo().count() == 30
    pages = [
        client.get(reverse("screening:home")),
        client.get(reverse("screening:trial-list")),
        client.get(reverse("screening:trial-detail", args=["DEMO-001"])),
    ]
    for response in pages:
        assert 'data-testid="demo-alert"' in response.text
    detail = pages[2].text
    assert "not a real study" in detail and "clinicaltrials.gov/study/DEMO" not in detail


def test_demo_trials_are_not_loaded_over_real_ones(client, catalogue):
    call_command("load_demo_catalogue", stdout=None)
    assert not Trial.objects.demo().exists()
    assert 'data-testid="demo-alert"' not in client.get(reverse("screening:trial-list")).text

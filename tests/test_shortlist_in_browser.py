"""The shortlist in a real browser, on a phone and a desktop screen: readable, accessible, and
for a patient not sure of much, guidance instead of surveys and children's studies."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client

from screening.models import Trial
from tests.browser import serious_accessibility_problems
from tests.conftest import shared_path
from tests.questionnaire_answers import DETAILED
from tests.test_questionnaire import answer_all

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}


@pytest.fixture
def real_catalogue():
    """The demo trials and the real records of shared/ctgov/studies (surveys and children's biobanks among them)."""
    call_command("load_lexicon", stdout=io.StringIO())
    call_command("load_demo_catalogue", stdout=io.StringIO())
    call_command("import_studies", str(shared_path("ctgov", "studies")), stdout=io.StringIO())


def _no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"the page is {width}px wide"


@pytest.mark.parametrize("screen", list(SCREENS))
def test_the_shortlist_reads_on_a_phone_and_a_desktop_with_filters_folded_and_no_serious_axe_problem(
    browser, live_server, real_catalogue, screen
):
    token, _ = answer_all(Client(), DETAILED)
    context = browser.new_context(viewport=SCREENS[screen])
    page = context.new_page()
    page.goto(f"{live_server.url}/s/{token}/shortlist/")
    cards = page.locator("article.trial-card")
    assert cards.count() > 0
    _no_sideways_scroll(page)
    # The filters are folded: on a phone the first trial is not pushed below a screen of selects.
    assert not page.get_by_label("Which trials").is_visible()
    assert cards.first.bounding_box()["y"] < 2 * SCREENS[screen]["height"]
    assert serious_accessibility_problems(page) == []

    page.get_by_text("Filter and sort").click()
    page.get_by_label("Which trials").select_option("not_a_fit")
    page.wait_for_url("**tier=not_a_fit**")
    page.locator("article.trial-card").first.get_by_text("What rules it out").wait_for()
    _no_sideways_scroll(page)
    assert serious_accessibility_problems(page) == []
    context.close()


def test_a_patient_not_sure_of_anything_sees_guidance_and_no_survey_or_childrens_study_worth_discussing(
    browser, live_server, real_catalogue
):
    token, _ = answer_all(Client(), {})
    context = browser.new_context(viewport=SCREENS["phone"])
    page = context.new_page()
    page.goto(f"{live_server.url}/s/{token}/shortlist/?tier=worth_discussing")
    guidance = page.get_by_role("region", name="Your answers leave most trials to check first")
    assert guidance.is_visible()
    assert guidance.get_by_role("link").count() >= 2
    shown = [card.get_attribute("id").removeprefix("title-") for card in page.locator("article.trial-card h2").all()]
    for trial in Trial.objects.filter(nct_id__in=shown):
        assert trial.study_type != "OBSERVATIONAL", trial.nct_id
        assert trial.maximum_age_years is None or trial.maximum_age_years >= 18, trial.nct_id
    assert serious_accessibility_problems(page) == []

    page.goto(f"{live_server.url}/s/{token}/shortlist/")
    assert page.get_by_role("region", name="Your answers leave most trials to check first").is_visible()
    context.close()

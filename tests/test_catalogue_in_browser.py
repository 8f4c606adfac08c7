"""The catalogue in a real browser, with JavaScript on and off."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from tests.conftest import shared_path

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def catalogue():
    # A transactional test empties the tables after it, the seeded lexicon too.
    call_command("load_lexicon", stdout=io.StringIO())
    call_command("import_studies", str(shared_path("ctgov", "studies")), stdout=io.StringIO())


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_a_person_searches_filters_and_opens_a_trial(browser, live_server, catalogue, javascript):
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    page.goto(f"{live_server.url}/trials/")
    count = page.get_by_test_id("result-count")
    assert "trials found" in count.inner_text()

    page.get_by_label("Recruitment status").select_option("any")
    if not javascript:
        page.get_by_role("button", name="Show trials").click()
    page.wait_for_url("**status=any**")

    page.get_by_label("Search words").fill("neratinib")
    page.get_by_role("button", name="Show trials").click()
    page.wait_for_url("**q=neratinib**")
    assert count.inner_text().startswith("1 trial found")

    page.get_by_label("Phase").select_option("PHASE3")
    if not javascript:
        page.get_by_role("button", name="Show trials").click()
    page.wait_for_url("**phase=PHASE3**")
    assert page.get_by_test_id("result-count").inner_text().startswith("0 trials found")

    page.get_by_label("Phase").select_option("PHASE2")
    if not javascript:
        page.get_by_role("button", name="Show trials").click()
    page.wait_for_url("**phase=PHASE2**")
    page.get_by_role("link", name="Capecitabine 7/7 Schedule").click()
    page.wait_for_url("**/trials/NCT03377387/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Capecitabine 7/7 Schedule")
    assert page.get_by_role("heading", name="You may be able to join if").is_visible()
    assert page.get_by_role("heading", name="You usually cannot join if").is_visible()
    assert page.get_by_role("link", name="See NCT03377387 on ClinicalTrials.gov").is_visible()

    page.go_back()
    page.wait_for_url("**phase=PHASE2**")
    assert page.get_by_label("Search words").input_value() == "neratinib"
    context.close()


def test_the_results_update_in_place_with_javascript(browser, live_server, catalogue):
    page = browser.new_page()
    page.goto(f"{live_server.url}/trials/?status=any")
    page.evaluate("window.marker = 'still here'")
    page.get_by_role("link", name="Page 2").first.click()
    page.wait_for_url("**page=2**")
    # htmx swapped the results; the page itself was not reloaded.
    assert page.evaluate("window.marker") == "still here"
    assert "page 2 of" in page.get_by_test_id("result-count").inner_text()
    page.close()

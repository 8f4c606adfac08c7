"""The accessibility review of the patient's pages, in a real browser: tier tag contrast, the review
page on a phone (its private link, the copy button, the Change links) and the medicine picker on the
treatments step, with JavaScript on and off and with the keyboard alone."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client

from tests.browser import serious_accessibility_problems
from tests.questionnaire_answers import DETAILED

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
TIERS = ("worth_discussing", "check_first", "not_a_fit")
# With nothing ticked, at 390 px: 6,831 px before the medicine picker, about 3,500 after. The ten
# "kinds of treatment" questions above the picker keep the step from being much shorter.
TREATMENTS_PAGE_BUDGET = 3_800
PICKER_BUDGET = 1_000


@pytest.fixture
def catalogue():
    call_command("load_lexicon", stdout=io.StringIO())
    call_command("load_demo_catalogue", stdout=io.StringIO())


def answered(answers: dict[str, dict]) -> str:
    """A screening answered through Django's test client, as the browser would post it; its token."""
    client = Client()
    url = client.post("/start/")["Location"]
    token = url.split("/")[2]
    while "/review/" not in url:
        response = client.post(url, answers.get(url.rstrip("/").rsplit("/", 1)[-1], {}))
        assert response.status_code == 302, response.content.decode()[:500]
        url = response["Location"]
    return token


def test_every_tier_tag_on_the_shortlist_has_enough_colour_contrast(browser, live_server, catalogue):
    token = answered(DETAILED)
    page = browser.new_page()
    page.goto(f"{live_server.url}/s/{token}/shortlist/?tier=all&kind=all")
    page.locator(".usa-tag").first.wait_for()
    # Which tiers this profile reaches depends on the catalogue and the engine; the colours are what is
    # under test, so a tag of any tier missing from the page is added beside a real one.
    page.evaluate(
        """tiers => {
            const real = document.querySelector('.usa-tag');
            tiers.filter(tier => !document.querySelector('.tier-' + tier)).forEach(tier => {
                const tag = real.cloneNode(false);
                tag.className = 'usa-tag tier-' + tier;
                tag.textContent = tier.replace(/_/g, ' ');
                real.after(tag);
            });
        }""",
        list(TIERS),
    )
    for tier in TIERS:
        assert page.locator(f".usa-tag.tier-{tier}").count() > 0
    assert serious_accessibility_problems(page) == []
    page.close()


def test_the_review_page_fits_a_phone_and_copies_its_private_link(browser, live_server, catalogue):
    token = answered(DETAILED)
    context = browser.new_context(viewport=PHONE, permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(f"{live_server.url}/s/{token}/review/")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert serious_accessibility_problems(page) == []

    link = page.get_by_role("link", name=f"/s/{token}/review/")
    page.get_by_role("button", name="Copy link").click()
    page.locator("[data-copy-status]").filter(has_text="Link copied").wait_for()
    assert page.locator("[data-copy-status]").get_attribute("role") == "status"
    assert page.evaluate("navigator.clipboard.readText()") == link.get_attribute("href")
    assert link.get_attribute("href") == f"{live_server.url}/s/{token}/review/"
    context.close()


def test_without_javascript_the_review_page_shows_the_link_and_no_copy_button(browser, live_server, catalogue):
    token = answered(DETAILED)
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/s/{token}/review/")
    assert page.get_by_role("link", name=f"/s/{token}/review/").is_visible()
    assert page.get_by_role("button", name="Copy link").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    context.close()


@pytest.mark.parametrize("viewport", [PHONE, {"width": 1280, "height": 900}], ids=["phone", "desktop"])
def test_every_change_link_on_the_review_page_is_at_least_24_by_24_pixels(browser, live_server, catalogue, viewport):
    token = answered(DETAILED)
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.goto(f"{live_server.url}/s/{token}/review/")
    links = page.get_by_role("link", name="Change")
    assert links.count() >= 8
    for index in range(links.count()):
        box = links.nth(index).bounding_box()
        assert box["width"] >= 24 and box["height"] >= 24, (links.nth(index).inner_text(), box)
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    context.close()


def test_the_step_page_copies_its_resume_link_and_keeps_the_button_after_an_htmx_step(browser, live_server, catalogue):
    token = answered({})
    context = browser.new_context(viewport=PHONE, permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(f"{live_server.url}/s/{token}/about-you/")
    page.get_by_role("button", name="Save and continue").click()  # htmx swaps in the next step
    page.wait_for_url("**/diagnosis/")
    page.get_by_role("button", name="Copy link").click()
    page.locator("[data-copy-status]").filter(has_text="Link copied").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == f"{live_server.url}/s/{token}/diagnosis/"
    context.close()


def picker_height(page) -> float:
    return page.locator("fieldset.medicine-picker").bounding_box()["height"]


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_the_treatments_step_is_short_on_a_phone_and_keeps_a_medicine_found_in_it(
    browser, live_server, catalogue, javascript
):
    token = answered({})  # every step "Not sure": nothing ticked yet
    context = browser.new_context(viewport=PHONE, java_script_enabled=javascript)
    page = context.new_page()
    page.goto(f"{live_server.url}/s/{token}/treatments/")
    assert page.evaluate("document.documentElement.scrollHeight") < TREATMENTS_PAGE_BUDGET
    assert picker_height(page) < PICKER_BUDGET
    assert page.get_by_text("None ticked yet.").is_visible()
    medicine = page.get_by_label("talazoparib (Talzenna)")
    assert medicine.is_hidden()  # inside its closed kind of medicine

    if javascript:
        page.get_by_label("Search the medicines by name").fill("talzen")
        assert page.locator("label", has_text="talazoparib (Talzenna)").is_visible()
        assert page.locator("label", has_text="olaparib").is_hidden()
        page.locator("#drug-search-status").filter(has_text="1 medicine matches.").wait_for()
    else:
        assert page.get_by_label("Search the medicines by name").is_hidden()
        page.locator("summary", has_text="PARP inhibitor").click()
    page.locator("label", has_text="talazoparib (Talzenna)").click()
    assert medicine.is_checked()
    if javascript:
        page.get_by_label("Search the medicines by name").fill("")
        assert page.locator("label", has_text="olaparib").is_visible()  # its kind stays open: it holds her tick
        assert page.locator("summary", has_text="PARP inhibitor (1 ticked)").is_visible()
        assert page.get_by_text("Ticked so far: talazoparib (Talzenna).").is_visible()
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url("**/hormone-therapy/")

    page.goto(f"{live_server.url}/s/{token}/treatments/")
    assert page.get_by_label("talazoparib (Talzenna)").is_checked()
    assert page.get_by_label("talazoparib (Talzenna)").is_visible()  # a kind holding a tick opens by itself
    assert page.locator("summary", has_text="PARP inhibitor (1 ticked)").is_visible()
    assert page.get_by_text("Ticked so far: talazoparib (Talzenna).").is_visible()
    assert page.get_by_label("palbociclib").is_hidden()  # kinds with nothing ticked stay closed
    if javascript:
        assert serious_accessibility_problems(page) == []
    context.close()


def test_clearing_the_medicine_search_closes_what_it_opened_and_enter_does_not_submit(browser, live_server, catalogue):
    token = answered({})
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/s/{token}/treatments/")
    search = page.get_by_label("Search the medicines by name")
    search.fill("cdk4")  # the name of a kind shows all of its medicines
    assert page.locator("label", has_text="abemaciclib").is_visible()
    assert page.locator("label", has_text="ribociclib").is_visible()
    assert page.locator("summary", has_text="Chemotherapy").is_hidden()
    search.press("Enter")
    search.fill("no such medicine")
    page.locator("#drug-search-status").filter(has_text="No medicine matches").wait_for()
    search.fill("")
    assert page.locator("details[open]").count() == 0
    assert page.locator("summary", has_text="Chemotherapy").is_visible()
    assert page.url.endswith("/treatments/")  # Enter searched; it did not save the step
    context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_a_medicine_can_be_found_and_ticked_with_the_keyboard_alone(browser, live_server, catalogue, javascript):
    token = answered({})
    context = browser.new_context(viewport=PHONE, java_script_enabled=javascript)
    page = context.new_page()
    page.goto(f"{live_server.url}/s/{token}/treatments/")

    def tab_to(predicate: str, limit: int = 200) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate(f"() => {{ const e = document.activeElement; return {predicate}; }}"):
                return
        raise AssertionError(f"could not reach {predicate} with Tab")

    if javascript:
        tab_to("e.id === 'drug-search'")
        page.keyboard.type("lynparza")
    else:
        tab_to("e.tagName === 'SUMMARY' && e.textContent.includes('PARP inhibitor')")
        page.keyboard.press("Enter")
    tab_to("e.value === 'olaparib'")
    page.keyboard.press("Space")
    tab_to("e.textContent.trim() === 'Save and continue'")
    page.keyboard.press("Enter")
    page.wait_for_url("**/hormone-therapy/")
    page.goto(f"{live_server.url}/s/{token}/treatments/")
    assert page.get_by_label("olaparib (Lynparza)").is_checked()
    context.close()

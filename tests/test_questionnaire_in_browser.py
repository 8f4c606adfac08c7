"""The patient's path in a real browser: JavaScript on and off, a phone screen, the keyboard
alone, Back and the resume link, the PDF, and axe-core on every page."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command

from tests.browser import serious_accessibility_problems

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
# The pages after "About you" when every answer is "Not sure": nothing is skipped.
NOT_SURE_PATH = tuple(
    f"/{slug}/"
    for slug in (
        "diagnosis",
        "spread",
        "brain",
        "biology",
        "treatments",
        "hormone-therapy",
        "health",
        "location",
        "review",
    )
)
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def catalogue():
    call_command("load_lexicon", stdout=io.StringIO())
    call_command("load_demo_catalogue", stdout=io.StringIO())


def choose(page, question: str, answer: str) -> None:
    """Tick an answer by clicking its label, as a person does (USWDS hides the real input)."""
    group = page.get_by_role("group", name=question)
    group.locator("label", has_text=re.compile(f"^{re.escape(answer)}")).first.click()


def save(page, next_path: str) -> None:
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url(f"**{next_path}")
    page.wait_for_load_state()


def check_accessibility(page) -> None:
    problems = serious_accessibility_problems(page)
    assert not problems, f"{page.url}: {problems}"


def skip_check(page) -> None:
    """axe-core needs scripts; the JavaScript runs check the same pages."""


@pytest.mark.parametrize(
    ("javascript", "viewport"),
    [(True, DESKTOP), (False, DESKTOP), (True, PHONE)],
    ids=["javascript", "no-javascript", "phone"],
)
def test_a_detailed_questionnaire_from_start_to_the_pdf(browser, live_server, catalogue, javascript, viewport):
    context = browser.new_context(java_script_enabled=javascript, viewport=viewport, accept_downloads=True)
    accessible = check_accessibility if javascript else skip_check
    page = context.new_page()
    page.goto(f"{live_server.url}/start/")
    accessible(page)
    page.get_by_role("button", name="Start the questions").click()
    page.wait_for_url("**/about-you/")
    token = page.url.split("/s/")[1].split("/")[0]

    page.get_by_label("How old are you?").fill("54")
    choose(page, "What sex were you assigned at birth?", "Female")
    accessible(page)
    save(page, "/diagnosis/")
    choose(page, "Has the cancer spread beyond the breast", "Yes")
    choose(page, "What stage is the cancer now?", "Stage IV")
    choose(page, "When was the spread found?", "Later")
    accessible(page)
    save(page, "/spread/")
    page.locator("label", has_text="Bones").click()
    page.locator("label", has_text="Liver").click()
    choose(page, "Do your scans show a tumour that can be measured?", "Yes")
    accessible(page)
    save(page, "/biology/")  # no spread to the brain: its question is skipped
    choose(page, "Is the cancer estrogen-receptor (ER) positive?", "Positive")
    choose(page, "Is it progesterone-receptor (PR) positive?", "Positive")
    choose(page, "What is the HER2 result?", "HER2-low")
    accessible(page)
    save(page, "/treatments/")
    choose(page, "Hormone therapy", "Yes")
    choose(page, "A CDK4/6 inhibitor", "Yes")
    choose(page, "Chemotherapy", "No")
    if javascript:  # the search opens the kind of medicine that holds a match
        page.get_by_label("Search the medicines by name").fill("ibrance")
        assert page.locator("label", has_text="letrozole").is_hidden()
        page.locator("label", has_text="palbociclib").click()
        page.get_by_label("Search the medicines by name").fill("letrozole")
        page.locator("label", has_text="letrozole").click()
        page.get_by_label("Search the medicines by name").fill("")
        assert page.get_by_text("Ticked so far: palbociclib (Ibrance), letrozole (Femara).").is_visible()
    else:  # each kind of medicine is a closed <details>: open it by its summary
        page.locator("summary", has_text="CDK4/6 inhibitor").click()
        page.locator("label", has_text="palbociclib").click()
        page.locator("summary", has_text="Endocrine (hormone) therapy").click()
        page.locator("label", has_text="letrozole").click()
    page.get_by_label("Since the cancer spread, how many different treatments").fill("1")
    accessible(page)
    save(page, "/hormone-therapy/")
    page.get_by_label("Since the cancer spread, how many hormone treatments").fill("1")
    accessible(page)
    save(page, "/health/")
    choose(page, "Which sentence describes you best on most days?", "I cannot do heavy physical work")
    choose(page, "Are you pregnant or breastfeeding?", "No")
    accessible(page)
    save(page, "/location/")
    page.get_by_label("Your US ZIP code").fill("99999")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_text("We could not find that ZIP code").wait_for()
    page.get_by_label("Your US ZIP code").fill("02115")
    choose(page, "How far could you travel for a trial?", "500 miles")
    accessible(page)
    save(page, "/review/")
    accessible(page)
    assert page.get_by_text("HER2-low (IHC 1+").is_visible()

    if not javascript:
        # Without JavaScript the refused ZIP code came back as the answer to a post, which no-store
        # keeps the browser from showing again without sending it again: Back passes over it, to the
        # step as first shown, where the browser puts back what she had typed there.
        with pytest.raises(Exception, match="ERR_CACHE_MISS"):
            page.go_back()
        page.wait_for_url("chrome-error://chromewebdata/")
    page.go_back()  # Back keeps every answer
    page.wait_for_url("**/location/")
    if javascript:
        assert page.get_by_label("Your US ZIP code").input_value() == "02115"
    while "/health/" not in page.url:  # without JavaScript the refused ZIP code is a page of its own
        page.go_back()
        page.wait_for_load_state()
    assert (
        page.get_by_role("group", name="Are you pregnant or breastfeeding?").get_by_label("No", exact=True).is_checked()
    )

    page.goto(f"{live_server.url}/s/{token}/review/")
    answers_here = page.locator("dl.answers").all_inner_texts()
    other_device = browser.new_context(java_script_enabled=javascript, viewport=viewport)
    resumed = other_device.new_page()
    resumed.goto(f"{live_server.url}/s/{token}/review/")
    assert resumed.locator("dl.answers").all_inner_texts() == answers_here  # every answer, on another device
    resumed.goto(f"{live_server.url}/s/{token}/about-you/")
    assert resumed.get_by_label("How old are you?").input_value() == "54"
    resumed.goto(f"{live_server.url}/s/{token}/treatments/")
    assert resumed.get_by_label("palbociclib").is_checked()
    other_device.close()

    page.goto(f"{live_server.url}/s/{token}/shortlist/")
    accessible(page)
    cards = page.locator("article.trial-card")
    assert cards.count() > 0
    first = cards.first
    nct_id = first.locator("h2").get_attribute("id").removeprefix("title-")
    first.get_by_role("button", name="Mark to discuss").click()
    page.locator(f"#title-{nct_id}").locator("xpath=ancestor::article").get_by_role(
        "button", name="Marked to discuss"
    ).wait_for()
    page.get_by_role("link", name="Discussion sheet (1 marked)").wait_for()  # with htmx, swapped in out of band

    page.get_by_text("Filter and sort").click()  # the filters are folded so the trials come first
    page.get_by_label("Which trials").select_option("not_a_fit")
    if not javascript:
        page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**tier=not_a_fit**")
    page.go_back()  # the filtered list is one step of history; Back restores the first view
    page.wait_for_url(f"**/s/{token}/shortlist/")
    page.locator(f"#title-{nct_id}").wait_for()

    page.get_by_role("link", name=re.compile("Discussion sheet")).click()
    page.wait_for_url("**/sheet/")
    accessible(page)
    assert page.get_by_text(f"{nct_id} (a demo trial, not on ClinicalTrials.gov)").is_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download as PDF").click()
    pdf = download.value.path().read_bytes()
    pypdf = pytest.importorskip("pypdf")
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert nct_id in text and "Questions for my oncologist" in text
    context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_not_sure_everywhere_reaches_a_shortlist_that_rules_nothing_out(browser, live_server, catalogue, javascript):
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    page.goto(f"{live_server.url}/start/")
    page.get_by_role("button", name="Start the questions").click()
    for next_path in NOT_SURE_PATH:
        if javascript and next_path == "/biology/":
            check_accessibility(page)  # the brain question, which the detailed run skips
        save(page, next_path)
    assert page.get_by_role("heading", name="Check your answers").is_visible()
    page.get_by_role("link", name="See the trials").click()
    page.wait_for_url("**/shortlist/")
    counts = page.locator(".tier-counts").inner_text()
    assert re.search(r"\b0 probably not a fit", counts), counts
    context.close()


def test_the_whole_questionnaire_works_with_the_keyboard_alone(browser, live_server, catalogue):
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{live_server.url}/start/")

    def tab_to(predicate: str, limit: int = 300) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate(f"() => {{ const e = document.activeElement; return {predicate}; }}"):
                return
        raise AssertionError(f"could not reach {predicate} with Tab")

    tab_to("e.textContent.trim() === 'Start the questions'")
    page.keyboard.press("Enter")
    page.wait_for_url("**/about-you/")
    tab_to("e.name === 'age'")
    page.keyboard.type("61")
    tab_to("e.name === 'sex'")
    page.keyboard.press("Space")  # the first answer, "Female"
    tab_to("e.textContent.trim() === 'Save and continue'")
    page.keyboard.press("Enter")
    page.wait_for_url("**/diagnosis/")
    for next_path in NOT_SURE_PATH[1:]:
        tab_to("e.textContent.trim() === 'Save and continue'")
        page.keyboard.press("Enter")
        page.wait_for_url(f"**{next_path}")
    tab_to("e.textContent.trim() === 'See the trials'")
    page.keyboard.press("Enter")
    page.wait_for_url("**/shortlist/")
    tab_to("e.textContent.trim().startsWith('Mark to discuss')")
    page.keyboard.press("Enter")
    page.get_by_role("button", name=re.compile("^Marked to discuss")).first.wait_for()
    token = page.url.split("/s/")[1].split("/")[0]
    page.goto(f"{live_server.url}/s/{token}/about-you/")
    assert page.get_by_label("How old are you?").input_value() == "61"
    assert page.get_by_role("group", name="What sex were you assigned at birth?").get_by_label("Female").is_checked()
    context.close()

"""Patient and navigator in two browsers: she shares, the navigator finds her by code, overrules
the engine with a reason and writes her a note; she sees both; she stops and the case is gone.
And a navigator's whole round with the keyboard alone, at tablet width."""

from __future__ import annotations

import io
import re

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.test import Client

from tests.browser import csp_violations, serious_accessibility_problems, signed_in, watch_csp
from tests.navigation_helpers import first_with_tier, shared_shortlist
from tests.questionnaire_answers import DETAILED
from tests.test_questionnaire import answer_all

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSPHRASE = "amber kettle violin 42"


def test_a_shared_shortlist_is_worked_on_by_the_navigator_and_seen_by_the_patient(browser, live_server):
    call_command("load_lexicon", stdout=io.StringIO())
    call_command("load_demo_catalogue", stdout=io.StringIO())
    token, _ = answer_all(Client(), DETAILED)
    User.objects.create_user("akim", password=PASSPHRASE, first_name="Ana").groups.add(
        Group.objects.get(name="navigator")
    )

    her = browser.new_context()
    her_violations = watch_csp(her)
    patient = her.new_page()
    patient.goto(f"{live_server.url}/s/{token}/shortlist/")
    patient.get_by_role("link", name="Share with a care navigator").click()
    patient.get_by_label("First name or nickname (optional)").fill("Dee")
    patient.get_by_role("button", name="Share and get my code").click()
    code = patient.get_by_test_id("share-code").inner_text()
    assert re.fullmatch(r"[2-9A-Z]{4}-[2-9A-Z]{4}", code)
    assert serious_accessibility_problems(patient) == []
    ruled_out = first_with_tier(token, "not_a_fit")

    theirs, navigator, their_violations = signed_in(  # at tablet width
        browser, f"{live_server.url}/navigate/", "akim", PASSPHRASE, viewport={"width": 800, "height": 1000}
    )
    navigator.get_by_role("heading", name="Navigator workspace").wait_for()
    assert serious_accessibility_problems(navigator) == []
    navigator.get_by_label("Share code or nickname").fill(code.lower().replace("-", ""))
    navigator.get_by_role("button", name="Find").click()
    navigator.get_by_role("link", name=code).click()
    navigator.get_by_role("heading", name=re.compile(f"Shared shortlist {code}")).wait_for()
    assert serious_accessibility_problems(navigator) == []

    navigator.goto(f"{live_server.url}/navigate/{code}/?tier=not_a_fit")
    card = navigator.locator(f"#trial-{ruled_out}")
    card.get_by_label("Decision").select_option("checking_with_site")
    card.get_by_role("button", name="Save decision").click()
    card.get_by_role("alert").filter(has_text="overrules the engine").wait_for()
    assert card.get_by_label("Decision").input_value() == "checking_with_site"
    card.get_by_label("Reason").fill("The site says this rule no longer applies.")
    card.get_by_role("button", name="Save decision").click()
    card.get_by_text("Decision saved.").wait_for()
    card.get_by_label("Note", exact=True).fill("I asked the site about this one for you.")
    card.locator("label", has_text="The patient can read this note").click()  # USWDS hides the box itself
    card.get_by_role("button", name="Add note").click()
    navigator.get_by_text("I asked the site about this one for you.").wait_for()
    assert serious_accessibility_problems(navigator) == []

    patient.goto(f"{live_server.url}/s/{token}/shortlist/?tier=all&distance=any&kind=all")
    mine = patient.locator("article", has=patient.locator(f"#title-{ruled_out}"))
    mine.get_by_text("From your care navigator:").wait_for()
    assert mine.get_by_text("Checking with the site").is_visible()
    assert mine.get_by_text("I asked the site about this one for you.").is_visible()

    patient.goto(f"{live_server.url}/s/{token}/share/")
    patient.get_by_role("button", name="Stop sharing").click()
    patient.get_by_text("You stopped sharing").wait_for()
    assert navigator.goto(f"{live_server.url}/navigate/{code}/").status == 404

    assert csp_violations(patient, her_violations) == []
    assert csp_violations(navigator, their_violations) == []
    her.close()
    theirs.close()


# Whether the focused element shows that it has the focus: an outline or a shadow. USWDS hides a
# checkbox's own box and draws the ring on its label's ::before.
FOCUS_IS_VISIBLE = """() => {
  const focused = document.activeElement;
  if (!focused || focused === document.body) return false;
  const [target, pseudo] = focused.matches(".usa-checkbox__input") ? [focused.labels[0], "::before"] : [focused, null];
  const style = getComputedStyle(target, pseudo);
  const outlined = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  return outlined || (style.boxShadow && style.boxShadow !== "none");
}"""


def tab_to(page, what: str, matches: str, limit: int = 400) -> None:
    """Press Tab until the focused element (`el`) matches, as someone with a keyboard alone would;
    the focus must show wherever it lands on the way there."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"() => {{ const el = document.activeElement; return Boolean({matches}); }}"):
            assert page.evaluate(FOCUS_IS_VISIBLE), f"the focus on {what} cannot be seen"
            return
    raise AssertionError(f"Tab never reached {what}")


def focused_id(page) -> str:
    return page.evaluate("() => document.activeElement.id")


def test_a_navigator_works_a_case_with_the_keyboard_alone_at_tablet_width(browser, live_server):
    call_command("load_lexicon", stdout=io.StringIO())
    call_command("load_demo_catalogue", stdout=io.StringIO())
    her = Client()
    token, share = shared_shortlist(her, nickname="Dee")
    her.post(f"/s/{token}/about-you/", {"age": "61", "sex": "female"})  # a change for "What changed"
    her.get(f"/s/{token}/shortlist/")  # her next look screens her list again
    nct_id = first_with_tier(token, "check_first")
    User.objects.create_user("akim", password=PASSPHRASE, first_name="Ana").groups.add(
        Group.objects.get(name="navigator")
    )

    context, page, violations = signed_in(
        browser, f"{live_server.url}/navigate/", "akim", PASSPHRASE, viewport={"width": 800, "height": 1000}
    )
    page.get_by_role("heading", name="Navigator workspace").wait_for()

    # The queue: search by code, then open her case.
    tab_to(page, "the search field", "el.id === 'id_q'")
    page.keyboard.type(share.grouped_code.lower())
    page.keyboard.press("Enter")
    page.get_by_text("1 shared shortlist.").wait_for()
    assert serious_accessibility_problems(page) == []
    tab_to(page, "the link to her case", f"el.textContent.trim() === '{share.grouped_code}'")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name=re.compile(f"Shared shortlist {share.grouped_code}")).wait_for()
    changes = page.locator("#changes")
    assert changes.get_by_text("How old are you?").is_visible()
    assert serious_accessibility_problems(page) == []

    # What changed: read, then marked reviewed; the focus goes to the section's heading.
    tab_to(page, "Mark these changes as reviewed", "el.id === 'mark-reviewed'")
    page.keyboard.press("Enter")
    changes.get_by_text("Marked as reviewed.").wait_for()
    assert focused_id(page) == "changes-heading"

    # A decision: chosen by typing in the list, with its reason, saved; the focus stays on Save.
    tab_to(page, "the decision on a trial", f"el.id === 'id_decision-status-{nct_id}'")
    page.keyboard.type("Not suitable")
    tab_to(page, "its reason", f"el.id === 'id_decision-reason-{nct_id}'")
    page.keyboard.type("Her platelets are too low for this trial.")
    tab_to(page, "Save decision", f"el.id === 'save-decision-{nct_id}'")
    page.keyboard.press("Enter")
    card = page.locator(f"#trial-{nct_id}")
    card.get_by_text("Decision saved.").wait_for()
    assert card.get_by_text("Decision: Not suitable").is_visible()
    assert focused_id(page) == f"save-decision-{nct_id}"

    # A note for her on the same trial, ticked with Space.
    tab_to(page, "the note on the trial", f"el.id === 'id_note-{nct_id}-text'")
    page.keyboard.type("I will ask your oncologist about your platelets.")
    tab_to(page, "the box that lets her read it", f"el.id === 'id_note-{nct_id}-visible_to_patient'")
    page.keyboard.press("Space")
    tab_to(page, "Add note", "el.textContent.trim().startsWith('Add note') && el.closest('#notes-" + nct_id + "')")
    page.keyboard.press("Enter")
    notes = page.locator(f"#notes-{nct_id}")
    notes.get_by_text("I will ask your oncologist about your platelets.").wait_for()
    assert notes.get_by_text("For the patient").is_visible()

    # Closed, then deleted early after the confirmation page.
    tab_to(page, "the case status", "el.id === 'id_status'")
    page.keyboard.type("Closed")
    tab_to(page, "Save status", "el.textContent.trim() === 'Save status'")
    page.keyboard.press("Enter")
    page.get_by_role("link", name="Delete this case now").wait_for()
    tab_to(page, "Delete this case now", "el.textContent.trim() === 'Delete this case now'")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name=re.compile(f"Delete case {share.grouped_code}")).wait_for()
    assert serious_accessibility_problems(page) == []
    tab_to(
        page,
        "the button that deletes it",
        "el.tagName === 'BUTTON' && el.textContent.trim() === 'Delete this case now'",
    )
    page.keyboard.press("Enter")
    page.get_by_text(f"Case {share.grouped_code} is deleted").wait_for()
    assert serious_accessibility_problems(page) == []

    assert csp_violations(page, violations) == []
    context.close()

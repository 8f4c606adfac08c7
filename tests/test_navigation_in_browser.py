"""Patient and navigator in two browsers: she shares, the navigator finds her by code, overrules
the engine with a reason and writes her a note; she sees both; she stops and the case is gone."""

from __future__ import annotations

import io
import re

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.test import Client

from tests.browser import csp_violations, serious_accessibility_problems, watch_csp
from tests.navigation_helpers import first_with_tier
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

    theirs = browser.new_context(viewport={"width": 800, "height": 1000})  # a tablet
    their_violations = watch_csp(theirs)
    navigator = theirs.new_page()
    navigator.goto(f"{live_server.url}/navigate/")
    navigator.get_by_label("User name").fill("akim")
    navigator.get_by_label("Password", exact=True).fill(PASSPHRASE)
    navigator.get_by_role("button", name="Sign in").click()
    navigator.get_by_role("heading", name="Navigator workspace").wait_for()
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

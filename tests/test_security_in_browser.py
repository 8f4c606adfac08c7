"""The Content-Security-Policy in a real browser: walking the patient's path, the catalogue and the
staff pages, htmx and USWDS keep working and the browser reports no violation."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client

from tests.browser import csp_violations, watch_csp
from tests.questionnaire_answers import DETAILED

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def catalogue():
    call_command("load_lexicon", stdout=io.StringIO())
    call_command("load_demo_catalogue", stdout=io.StringIO())


def answered_but_the_last_step() -> str:
    """A screening answered through Django's test client up to its last step; its token."""
    client = Client()
    url = client.post("/start/")["Location"]
    while not url.endswith("/location/"):
        url = client.post(url, DETAILED.get(url.rstrip("/").rsplit("/", 1)[-1], {}))["Location"]
    return url.split("/")[2]


def under_the_policy(response) -> bool:
    return "default-src 'self'" in (response.headers.get("content-security-policy") or "")


def still_the_same_page(page) -> bool:
    """True while the document the marker was set in is the one shown: htmx swapped, nothing reloaded."""
    return page.evaluate("window.sameDocument === true")


def test_the_patients_path_works_under_the_policy_with_no_violation(browser, live_server, catalogue):
    context = browser.new_context()
    violations = watch_csp(context)
    page = context.new_page()

    assert under_the_policy(page.goto(f"{live_server.url}/start/"))
    page.get_by_role("button", name="Start the questions").click()
    page.wait_for_url("**/about-you/")
    page.evaluate("window.sameDocument = true")
    page.get_by_label("How old are you?").fill("54")
    page.get_by_role("group", name="What sex were you assigned at birth?").locator("label", has_text="Female").click()
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url("**/diagnosis/")
    assert still_the_same_page(page)  # htmx swapped the next step in
    # htmx was told not to inject its indicator style, which the policy would refuse.
    assert page.evaluate("document.querySelectorAll('style').length") == 0
    assert csp_violations(page, violations) == []

    token = answered_but_the_last_step()
    page.goto(f"{live_server.url}/s/{token}/treatments/")
    page.get_by_label("Search the medicines by name").fill("ibrance")  # site JavaScript
    page.locator("label", has_text="palbociclib").wait_for()
    page.goto(f"{live_server.url}/s/{token}/location/")
    page.evaluate("window.sameDocument = true")
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url("**/review/")  # the end of the questionnaire is a full page, through htmx's redirect
    page.goto(f"{live_server.url}/s/{token}/shortlist/")
    page.evaluate("window.sameDocument = true")
    page.locator("summary", has_text="Filter and sort").click()
    page.get_by_label("Which trials").select_option("all")
    page.wait_for_url("**tier=all**")
    page.get_by_role("button", name="Mark to discuss").first.click()
    page.locator("#marked-count", has_text="(1 marked)").wait_for()
    assert still_the_same_page(page)
    page.get_by_role("link", name="Discussion sheet").click()
    page.wait_for_url("**/sheet/")
    page.goto(f"{live_server.url}/s/not-a-real-token/review/")
    assert csp_violations(page, violations) == []
    context.close()


def test_the_catalogue_and_the_uswds_menu_work_under_the_policy_with_no_violation(browser, live_server, catalogue):
    context = browser.new_context(viewport=PHONE)
    violations = watch_csp(context)
    page = context.new_page()
    assert under_the_policy(page.goto(f"{live_server.url}/"))
    page.get_by_role("button", name="Menu").click()  # USWDS opens its mobile menu
    page.get_by_role("button", name="Close").wait_for()
    page.get_by_role("button", name="Close").click()
    page.goto(f"{live_server.url}/trials/?status=any")
    page.evaluate("window.sameDocument = true")
    page.get_by_role("link", name="Page 2").first.click()
    page.wait_for_url("**page=2**")
    assert still_the_same_page(page)
    page.goto(f"{live_server.url}/trials/DEMO-001/")
    page.goto(f"{live_server.url}/glossary/")
    assert csp_violations(page, violations) == []
    context.close()


def test_the_staff_pages_work_under_the_policy_with_no_violation(browser, live_server):
    User.objects.create_superuser("curator", "curator@example.org", "the right passphrase")
    context = browser.new_context()
    violations = watch_csp(context)
    page = context.new_page()
    assert under_the_policy(page.goto(f"{live_server.url}/admin/login/"))
    page.get_by_label("Username").fill("curator")
    page.get_by_label("Password").fill("the right passphrase")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/admin/")
    page.goto(f"{live_server.url}/admin/auth/user/")
    # In the list itself: the filter beside it links to the curator group too.
    page.locator("#result_list").get_by_role("link", name="curator").click()
    page.get_by_role("heading", name="curator").wait_for()
    page.goto(f"{live_server.url}/admin/auth/group/add/")
    page.get_by_label("Name").wait_for()
    assert csp_violations(page, violations) == []
    context.close()


def test_the_violation_watch_sees_what_the_policy_refuses(browser, live_server):
    """The tests above would pass with a watch that never fires: this one shows it does."""
    page = browser.new_page()
    violations = watch_csp(page)
    page.goto(f"{live_server.url}/glossary/")
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">x</p>')")
    page.evaluate(
        "const style = document.createElement('style'); style.textContent = 'p {}'; document.head.append(style)"
    )
    found = csp_violations(page, violations)
    assert any(v.startswith("style-src-attr refused inline") for v in found), found
    assert any(v.startswith("style-src-elem refused inline") for v in found), found
    page.close()

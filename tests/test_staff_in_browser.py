"""Staff sign-in in a real browser: a curator gets to her workspace and out again with the keyboard
alone, and the pages pass axe-core with no serious problem and break no Content-Security-Policy rule."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User

from tests.browser import csp_violations, serious_accessibility_problems, signed_in, watch_csp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSPHRASE = "amber kettle violin 42"


def tab_to(page, description: str, is_it: str) -> None:
    """Press Tab until the focused element is the one described (`is_it` is a JavaScript test of `el`)."""
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const el = document.activeElement; return Boolean({is_it}); }})()"):
            return
    raise AssertionError(f"Tab never reached {description}")


def test_a_curator_signs_in_and_out_with_the_keyboard_alone(browser, live_server):
    User.objects.create_user("mlopez", password=PASSPHRASE, first_name="Maria").groups.add(
        Group.objects.get(name="curator")
    )
    context = browser.new_context()
    violations = watch_csp(context)
    page = context.new_page()

    page.goto(f"{live_server.url}/curate/")
    page.wait_for_url("**/accounts/sign-in/?next=/curate/")
    assert serious_accessibility_problems(page) == []

    # A wrong password first: the message is read out, the name stays, and the page still passes.
    tab_to(page, "the user name", "el.id === 'id_username'")
    page.keyboard.type("mlopez")
    page.keyboard.press("Tab")
    page.keyboard.type("not the passphrase")
    page.keyboard.press("Enter")
    page.get_by_role("alert").filter(has_text="do not match a staff account").wait_for()
    assert page.get_by_label("User name").input_value() == "mlopez"
    assert page.get_by_label("Password", exact=True).input_value() == ""
    assert serious_accessibility_problems(page) == []

    tab_to(page, "the password", "el.id === 'id_password'")
    page.keyboard.type(PASSPHRASE)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/curate/")
    page.get_by_role("heading", name="Review queue").wait_for()
    assert page.get_by_text("Signed in as Maria").is_visible()
    assert serious_accessibility_problems(page) == []

    tab_to(page, "the sign-out button", "el.tagName === 'BUTTON' && el.textContent.trim() === 'Sign out'")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/accounts/sign-in/")
    page.get_by_role("status").filter(has_text="You have signed out.").wait_for()
    page.goto(f"{live_server.url}/curate/")
    page.wait_for_url("**/accounts/sign-in/?next=/curate/")

    assert csp_violations(page, violations) == []
    context.close()


def test_the_403_page_passes_axe_with_no_violation(browser, live_server):
    User.objects.create_user("akim", password=PASSPHRASE).groups.add(Group.objects.get(name="navigator"))
    context, page, violations = signed_in(
        browser, f"{live_server.url}/accounts/sign-in/?next=/curate/", "akim", PASSPHRASE
    )
    page.get_by_role("heading", name="This page is not open to your account").wait_for()
    assert serious_accessibility_problems(page) == []
    page.goto(f"{live_server.url}/navigate/")
    page.get_by_role("heading", name="Navigator workspace").wait_for()
    assert serious_accessibility_problems(page) == []
    assert csp_violations(page, violations) == []
    context.close()

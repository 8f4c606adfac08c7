"""A navigator logs each contact with a trial's site about her: kept with the case, audited, never shown to her."""

from __future__ import annotations

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.test import Client
from django.utils import timezone

from screening.navigation.models import Contact
from screening.staff.roles import Role
from tests.navigation_helpers import first_with_tier, shared_shortlist, signed_in, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(client, demo_catalogue):
    token, share = shared_shortlist(client)
    return client, token, share, first_with_tier(token, "check_first", "worth_discussing")


def logged(share, nct_id: str, **fields: str) -> dict[str, str]:
    return {f"contact-{nct_id}-{name}": value for name, value in fields.items()}


def test_a_contact_with_a_site_is_logged_on_the_trial_and_shown_on_the_case_page(case):
    _, _, share, nct_id = case
    navigator = signed_in(staff("akim", Role.NAVIGATOR))
    today = timezone.localdate().isoformat()
    response = navigator.post(
        f"/navigate/{share.code}/trials/{nct_id}/contacts/",
        logged(share, nct_id, site="Memorial site, Ms Ortiz", contacted_on=today, outcome="left_message"),
    )
    assert response.status_code == 302 and response["Location"].endswith(f"#contacts-{nct_id}")
    contact = Contact.objects.get(share=share)
    assert (contact.nct_id, contact.outcome, contact.navigator.username) == (nct_id, "left_message", "akim")
    page = navigator.get(f"/navigate/{share.code}/").content.decode()
    assert "Memorial site, Ms Ortiz" in page and "Left a message" in page
    entry = LogEntry.objects.get_for_object(contact).get()
    assert entry.actor.username == "akim" and "details" not in entry.changes_dict


def test_a_contact_in_the_future_or_without_a_site_is_refused_beside_the_field_keeping_what_was_typed(case):
    _, _, share, nct_id = case
    navigator = signed_in(staff("akim", Role.NAVIGATOR))
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = navigator.post(
        f"/navigate/{share.code}/trials/{nct_id}/contacts/",
        logged(share, nct_id, site="", contacted_on=tomorrow, outcome="no_answer", details="Rang twice"),
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Name the site you contacted." in page and "cannot be in the future" in page
    assert tomorrow in page and "Rang twice" in page
    assert not Contact.objects.exists()


def test_contacts_are_for_navigators_only_and_never_reach_her(case):
    client, token, share, nct_id = case
    url = f"/navigate/{share.code}/trials/{nct_id}/contacts/"
    fields = logged(share, nct_id, site="City site", contacted_on="2026-01-05", outcome="not_recruiting")
    assert Client().post(url, fields).status_code == 302  # to sign-in
    assert signed_in(staff("mlopez", Role.CURATOR)).post(url, fields).status_code == 403
    assert not Contact.objects.exists()
    assert signed_in(staff("akim", Role.NAVIGATOR)).post(url, fields).status_code == 302
    assert "City site" not in client.get(f"/s/{token}/shortlist/").content.decode()


def test_a_contact_about_a_trial_not_on_her_shortlist_is_a_404(case):
    _, _, share, _ = case
    navigator = signed_in(staff("akim", Role.NAVIGATOR))
    fields = logged(share, "NCT99999999", site="Somewhere", contacted_on="2026-01-05", outcome="other")
    assert navigator.post(f"/navigate/{share.code}/trials/NCT99999999/contacts/", fields).status_code == 404

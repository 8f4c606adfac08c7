"""A closed case can be deleted before her retention period ends: the share and the navigators'
work on it go, her answers stay hers, and the audit log keeps that it happened without the notes."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.utils import timezone

from screening.models import Screening
from screening.navigation.models import Contact, Decision, Note, Share
from screening.staff.roles import Role
from tests.navigation_helpers import first_with_tier, shared_shortlist, signed_in, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(client, demo_catalogue):
    token, share = shared_shortlist(client, nickname="Dee", contact="phone 555 0100")
    navigator = staff("akim", Role.NAVIGATOR)
    nct_id = first_with_tier(token, "check_first", "worth_discussing")
    share.decide(nct_id, status="checking_with_site", reason="", navigator=navigator, engine_tier="check_first")
    share.add_note("SECRET-FOR-HER: the site will call.", author=navigator, nct_id=nct_id, visible_to_patient=True)
    share.add_note("SECRET-INTERNAL: slow coordinator.", author=navigator)
    share.log_contact(
        nct_id,
        site="City site",
        contacted_on=timezone.localdate(),
        outcome="left_message",
        details="SECRET-DETAILS",
        navigator=navigator,
    )
    return client, token, share, navigator


def test_a_closed_case_offers_deleting_it_now_with_a_page_that_says_what_goes_and_what_stays(case):
    _, _, share, navigator = case
    browser = signed_in(navigator)
    assert "Delete this case now" not in browser.get(f"/navigate/{share.code}/").content.decode()
    share.set_status("closed")
    assert f'href="/navigate/{share.code}/delete/"' in browser.get(f"/navigate/{share.code}/").content.decode()
    page = browser.get(f"/navigate/{share.code}/delete/").content.decode()
    assert "cannot be undone" in page and "Her answers and her shortlist stay hers" in page
    assert (
        "The decisions on her trials (1), the notes, for her or internal (2), and the contacts with sites (1)" in page
    )
    assert f'action="/navigate/{share.code}/delete/"' in page and Share.objects.filter(pk=share.pk).exists()


def test_deleting_a_closed_case_leaves_her_answers_and_takes_the_navigators_work_off_her_shortlist(case):
    client, token, share, navigator = case
    share.set_status("closed")
    answers = Screening.objects.get().answers
    browser = signed_in(navigator)

    response = browser.post(f"/navigate/{share.code}/delete/")
    assert response.status_code == 302 and response["Location"] == "/navigate/"
    queue = browser.get("/navigate/").content.decode()
    assert f"Case {share.grouped_code} is deleted" in queue and "Her answers and shortlist stay hers." in queue
    assert not Share.objects.exists() and not Decision.objects.exists()
    assert not Note.objects.exists() and not Contact.objects.exists()
    assert Screening.objects.get().answers == answers
    assert browser.get(f"/navigate/{share.code}/").status_code == 404

    shortlist = client.get(f"/s/{token}/shortlist/?tier=all&distance=any")
    assert shortlist.status_code == 200
    page = shortlist.content.decode()
    assert "From your care navigator" not in page and "SECRET" not in page


def test_the_audit_log_keeps_who_deleted_the_case_and_when_without_the_words_of_any_note(case):
    _, _, share, navigator = case
    share.set_status("closed")
    before = timezone.now()
    signed_in(navigator).post(f"/navigate/{share.code}/delete/")
    deleted = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Share), object_pk=str(share.pk), action=LogEntry.Action.DELETE
    ).get()
    assert deleted.actor == navigator and deleted.timestamp >= before
    assert deleted.object_repr == f"share {share.grouped_code}"
    for model in (Decision, Note, Contact):
        entry = LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(model), action=LogEntry.Action.DELETE
        ).first()
        assert entry is not None and entry.actor == navigator, model
    logged = " ".join(f"{e.object_repr} {e.changes}" for e in LogEntry.objects.all())
    assert "SECRET" not in logged and "Dee" not in logged and "555" not in logged


def test_an_open_case_cannot_be_deleted_early_and_says_to_close_it_first(case):
    _, _, share, navigator = case
    share.set_status("waiting_site")
    browser = signed_in(navigator)
    page = browser.get(f"/navigate/{share.code}/delete/").content.decode()
    assert "Only a closed case can be deleted early" in page and "Set its status to Closed first" in page
    assert "<form" not in page.split("Only a closed case", 1)[1]

    refused = browser.post(f"/navigate/{share.code}/delete/")
    assert refused.status_code == 409
    assert "Nothing was deleted: the case is open" in refused.content.decode()
    assert "“waiting for a site”" in refused.content.decode()
    assert Share.objects.filter(pk=share.pk).exists() and Note.objects.count() == 2


def test_only_a_navigator_can_delete_a_case(case):
    client, token, share, _ = case
    share.set_status("closed")
    url = f"/navigate/{share.code}/delete/"
    patient = Client()
    patient.get(f"/s/{token}/shortlist/")
    for stranger in (Client(), patient, client):
        response = stranger.post(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/sign-in/")
    assert signed_in(staff("mlopez", Role.CURATOR)).post(url).status_code == 403
    assert Share.objects.filter(pk=share.pk).exists()


def test_a_stopped_share_cannot_be_deleted_by_a_navigator_any_more(case):
    _, _, share, navigator = case
    share.set_status("closed")
    share.stop()
    assert signed_in(navigator).post(f"/navigate/{share.code}/delete/").status_code == 404
    assert Share.objects.filter(pk=share.pk).exists()

"""The care navigators' workspace at /navigate/: only navigators get in, a case is found by its code
and by nothing else, and decisions that overrule the engine need a reason."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.cache import caches
from django.test import Client

from screening.navigation.models import Decision, Note
from screening.staff.roles import Role
from tests.navigation_helpers import first_with_tier, shared_shortlist, signed_in, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(client, demo_catalogue):
    token, share = shared_shortlist(client, nickname="Dee")
    return token, share


def without_csrf_token(response) -> str:
    """The page as a reader sees it: every page carries its own CSRF token."""
    return re.sub(r'"X-CSRFToken": "[^"]+"', "", response.content.decode())


def navigator_urls(share, nct_id: str) -> list[tuple[str, str]]:
    code = share.code
    return [
        ("get", "/navigate/"),
        ("get", f"/navigate/{code}/"),
        ("post", f"/navigate/{code}/trials/{nct_id}/decision/"),
        ("post", f"/navigate/{code}/notes/"),
        ("post", f"/navigate/{code}/status/"),
        ("post", f"/navigate/{code}/reviewed/"),
        ("get", f"/navigate/{code}/delete/"),
        ("post", f"/navigate/{code}/delete/"),
    ]


def test_every_navigator_url_sends_strangers_to_sign_in_refuses_curators_and_opens_for_navigators(case):
    token, share = case
    nct_id = first_with_tier(token, "check_first", "worth_discussing")
    curator = signed_in(staff("mlopez", Role.CURATOR))
    navigator = signed_in(staff("akim", Role.NAVIGATOR))
    patient = Client()  # she holds her private link, and no account
    patient.get(f"/s/{token}/shortlist/")
    for method, url in navigator_urls(share, nct_id):
        for stranger in (Client(), patient):
            response = getattr(stranger, method)(url)
            assert response.status_code == 302 and response["Location"].startswith("/accounts/sign-in/"), url
        assert getattr(curator, method)(url).status_code == 403, url
    assert navigator.get("/navigate/").status_code == 200
    assert navigator.get(f"/navigate/{share.code}/").status_code == 200
    posted = {
        f"/navigate/{share.code}/trials/{nct_id}/decision/": {"decision-status": "to_review"},
        f"/navigate/{share.code}/notes/": {"note-text": "Called her."},
        f"/navigate/{share.code}/status/": {"status": "in_review"},
    }
    for url, data in posted.items():
        assert navigator.post(url, data).status_code == 302, url


def test_the_queue_lists_active_shares_newest_first_and_finds_a_code_typed_any_way(case, client):
    _, first = case
    _, second = shared_shortlist(Client(), nickname="Rosa")
    navigator = signed_in(staff("akim", Role.NAVIGATOR))
    page = navigator.get("/navigate/").content.decode()
    assert page.index(second.grouped_code) < page.index(first.grouped_code)
    for typed in (first.code.lower(), first.grouped_code, first.grouped_code.lower()):
        found = navigator.get("/navigate/", {"q": typed}).content.decode()
        assert first.grouped_code in found and second.grouped_code not in found
    assert second.grouped_code in navigator.get("/navigate/", {"q": "ros"}).content.decode()
    assert first.grouped_code not in navigator.get("/navigate/", {"q": first.code[:5]}).content.decode()
    second.set_status("closed")
    by_status = navigator.get("/navigate/", {"status": "closed"}).content.decode()
    assert second.grouped_code in by_status and first.grouped_code not in by_status
    second.stop()
    assert second.grouped_code not in navigator.get("/navigate/").content.decode()


def test_the_case_page_shows_her_answers_with_what_she_was_unsure_of_and_the_engines_reasons(case):
    _, share = case
    page = signed_in(staff("akim", Role.NAVIGATOR)).get(f"/navigate/{share.code}/").content.decode()
    assert "Her answers" in page and "Not sure" in page and "She was not sure of" in page
    assert "Engine&#x27;s verdict" in page or "Engine's verdict" in page
    assert "Why it may fit" in page and "<q>" in page


def test_stopped_expired_and_unknown_codes_all_give_the_same_404(case):
    token, share = case
    navigator = signed_in(staff("akim", Role.NAVIGATOR))
    unknown = navigator.get("/navigate/ZZZZ-ZZZZ/")
    malformed = navigator.get("/navigate/not-a-code/")
    share.stop()
    stopped = navigator.get(f"/navigate/{share.code}/")
    assert unknown.status_code == malformed.status_code == stopped.status_code == 404
    assert without_csrf_token(unknown) == without_csrf_token(stopped) == without_csrf_token(malformed)

    _, other = shared_shortlist(Client())
    other.screening.expires_at = other.screening.expires_at - dt.timedelta(days=365)
    other.screening.save(update_fields=["expires_at"])
    expired = navigator.get(f"/navigate/{other.code}/")
    assert expired.status_code == 404 and without_csrf_token(expired) == without_csrf_token(unknown)


def test_case_lookups_are_limited_per_navigator(case, settings):
    _, share = case
    settings.RATE_LIMITS_ENABLED = True
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "share-lookup": "3/m"}
    caches["limits"].clear()
    navigator = signed_in(staff("akim", Role.NAVIGATOR))
    codes = ["ZZZZZZZZ", "YYYYYYYY", share.code]
    assert [navigator.get(f"/navigate/{code}/").status_code for code in codes] == [404, 404, 200]
    assert navigator.get(f"/navigate/{share.code}/").status_code == 429
    assert signed_in(staff("bkim", Role.NAVIGATOR)).get(f"/navigate/{share.code}/").status_code == 200
    caches["limits"].clear()


def test_raising_a_trial_the_engine_ruled_out_without_a_reason_is_refused_beside_the_field(case):
    token, share = case
    nct_id = first_with_tier(token, "not_a_fit")
    navigator = signed_in(staff("akim", Role.NAVIGATOR))
    url = f"/navigate/{share.code}/trials/{nct_id}/decision/"
    response = navigator.post(url, {"decision-status": "checking_with_site", "decision-reason": "  "})
    page = response.content.decode()
    assert response.status_code == 200 and not Decision.objects.exists()
    assert "overrules the engine, which found the trial probably not a fit" in page
    # Ids of the trial's own (one decision form per card): its label names its own field.
    error_at = page.index(f'id="id_decision-reason-{nct_id}-error"')
    assert page.index(f'for="id_decision-reason-{nct_id}"') < error_at < page.index('name="decision-reason"')
    assert '<option value="checking_with_site" selected>' in page

    htmx = navigator.post(url, {"decision-status": "enrolled", "decision-reason": ""}, HTTP_HX_REQUEST="true")
    assert htmx.status_code == 200 and "overrules the engine" in htmx.content.decode()
    assert '<option value="enrolled" selected>' in htmx.content.decode() and "<html" not in htmx.content.decode()

    assert (
        navigator.post(
            url, {"decision-status": "checking_with_site", "decision-reason": "Site says the rule is old."}
        ).status_code
        == 302
    )
    decision = Decision.objects.get()
    assert (
        decision.overrules and decision.engine_tier == "not_a_fit" and decision.reason == "Site says the rule is old."
    )


def test_not_suitable_needs_a_reason_even_for_a_trial_the_engine_found_worth_checking(case):
    token, share = case
    nct_id = first_with_tier(token, "check_first", "worth_discussing")
    navigator = signed_in(staff("akim", Role.NAVIGATOR))
    url = f"/navigate/{share.code}/trials/{nct_id}/decision/"
    page = navigator.post(url, {"decision-status": "not_suitable", "decision-reason": ""}).content.decode()
    assert "Say why it is not suitable" in page and not Decision.objects.exists()
    assert navigator.post(url, {"decision-status": "worth_discussing", "decision-reason": ""}).status_code == 302
    assert Decision.objects.get().status == "worth_discussing"


def test_a_decision_for_a_trial_not_on_her_shortlist_is_a_404(case):
    _, share = case
    navigator = signed_in(staff("akim", Role.NAVIGATOR))
    assert (
        navigator.post(
            f"/navigate/{share.code}/trials/NCT00000000/decision/", {"decision-status": "to_review"}
        ).status_code
        == 404
    )


def test_notes_are_added_per_trial_or_for_her_and_an_empty_note_is_refused_keeping_the_tick(case):
    token, share = case
    nct_id = first_with_tier(token, "check_first", "worth_discussing")
    navigator = signed_in(staff("akim", Role.NAVIGATOR))
    url = f"/navigate/{share.code}/notes/"
    refused = navigator.post(
        url, {"nct_id": nct_id, f"note-{nct_id}-text": " ", f"note-{nct_id}-visible_to_patient": "on"}
    )
    assert refused.status_code == 200 and "Write the note before adding it." in refused.content.decode()
    assert (
        f'id="id_note-{nct_id}-visible_to_patient" name="note-{nct_id}-visible_to_patient" checked'
        in refused.content.decode()
    )
    navigator.post(
        url, {"nct_id": nct_id, f"note-{nct_id}-text": "Site called back.", f"note-{nct_id}-visible_to_patient": "on"}
    )
    navigator.post(url, {"note-text": "Prefers mornings."})
    assert list(Note.objects.values_list("nct_id", "visible_to_patient")) == [(nct_id, True), ("", False)]
    page = navigator.get(f"/navigate/{share.code}/").content.decode()
    assert "Site called back." in page and "Prefers mornings." in page and "Internal" in page


def test_the_case_status_is_set_from_the_case_page_and_a_made_up_status_is_refused(case):
    _, share = case
    navigator = signed_in(staff("akim", Role.NAVIGATOR))
    assert navigator.post(f"/navigate/{share.code}/status/", {"status": "waiting_site"}).status_code == 302
    refused = navigator.post(f"/navigate/{share.code}/status/", {"status": "lost"})
    assert refused.status_code == 200 and "Choose one of the statuses." in refused.content.decode()
    share.refresh_from_db()
    assert share.status == "waiting_site"

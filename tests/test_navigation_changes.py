"""What changed since a navigator last reviewed a case: trials a sync opened, closed or moved to
another tier, with the engine's reason, and the answers she changed; counted from what she shared
until a navigator marks the changes reviewed."""

from __future__ import annotations

import re

import pytest
from auditlog.models import LogEntry
from django.test import Client

from screening.navigation.models import Share
from screening.staff.roles import Role
from tests.navigation_helpers import import_trial, shared_shortlist, signed_in, staff
from tests.questionnaire_answers import DETAILED

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(client, demo_catalogue, tmp_path):
    # On her shortlist when she shares: both read as "check first" for her.
    import_trial(tmp_path, "NCT09999991", "A trial that will ask for older patients")
    import_trial(tmp_path, "NCT09999992", "A trial that will close")
    token, share = shared_shortlist(client, nickname="Dee")
    return client, token, share, signed_in(staff("akim", Role.NAVIGATOR))


def changes_section(response) -> str:
    """The "What changed" section as a reader sees it: words only, arrows kept, screen-reader words left out."""
    page = response.content.decode()
    section = re.search(r'<section id="changes".*?</section>', page, re.S)
    assert section, "no What changed section"
    text = re.sub(r'<span class="usa-sr-only">.*?</span>', "", section.group(0))
    text = text.replace("<q>", "“").replace("</q>", "”")  # as the browser shows a quotation
    text = re.sub(r"</?(strong|a|span)\b[^>]*>", "", text)  # inline: no break in the words
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text)).replace("&#x27;", "'").replace("&quot;", '"')


def queue_mark(navigator: Client, share: Share) -> str:
    """What the queue says of her case since its last review."""
    page = navigator.get("/navigate/").content.decode()
    row = re.search(rf"{share.grouped_code}.*?</tr>", page, re.S).group(0)
    cell = re.search(r'data-label="Since the last review">(.*?)</td>', row, re.S).group(1)
    return re.sub(r"<[^>]+>", "", cell).strip()


def seen(response) -> str:
    return re.search(r'name="seen" value="([^"]+)"', response.content.decode()).group(1)


def test_nothing_shows_when_nothing_changed_since_she_shared(case):
    _, _, share, navigator = case
    response = navigator.get(f"/navigate/{share.code}/")
    shown = changes_section(response)
    assert "What changed since" in shown and "When she shared her shortlist." in shown
    assert "Nothing has changed" in shown
    assert "Mark these changes as reviewed" not in shown
    assert queue_mark(navigator, share) == "No change"


def test_a_sync_that_opens_closes_and_changes_trials_shows_each_with_the_engines_reason(case, tmp_path):
    _, _, share, navigator = case
    import_trial(tmp_path, "NCT09999991", "A trial that will ask for older patients", minimum_age="60 Years")
    import_trial(tmp_path, "NCT09999992", "A trial that will close", status="ACTIVE_NOT_RECRUITING")
    import_trial(tmp_path, "NCT09999993", "A trial that opened")

    shown = changes_section(navigator.get(f"/navigate/{share.code}/"))
    assert "New trials that may fit (1)" in shown
    assert "A trial that opened (NCT09999993): Check first, new on her shortlist." in shown
    assert "Trials that closed (1)" in shown
    assert (
        "A trial that will close (NCT09999992), check first: no longer recruiting (now “active, not recruiting”)"
        in (shown)
    )
    assert "Trials that changed tier (1)" in shown
    # The deciding criterion, quoted, with the engine's reason, as the trial's card gives it.
    assert "(NCT09999991): Check first → Probably not a fit. “Age 60 years or older” " in shown
    assert "you are 54" in shown
    assert "Answers she changed" not in shown
    assert queue_mark(navigator, share) == "Changed"


def test_a_trial_gone_from_the_catalogue_shows_as_closed(case):
    _, _, share, navigator = case
    from screening.models import Trial

    Trial.objects.filter(nct_id="NCT09999992").delete()
    shown = changes_section(navigator.get(f"/navigate/{share.code}/"))
    assert "A trial that will close (NCT09999992), check first: gone from the catalogue." in shown


def test_an_answer_she_changes_in_the_questionnaire_shows_old_and_new_with_not_sure_as_such(case):
    client, token, share, navigator = case
    assert client.post(f"/s/{token}/about-you/", {"age": "80", "sex": "female"}).status_code == 302
    assert client.post(f"/s/{token}/biology/", {**DETAILED["biology"], "her2": "unsure"}).status_code == 302

    shown = changes_section(navigator.get(f"/navigate/{share.code}/"))
    assert "Answers she changed (2)" in shown
    assert "How old are you? 54 → 80" in shown
    assert re.search(r"What is the HER2 result\? HER2-low \(IHC 1\+[^→]*→ Not sure", shown)
    # Her new age puts a trial for people up to 70 out of reach, and the engine says why.
    assert "Check first → Probably not a fit" in shown and "you are 80" in shown
    assert queue_mark(navigator, share) == "Changed"


def test_marking_the_changes_reviewed_clears_them_until_something_else_changes(case, tmp_path):
    client, token, share, navigator = case
    client.post(f"/s/{token}/about-you/", {"age": "61", "sex": "female"})
    page = navigator.get(f"/navigate/{share.code}/")
    assert "How old are you? 54 → 61" in changes_section(page)

    response = navigator.post(f"/navigate/{share.code}/reviewed/", {"seen": seen(page)})
    assert response.status_code == 302 and response["Location"].endswith("#changes")
    shown = changes_section(navigator.get(f"/navigate/{share.code}/"))
    assert "When Akim marked the changes reviewed." in shown and "Nothing has changed" in shown
    assert queue_mark(navigator, share) == "No change"

    import_trial(tmp_path, "NCT09999992", "A trial that will close", status="COMPLETED")
    shown = changes_section(navigator.get(f"/navigate/{share.code}/"))
    assert "Trials that closed (1)" in shown and "How old are you?" not in shown


def test_marking_with_htmx_swaps_in_the_section_saying_so(case):
    client, token, share, navigator = case
    client.post(f"/s/{token}/about-you/", {"age": "61", "sex": "female"})
    page = navigator.get(f"/navigate/{share.code}/")
    response = navigator.post(f"/navigate/{share.code}/reviewed/", {"seen": seen(page)}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html and html.lstrip().startswith('<section id="changes"')
    assert "Marked as reviewed." in html and "Nothing has changed" in html


def test_changes_that_came_while_the_page_was_open_are_not_marked_unseen(case, tmp_path):
    client, token, share, navigator = case
    client.post(f"/s/{token}/about-you/", {"age": "61", "sex": "female"})
    page = navigator.get(f"/navigate/{share.code}/")
    import_trial(tmp_path, "NCT09999993", "A trial that opened")

    response = navigator.post(f"/navigate/{share.code}/reviewed/", {"seen": seen(page)})
    shown = changes_section(response)
    assert response.status_code == 200
    assert "Nothing was marked: more changed while the page was open." in shown
    assert "A trial that opened" in shown and "How old are you? 54 → 61" in shown
    share.refresh_from_db()
    assert share.reviewed_by is None


def test_changes_another_navigator_marked_meanwhile_are_left_as_they_are(case):
    client, token, share, navigator = case
    client.post(f"/s/{token}/about-you/", {"age": "61", "sex": "female"})
    page = navigator.get(f"/navigate/{share.code}/")
    colleague = signed_in(staff("bkim", Role.NAVIGATOR))
    colleague.post(f"/navigate/{share.code}/reviewed/", {"seen": seen(colleague.get(f"/navigate/{share.code}/"))})

    response = navigator.post(f"/navigate/{share.code}/reviewed/", {"seen": seen(page)}, HTTP_HX_REQUEST="true")
    shown = changes_section(response)
    assert "Nothing was marked" not in shown and "Marked as reviewed." not in shown
    assert "When Bkim marked the changes reviewed." in shown and "Nothing has changed" in shown
    share.refresh_from_db()
    assert share.reviewed_by.username == "bkim"


def test_marking_reviewed_is_audited_without_what_she_answered(case):
    client, token, share, navigator = case
    client.post(f"/s/{token}/about-you/", {"age": "61", "sex": "female"})
    page = navigator.get(f"/navigate/{share.code}/")
    navigator.post(f"/navigate/{share.code}/reviewed/", {"seen": seen(page)})
    entry = LogEntry.objects.get_for_object(share).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.actor.username == "akim" and "reviewed_at" in entry.changes_dict
    assert "reviewed_answers" not in entry.changes_dict and "reviewed_results" not in entry.changes_dict
    logged = " ".join(f"{e.object_repr} {e.changes}" for e in LogEntry.objects.all())
    assert "NCT09999991" not in logged and "palbociclib" not in logged


def test_only_a_navigator_can_mark_changes_reviewed(case):
    client, token, share, _ = case
    client.post(f"/s/{token}/about-you/", {"age": "61", "sex": "female"})
    url = f"/navigate/{share.code}/reviewed/"
    patient = Client()
    patient.get(f"/s/{token}/shortlist/")  # she holds her private link, and no account
    for stranger in (Client(), patient, client):
        response = stranger.post(url, {"seen": ""})
        assert response.status_code == 302 and response["Location"].startswith("/accounts/sign-in/")
    assert signed_in(staff("mlopez", Role.CURATOR)).post(url, {"seen": ""}).status_code == 403
    share.refresh_from_db()
    assert share.reviewed_by is None
    assert "How old are you?" in changes_section(
        signed_in(staff("bkim", Role.NAVIGATOR)).get(f"/navigate/{share.code}/")
    )


def test_a_share_made_before_reviews_were_kept_offers_to_start_counting(client, demo_catalogue):
    _, share = shared_shortlist(client)
    Share.objects.filter(pk=share.pk).update(reviewed_results=None, reviewed_answers=None, reviewed_at=None)
    navigator = signed_in(staff("akim", Role.NAVIGATOR))
    shown = changes_section(navigator.get(f"/navigate/{share.code}/"))
    assert "shared before changes were kept" in shown
    assert navigator.post(f"/navigate/{share.code}/reviewed/", {}).status_code == 302
    assert "Nothing has changed" in changes_section(navigator.get(f"/navigate/{share.code}/"))

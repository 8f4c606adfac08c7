"""Sharing, from the patient's side: she reads what a navigator will see, gets a short code to
read out, can stop at any time, and sees her navigator's decisions and the notes meant for her."""

from __future__ import annotations

import re

import pytest
from django.db import IntegrityError, transaction

from screening.models import Screening
from screening.navigation.models import CODE_ALPHABET, DecisionStatus, Share, new_code, normalised_code
from screening.staff.roles import Role
from tests.navigation_helpers import first_with_tier, shared_shortlist, staff

pytestmark = pytest.mark.django_db


def test_her_shortlist_links_to_a_page_that_says_what_the_navigator_will_see(client, demo_catalogue):
    from tests.questionnaire_answers import DETAILED
    from tests.test_questionnaire import answer_all

    token, _ = answer_all(client, DETAILED)
    assert f'href="/s/{token}/share/"' in client.get(f"/s/{token}/shortlist/").content.decode()
    page = client.get(f"/s/{token}/share/").content.decode()
    assert "Your answers to the questions" in page and "Nothing else is collected" in page
    assert "Your private link is never shown to them" in page
    assert not Share.objects.exists()


def test_sharing_gives_a_code_of_eight_unmistakable_characters_shown_in_two_groups(client, demo_catalogue):
    token, share = shared_shortlist(client, nickname="Dee", contact="phone, mornings")
    assert re.fullmatch(rf"[{CODE_ALPHABET}]{{8}}", share.code)
    assert not set("01OIL") & set(CODE_ALPHABET)
    assert share.nickname == "Dee" and share.contact == "phone, mornings" and share.status == "new"
    page = client.get(f"/s/{token}/share/").content.decode()
    assert f"{share.code[:4]}-{share.code[4:]}" in page and token not in page.replace(f"/s/{token}/", "")


def test_codes_are_unique_and_read_back_in_any_case_with_or_without_the_dash():
    assert len({new_code() for _ in range(2000)}) == 2000
    assert normalised_code(" kxf7-m9qp ") == "KXF7M9QP"
    one = Screening.objects.create(token_digest="a" * 64, expires_at=Screening.retention_end())
    two = Screening.objects.create(token_digest="b" * 64, expires_at=Screening.retention_end())
    Share.objects.create(screening=one, code="KXF7M9QP")
    with pytest.raises(IntegrityError), transaction.atomic():
        Share.objects.create(screening=two, code="KXF7M9QP")
    with pytest.raises(IntegrityError), transaction.atomic():
        Share.objects.create(screening=two, code="KXF7M9Q0")  # a look-alike the alphabet leaves out


def test_she_has_one_active_share_at_a_time_and_sharing_twice_keeps_the_same_code(client, demo_catalogue):
    token, share = shared_shortlist(client)
    client.post(f"/s/{token}/share/", {"nickname": "Again"})
    assert Share.objects.get().code == share.code
    with pytest.raises(IntegrityError), transaction.atomic():
        Share.objects.create(screening=share.screening, code=new_code())


def test_a_nickname_too_long_is_refused_beside_the_field_keeping_what_she_typed(client, demo_catalogue):
    from tests.questionnaire_answers import DETAILED
    from tests.test_questionnaire import answer_all

    token, _ = answer_all(client, DETAILED)
    response = client.post(f"/s/{token}/share/", {"nickname": "D" * 41, "contact": "email first"})
    page = response.content.decode()
    assert response.status_code == 200 and not Share.objects.exists()
    assert "40 characters or fewer" in page
    assert "email first" in page and "D" * 41 in page


def test_stopping_ends_the_share_and_sharing_again_gives_a_new_code(client, demo_catalogue):
    token, share = shared_shortlist(client)
    assert client.post(f"/s/{token}/share/stop/").status_code == 302
    share.refresh_from_db()
    assert share.stopped_at is not None
    assert "You stopped sharing" in client.get(f"/s/{token}/share/").content.decode()
    client.post(f"/s/{token}/share/", {})
    assert Share.objects.filter(stopped_at__isnull=True).exclude(code=share.code).count() == 1


def test_she_sees_the_decisions_and_the_notes_meant_for_her_but_never_internal_notes(client, demo_catalogue):
    token, share = shared_shortlist(client)
    navigator = staff("akim", Role.NAVIGATOR)
    nct_id = first_with_tier(token, "worth_discussing", "check_first")
    share.decide(
        nct_id,
        status=DecisionStatus.CHECKING_WITH_SITE,
        reason="Calling the site about slots.",
        navigator=navigator,
        engine_tier="check_first",
    )
    share.add_note("I will call you on Tuesday.", author=navigator, visible_to_patient=True)
    share.add_note("The site says yes to HER2-low.", author=navigator, nct_id=nct_id, visible_to_patient=True)
    share.add_note("INTERNAL: she sounded worried.", author=navigator)
    share.add_note("INTERNAL: coordinator is slow.", author=navigator, nct_id=nct_id)

    page = client.get(f"/s/{token}/shortlist/?tier=all&distance=any").content.decode()
    assert "From your care navigator" in page
    assert "I will call you on Tuesday." in page and "The site says yes to HER2-low." in page
    assert "Checking with the site" in page and "Calling the site about slots." in page
    assert "INTERNAL" not in page

    client.post(f"/s/{token}/mark/{nct_id}/")
    sheet = client.get(f"/s/{token}/sheet/").content.decode()
    assert "I will call you on Tuesday." in sheet and "The site says yes to HER2-low." in sheet
    assert "Checking with the site" in sheet and "INTERNAL" not in sheet


def test_deleting_her_answers_deletes_the_share_with_its_decisions_and_notes(client, demo_catalogue):
    token, share = shared_shortlist(client)
    navigator = staff("akim", Role.NAVIGATOR)
    share.add_note("A note.", author=navigator)
    share.screening.delete()
    assert not Share.objects.exists()

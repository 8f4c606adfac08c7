"""Walks through the questionnaire, forward and back: whatever the steps accept ends in a shortlist.

A profile the contract refuses costs her the shortlist, the JSON, the sheet and its PDF
(they answer 404), so the steps must never accept answers that contradict each other,
within a step or across two.
"""

from __future__ import annotations

import itertools
from urllib.parse import urlencode

import pytest
from django import forms
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screening.models import Screening
from screening.questionnaire import STEP_BY_SLUG, STEPS
from screening.questionnaire_views import agent_groups
from tests.questionnaire_answers import DETAILED
from tests.test_questionnaire import answer_all, begin, errors

pytestmark = pytest.mark.django_db

FORM = "application/x-www-form-urlencoded"


def with_lines(total: str, endocrine: str, **treatments: str) -> dict[str, dict]:
    return {
        **DETAILED,
        "treatments": {**DETAILED["treatments"], "lines_total": total, **treatments},
        "hormone-therapy": {"lines_endocrine": endocrine},
    }


def saved_lines(token: str) -> dict:
    return Screening.objects.for_token(token).answers["treatment"]["lines_in_metastatic_setting"]


def assert_her_shortlist_is_there(client, token: str) -> None:
    for page in ("profile.json", "shortlist/", "shortlist.json", "sheet/"):
        assert client.get(f"/s/{token}/{page}").status_code == 200, page


def test_more_hormone_lines_than_lines_in_all_are_pointed_out_and_not_saved(client, demo_catalogue):
    token, _ = answer_all(client, with_lines("1", ""))
    response = client.post(f"/s/{token}/hormone-therapy/", {"lines_endocrine": "3"})
    assert response.status_code == 200
    assert any("more than the 1 treatment in all" in error for error in errors(response))
    assert 'value="3"' in response.content.decode()  # what she typed is kept
    assert saved_lines(token)["endocrine"] is None
    assert_her_shortlist_is_there(client, token)


def test_hormone_lines_after_saying_no_hormone_therapy_are_pointed_out_and_not_saved(client, demo_catalogue):
    token, _ = answer_all(client, with_lines("3", "", received_endocrine_therapy="no"))
    response = client.post(f"/s/{token}/hormone-therapy/", {"lines_endocrine": "2"})
    assert any("you have not had hormone therapy" in error for error in errors(response))
    assert saved_lines(token)["endocrine"] is None
    # None at all agrees with never having had it.
    assert client.post(f"/s/{token}/hormone-therapy/", {"lines_endocrine": "0"}).status_code == 302
    assert_her_shortlist_is_there(client, token)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"lines_total": "1"}, "more than the 1 treatment in all"),
        ({"received_endocrine_therapy": "no"}, "you have not had hormone therapy"),
    ],
    ids=["fewer-lines-in-all", "no-hormone-therapy"],
)
def test_changing_the_treatments_sets_back_the_hormone_lines_they_contradict_and_asks_again(
    client, demo_catalogue, change, message
):
    token, _ = answer_all(client, with_lines("3", "3"))
    response = client.post(f"/s/{token}/treatments/", {**DETAILED["treatments"], "lines_total": "3", **change})
    # Her newest answer is kept; the older one that no longer fits counts as "Not sure" for now.
    assert response.status_code == 302
    assert response["Location"] == f"/s/{token}/hormone-therapy/?lines_endocrine=3"
    assert saved_lines(token)["endocrine"] is None
    assert_her_shortlist_is_there(client, token)
    # The next step shows the number she had given, and why it needs another look.
    page = client.get(response["Location"])
    assert any(message in error for error in errors(page))
    assert 'value="3"' in page.content.decode() and "Nothing you entered has been lost" in page.content.decode()
    assert client.post(f"/s/{token}/hormone-therapy/", {"lines_endocrine": ""}).status_code == 302
    assert_her_shortlist_is_there(client, token)


def test_with_htmx_the_hormone_step_swapped_in_after_a_change_says_why_its_answer_was_set_back(client, demo_catalogue):
    token, _ = answer_all(client, with_lines("3", "2"))
    response = client.post(
        f"/s/{token}/treatments/",
        {**DETAILED["treatments"], "lines_total": "1"},
        headers={"HX-Request": "true", "HX-Target": "step"},
    )
    assert response.status_code == 200
    assert response["HX-Push-Url"] == f"/s/{token}/hormone-therapy/?lines_endocrine=2"
    assert any("more than the 1 treatment in all" in error for error in errors(response))
    assert saved_lines(token)["endocrine"] is None


@pytest.mark.parametrize("query", ["lines_endocrine=1", "lines_endocrine=fifty", "age=30", "utm_source=mail"])
def test_any_other_link_to_a_step_shows_the_step_as_saved(client, demo_catalogue, query):
    token, _ = answer_all(client, with_lines("3", "2"))
    page = client.get(f"/s/{token}/hormone-therapy/?{query}")
    assert not errors(page) and 'value="2"' in page.content.decode()


def test_hormone_lines_hidden_by_a_receptor_negative_answer_cannot_come_back_contradicting(client, demo_catalogue):
    token, _ = answer_all(client, with_lines("3", "3"))
    receptor_negative = {**DETAILED["biology"], "er": "negative", "pr": "negative"}
    assert client.post(f"/s/{token}/biology/", receptor_negative).status_code == 302
    response = client.post(f"/s/{token}/treatments/", {**DETAILED["treatments"], "lines_total": "1"})
    assert response["Location"] == f"/s/{token}/health/"  # no hormone questions to ask again
    assert client.post(f"/s/{token}/biology/", DETAILED["biology"]).status_code == 302
    assert saved_lines(token)["endocrine"] is None
    assert_her_shortlist_is_there(client, token)


def test_answers_saved_contradicting_by_an_older_version_are_mended_by_the_next_step_she_saves(client, demo_catalogue):
    token, _ = answer_all(client, DETAILED)
    screening = Screening.objects.get()
    screening.answers["treatment"]["lines_in_metastatic_setting"].update(total=1, endocrine=4)
    screening.save()
    assert client.get(f"/s/{token}/shortlist/").status_code == 404  # unreadable old answers still say so
    assert client.post(f"/s/{token}/about-you/", DETAILED["about-you"]).status_code == 302
    assert saved_lines(token) == {"total": 1, "chemotherapy": 0, "endocrine": None}
    assert_her_shortlist_is_there(client, token)


# Answers a patient might type where a number is asked: empty, in and out of range, and not numbers.
NUMBERS = st.one_of(
    st.just(""),
    st.integers(0, 6).map(str),
    st.integers(-5, 130).map(str),
    st.sampled_from(["two", "1.5", " 3 ", "٣", "３"]),
)
ZIP_CODES = st.sampled_from(
    ["", "02115", "10001", "94110", "02115-1234", "00000", "０２１１５", "٠٢١١٥", "⁰²¹¹⁵", "abcde", "1234"]
)
FREE_TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)


def answers_to(draw, form: forms.Form) -> dict[str, list[str]]:
    """Answers to every question of a step, as a browser posts them: an unticked choice is left out."""
    posted: dict[str, list[str]] = {}
    for name, field in form.fields.items():
        if isinstance(field, forms.MultipleChoiceField):
            posted[name] = draw(
                st.lists(st.sampled_from([value for value, _ in field.choices]), max_size=4, unique=True)
            )
        elif isinstance(field, forms.ChoiceField):
            choice = draw(st.none() | st.sampled_from([value for value, _ in field.choices]))
            if choice is not None:
                posted[name] = [choice]
        elif isinstance(field, forms.BooleanField):
            if draw(st.booleans()):
                posted[name] = ["on"]
        elif isinstance(field, forms.IntegerField):
            posted[name] = [draw(NUMBERS)]
        elif name == "postal_code":
            posted[name] = [draw(ZIP_CODES)]
        else:
            posted[name] = [draw(FREE_TEXT)]
    return posted


def answer_step(client, draw, url: str, groups) -> str:
    """Posts drawn answers to a step; where some are refused, answers those "Not sure", as she would.

    Returns where the step sends her next.
    """
    slug = url.split("?")[0].rstrip("/").rsplit("/", 1)[-1]
    step = STEP_BY_SLUG[slug]
    posted = answers_to(draw, step.form(**({"agent_groups": groups} if slug == "treatments" else {})))
    for _ in range(3):
        # Like a browser: form-encoded, with the form's hidden CSRF field (the test client does not check it).
        body = urlencode({**posted, "csrfmiddlewaretoken": ["x"]}, doseq=True)
        response = client.post(url, body, content_type=FORM)
        if response.status_code == 302:
            return response["Location"]
        assert response.status_code == 200, (slug, posted, response.status_code)
        refused = response.context["form"].errors
        assert refused, (slug, posted)
        # A refusal of two answers together drops both; one that names no field drops them all.
        posted = {} if "__all__" in refused else {k: v for k, v in posted.items() if k not in refused}
    raise AssertionError(f"{slug} refused even 'Not sure': {errors(response)}")


WALKS = itertools.count(1)


# The demo catalogue is loaded once for all the walks, and each walk begins a screening of its own,
# so sharing the function-scoped fixtures between examples is what is meant.
@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_every_walk_through_answers_the_steps_accept_ends_in_a_shortlist_and_a_sheet(client, demo_catalogue, data):
    groups = agent_groups()
    token, url = begin(client)
    while "/review/" not in url:
        url = answer_step(client, data.draw, url, groups)
    # She may go back from the review and change any step, in any order, even one the flow skips.
    for slug in data.draw(st.lists(st.sampled_from([step.slug for step in STEPS]), max_size=3), label="changed"):
        answer_step(client, data.draw, f"/s/{token}/{slug}/", groups)
    assert client.get(f"/s/{token}/review/").status_code == 200
    assert client.get(f"/s/{token}/profile.json").status_code == 200
    assert client.get(f"/s/{token}/shortlist/").status_code == 200
    results = client.get(f"/s/{token}/shortlist.json")
    assert results.status_code == 200
    listed = [r["nct_id"] for r in results.json()["results"] if r["tier"] != "not_a_fit"]
    if listed:
        client.post(f"/s/{token}/mark/{listed[0]}/")
    assert client.get(f"/s/{token}/sheet/").status_code == 200
    # WeasyPrint takes about a second a sheet, so the PDF is made for every tenth walk only;
    # it is built from the same context as the sheet checked on every walk.
    if next(WALKS) % 10 == 1:
        assert client.get(f"/s/{token}/sheet.pdf").status_code == 200

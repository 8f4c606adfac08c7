"""The discussion sheet she prints for her oncologist, and the count of trials marked for it."""

from __future__ import annotations

import html
import io
import re

import pytest
from django.core.management import call_command
from django.utils.html import escape

from tests.questionnaire_answers import DETAILED
from tests.test_questionnaire import answer_all

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue():
    call_command("load_lexicon", stdout=io.StringIO())
    call_command("load_demo_catalogue", stdout=io.StringIO())


def marked_screening(client, pick) -> tuple[str, list[dict]]:
    """A detailed screening with the trials `pick` chooses from her shortlist marked."""
    token, _ = answer_all(client, DETAILED)
    results = client.get(f"/s/{token}/shortlist.json").json()["results"]
    chosen = pick(results)
    for result in chosen:
        client.post(f"/s/{token}/mark/{result['nct_id']}/")
    return token, chosen


def plain(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def trial_section(sheet: str, nct_id: str) -> str:
    return re.search(rf'<section class="sheet-trial" aria-labelledby="sheet-{nct_id}">.*?</section>', sheet, re.S)[0]


def test_each_question_on_the_sheet_names_every_marked_trial_it_comes_from(client, catalogue):
    token, chosen = marked_screening(client, lambda results: [r for r in results if r["tier"] != "not_a_fit"][:4])
    sheet = client.get(f"/s/{token}/sheet/").content.decode()
    order = re.findall(r'<h3 id="sheet-([^"]+)"', sheet)
    assert sorted(order) == sorted(r["nct_id"] for r in chosen)
    by_id = {r["nct_id"]: r for r in chosen}
    expected: dict[str, list[str]] = {}
    for nct_id in order:  # questions in the order the sheet's trials first ask them
        for question in by_id[nct_id]["questions_for_oncologist"]:
            expected.setdefault(question, []).append(nct_id)
    assert any(len(trials) > 1 for trials in expected.values())  # some question is shared
    items = re.findall(r'<li id="question-\d+">(.*?)</li>', sheet, re.S)
    shown = []
    for item in items:
        text, trials = item.split('<span class="question-trials">')
        shown.append((plain(text), re.findall(r'href="#sheet-([^"]+)"', trials)))
    assert shown == [(" ".join(question.split()), trials) for question, trials in expected.items()]


def test_a_marked_trial_on_the_sheet_says_why_it_may_fit_in_the_trials_own_words(client, catalogue):
    def pick(results):
        def reasons(result):
            return [c["reason"] for c in result["criteria"] if c["outcome"] == "met"]

        # A trial meeting one reason in several places, and more reasons than the sheet has room for.
        return [
            next(
                r
                for r in results
                if r["tier"] != "not_a_fit" and len(set(reasons(r))) > 5 and len(set(reasons(r))) < len(reasons(r))
            )
        ]

    token, (chosen,) = marked_screening(client, pick)
    section = trial_section(client.get(f"/s/{token}/sheet/").content.decode(), chosen["nct_id"])
    assert "<h4>Why it may fit</h4>" in section and "What may rule it out" not in section
    met = {}
    for criterion in chosen["criteria"]:
        if criterion["outcome"] == "met":
            met.setdefault(criterion["reason"], criterion)
    first = next(iter(met.values()))
    assert f"<q>{escape(first['text'])}</q> {escape(first['reason'])}" in section
    for reason in list(met)[:5]:
        assert section.count(escape(reason)) == 1  # a reason met in several cohorts is said once
    assert f"and {len(met) - 5} more" in section


def test_a_marked_trial_that_is_probably_not_a_fit_says_first_what_may_rule_it_out(client, catalogue):
    token, (chosen,) = marked_screening(client, lambda results: [next(r for r in results if r["tier"] == "not_a_fit")])
    section = trial_section(client.get(f"/s/{token}/sheet/").content.decode(), chosen["nct_id"])
    against = next(c for c in chosen["criteria"] if c["outcome"] == "not_met")
    assert f"<q>{escape(against['text'])}</q> {escape(against['reason'])}" in section
    assert "Probably not a fit" in section
    assert section.index("What may rule it out") < section.index("Why it may fit")


def test_marking_with_htmx_sends_the_new_count_out_of_band_and_unmarking_lowers_it(client, catalogue):
    token, _ = answer_all(client, DETAILED)
    results = client.get(f"/s/{token}/shortlist.json").json()["results"]
    first, second = (r["nct_id"] for r in results[:2])
    page = client.get(f"/s/{token}/shortlist/").content.decode()
    assert '<span id="marked-count">Discussion sheet (0 marked)</span></a>' in page
    assert "hx-swap-oob" not in page  # the full page has nothing to swap out of band

    def toggle(nct_id: str) -> str:
        response = client.post(f"/s/{token}/mark/{nct_id}/", headers={"HX-Request": "true"})
        assert response.status_code == 200
        return response.content.decode()

    response = toggle(first)
    assert "Marked to discuss" in response
    assert '<span id="marked-count" hx-swap-oob="true">Discussion sheet (1 marked)</span>' in response
    assert '<span id="marked-count" hx-swap-oob="true">Discussion sheet (2 marked)</span>' in toggle(second)
    response = toggle(first)
    assert "Mark to discuss" in response
    assert '<span id="marked-count" hx-swap-oob="true">Discussion sheet (1 marked)</span>' in response
    page = client.get(f"/s/{token}/shortlist/").content.decode()
    assert '<span id="marked-count">Discussion sheet (1 marked)</span></a>' in page


def test_the_sheet_pdf_names_the_trial_a_question_comes_from(client, catalogue):
    pypdf = pytest.importorskip("pypdf")
    token, chosen = marked_screening(client, lambda results: [r for r in results if r["tier"] != "not_a_fit"][:2])
    response = client.get(f"/s/{token}/sheet.pdf")
    text = " ".join(
        "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(response.content)).pages).split()
    )
    first = chosen[0]
    only_here = next(q for q in first["questions_for_oncologist"] if q not in chosen[1]["questions_for_oncologist"])
    assert f"{' '.join(only_here.split())} For {first['nct_id']}." in text
    assert "Why it may fit" in text

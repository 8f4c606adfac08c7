"""The curators' review queue at /curate/: open trials, those a curation would change most for
patients first (stale, then never curated, then curated; within each, most often "check first" in
saved shortlists, then most unsettled criteria), with filters, a search by NCT ID and pages."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from screening.curation.reading import Curation as CurationData
from screening.curation.reading import automatic_items, text_sha256
from screening.curation.store import save
from screening.models import Screening, Trial
from screening.staff.roles import Role

pytestmark = pytest.mark.django_db

HER2_NEGATIVE = ["low", "ultralow", "zero", "negative"]


@pytest.fixture(autouse=True)
def counts_counted_afresh() -> None:
    """Saved shortlists already read are remembered between looks; each test starts with none."""
    cache.clear()


def staff(username: str, role: Role) -> User:
    user = User.objects.create_user(username)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def curator() -> Client:
    client = Client()
    client.force_login(staff("mlopez", Role.CURATOR))
    return client


def constraint(concept: str, op: str, value: Any) -> dict[str, Any]:
    return {"concept": concept, "op": op, "value": value}


def rule(text: str, *constraints: dict[str, Any], kind: str = "inclusion", doubts: tuple[str, ...] = ()) -> dict:
    data: dict[str, Any] = {"kind": kind, "text": text}
    if constraints:
        data |= {"constraints": list(constraints), "logic": "all"}
    if doubts:
        data["doubts"] = list(doubts)
    return data


# An ordinary reading: one criterion read firmly, one left to the study team.
PLAIN = [rule("Age 18 or over", constraint("age", ">=", 18)), rule("Adequate organ function")]


def trial(number: int, *, rules: list[dict] | None = None, phases: str = "PHASE2", status: str = "RECRUITING") -> Trial:
    """An open metastatic breast-cancer trial whose reading is `rules`."""
    nct_id = f"NCT{number:08d}"
    return Trial.objects.create(
        nct_id=nct_id,
        title=f"A study of drug {number} in metastatic breast cancer",
        status=status,
        phases=phases,
        eligibility_text=f"Inclusion Criteria:\n\n* criteria of trial {number}",
        search_text=f"{nct_id.lower()} metastatic breast cancer",
        record={},
        record_hash="0" * 64,
        rules=PLAIN if rules is None else rules,
    )


def curate(trial: Trial, items: list[dict] | None = None, by: str = "mlopez") -> None:
    save(
        trial,
        CurationData(
            trial.nct_id,
            text_sha256(trial.eligibility_text),
            by,
            "2026-11-21T12:00:00Z",
            "",
            automatic_items(trial.rules) if items is None else items,
        ),
    )


def change_text_at_sync(trial: Trial) -> None:
    Trial.objects.filter(id=trial.id).update(eligibility_text=trial.eligibility_text + "\n* a new criterion")


def saved_shortlist(check_first: list[str], others: tuple[str, ...] = (), *, expired: bool = False) -> Screening:
    """A patient's saved shortlist holding `check_first` as "check first" and `others` as not a fit."""
    screening, _ = Screening.begin()
    results = [{"nct_id": nct_id, "tier": "check_first"} for nct_id in check_first]
    results += [{"nct_id": nct_id, "tier": "not_a_fit"} for nct_id in others]
    screening.keep_results(results, "a version")
    if expired:
        Screening.objects.filter(id=screening.id).update(expires_at=timezone.now() - dt.timedelta(days=1))
    return screening


def listed(response) -> list[str]:
    """The NCT IDs in the queue, in order."""
    return re.findall(
        r'<th scope="row" data-label="Trial">\s*<a class="usa-link" href="[^"]+">([^<]+)</a>', page(response)
    )


def page(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


# Who may see it


def test_an_anonymous_visitor_is_sent_to_sign_in_and_brought_back(client):
    response = client.get("/curate/?state=stale")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/sign-in/?next=/curate/%3Fstate%3Dstale"


def test_a_care_navigator_is_refused_the_queue():
    client = Client()
    client.force_login(staff("akim", Role.NAVIGATOR))
    assert client.get("/curate/").status_code == 403


# Order


def test_stale_curations_come_first_then_trials_never_curated_then_current_curations(curator):
    current, never, stale = trial(1), trial(2), trial(3)
    curate(current)
    curate(stale)
    change_text_at_sync(stale)
    trial(4, status="COMPLETED")  # closed: on no patient's shortlist, so not in the queue

    assert listed(curator.get("/curate/")) == [stale.nct_id, never.nct_id, current.nct_id]


def test_within_a_state_trials_most_often_check_first_in_saved_shortlists_come_first(curator):
    once, never, twice = trial(1), trial(2), trial(3)
    saved_shortlist([twice.nct_id, once.nct_id], others=(never.nct_id,))
    saved_shortlist([twice.nct_id])
    saved_shortlist([never.nct_id, never.nct_id], expired=True)  # an expired list counts for nothing

    response = curator.get("/curate/")
    assert listed(response) == [twice.nct_id, once.nct_id, never.nct_id]
    assert "Never curated, and check first in 2 saved shortlists" in page(response)


def test_then_trials_with_more_criteria_not_assessed_or_tentative_come_first(curator):
    firm = trial(1, rules=[rule("Age 18 or over", constraint("age", ">=", 18))])
    tentative = trial(2, rules=[rule("Age 18 or over", constraint("age", ">=", 18), doubts=("hedged",))])
    not_assessed = trial(3, rules=[rule("Adequate organ function"), rule("Willing to comply")])

    assert listed(curator.get("/curate/")) == [not_assessed.nct_id, tentative.nct_id, firm.nct_id]


def test_unsettled_criteria_are_counted_in_the_reading_screening_uses(curator):
    """A current curation's reading, not the automatic one: here a curator left both criteria to the study team."""
    curated = trial(1)
    curate(curated, [{"kind": item["kind"], "text": item["text"], "reading": "study_team"} for item in PLAIN])

    cells = re.findall(r'data-label="(Not assessed|Tentative)">(\d+)<', page(curator.get("/curate/")))
    assert cells == [("Not assessed", "2"), ("Tentative", "0")]


def test_each_row_links_to_the_trials_review_page_and_says_why_it_is_there(curator):
    stale, current = trial(1, phases="PHASE1 PHASE2"), trial(2)
    curate(stale)
    change_text_at_sync(stale)
    curate(current, by="akim")
    saved_shortlist([current.nct_id])

    html = page(curator.get("/curate/"))
    assert '<a class="usa-link" href="/curate/trials/NCT00000001/">NCT00000001</a>' in html
    assert "A study of drug 1 in metastatic breast cancer" in html
    assert "Phase 1/2" in html
    assert "Stale: text changed since mlopez&#x27;s reading of 2026-11-21" in html
    assert "Text changed: patients see the automatic reading again" in html
    assert "Curated by akim, 2026-11-21" in html
    assert "Curated, yet check first in 1 saved shortlist" in html
    assert '<caption id="queue-caption">Trials to review, most pressing first</caption>' in html


# Filters and search


@pytest.mark.parametrize(
    "state, expected",
    [("stale", ["NCT00000003"]), ("never_curated", ["NCT00000002"]), ("curated", ["NCT00000001"])],
)
def test_the_curation_state_filter_shows_only_trials_in_that_state(curator, state, expected):
    current, _never, stale = trial(1), trial(2), trial(3)
    curate(current)
    curate(stale)
    change_text_at_sync(stale)

    assert listed(curator.get("/curate/", {"state": state})) == expected


def test_the_phase_filter_shows_only_trials_of_that_phase_including_combined_phases(curator):
    trial(1, phases="PHASE1")
    trial(2, phases="PHASE1 PHASE2")
    trial(3, phases="PHASE2")

    assert listed(curator.get("/curate/", {"phase": "PHASE1"})) == ["NCT00000001", "NCT00000002"]


@pytest.mark.parametrize(
    "group, expected",
    [
        ("her2_positive", ["NCT00000001", "NCT00000007"]),
        ("her2_low", ["NCT00000002", "NCT00000007"]),
        ("her2_negative", ["NCT00000003"]),
        ("hr_positive", ["NCT00000003"]),
        ("hr_negative", ["NCT00000005"]),
        ("triple_negative", ["NCT00000004"]),
        ("none", ["NCT00000006"]),
    ],
)
def test_the_her2_hr_group_filter_follows_what_the_inclusion_criteria_ask_for(curator, group, expected):
    trial(1, rules=[rule("HER2-positive", constraint("her2", "in", ["positive"]))])
    trial(2, rules=[rule("HER2-low or ultralow", constraint("her2", "in", ["low", "ultralow"]))])
    trial(
        3,
        rules=[
            rule("HER2-negative", constraint("her2", "in", HER2_NEGATIVE)),
            rule("ER-positive", constraint("hormone_receptor", "is", "positive")),
        ],
    )
    trial(4, rules=[rule("Triple-negative breast cancer", constraint("triple_negative", "is", True))])
    trial(5, rules=[rule("HR-negative", constraint("hormone_receptor", "is", "negative"))])
    # An exclusion says whom the trial turns away, not whom it is for.
    trial(6, rules=[rule("HER2-positive disease", constraint("her2", "in", ["positive"]), kind="exclusion")])
    trial(7, rules=[rule("HER2-expressing (positive or low)", constraint("her2", "in", ["positive", "low"]))])

    assert sorted(listed(curator.get("/curate/", {"group": group}))) == expected


@pytest.mark.parametrize("words", ["NCT00000012", "nct0000001", "12", " 0012 "])
def test_the_search_finds_trials_by_all_or_part_of_the_nct_id_in_any_case(curator, words):
    trial(12)
    trial(3)

    assert listed(curator.get("/curate/", {"nct": words})) == ["NCT00000012"]


def test_filters_combine(curator):
    curate(trial(1, phases="PHASE3"))
    trial(2, phases="PHASE3")
    trial(3, phases="PHASE2")

    assert listed(curator.get("/curate/", {"state": "never_curated", "phase": "PHASE3"})) == ["NCT00000002"]


@pytest.mark.parametrize(
    "query, field, message",
    [
        ({"state": "bogus"}, "state", "“bogus” is not one of the curation states listed here."),
        ({"phase": "PHASE9"}, "phase", "“PHASE9” is not one of the phases listed here."),
        ({"group": "her3"}, "group", "“her3” is not one of the groups listed here."),
        ({"nct": "<NCT1>"}, "nct", "An NCT ID has only letters, digits and hyphens"),
        ({"nct": "NCT" + "0" * 20}, "nct", "Ensure this value has at most 16 characters"),
    ],
)
def test_a_filter_not_understood_is_named_beside_its_field_and_the_rest_still_apply(curator, query, field, message):
    trial(1, phases="PHASE2")
    trial(2, phases="PHASE3")
    response = curator.get("/curate/", {"phase": "PHASE2"} | query)

    html = page(response)  # 200, never a server error
    beside = re.search(rf'<span class="usa-error-message" id="id_{field}-error">([^<]*)</span>', html)
    assert beside and message in beside.group(1)
    assert 'aria-invalid="true"' in html
    assert "Some filters were not understood and are left out" in html
    # The phase asked for still applies when another filter is wrong; a wrong phase leaves every phase.
    assert listed(response) == (["NCT00000001", "NCT00000002"] if field == "phase" else ["NCT00000001"])


def test_a_page_number_not_understood_shows_the_first_page(curator):
    trial(1)
    assert listed(curator.get("/curate/", {"page": "many"})) == ["NCT00000001"]


# Pages and htmx


def test_the_queue_comes_in_pages_of_fifty_whose_links_keep_the_filters(curator):
    for number in range(1, 56):
        trial(number)

    first = page(curator.get("/curate/", {"state": "never_curated"}))
    assert "<strong>55</strong> trials in the queue; page 1 of 2." in first
    assert 'href="?state=never_curated&amp;page=2"' in first
    assert listed(curator.get("/curate/", {"state": "never_curated", "page": "2"})) == [
        f"NCT{number:08d}" for number in range(51, 56)
    ]


def test_an_htmx_request_gets_only_the_results_and_the_new_count(curator):
    trial(1)
    trial(2, phases="PHASE3")

    response = curator.get("/curate/", {"phase": "PHASE3"}, headers={"HX-Request": "true", "HX-Target": "results"})
    html = page(response)
    assert html.lstrip().startswith('<div id="results">')
    assert "<h1>" not in html and "<form" not in html and "Signed in as" not in html
    assert '<span id="queue-count" hx-swap-oob="innerHTML"><strong>1</strong> trial in the queue.</span>' in html
    assert listed(response) == ["NCT00000002"]
    assert "HX-Request" in response["Vary"]


def test_the_full_page_has_the_filter_form_which_works_without_javascript(curator):
    html = page(curator.get("/curate/"))
    assert "<h1>Review queue</h1>" in html
    assert '<form class="usa-form usa-form--large maxw-full" method="get" action="/curate/"' in html
    for label in ("NCT ID", "Curation", "Phase", "HER2/HR group"):
        assert re.search(rf'<label class="usa-label" for="id_\w+">{re.escape(label)}</label>', html), label
    assert '<button class="usa-button margin-top-2" type="submit">Show trials</button>' in html
    assert 'aria-current="page">Review queue</a>' in html


def test_saved_shortlists_changed_since_the_last_look_count_at_once(curator):
    first, second = trial(1), trial(2)
    screening = saved_shortlist([first.nct_id])
    assert listed(curator.get("/curate/")) == [first.nct_id, second.nct_id]

    # The catalogue changed and her list was screened again.
    screening.keep_results([{"nct_id": second.nct_id, "tier": "check_first"}], "another version")
    assert listed(curator.get("/curate/")) == [second.nct_id, first.nct_id]

    # She changed an answer and her list was screened again.
    screening.record("about-you", {})
    screening.keep_results([{"nct_id": first.nct_id, "tier": "check_first"}], "another version")
    assert listed(curator.get("/curate/")) == [first.nct_id, second.nct_id]

    # Two new lists, then hers expires.
    saved_shortlist([second.nct_id])
    saved_shortlist([second.nct_id])
    assert listed(curator.get("/curate/")) == [second.nct_id, first.nct_id]
    Screening.objects.filter(id=screening.id).update(expires_at=timezone.now())
    assert "Never curated, and check first in 2 saved shortlists" in page(curator.get("/curate/"))


# Cost


def test_the_queue_takes_a_few_queries_however_many_trials_curations_and_shortlists(
    curator, django_assert_max_num_queries
):
    trials = [trial(number, phases="PHASE2" if number % 2 else "PHASE3") for number in range(1, 81)]
    for item in trials[:30]:
        curate(item)
    for item in trials[:10]:
        change_text_at_sync(item)
    nct_ids = [item.nct_id for item in trials]
    for start in range(40):
        saved_shortlist(nct_ids[start : start + 5], others=tuple(nct_ids[start + 5 :]))

    # The session, its user and her role; the trials, their curations, and the saved shortlists (twice).
    with django_assert_max_num_queries(8):
        response = curator.get("/curate/", {"group": "none"})
    assert len(listed(response)) == 50


def test_the_demo_catalogue_makes_a_queue_with_every_open_trial(curator, demo_catalogue):
    open_trials = Trial.objects.open().for_breast_cancer().count()
    response = curator.get("/curate/", {"state": "never_curated"})
    assert f"<strong>{open_trials}</strong> trials in the queue" in page(response)
    assert len(listed(response)) == min(open_trials, 50)

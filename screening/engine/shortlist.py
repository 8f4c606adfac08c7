"""Screening a profile against trials: the shortlist of the contract (trialscreen/shortlist@1)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from typing import Any

from screening.engine.disease import HEALTHY_VOLUNTEERS
from screening.engine.explain import question, reason
from screening.engine.geo import miles_between, zip_point
from screening.engine.lexicon import Lexicon
from screening.engine.match import (
    NOT_A_FIT,
    TIER_ORDER,
    UNKNOWN,
    Outcome,
    TrialFacts,
    Truth,
    cohorts_closed,
    judge,
    structured_outcomes,
    tier,
)
from screening.engine.profile import Profile
from screening.engine.ranking import standing

SCHEMA = "trialscreen/shortlist@1"
OUTCOME_OF = {True: "met", False: "not_met", None: UNKNOWN}
OPEN_SITE_STATUSES = {"RECRUITING", "NOT_YET_RECRUITING"}


def origin(profile: Profile) -> tuple[float, float] | None:
    location = profile.location
    if location is None:
        return None
    if location.latitude is not None and location.longitude is not None:
        return location.latitude, location.longitude
    if location.postal_code and (location.country or "US").upper() == "US":
        return zip_point(location.postal_code)
    return None


def nearest_site(sites: Iterable[dict[str, Any]], start: tuple[float, float] | None) -> dict[str, Any] | None:
    """The closest site with coordinates, preferring sites that are recruiting."""
    if start is None:
        return None
    # Recruiting sites first, then sites of no stated status, then any; the closest within the first
    # kind there is. A flat-earth distance is enough to pick the closest; the reported distance is the true one.
    latitude, longitude = start
    stretch = math.cos(math.radians(latitude))
    best, best_place = None, (3, math.inf)
    for site in sites:
        north, east = site.get("latitude"), site.get("longitude")
        if north is None or east is None:
            continue
        status = site.get("status")
        kind = 0 if status in OPEN_SITE_STATUSES else 2 if status else 1
        if kind > best_place[0]:
            continue
        place = (kind, (north - latitude) ** 2 + (((east - longitude + 180) % 360 - 180) * stretch) ** 2)
        if place < best_place:
            best, best_place = site, place
    if best is None:
        return None
    return {
        "facility": best.get("facility", ""),
        "city": best.get("city", ""),
        "state": best.get("state", ""),
        "country": best.get("country", ""),
        "status": best.get("status") or None,
        "distance_miles": round(miles_between(start, (best["latitude"], best["longitude"])), 1),
    }


SEX_WORDS = {"female": ("women", "a woman"), "male": ("men", "a man")}


def structured_reason(concept: str, wording: str, fits: Truth, detail: str, profile: Profile) -> str:
    """A record field's verdict as a plain sentence: "This trial is for women; you are a woman."."""
    if concept == "age" and detail == "children":
        return "This study is for children and teenagers (from the trial record)."
    if concept == "disease" and detail == "basket":
        return (
            f"The trial record does not name breast cancer among the diseases it takes ({wording}); "
            "the study team can say whether it takes breast cancer."
        )
    if concept == "disease" and detail == HEALTHY_VOLUNTEERS:
        return "This study is for healthy volunteers, not for people with breast cancer (from the trial record)."
    if concept == "disease":
        return f"This trial is for {detail}, not for breast cancer (from the trial record)."
    if concept == "sex":
        wanted = wording.removeprefix("Sex: ").removesuffix(" only")
        people = SEX_WORDS.get(wanted, (wanted, wanted))[0]
        you = f"you are {SEX_WORDS[profile.sex][1]}" if profile.sex in SEX_WORDS else "we do not know your sex yet"
        return f"This trial is for {people}; {you}."
    if concept == "age":
        you = f"you are {profile.age:g}" if profile.age is not None else "we do not know your age yet"
        return f"This trial is for people aged {wording.removeprefix('Age ')}; {you}."
    answer = "your answers" if fits is not None else "we do not know this yet"
    return f"From the trial record: {wording.lower()}; {answer}" + (
        " fit." if fits else (" do not fit." if fits is False else ".")
    )


def structured_question(concept: str, wording: str, detail: str) -> str:
    if concept == "disease":
        return f"Does this trial take breast cancer? (The record names: {wording.split(': ', 1)[-1]}.)"
    return f"Do I meet this trial's {concept} limit? ({wording}.)"


def structured_entry(concept: str, wording: str, fits: Truth, detail: str, profile: Profile) -> dict[str, Any]:
    return {
        "kind": "inclusion",
        "text": wording,
        "concept": concept,
        "outcome": OUTCOME_OF[fits],
        "reason": structured_reason(concept, wording, fits, detail, profile),
        "source": "structured",
    }


def screen_trial(
    trial: TrialFacts,
    profile: Profile,
    lexicon: Lexicon,
    start: tuple[float, float] | None = None,
    sites=(),
    memo: dict | None = None,
) -> dict[str, Any]:
    """One trial's result. `memo` carries facts, verdicts and wording already worked out for this profile."""
    memo = memo if memo is not None else {}
    facts_seen = memo.setdefault("facts", {})
    done = memo.setdefault("done", {})
    words = memo.setdefault("words", {})
    structured = structured_outcomes(trial, profile)
    # Criteria the engine does not assess are already in place; fill in the assessed ones.
    rule_entries = list(trial.template)
    outcomes = []
    questions: list[str] = [
        structured_question(concept, wording, detail) for concept, wording, detail, fits in structured if fits is None
    ]
    counts = {"met": 0, "not_met": 0, UNKNOWN: 0, "not_assessed": len(trial.fixed_entries)}
    for item in trial.assessed:
        rule = item.rule
        # Criteria of many trials read alike ("ECOG 0 or 1"): each is judged and worded once.
        known = done.get(item.key)
        if known is None:
            outcome = judge(rule, profile, lexicon, facts_seen)
            # The wording depends on the constraints, the rule's sense and the outcome (and, for a
            # tentative contradiction, the doubts and the quoted text), not on everything the verdict does.
            said = (item.wording, outcome.outcome, *((rule.doubts, rule.text) if outcome.contradicted else ()))
            if said not in words:
                words[said] = (reason(outcome, lexicon, profile), question(outcome, lexicon))
            known = done[item.key] = (outcome.outcome, outcome.facts, outcome.contradicted, *words[said])
        else:
            outcome = Outcome(rule, *known[:3])
        outcomes.append(outcome)
        counts[outcome.outcome] += 1
        explained, asked = known[3:]
        rule_entries[item.index] = {**item.head, "outcome": outcome.outcome, "reason": explained, **item.tail}
        if asked and asked not in questions:
            questions.append(asked)
    for *_, fits in structured:
        counts[OUTCOME_OF[fits]] += 1
    site = nearest_site(sites, start)
    parts = cohorts(outcomes)
    outside = bool(site and profile.max_travel_miles is not None and site["distance_miles"] > profile.max_travel_miles)
    place = standing(trial, outcomes, site, outside, trial.breast_named, lexicon)
    memo.setdefault("standing", {})[trial.nct_id] = place.key
    return {
        "nct_id": trial.nct_id,
        "title": trial.title,
        "tier": tier(outcomes, structured),
        "nearest_site": site,
        "outside_travel_distance": outside,
        "criteria": [
            structured_entry(concept, wording, fits, detail, profile) for concept, wording, detail, fits in structured
        ]
        + rule_entries,
        "questions_for_oncologist": questions,
        "counts": counts,
        **({"cohorts": parts} if parts else {}),
        # Optional field: the one line saying why the trial is near the top of its tier.
        **({"why_near_top": place.why} if place.why else {}),
        **trial.extra,
    }


def cohorts(outcomes: list[Outcome]) -> list[dict[str, Any]]:
    """The trial's parts her answers rule out or leave open (optional field "cohorts").

    A contradiction inside one part closes only that part, so a trial with several is never
    ruled out by the part she would not join; the card says which may fit.
    """
    ruled_out = cohorts_closed(outcomes)
    if not any(ruled_out.values()):
        return []
    return [{"name": name, "ruled_out": closed} for name, closed in ruled_out.items()]


def shortlist(
    profile: Profile,
    trials: Iterable[TrialFacts],
    lexicon: Lexicon,
    *,
    sites: dict[str, list[dict[str, Any]]] | None = None,
    catalogue: dict[str, Any] | None = None,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    start = origin(profile)
    sites = sites or {}
    memo: dict = {}
    results = [screen_trial(trial, profile, lexicon, start, sites.get(trial.nct_id, ()), memo) for trial in trials]
    # By tier, then by where each trial stands within it (ranking.standing).
    places = memo.get("standing", {})
    results.sort(key=lambda result: (TIER_ORDER[result["tier"]], places[result["nct_id"]]))
    now = now or dt.datetime.now(dt.UTC)
    return {
        "schema": SCHEMA,
        "generated_at": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "catalogue": catalogue or {"source": "clinicaltrials.gov", "trials": len(results), "updated_at": None},
        "results": results,
    }


def is_not_a_fit(result: dict[str, Any]) -> bool:
    return result["tier"] == NOT_A_FIT

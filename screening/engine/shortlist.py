"""Screening a profile against trials: the shortlist of the contract (trialscreen/shortlist@1)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from screening.engine.explain import question, reason
from screening.engine.geo import miles_between, zip_point
from screening.engine.lexicon import Lexicon
from screening.engine.match import NOT_A_FIT, TIER_ORDER, UNKNOWN, TrialFacts, judge, structured_outcomes, tier
from screening.engine.profile import Profile

SCHEMA = "trialscreen/shortlist@1"
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
    located = [site for site in sites if site.get("latitude") is not None and site.get("longitude") is not None]
    if not located:
        return None
    recruiting = [site for site in located if site.get("status") in OPEN_SITE_STATUSES]
    candidates = recruiting or [site for site in located if not site.get("status")] or located
    best = min(candidates, key=lambda site: miles_between(start, (site["latitude"], site["longitude"])))
    return {
        "facility": best.get("facility", ""),
        "city": best.get("city", ""),
        "state": best.get("state", ""),
        "country": best.get("country", ""),
        "status": best.get("status") or None,
        "distance_miles": round(miles_between(start, (best["latitude"], best["longitude"])), 1),
    }


def screen_trial(
    trial: TrialFacts, profile: Profile, lexicon: Lexicon, start: tuple[float, float] | None = None, sites=()
) -> dict[str, Any]:
    outcomes = [judge(rule, profile, lexicon) for rule in trial.rules]
    structured = structured_outcomes(trial, profile)
    criteria = []
    for concept, wording, _, fits in structured:
        answer = "your answers" if fits is not None else "we do not know this yet"
        criteria.append(
            {
                "kind": "inclusion",
                "text": wording,
                "concept": concept,
                "outcome": {True: "met", False: "not_met", None: "unknown"}[fits],
                "reason": f"From the trial record: {wording.lower()}; {answer}"
                + (" fit." if fits else (" do not fit." if fits is False else ".")),
                "source": "structured",
            }
        )
    questions: list[str] = []
    for outcome in outcomes:
        entry = {
            "kind": outcome.rule.kind,
            "text": outcome.rule.text,
            "concept": outcome.rule.concept,
            "outcome": outcome.outcome,
            "reason": reason(outcome, lexicon, profile),
        }
        if outcome.rule.cohort:
            entry["cohort"] = outcome.rule.cohort
        criteria.append(entry)
        asked = question(outcome, lexicon)
        if asked and asked not in questions:
            questions.append(asked)
    for concept, wording, _, fits in structured:
        if fits is None:
            questions.insert(0, f"Do I meet this trial's {concept} limit? ({wording}.)")
    site = nearest_site(sites, start)
    return {
        "nct_id": trial.nct_id,
        "title": trial.title,
        "tier": tier(outcomes, structured),
        "nearest_site": site,
        "outside_travel_distance": bool(
            site and profile.max_travel_miles is not None and site["distance_miles"] > profile.max_travel_miles
        ),
        "criteria": criteria,
        "questions_for_oncologist": questions,
        **trial.extra,
    }


def rank_key(result: dict[str, Any]) -> tuple:
    unknowns = sum(1 for item in result["criteria"] if item["outcome"] == UNKNOWN)
    met = sum(1 for item in result["criteria"] if item["outcome"] == "met")
    distance = result["nearest_site"]["distance_miles"] if result["nearest_site"] else float("inf")
    return (TIER_ORDER[result["tier"]], result["outside_travel_distance"], unknowns, -met, distance, result["nct_id"])


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
    results = [screen_trial(trial, profile, lexicon, start, sites.get(trial.nct_id, ())) for trial in trials]
    results.sort(key=rank_key)
    now = now or dt.datetime.now(dt.UTC)
    return {
        "schema": SCHEMA,
        "generated_at": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "catalogue": catalogue or {"source": "clinicaltrials.gov", "trials": len(results), "updated_at": None},
        "results": results,
    }


def is_not_a_fit(result: dict[str, Any]) -> bool:
    return result["tier"] == NOT_A_FIT

"""Screening a profile against the catalogue: loading plain data for the engine."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Max

from screening.engine.match import TrialFacts
from screening.engine.profile import Profile
from screening.engine.rules import Rule
from screening.engine.shortlist import origin, shortlist
from screening.knowledge import current_lexicon
from screening.models import Site, SyncRun, Trial, TrialQuerySet

_rule_cache: dict[tuple[str, str], list[Rule]] = {}


def trial_facts(trials: TrialQuerySet) -> list[TrialFacts]:
    rows = trials.values_list(
        "nct_id", "title", "rules", "rules_version", "sex", "minimum_age_years", "maximum_age_years", "phases", "status"
    )
    facts = []
    for nct_id, title, rules, version, sex, low, high, phases, status in rows:
        key = (nct_id, version)
        parsed = _rule_cache.get(key)
        if parsed is None:
            parsed = [Rule.from_dict(item) for item in rules]
            _rule_cache[key] = parsed
        facts.append(TrialFacts(nct_id, title, parsed, sex, low, high, {"phases": phases.split(), "status": status}))
    return facts


def sites_by_trial(trials: TrialQuerySet) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = defaultdict(list)
    rows = Site.objects.filter(trial__in=trials, latitude__isnull=False).values(
        "trial__nct_id", "facility", "city", "state", "country", "status", "latitude", "longitude"
    )
    for row in rows:
        found[row.pop("trial__nct_id")].append(row)
    return found


def catalogue_summary() -> dict[str, Any]:
    last = SyncRun.objects.filter(outcome=SyncRun.Outcome.SUCCEEDED).first()
    updated = last.finished_at if last else Trial.objects.aggregate(latest=Max("synced_at"))["latest"]
    return {
        "source": "clinicaltrials.gov" if Trial.objects.real().exists() or not Trial.objects.exists() else "demo",
        "trials": Trial.objects.count(),
        "updated_at": updated.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if updated else None,
    }


def screen_profile(profile: Profile, trials: TrialQuerySet | None = None) -> dict[str, Any]:
    trials = trials if trials is not None else Trial.objects.all()
    sites = sites_by_trial(trials) if origin(profile) else {}
    return shortlist(profile, trial_facts(trials), current_lexicon(), sites=sites, catalogue=catalogue_summary())

"""Screening a profile against the catalogue: loading plain data for the engine."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Max

from screening.engine.match import TrialFacts, facts_of_trial
from screening.engine.profile import Profile
from screening.engine.rules import Rule
from screening.engine.shortlist import origin, shortlist
from screening.engine.study_kinds import study_kind
from screening.knowledge import current_lexicon
from screening.models import Site, SyncRun, Trial, TrialQuerySet

# Parsed trials and their sites, kept between screenings until a record or its rules change
# (the key holds the record's hash and the lexicon version its rules came from).
_facts_cache: dict[tuple[str, str, str], TrialFacts] = {}
_sites_cache: dict[tuple[str, str], list[dict[str, Any]]] = {}
CHUNK = 900  # below SQLite's limit on query parameters

FACT_FIELDS = (
    "nct_id",
    "rules_version",
    "record_hash",
    "title",
    "rules",
    "sex",
    "minimum_age_years",
    "maximum_age_years",
    "phases",
    "status",
    "conditions",
    "official_title",
    "eligibility_text",
    "study_type",
    "primary_purpose",
)


def trial_rows(trials: TrialQuerySet) -> list[tuple[int, str, str, str]]:
    return list(trials.values_list("id", "nct_id", "rules_version", "record_hash"))


def trial_facts(trials: TrialQuerySet, rows: list[tuple[int, str, str, str]] | None = None) -> list[TrialFacts]:
    rows = rows if rows is not None else trial_rows(trials)
    missing = [row[0] for row in rows if row[1:] not in _facts_cache]
    for start in range(0, len(missing), CHUNK):
        for (
            nct_id,
            version,
            digest,
            title,
            rules,
            sex,
            low,
            high,
            phases,
            status,
            conditions,
            official_title,
            criteria,
            study_type,
            primary_purpose,
        ) in Trial.objects.filter(id__in=missing[start : start + CHUNK]).values_list(*FACT_FIELDS):
            _facts_cache[(nct_id, version, digest)] = facts_of_trial(
                nct_id,
                title,
                [Rule.from_dict(item) for item in rules],
                sex=sex,
                minimum_age=low,
                maximum_age=high,
                conditions=conditions,
                titles=[title, official_title],
                criteria=criteria,
                extra={
                    "phases": phases.split(),
                    "status": status,
                    "study_kind": study_kind(study_type, primary_purpose),
                },
            )
    return [_facts_cache[row[1:]] for row in rows]


def sites_by_trial(
    trials: TrialQuerySet, rows: list[tuple[int, str, str, str]] | None = None
) -> dict[str, list[dict[str, Any]]]:
    """Sites with coordinates, per trial."""
    rows = rows if rows is not None else trial_rows(trials)
    missing = {row[0]: (row[1], row[3]) for row in rows if (row[1], row[3]) not in _sites_cache}
    ids = list(missing)
    found: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for start in range(0, len(ids), CHUNK):
        for site in Site.objects.filter(trial_id__in=ids[start : start + CHUNK], latitude__isnull=False).values(
            "trial_id", "facility", "city", "state", "country", "status", "latitude", "longitude"
        ):
            found[missing[site.pop("trial_id")]].append(site)
    for key in missing.values():
        _sites_cache[key] = found.get(key, [])
    return {nct_id: _sites_cache[(nct_id, digest)] for _, nct_id, _, digest in rows}


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
    rows = trial_rows(trials)
    sites = sites_by_trial(trials, rows) if origin(profile) else {}
    return shortlist(profile, trial_facts(trials, rows), current_lexicon(), sites=sites, catalogue=catalogue_summary())

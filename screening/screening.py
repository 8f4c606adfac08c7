"""Screening a profile against the catalogue: loading plain data for the engine."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from pathlib import Path
from typing import Any

from django.db.models import Count, Max, Min

from screening.curation.store import current_curations, reading_of
from screening.engine.match import UNKNOWN, TrialFacts, facts_of_trial
from screening.engine.profile import Profile
from screening.engine.rules import Rule
from screening.engine.shortlist import origin, shortlist
from screening.engine.study_kinds import study_kind
from screening.knowledge import current_lexicon
from screening.models import Revision, Screening, Site, SyncRun, Trial, TrialQuerySet

# Parsed trials and their sites, kept between screenings until a record or its rules change
# (the key holds the record's hash, the lexicon version its rules came from, and the digest of
# its current curation, if any).
_facts_cache: dict[tuple[str, str, str, str], TrialFacts] = {}
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
    # A trial's current curation replaces the engine's reading while its text is unchanged (reading_of).
    curations = current_curations()
    keys = [(*row[1:], curations[row[1]].digest if row[1] in curations else "") for row in rows]
    missing = [row[0] for row, key in zip(rows, keys, strict=True) if key not in _facts_cache]
    for start in range(0, len(missing), CHUNK):
        for trial in Trial.objects.filter(id__in=missing[start : start + CHUNK]).only(*FACT_FIELDS):
            curation = curations.get(trial.nct_id)
            read, reading = reading_of(curation, trial.rules, trial.eligibility_text)
            key = (trial.nct_id, trial.rules_version, trial.record_hash, curation.digest if curation else "")
            _facts_cache[key] = facts_for(trial, read, reading)
    return [_facts_cache[key] for key in keys]


def facts_for(trial: Trial, rules: list[Rule], reading: dict[str, Any]) -> TrialFacts:
    """A trial's facts for the engine, read with the given rules (the curators' preview reads a draft so)."""
    return facts_of_trial(
        trial.nct_id,
        trial.title,
        rules,
        sex=trial.sex,
        minimum_age=trial.minimum_age_years,
        maximum_age=trial.maximum_age_years,
        conditions=trial.conditions,
        titles=[trial.title, trial.official_title],
        criteria=trial.eligibility_text,
        extra={
            "phases": trial.phases.split(),
            "status": trial.status,
            "study_kind": study_kind(trial.study_type, trial.primary_purpose),
            "reading": reading,
        },
    )


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


def patient_trials() -> TrialQuerySet:
    """What a patient's shortlist covers: trials still open to her, for breast cancer or any solid tumour."""
    return Trial.objects.open().for_breast_cancer()


def _code_fingerprint() -> str:
    """Changes with the code that screens, so a deploy screens stored lists again."""
    here = Path(__file__).resolve().parent
    # curation/reading.py turns curated readings into rules: it screens too.
    sources = [*sorted((here / "engine").rglob("*.py")), here / "curation" / "reading.py", Path(__file__).resolve()]
    return hashlib.sha256(b"".join(path.read_bytes() for path in sources)).hexdigest()[:12]


SCREENING_CODE = _code_fingerprint()


def results_version() -> str:
    """What a stored shortlist was screened against, read from the database at every look.

    Any import or sync moves the trials' count or latest sync time; a new lexicon moves its
    revision and the rules' versions; so every worker and host sharing the database sees a
    change at its next request.
    """
    trials = Trial.objects.aggregate(
        count=Count("id"),
        synced=Max("synced_at"),
        left=Max("left_filter_at"),
        low=Min("rules_version"),
        high=Max("rules_version"),
    )
    revisions = sorted(Revision.objects.numbers().items())
    stamp = [trials[key].isoformat() if trials[key] else "" for key in ("synced", "left")]
    return "|".join(
        [SCREENING_CODE, str(trials["count"]), *stamp, trials["low"] or "", trials["high"] or "", str(revisions)]
    )


# What the shortlist page needs of every result to filter, count and order; the criteria are
# worked out again only for the page shown.
BRIEF_FIELDS = ("nct_id", "tier", "study_kind", "phases", "nearest_site", "outside_travel_distance", "why_near_top")


def in_brief(result: dict[str, Any]) -> dict[str, Any]:
    brief = {key: result[key] for key in BRIEF_FIELDS if key in result}
    # What a "check first" trial waits on that an answer could settle (the guidance reads it).
    brief["unsure"] = sorted(
        {
            criterion["concept"]
            for criterion in result["criteria"]
            if criterion["outcome"] == UNKNOWN and criterion["concept"] and criterion.get("firmness") != "tentative"
        }
    )
    return brief


def stored_shortlist(screening: Screening, profile: Profile) -> list[dict[str, Any]]:
    """Her shortlist in brief, best first: screened once per change of her answers or the catalogue."""
    version = results_version()
    results = screening.results_for(version)
    if results is None:
        results = [in_brief(result) for result in screen_profile(profile, patient_trials())["results"]]
        screening.keep_results(results, version)
    return results

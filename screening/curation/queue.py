"""The curators' review queue: which open trials a curation would change most for patients.

A trial comes first when patients see a reading no curator has vouched for: its curation is
stale (the criteria text changed at sync, so screening went back to the automatic reading),
or it was never curated. Within each state, trials that saved shortlists most often hold as
"check first" come first (a curation settles those for real patients), then trials with the
most unsettled criteria (not assessed or tentative), then NCT ID so the order is stable.

Everything is worked out in Python from a handful of queries, never one per trial: the
catalogue holds ~1,500 open trials and there may be thousands of saved shortlists.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.cache import cache
from django.template.defaultfilters import pluralize

from screening.curation.models import Curation
from screening.curation.reading import rules_of, text_sha256, utc_text
from screening.engine.match import CHECK_FIRST
from screening.engine.rules import Rule
from screening.models import Screening, TrialQuerySet

STALE, NEVER_CURATED, CURATED = "stale", "never_curated", "curated"
STATES = {STALE: "Stale", NEVER_CURATED: "Never curated", CURATED: "Curated and current"}
_STATE_RANK = {STALE: 0, NEVER_CURATED: 1, CURATED: 2}

# The HER2/HR groups a trial's inclusion criteria can ask for, as a curator would filter them.
HER2_POSITIVE, HER2_LOW, HER2_NEGATIVE = "her2_positive", "her2_low", "her2_negative"
HR_POSITIVE, HR_NEGATIVE, TRIPLE_NEGATIVE = "hr_positive", "hr_negative", "triple_negative"
NO_REQUIREMENT = "none"
GROUPS = {
    HER2_POSITIVE: "HER2-positive",
    HER2_LOW: "HER2-low or ultralow",
    HER2_NEGATIVE: "HER2-negative",
    HR_POSITIVE: "HR-positive",
    HR_NEGATIVE: "HR-negative",
    TRIPLE_NEGATIVE: "Triple-negative",
    NO_REQUIREMENT: "No HER2 or HR requirement",
}

# Each saved shortlist's "check first" trials, kept between looks: reading every list again
# (each lists every open trial) takes seconds once there are thousands, while few change
# between two looks at the queue.
SHORTLISTS_SEEN = "curation-queue:check-first-by-shortlist"
CHANGED_CHUNK = 500  # lists read per query, well under SQLite's limit on query parameters


@dataclass(frozen=True)
class QueueRow:
    nct_id: str
    title: str
    phase_label: str
    state: str  # STALE, NEVER_CURATED or CURATED
    curated_by: str  # the current curation's curator and day (UTC), when there is one
    curated_on: str
    not_assessed: int  # criteria shown to patients as "not assessed": the study team checks them
    tentative: int  # criteria read with doubts: they never rule a trial out
    check_first: int  # saved shortlists holding the trial as "check first"
    groups: frozenset[str]

    @property
    def unsettled(self) -> int:
        return self.not_assessed + self.tentative

    @property
    def state_label(self) -> str:
        if self.state == STALE:
            return f"Stale: text changed since {self.curated_by}'s reading of {self.curated_on}"
        if self.state == CURATED:
            return f"Curated by {self.curated_by}, {self.curated_on}"
        return STATES[NEVER_CURATED]

    @property
    def why(self) -> str:
        """What put the trial where it is, in a few words: its state, then what ranks it within it."""
        if self.state == STALE:
            return "Text changed: patients see the automatic reading again"
        shortlists = f"check first in {self.check_first} saved shortlist{pluralize(self.check_first)}"
        criteria = f"{self.unsettled} criteri{pluralize(self.unsettled, 'on,a')}"
        if self.state == NEVER_CURATED:
            if self.check_first:
                return f"Never curated, and {shortlists}"
            return f"Never curated; {criteria} unsettled" if self.unsettled else "Never curated"
        if self.check_first:
            return f"Curated, yet {shortlists}"
        return f"Curated; {criteria} still unsettled" if self.unsettled else "Curated, nothing unsettled"

    @property
    def group_labels(self) -> list[str]:
        return [label for group, label in GROUPS.items() if group in self.groups and group != NO_REQUIREMENT]

    def sort_key(self) -> tuple[int, int, int, str]:
        return (_STATE_RANK[self.state], -self.check_first, -self.unsettled, self.nct_id)


def queue_rows(trials: TrialQuerySet) -> list[QueueRow]:
    """The given trials as queue rows, most pressing first."""
    trials = trials.only("nct_id", "title", "phases", "eligibility_text", "rules")
    # Each trial's current curation with its items, in one query (store.reading_of would read
    # the items of each curated trial with a query of its own).
    curations = {
        nct_id: (sha, curated_by, utc_text(curated_at)[:10], items)
        for nct_id, sha, curated_by, curated_at, items in Curation.objects.current()
        .filter(trial__in=trials.values("id"))
        .values_list("trial__nct_id", "criteria_sha256", "curated_by", "curated_at", "criteria")
    }
    check_first = check_first_counts()
    rows = []
    for trial in trials:
        current = curations.get(trial.nct_id)
        if current is None:
            state, curated_by, curated_on = NEVER_CURATED, "", ""
        else:
            sha, curated_by, curated_on, items = current
            state = CURATED if sha == text_sha256(trial.eligibility_text) else STALE
        # The reading screening uses, as store.reading_of decides: the curation's while it is
        # current, else the engine's reading stored with the trial.
        rules = rules_of(items) if state == CURATED else [Rule.from_dict(rule) for rule in trial.rules]
        rows.append(
            QueueRow(
                nct_id=trial.nct_id,
                title=trial.title,
                phase_label=trial.phase_label,
                state=state,
                curated_by=curated_by,
                curated_on=curated_on,
                not_assessed=sum(1 for rule in rules if not rule.assessed),
                tentative=sum(1 for rule in rules if rule.assessed and not rule.firm),
                check_first=check_first[trial.nct_id],
                groups=biology_groups(rules),
            )
        )
    return sorted(rows, key=QueueRow.sort_key)


def filtered(rows: Iterable[QueueRow], state: str = "", group: str = "") -> list[QueueRow]:
    """Rows in the given curation state and HER2/HR group; an empty choice keeps every row."""
    return [row for row in rows if (not state or row.state == state) and (not group or group in row.groups)]


def biology_groups(rules: Iterable[Rule]) -> frozenset[str]:
    """The HER2/HR groups a trial's inclusion criteria ask a patient to be in.

    Only what a patient must have counts (inclusions not negated): "no prior HER2-directed
    therapy" or an exclusion of HER2-positive disease says little about whom the trial is for.
    """
    groups = set()
    for rule in rules:
        if rule.excludes:
            continue
        for constraint in rule.constraints:
            if constraint.concept == "her2":
                levels = set(constraint.value or ())
                if "positive" in levels:
                    groups.add(HER2_POSITIVE)
                if levels & {"zero", "negative"} and "positive" not in levels:
                    groups.add(HER2_NEGATIVE)
                elif levels & {"low", "ultralow"}:
                    # Low or ultralow but not HER2-negative as a whole: a trial for HER2-low disease.
                    groups.add(HER2_LOW)
            elif constraint.concept == "hormone_receptor":
                groups.add(HR_POSITIVE if constraint.value == "positive" else HR_NEGATIVE)
            elif constraint.concept == "triple_negative" and constraint.value is True:
                groups.add(TRIPLE_NEGATIVE)
    return frozenset(groups or {NO_REQUIREMENT})


def check_first_counts() -> Counter[str]:
    """How many saved shortlists hold each trial as "check first", by NCT ID."""
    saved = Screening.objects.current().filter(results__isnull=False)
    # A list's results change only with its answers (`updated_at`) or what it was screened
    # against (`results_version`): a list whose pair is unchanged is not read again.
    versions = {
        id: (updated_at.timestamp(), results_version)
        for id, updated_at, results_version in saved.values_list("id", "updated_at", "results_version")
    }
    seen = cache.get(SHORTLISTS_SEEN) or {}
    kept = {id: seen[id] for id, version in versions.items() if id in seen and seen[id][0] == version}
    changed = [id for id in versions if id not in kept]
    for start in range(0, len(changed), CHANGED_CHUNK):
        chunk = changed[start : start + CHANGED_CHUNK]
        # Row by row, not as one list: thousands of long lists held at once cost far more (memory, GC).
        for id, results in saved.filter(id__in=chunk).values_list("id", "results").iterator(chunk_size=100):
            check_first = sorted({brief["nct_id"] for brief in results if brief.get("tier") == CHECK_FIRST})
            kept[id] = (versions[id], tuple(check_first))
    if kept.keys() != seen.keys() or changed:
        cache.set(SHORTLISTS_SEEN, kept, None)  # lists gone since (expired, answered again) drop out here
    return Counter(nct_id for _, check_first in kept.values() for nct_id in check_first)

"""The reading a curator is working on: what screening uses now, and her unsaved changes to it.

A draft lives in the curator's own session until she saves it or throws it away, so nothing
she has not signed reaches a patient, and an item she edits never half-saves a curation. A
draft made against criteria text that has since changed is dropped: its items quote words
the trial may no longer say.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from screening.curation.models import Curation
from screening.curation.reading import automatic_items, dumps, text_sha256
from screening.models import Trial

DRAFTS = "curation-drafts"  # session key: {nct_id: {"criteria_sha256", "criteria", "from_version"}}


@dataclass
class Working:
    """The reading shown on a trial's review page."""

    trial: Trial
    items: list[dict[str, Any]]
    # What screening uses now: the current curation while its text is unchanged, else the engine's reading.
    in_use: list[dict[str, Any]]
    current: Curation | None  # the trial's latest curation, stale or not
    stale: bool
    drafted: bool  # `items` hold the curator's unsaved changes
    # The trial's latest curation version when the draft began (None if it had none), to tell the
    # curator when someone saved a version meanwhile.
    from_version: int | None = None
    changed: set[int] = field(default_factory=set)

    @property
    def source(self) -> str:
        return "curated" if self.current is not None and not self.stale else "automatic"

    @property
    def saved_meanwhile(self) -> bool:
        latest = self.current.id if self.current is not None else None
        return self.drafted and latest != self.from_version


def working(trial: Trial, session: Any) -> Working:
    current = trial.curations.order_by("-id").first()
    stale = current is not None and current.is_stale_for(trial.eligibility_text)
    in_use = current.criteria if current is not None and not stale else automatic_items(trial.rules)
    draft = session.get(DRAFTS, {}).get(trial.nct_id)
    if draft is not None and draft["criteria_sha256"] != text_sha256(trial.eligibility_text):
        forget(session, trial.nct_id)
        draft = None
    items = draft["criteria"] if draft is not None else in_use
    return Working(
        trial,
        items,
        in_use,
        current,
        stale,
        drafted=draft is not None,
        from_version=draft["from_version"] if draft is not None else None,
        changed=changed_items(in_use, items),
    )


def keep(session: Any, work: Working, items: list[dict[str, Any]], *, from_version: int | None = None) -> None:
    """Store `items` as the curator's draft of the trial's reading (an item edit, or a version to restore)."""
    drafts = session.get(DRAFTS, {})
    previous = drafts.get(work.trial.nct_id)
    if from_version is None:
        from_version = previous["from_version"] if previous else (work.current.id if work.current else None)
    drafts[work.trial.nct_id] = {
        "criteria_sha256": text_sha256(work.trial.eligibility_text),
        "criteria": items,
        "from_version": from_version,
    }
    session[DRAFTS] = drafts  # assigned again so the session knows it changed


def forget(session: Any, nct_id: str) -> None:
    drafts = session.get(DRAFTS, {})
    if nct_id in drafts:
        del drafts[nct_id]
        session[DRAFTS] = drafts


def changed_items(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> set[int]:
    """Indices of `after` whose item differs from the one at the same place in `before` (items are
    edited in place on the review page; `diff.changes` describes changes between any two readings)."""
    return {
        index
        for index, item in enumerate(after)
        if index >= len(before) or dumps(item) != dumps(before[index])  # dumps: key order does not count
    }

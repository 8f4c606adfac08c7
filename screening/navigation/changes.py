"""What changed in a shared case since a navigator last reviewed it.

A review keeps her shortlist in brief and her answers as they were then (`Share.reviewed_*`; the
first is what she shared). Her shortlist now is `stored_shortlist`'s, the one every page reads:
screened again once when the catalogue syncs, a curation is saved or she changes an answer, and
stored, so comparing with it costs a screening only when one was due anyway.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from django.http import Http404
from django.urls import reverse

from screening.engine.match import CHECK_FIRST, MET, NOT_A_FIT, NOT_MET, TIER_WORDS, UNKNOWN, WORTH_DISCUSSING
from screening.models import Screening, Trial, TrialStatus
from screening.navigation.models import Share
from screening.questionnaire import steps_for
from screening.questionnaire_views import answered_lines, build_form, profile_of
from screening.screening import patient_trials, screen_profile, stored_shortlist

FITS = (WORTH_DISCUSSING, CHECK_FIRST)


@dataclass(frozen=True)
class Seen:
    """Her shortlist in brief, {nct_id: {"tier", "title", "status"}}, and her answers, as a navigator saw them."""

    results: dict[str, dict[str, str]]
    answers: dict[str, Any]


def shortlist_of(screening: Screening) -> list[dict[str, Any]]:
    """Her shortlist in brief, as every page reads it (stored; screened again only when stale)."""
    return stored_shortlist(screening, profile_of(screening))


def seen_now(screening: Screening, briefs: list[dict[str, Any]]) -> Seen:
    trials = {
        nct_id: (title, status) for nct_id, title, status in patient_trials().values_list("nct_id", "title", "status")
    }
    results = {}
    for brief in briefs:
        # The title and status as they were, for a trial that later leaves the catalogue.
        title, status = trials.get(brief["nct_id"], ("", ""))
        results[brief["nct_id"]] = {"tier": brief["tier"], "title": title, "status": status}
    return Seen(results, copy.deepcopy(screening.answers))


@dataclass
class TrialChange:
    nct_id: str
    title: str
    before: str  # her tier for it at the review; "" when it was not on her shortlist
    after: str  # her tier for it now; "" when it has closed
    closed_as: str = ""  # what became of a trial that closed, in words
    deciding: dict[str, Any] | None = None  # the criterion that puts it in its tier now, as the case page quotes it
    card: str = ""  # where the case page shows it (set by the view); a closed trial's catalogue page instead

    @property
    def before_words(self) -> str:
        return TIER_WORDS.get(self.before, "")

    @property
    def after_words(self) -> str:
        return TIER_WORDS.get(self.after, "")


@dataclass
class AnswerChange:
    question: str
    before: str
    after: str


@dataclass
class Changes:
    since: dt.datetime
    by: Any  # the navigator who marked the last review, None for what she shared (or a former navigator's)
    shared: bool  # counted from what she shared: nobody has marked a review yet
    new_fits: list[TrialChange] = field(default_factory=list)
    closed: list[TrialChange] = field(default_factory=list)
    moved: list[TrialChange] = field(default_factory=list)
    answers: list[AnswerChange] = field(default_factory=list)

    @property
    def any(self) -> bool:
        return bool(self.new_fits or self.closed or self.moved or self.answers)

    @property
    def fingerprint(self) -> str:
        """Names these changes: marking them reviewed is refused if others came while the page was open."""
        listed = [
            *(["new", c.nct_id, c.before, c.after] for c in self.new_fits),
            *(["closed", c.nct_id, c.before] for c in self.closed),
            *(["moved", c.nct_id, c.before, c.after] for c in self.moved),
            *(["answer", a.question, a.before, a.after] for a in self.answers),
        ]
        return hashlib.sha256(json.dumps(listed).encode()).hexdigest()[:16]


def changes_since(share: Share, briefs: list[dict[str, Any]]) -> Changes | None:
    """What changed between the last review and her shortlist (in brief) and answers now; None when
    the share has no review to count from (shared before reviews were kept)."""
    if share.reviewed_at is None:
        return None
    before: dict[str, dict[str, str]] = share.reviewed_results
    changes = Changes(
        since=share.reviewed_at,
        by=share.reviewed_by,
        shared=share.reviewed_by_id is None and share.reviewed_at == share.created_at,
    )
    now = set()
    for brief in briefs:  # best first
        nct_id, tier = brief["nct_id"], brief["tier"]
        now.add(nct_id)
        was = before.get(nct_id, {}).get("tier", "")
        if tier in FITS and was in ("", NOT_A_FIT):
            changes.new_fits.append(TrialChange(nct_id, "", was, tier))
        elif was and was != tier:
            changes.moved.append(TrialChange(nct_id, "", was, tier))
    decided = set(share.decisions.values_list("nct_id", flat=True))
    for nct_id, item in before.items():
        # A trial she was unlikely to fit closing is no news, unless a navigator had decided on it.
        if nct_id not in now and (item["tier"] in FITS or nct_id in decided):
            changes.closed.append(TrialChange(nct_id, item["title"], item["tier"], ""))
    changes.answers = answer_changes(share.reviewed_answers, share.screening.answers)
    return changes


def explain(changes: Changes, screening: Screening) -> Changes:
    """Titles, the engine's reason for each new tier, and what became of each closed trial."""
    current = changes.new_fits + changes.moved
    if current:
        # Screened in full for these few trials only, as the case page does for the cards it shows.
        trials = Trial.objects.filter(nct_id__in=[c.nct_id for c in current])
        full = {r["nct_id"]: r for r in screen_profile(profile_of(screening), trials)["results"]}
        for change in current:
            result = full.get(change.nct_id)
            if result is not None:
                change.title, change.deciding = result["title"], deciding_criterion(result)
    if changes.closed:
        trials = {t.nct_id: t for t in Trial.objects.filter(nct_id__in=[c.nct_id for c in changes.closed])}
        for change in changes.closed:
            trial = trials.get(change.nct_id)
            change.closed_as = closed_as(trial)
            if trial is not None:
                change.card = reverse("screening:trial-detail", args=[trial.nct_id])
    return changes


def deciding_criterion(result: dict[str, Any]) -> dict[str, Any] | None:
    """The criterion that puts a trial in its tier, as the engine's `tier` decides it: the first one
    against her for "probably not a fit", the first still unknown for "check first", and for "worth
    discussing" the first she meets."""
    criteria = sorted(result["criteria"], key=lambda c: c.get("firmness") == "tentative")  # firm ones first

    def decides(criterion: dict[str, Any]) -> bool:
        outcome, cohort = criterion["outcome"], criterion.get("cohort")
        if result["tier"] == NOT_A_FIT:
            return outcome == NOT_MET and not cohort
        if result["tier"] == CHECK_FIRST:
            return outcome == UNKNOWN or (outcome == NOT_MET and bool(cohort))
        return outcome == MET

    return next((criterion for criterion in criteria if decides(criterion)), None)


def closed_as(trial: Trial | None) -> str:
    if trial is None:
        return "gone from the catalogue"
    if not trial.is_open:
        if trial.left_filter_at is not None:
            return "no longer recruiting (it left ClinicalTrials.gov's list of recruiting trials)"
        status = TrialStatus(trial.status).label if trial.status in TrialStatus.values else trial.status
        return f"no longer recruiting (now “{status.lower()}”)"
    return "no longer on her shortlist"


NOT_ASKED_THEN, NO_LONGER_ASKED = "Not asked then", "No longer asked"


def answer_lines(answers: dict[str, Any]) -> dict[tuple[str, str], tuple[str, str]]:
    """Each question asked, with her answer in words as the case page shows it, by step and question."""
    held = Screening(answers=answers)  # never saved: the forms read only its answers
    lines = {}
    for step in steps_for(answers):
        for question, answer in answered_lines(build_form(step, held, answered=True)):
            lines[(step.slug, question)] = (question, answer)
    return lines


def answer_changes(before: dict[str, Any], after: dict[str, Any]) -> list[AnswerChange]:
    if before == after:
        return []
    old, new = answer_lines(before), answer_lines(after)
    changed = []
    # In the order she answers them now; then the questions she is no longer asked.
    for key in [*new, *(key for key in old if key not in new)]:
        question = (new.get(key) or old[key])[0]
        was, now = old.get(key, (question, NOT_ASKED_THEN))[1], new.get(key, (question, NO_LONGER_ASKED))[1]
        if was != now:
            changed.append(AnswerChange(question, was, now))
    return changed


def has_unreviewed_changes(share: Share) -> bool:
    """For the queue: whether her case shows anything under "What changed"."""
    try:
        briefs = shortlist_of(share.screening)
    except Http404:  # answers an older version of the questions saved: her case page says so
        return False
    changes = changes_since(share, briefs)
    return bool(changes and changes.any)

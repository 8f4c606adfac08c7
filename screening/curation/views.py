"""A curator's review of one trial's reading: the text beside the reading, editing an item,
the preview of what a change does, saving it signed, and the trial's history.

Edits gather in the curator's draft (`drafts`) until she saves them with a note from the
preview; saving stores a new version with `store.save`, as `load_curated` does.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from screening.curation import drafts, preview
from screening.curation.diff import changes
from screening.curation.forms import ConstraintFormSet, ItemForm, SaveForm, checked_item, initial_forms
from screening.curation.models import Curation
from screening.curation.passages import passages
from screening.curation.reading import RULE, SCHEMA, STUDY_TEAM, check, text_sha256, utc_text
from screening.curation.store import catalogued, save
from screening.engine.facts import describe, listed
from screening.engine.firmness import in_words
from screening.engine.rules import Constraint
from screening.engine.vocabulary import TERMS
from screening.knowledge import current_lexicon
from screening.models import Trial
from screening.staff.roles import curator_required


@dataclass(frozen=True)
class ItemView:
    """One item of the reading as the review page shows it."""

    index: int
    item: dict[str, Any]
    changed: bool

    @property
    def number(self) -> int:
        return self.index + 1

    @property
    def data(self) -> str:
        return json.dumps(self.item, indent=2, ensure_ascii=False, sort_keys=True)

    @property
    def tentative(self) -> str:
        return in_words(tuple(self.item.get("doubts", ())))

    def plain(self) -> str:
        item = self.item
        if item["reading"] == STUDY_TEAM:
            return "Not assessed: the study team will check this."
        if item["reading"] != RULE:
            return "Not a criterion: not shown to patients."
        lexicon = current_lexicon()
        facts = [describe(Constraint.from_dict(constraint), lexicon) for constraint in item["constraints"]]
        must_not = (item["kind"] == "exclusion") != item.get("negated", False)
        joined = listed(facts, "or" if item.get("logic") == "any" else "and")
        return f"{'Must not have' if must_not else 'Must have'}: {joined}."


def items_shown(work: drafts.Working) -> list[ItemView]:
    return [ItemView(index, item, index in work.changed) for index, item in enumerate(work.items)]


def _trial(nct_id: str) -> Trial:
    return get_object_or_404(Trial, nct_id=nct_id)


def _page(request: HttpRequest, work: drafts.Working, **context: Any) -> dict[str, Any]:
    return {"trial": work.trial, "work": work, "section": "queue", "vocabulary": TERMS, **context}


@require_safe
@curator_required
def trial(request: HttpRequest, nct_id: str) -> HttpResponse:
    work = drafts.working(_trial(nct_id), request.session)
    context = _page(
        request,
        work,
        items=items_shown(work),
        passages=passages(work.trial.eligibility_text, work.items),
    )
    return TemplateResponse(request, "curation/trial.html", context)


def _item_of(work: drafts.Working, index: int) -> dict[str, Any]:
    if index >= len(work.items):
        raise Http404("This trial's reading has no such item.")
    return work.items[index]


@require_safe
@curator_required
def item(request: HttpRequest, nct_id: str, index: int) -> HttpResponse:
    """An item's card: where an inline edit is cancelled back to."""
    work = drafts.working(_trial(nct_id), request.session)
    _item_of(work, index)
    if not request.htmx:
        return redirect(f"{reverse('curation:trial', args=[nct_id])}#item-{index}")
    shown = ItemView(index, work.items[index], index in work.changed)
    return TemplateResponse(request, "curation/trial.html#item", _page(request, work, shown=shown))


@require_http_methods(["GET", "HEAD", "POST"])
@curator_required
def edit_item(request: HttpRequest, nct_id: str, index: int) -> HttpResponse:
    trial_ = _trial(nct_id)
    work = drafts.working(trial_, request.session)
    original = _item_of(work, index)
    if request.method == "POST":
        form = ItemForm(request.POST, prefix=f"item-{index}")
        constraints = ConstraintFormSet(request.POST, prefix=f"constraints-{index}")
        edited = checked_item(form, constraints, original, current_lexicon(), trial_.eligibility_text)
        if edited is not None:
            items = [*work.items[:index], edited, *work.items[index + 1 :]]
            drafts.keep(request.session, work, items)
            if request.htmx:
                work = drafts.working(trial_, request.session)
                shown = ItemView(index, work.items[index], index in work.changed)
                return TemplateResponse(
                    request, "curation/item_saved.html", _page(request, work, shown=shown, saved=True)
                )
            messages.success(request, f"Item {index + 1} is changed in your draft. Preview and save to sign it off.")
            return redirect(f"{reverse('curation:trial', args=[nct_id])}#item-{index}")
        status = 200 if request.htmx else 400  # htmx swaps only a 2xx answer
    else:
        initial, rows = initial_forms(original)
        form = ItemForm(prefix=f"item-{index}", initial=initial)
        constraints = ConstraintFormSet(prefix=f"constraints-{index}", initial=rows)
        status = 200
    shown = ItemView(index, original, index in work.changed)
    context = _page(request, work, shown=shown, form=form, constraints=constraints)
    template = "curation/trial.html#item-form" if request.htmx else "curation/item.html"
    return TemplateResponse(request, template, context, status=status)


@require_safe
@curator_required
def preview_changes(request: HttpRequest, nct_id: str) -> HttpResponse:
    work = drafts.working(_trial(nct_id), request.session)
    return _preview_page(request, work, SaveForm())


def _preview_page(request: HttpRequest, work: drafts.Working, form: SaveForm, status: int = 200) -> HttpResponse:
    samples = preview.gold_samples() + preview.saved_samples()
    context = _page(
        request,
        work,
        form=form,
        effect=preview.effect(work.trial, work.in_use, work.items, samples),
        changes=changes(work.in_use, work.items),
        unchanged_current=work.source == "curated" and not work.changed,
    )
    template = "curation/trial.html#preview" if request.htmx else "curation/preview.html"
    return TemplateResponse(request, template, context, status=status)


@require_POST
@curator_required
def save_reading(request: HttpRequest, nct_id: str) -> HttpResponse:
    trial_ = _trial(nct_id)
    work = drafts.working(trial_, request.session)
    form = SaveForm(request.POST)
    if not form.is_valid():
        return _preview_page(request, work, form, status=400)
    if work.source == "curated" and not work.changed:
        drafts.forget(request.session, nct_id)
        messages.info(request, "Nothing to save: this reading is already the trial's current curation.")
        return redirect("curation:trial", nct_id=nct_id)
    data = {
        "schema": SCHEMA,
        "nct_id": trial_.nct_id,
        "criteria_sha256": text_sha256(trial_.eligibility_text),
        "curated_by": request.user.get_username(),
        "curated_at": utc_text(timezone.now()),
        "note": form.cleaned_data["note"],
        "criteria": work.items,
    }
    curation, problems = check(data, current_lexicon(), catalogued(trial_))
    if curation is None:
        for problem in problems:
            form.add_error(None, str(problem))
        return _preview_page(request, work, form, status=400)
    save(trial_, curation)
    drafts.forget(request.session, nct_id)
    messages.success(
        request, "Saved and signed. Patients' shortlists read this trial with your reading from their next look."
    )
    return redirect("curation:trial", nct_id=nct_id)


@require_POST
@curator_required
def discard_draft(request: HttpRequest, nct_id: str) -> HttpResponse:
    trial_ = _trial(nct_id)
    drafts.forget(request.session, trial_.nct_id)
    messages.info(request, "Your unsaved changes are discarded.")
    return redirect("curation:trial", nct_id=nct_id)


@dataclass(frozen=True)
class VersionView:
    version: Curation
    changes: list
    stale: bool
    current: bool


@require_safe
@curator_required
def history(request: HttpRequest, nct_id: str) -> HttpResponse:
    trial_ = _trial(nct_id)
    versions = list(trial_.curations.order_by("-id"))
    shown = [
        VersionView(
            version,
            changes(versions[place + 1].criteria, version.criteria) if place + 1 < len(versions) else [],
            version.is_stale_for(trial_.eligibility_text),
            place == 0,
        )
        for place, version in enumerate(versions)
    ]
    work = drafts.working(trial_, request.session)
    return TemplateResponse(request, "curation/history.html", _page(request, work, versions=shown))


@require_POST
@curator_required
def restore(request: HttpRequest, nct_id: str, version: int) -> HttpResponse:
    trial_ = _trial(nct_id)
    earlier: Model = get_object_or_404(Curation, trial=trial_, id=version)
    if earlier.is_stale_for(trial_.eligibility_text):
        messages.error(
            request,
            "That version was made against an earlier text of the criteria, so its words may no longer be "
            "the trial's: it cannot be restored. Edit the current reading instead.",
        )
        return redirect("curation:history", nct_id=nct_id)
    work = drafts.working(trial_, request.session)
    drafts.keep(request.session, work, earlier.criteria)
    messages.success(
        request,
        f"The version {earlier.curated_by} saved on {utc_text(earlier.curated_at)} is now your draft. "
        "Preview and save it to restore it.",
    )
    return redirect("curation:trial", nct_id=nct_id)

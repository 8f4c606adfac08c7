"""Sharing, on the patient's side (behind her private link), and the care navigators' workspace at /navigate/.

Every navigator page is for the navigator role; a case is found by its share code, and a code that
is unknown, stopped or past its retention gives the same 404, so lookups say nothing about which
codes exist. Case lookups are counted per user (screening.limits), and every view of a case is
written to the audit log.
"""

from __future__ import annotations

from typing import Any

from auditlog.signals import accessed
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers
from django_ratelimit.decorators import ratelimit

from screening.engine.match import NOT_A_FIT, TIER_WORDS
from screening.limits import rate
from screening.models import Trial
from screening.navigation.changes import (
    Changes,
    changes_since,
    explain,
    has_unreviewed_changes,
    seen_now,
    shortlist_of,
)
from screening.navigation.forms import CaseStatusForm, ContactForm, DecisionForm, NoteForm, QueueFilterForm, ShareForm
from screening.navigation.models import CaseStillOpen, Share
from screening.questionnaire import steps_for
from screening.questionnaire_views import answered_lines, build_form, first_by_reason, profile_of, screening_for
from screening.screening import screen_profile, stored_shortlist
from screening.staff.roles import navigator_required

PAGE_SIZE = 20
NOT_SURE = ("Not sure", "None given")


# --- The patient's side --------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def share(request: HttpRequest, token: str) -> HttpResponse:
    screening = screening_for(token)
    active = Share.objects.filter(screening=screening, stopped_at__isnull=True).first()
    form = ShareForm()
    if request.method == "POST" and active is None:
        form = ShareForm(request.POST)
        if form.is_valid():
            # What she shares now is what navigators see changes against, until one marks a review.
            seen = seen_now(screening, shortlist_of(screening))
            Share.begin(screening, **form.cleaned_data, seen=seen)
            # After a post, a page of its own: a reload must not share again.
            return redirect("navigation:share", token=token)
    stopped = active is None and screening.shares.exists()
    return TemplateResponse(
        request, "navigation/share.html", {"token": token, "share": active, "form": form, "stopped": stopped}
    )


@require_POST
def stop_sharing(request: HttpRequest, token: str) -> HttpResponse:
    screening = screening_for(token)
    for active in Share.objects.filter(screening=screening, stopped_at__isnull=True):
        active.stop()
    return redirect("navigation:share", token=token)


# --- The navigators' workspace -----------------------------------------------------------


@require_safe
@navigator_required
@vary_on_headers("HX-Request")
def queue(request: HttpRequest) -> HttpResponse:
    form = QueueFilterForm(request.GET)
    form.is_valid()
    chosen = {name: form.cleaned_data.get(name) or "" for name in form.fields}
    shares = Share.objects.active().select_related("screening", "reviewed_by")
    if chosen["status"]:
        shares = shares.filter(status=chosen["status"])
    shares = shares.search(chosen["q"])
    template = "navigation/queue.html"
    if request.htmx and not request.htmx.boosted:
        template += "#results"
    page = Paginator(shares, 50).get_page(request.GET.get("page"))
    for item in page:
        # Her stored shortlist, screened again here only if a sync or her answers made it stale.
        item.unreviewed = has_unreviewed_changes(item)
    return TemplateResponse(request, template, {"form": form, "page": page})


def lookup_limited(view):
    """Counts a navigator's case lookups, right code or wrong, so codes cannot be tried in bulk."""
    return ratelimit(group="share-lookup", key="user", rate=rate, method=ratelimit.ALL)(view)


def open_share(code: str) -> Share:
    found = Share.objects.opened(code)
    if found is None:
        # One answer whatever the reason: unknown, stopped and expired look the same.
        raise Http404("There is no shared shortlist with this code.")
    return found


def case_url(found: Share, fragment: str = "", tier: str = "") -> str:
    """Back to the case page, at the part of her shortlist the form was posted from."""
    query = f"?tier={tier}" if tier in TIER_WORDS else ""
    return reverse("navigation:case", args=[found.code]) + query + (f"#{fragment}" if fragment else "")


def engine_tier(briefs: list[dict[str, Any]], nct_id: str) -> str:
    for brief in briefs:
        if brief["nct_id"] == nct_id:
            return brief["tier"]
    raise Http404("This trial is not on her shortlist.")


def card_url(found: Share, briefs: list[dict[str, Any]], nct_id: str, tier: str) -> str:
    """A trial's card on the case page: in its tier's list, on the page of it that holds the card."""
    same_tier = [b["nct_id"] for b in briefs if b["tier"] == tier]
    page = same_tier.index(nct_id) // PAGE_SIZE + 1 if nct_id in same_tier else 1
    query = f"?tier={tier}" + (f"&page={page}" if page > 1 else "")
    return reverse("navigation:case", args=[found.code]) + query + f"#trial-{nct_id}"


def explained_changes(found: Share, briefs: list[dict[str, Any]]) -> Changes | None:
    changes = changes_since(found, briefs)
    if changes is None or not changes.any:
        return changes
    explain(changes, found.screening)
    for change in changes.new_fits + changes.moved:
        change.card = card_url(found, briefs, change.nct_id, change.after)
    return changes


def case_context(
    request: HttpRequest, found: Share, *, only: str = "", bound: dict | None = None, stale: bool = False
) -> dict[str, Any]:
    """The case page: her answers, her shortlist by tier with the engine's reasons, and the navigators' work.

    `only` shows one trial (the one whose form came back with a message); `bound` holds forms as posted;
    `stale` says that marking changes reviewed was refused because others came meanwhile.
    """
    bound = bound or {}
    screening = found.screening
    profile = profile_of(screening)
    briefs = stored_shortlist(screening, profile)
    tier = request.GET.get("tier", "possible")
    if only:
        shown = [b for b in briefs if b["nct_id"] == only]
    elif tier in TIER_WORDS:
        shown = [b for b in briefs if b["tier"] == tier]
    else:
        tier = "possible"
        shown = [b for b in briefs if b["tier"] != NOT_A_FIT]
    page = Paginator(shown, PAGE_SIZE).get_page(request.GET.get("page"))
    shown_ids = [b["nct_id"] for b in page]
    document = screen_profile(profile, Trial.objects.filter(nct_id__in=shown_ids))
    full = {r["nct_id"]: r for r in document["results"]}
    decisions = {d.nct_id: d for d in found.decisions.select_related("navigator")}
    contacts: dict[str, list] = {}
    for contact in found.contacts.select_related("navigator"):
        contacts.setdefault(contact.nct_id, []).append(contact)
    notes: dict[str, list] = {}
    for note in found.notes.select_related("author"):
        notes.setdefault(note.nct_id, []).append(note)
    results = []
    for nct_id in shown_ids:
        if nct_id not in full:
            continue
        result = full[nct_id]
        result["met"] = first_by_reason(result["criteria"], "met")
        result["not_met"] = first_by_reason(result["criteria"], "not_met")
        result["tier_words"] = TIER_WORDS[result["tier"]]
        result["decision"] = decisions.get(nct_id)
        result["decision_form"] = bound.get(("decision", nct_id)) or decision_form(
            nct_id, result["tier"], decisions.get(nct_id)
        )
        result["notes"] = notes.get(nct_id, [])
        result["note_form"] = bound.get(("note", nct_id)) or NoteForm(prefix=f"note-{nct_id}")
        result["contacts"] = contacts.get(nct_id, [])
        result["contact_form"] = bound.get(("contact", nct_id)) or ContactForm(prefix=f"contact-{nct_id}")
        results.append(result)
    page.object_list = results
    sections = []
    for step in steps_for(screening.answers):
        lines = [
            (question, answer, answer in NOT_SURE)
            for question, answer in answered_lines(build_form(step, screening, answered=True))
        ]
        sections.append((step, lines))
    query = request.GET.copy()
    query.pop("page", None)
    counts = {key: sum(1 for b in briefs if b["tier"] == key) for key in TIER_WORDS}
    return {
        "share": found,
        "sections": sections,
        "unsure_count": sum(1 for _, lines in sections for *_, unsure in lines if unsure),
        "page": page,
        "tier": tier,
        "tiers": TIER_WORDS,
        "only": only,
        "query": query.urlencode(),
        "counts": counts,
        "tier_links": [(key, label, counts[key]) for key, label in TIER_WORDS.items()],
        "general_notes": notes.get("", []),
        "note_form": bound.get(("note", "")) or NoteForm(prefix="note"),
        "status_form": bound.get("status") or CaseStatusForm(initial={"status": found.status}),
        "catalogue": document["catalogue"],
        "changes": explained_changes(found, briefs),
        "stale": stale,
    }


def decision_form(nct_id: str, tier: str, decision=None, data=None) -> DecisionForm:
    initial = {"status": decision.status, "reason": decision.reason} if decision else {}
    # One form per trial card on a page: each with ids of its own, so each label names its own field.
    return DecisionForm(data, engine_tier=tier, initial=initial, prefix="decision", auto_id=f"id_%s-{nct_id}")


@require_safe
@navigator_required
@lookup_limited
def case(request: HttpRequest, code: str) -> HttpResponse:
    found = open_share(code)
    # Recorded with the signed-in navigator as actor (auditlog's middleware), as an ACCESS entry.
    accessed.send(Share, instance=found)
    return TemplateResponse(request, "navigation/case.html", case_context(request, found))


@require_POST
@navigator_required
@lookup_limited
def decide(request: HttpRequest, code: str, nct_id: str) -> HttpResponse:
    found = open_share(code)
    tier = engine_tier(shortlist_of(found.screening), nct_id)
    form = decision_form(nct_id, tier, data=request.POST)
    saved = form.is_valid()
    if saved:
        decision = found.decide(
            nct_id,
            status=form.cleaned_data["status"],
            reason=form.cleaned_data["reason"],
            navigator=request.user,
            engine_tier=tier,
        )
        if not request.htmx:
            return redirect(case_url(found, f"trial-{nct_id}", request.POST.get("tier", "")))
        form = decision_form(nct_id, tier, decision)
    else:
        decision = found.decisions.filter(nct_id=nct_id).first()
    if request.htmx:
        # 200 when refused too, not 422: htmx swaps only successful answers, and the message must
        # appear beside the field.
        result = {
            "nct_id": nct_id,
            "tier": tier,
            "tier_words": TIER_WORDS[tier],
            "decision": decision,
            "decision_form": form,
        }
        return TemplateResponse(
            request, "navigation/case.html#decision", {"share": found, "result": result, "saved": saved}
        )
    return TemplateResponse(
        request, "navigation/case.html", case_context(request, found, only=nct_id, bound={("decision", nct_id): form})
    )


@require_POST
@navigator_required
@lookup_limited
def add_note(request: HttpRequest, code: str) -> HttpResponse:
    found = open_share(code)
    nct_id = request.POST.get("nct_id", "")
    if nct_id:
        engine_tier(shortlist_of(found.screening), nct_id)  # a note about a trial on her shortlist only
    prefix = f"note-{nct_id}" if nct_id else "note"
    form = NoteForm(request.POST, prefix=prefix)
    if form.is_valid():
        found.add_note(
            form.cleaned_data["text"],
            author=request.user,
            nct_id=nct_id,
            visible_to_patient=form.cleaned_data["visible_to_patient"],
        )
        return redirect(case_url(found, f"notes-{nct_id}" if nct_id else "notes", request.POST.get("tier", "")))
    return TemplateResponse(
        request, "navigation/case.html", case_context(request, found, only=nct_id, bound={("note", nct_id): form})
    )


@require_POST
@navigator_required
@lookup_limited
def log_contact(request: HttpRequest, code: str, nct_id: str) -> HttpResponse:
    found = open_share(code)
    engine_tier(shortlist_of(found.screening), nct_id)  # a contact about a trial on her shortlist only
    form = ContactForm(request.POST, prefix=f"contact-{nct_id}")
    if form.is_valid():
        found.log_contact(nct_id, navigator=request.user, **form.cleaned_data)
        return redirect(case_url(found, f"contacts-{nct_id}", request.POST.get("tier", "")))
    return TemplateResponse(
        request, "navigation/case.html", case_context(request, found, only=nct_id, bound={("contact", nct_id): form})
    )


@require_POST
@navigator_required
@lookup_limited
def set_status(request: HttpRequest, code: str) -> HttpResponse:
    found = open_share(code)
    form = CaseStatusForm(request.POST)
    if form.is_valid():
        found.set_status(form.cleaned_data["status"])
        return redirect(case_url(found, "case-status"))
    return TemplateResponse(request, "navigation/case.html", case_context(request, found, bound={"status": form}))


@require_POST
@navigator_required
@lookup_limited
def mark_reviewed(request: HttpRequest, code: str) -> HttpResponse:
    found = open_share(code)
    briefs = shortlist_of(found.screening)
    changes = changes_since(found, briefs)
    # Nothing left to mark: another navigator marked them meanwhile, or she changed an answer back.
    nothing_left = changes is not None and not changes.any
    # Only what the navigator read: if other changes came while the page was open, show them first.
    stale = not nothing_left and request.POST.get("seen", "") != (changes.fingerprint if changes else "")
    marked = not (stale or nothing_left)
    if marked:
        found.mark_reviewed(seen_now(found.screening, briefs), navigator=request.user)
    if request.htmx:
        context = {"share": found, "changes": explained_changes(found, briefs), "stale": stale, "marked": marked}
        return TemplateResponse(request, "navigation/case.html#changes", context)
    if not stale:
        return redirect(case_url(found, "changes"))
    return TemplateResponse(request, "navigation/case.html", case_context(request, found, stale=True))


@require_http_methods(["GET", "HEAD", "POST"])
@navigator_required
@lookup_limited
def delete_case(request: HttpRequest, code: str) -> HttpResponse:
    """Deleting a closed case before her retention period ends, after a confirmation page."""
    found = open_share(code)
    if request.method == "POST":
        try:
            found.delete_early()
        except CaseStillOpen:
            found.refresh_from_db()
        else:
            messages.success(
                request,
                f"Case {found.grouped_code} is deleted, with its decisions, notes and site contacts. "
                "Her answers and shortlist stay hers.",
            )
            return redirect("navigation:queue")
    context = {
        "share": found,
        "refused": request.method == "POST",
        "counts": {
            "decisions": found.decisions.count(),
            "notes": found.notes.count(),
            "contacts": found.contacts.count(),
        },
    }
    # 409 for a post refused because the case is open: nothing is wrong with the request, only the case's state.
    return TemplateResponse(request, "navigation/delete.html", context, status=409 if context["refused"] else 200)

"""The patient's path: start, the questionnaire one step at a time, review, shortlist and
the discussion sheet. Every page works as plain links and form posts; htmx swaps a step in
place and keeps each step's URL in the history."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import BadRequest
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect, push_url
from django_ratelimit.decorators import ratelimit

from screening.engine.match import NOT_A_FIT, TIER_WORDS
from screening.engine.profile import ProfileError, load_profile
from screening.engine.shortlist import origin
from screening.engine.study_kinds import KINDS, TREATMENT
from screening.guidance import answers_that_narrow
from screening.knowledge import current_lexicon
from screening.limits import UnknownToken, rate
from screening.models import PHASE_WORDS, Screening, Trial
from screening.navigation.models import from_navigator
from screening.questionnaire import (
    STEP_BY_SLUG,
    STEPS,
    Step,
    StepForm,
    as_profile,
    next_step,
    previous_step,
    set_back_contradicted,
    steps_for,
)
from screening.screening import patient_trials, screen_profile, stored_shortlist
from screening.sheet_pdf import write_pdf

PAGE_SIZE = 20


def screening_for(token: str) -> Screening:
    screening = Screening.objects.for_token(token)
    if screening is None:
        # Its own kind of 404, so screening.limits can count guesses at private links.
        raise UnknownToken("This link has expired or is not valid.")
    return screening


def agent_groups() -> list[tuple[str, list[tuple[str, str]]]]:
    """Medicines to pick from, by kind of treatment, with their brand names."""
    lexicon = current_lexicon()
    groups = []
    for drug_class in lexicon.classes.values():
        if drug_class.parent is not None or not drug_class.profile_key:
            continue
        members = sorted(lexicon.members(drug_class.key))
        choices = []
        for name in members:
            brands = [
                brand
                for brand in lexicon.drugs[name].brands
                if brand[:1].isupper() and not any(c.isdigit() for c in brand)
            ]
            choices.append((name, f"{name} ({', '.join(brands[:2])})" if brands else name))
        if choices:
            groups.append((drug_class.label, choices))
    return groups


def build_form(step: Step, screening: Screening, data: Any = None, *, answered: bool = False):
    """The step's form: bound to a post, or showing what was saved (nothing pre-ticked on a first visit)."""
    kwargs = {"agent_groups": agent_groups()} if step.slug == "treatments" else {}
    form = step.form(data, **kwargs)
    if data is None and (answered or step.slug in screening.steps_done):
        form.initial = form.load(screening.answers)
    return form


def step_url(screening_token: str, step: Step | None) -> str:
    if step is None:
        return reverse("screening:review", args=[screening_token])
    return reverse("screening:step", args=[screening_token, step.slug])


@require_http_methods(["GET", "HEAD", "POST"])
@ratelimit(group="start", key="ip", rate=rate, method="POST")  # past it, screening.limits.too_many_requests
def start(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        _, token = Screening.begin()
        return redirect("screening:step", token=token, slug=STEPS[0].slug)
    return TemplateResponse(
        request,
        "screening/start.html",
        {
            "steps": STEPS,
            "retention_days": settings.SCREENING_RETENTION_DAYS,
            "open_trials": Trial.objects.open().for_breast_cancer().count(),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@vary_on_headers("HX-Request")
def step(request: HttpRequest, token: str, slug: str) -> HttpResponse:
    screening = screening_for(token)
    current = STEP_BY_SLUG.get(slug)
    if current is None:
        raise Http404("There is no such question.")
    if request.method == "POST":
        form = posted_form(request, current, screening)
        if form.is_valid() and form.agrees_with(screening.answers):
            answers = copy.deepcopy(screening.answers)
            form.save(answers)
            set_back = set_back_contradicted(answers)
            screening.record(current.slug, answers)
            following = next_step(answers, current)
            target = step_url(token, following)
            recheck = set_back.get(following.slug, {}) if following else {}
            if recheck:
                # The next step shows the answer it lost and why, and does again on a reload.
                target = f"{target}?{urlencode(recheck)}"
            if request.htmx and following is not None:
                # Show the next step in place and give it its own URL, so Back returns here.
                response = render_step(request, screening, token, following, shown_form(following, screening, recheck))
                return push_url(response, target)
            if request.htmx:
                return HttpResponseClientRedirect(target)  # the review is a page of its own
            return redirect(target)
        # Errors are shown beside the fields with everything entered kept; nothing saved is lost.
    else:
        form = shown_form(current, screening, request.GET)
    return render_step(request, screening, token, current, form)


# What browsers and htmx post a form as. The steps upload no files, but Django's test client
# and any form given enctype="multipart/form-data" send multipart, so well-formed multipart is read too.
FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def posted_form(request: HttpRequest, current: Step, screening: Screening) -> StepForm:
    """The step's form bound to the post, or BadRequest (the 400 page) when the body is not its form.

    Django reads a body of another kind, or a multipart body it cannot make out, as a form with
    nothing ticked, and saving that would set every answer on the step back to "Not sure".
    """
    if request.content_type not in FORM_CONTENT_TYPES:
        raise BadRequest("A step takes its form, form-encoded.")
    posted = request.POST  # a multipart body with no boundary raises MultiPartParserError: a 400 as well
    if request.FILES:
        raise BadRequest("The questions take no files.")
    form = build_form(current, screening, posted)
    if posted and not {*form.fields, "csrfmiddlewaretoken"}.intersection(posted):
        raise BadRequest("None of the posted names is a question of this step.")  # JSON labelled as a form
    if not posted and request.content_type == "multipart/form-data":
        # A blank form is the closing boundary alone; a longer body that gave no field was not read.
        boundary = request.content_params.get("boundary", "")
        if int(request.META.get("CONTENT_LENGTH") or 0) > len(f"--{boundary}--\r\n") + 2:
            raise BadRequest("The form could not be read.")
    return form


def shown_form(current: Step, screening: Screening, query: Mapping[str, Any]) -> StepForm:
    """The step as saved; or, when the link carries answers just set back to "Not sure", those, with why.

    Only answers to the step's own questions, each possible alone but contradicting what the other
    steps saved, are shown this way, marked as needing a look; any other link shows what is saved.
    """
    form = build_form(current, screening)
    if query and set(query) <= set(form.fields):
        recheck = build_form(current, screening, query)
        if recheck.is_valid() and not recheck.agrees_with(screening.answers):
            return recheck
    return form


def render_step(request: HttpRequest, screening: Screening, token: str, current: Step, form) -> TemplateResponse:
    visible = steps_for(screening.answers)
    if current not in visible:
        visible = [s for s in STEPS if s in visible or s is current]
    template = "screening/step.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#step"
    return TemplateResponse(
        request,
        template,
        {
            "token": token,
            "screening": screening,
            "step": current,
            "form": form,
            "steps": visible,
            "position": visible.index(current) + 1,
            "previous": previous_step(screening.answers, current),
            "resume_url": request.build_absolute_uri(step_url(token, current)),
        },
    )


@require_safe
def glossary(request: HttpRequest) -> HttpResponse:
    return TemplateResponse(request, "screening/glossary.html")


@require_safe
def review(request: HttpRequest, token: str) -> HttpResponse:
    screening = screening_for(token)
    sections = []
    for item in steps_for(screening.answers):
        form = build_form(item, screening, answered=True)
        sections.append((item, answered_lines(form)))
    return TemplateResponse(
        request,
        "screening/review.html",
        {"token": token, "sections": sections, "resume_url": request.build_absolute_uri(request.path)},
    )


def answered_lines(form) -> list[tuple[str, str]]:
    """Each question of a step with the answer given, in words ("Not sure" when none)."""
    lines = []
    for name, field in form.fields.items():
        value = form.initial.get(name)
        if name == "sites_unsure":
            continue
        choices = dict(getattr(field, "choices", []) or [])
        if isinstance(value, list):
            text = ", ".join(str(choices.get(v, v)) for v in value) or "Not sure"
        elif value in (None, "", "unsure"):
            text = "Not sure" if name not in ("other_agents", "postal_code") else "None given"
        else:
            text = str(choices.get(value, value))
        lines.append((str(field.label), text))
    return lines


def profile_of(screening: Screening):
    try:
        return load_profile(as_profile(screening.answers))
    except ProfileError as error:  # answers saved by an older version of the questions
        raise Http404(f"These answers cannot be read any more: {error}") from None


def first_by_reason(criteria: list[dict[str, Any]], outcome: str) -> list[dict[str, Any]]:
    """Criteria with this outcome, one per reason: a reason met in several cohorts is said once, quoting the first."""
    found: dict[str, dict[str, Any]] = {}
    for criterion in criteria:
        if criterion["outcome"] == outcome:
            found.setdefault(criterion["reason"], criterion)
    return list(found.values())


def filtered_results(
    request: HttpRequest, results: list[dict[str, Any]], *, located: bool
) -> tuple[list[dict[str, Any]], dict[str, str], dict[str, int]]:
    """The results her filters choose, the choices in force, and what the default view keeps apart.

    Where she gave a place, the list starts at the distance she gave, and trials whose record
    lists no site are kept apart under their own choice rather than dropped or mixed in.
    """
    choices = {
        "tier": request.GET.get("tier", "possible"),
        "phase": request.GET.get("phase", ""),
        "distance": request.GET.get("distance", "within" if located else ""),
        "sort": request.GET.get("sort", "tier"),
        "kind": request.GET.get("kind", TREATMENT),
    }
    # Treatment trials by default; other kinds of study are kept, under their own filter.
    if choices["kind"] not in KINDS and choices["kind"] != "all":
        choices["kind"] = TREATMENT
    if choices["kind"] != "all":
        results = [r for r in results if r.get("study_kind", TREATMENT) == choices["kind"]]
    if choices["tier"] in TIER_WORDS:
        results = [r for r in results if r["tier"] == choices["tier"]]
    elif choices["tier"] != "all":
        choices["tier"] = "possible"
        results = [r for r in results if r["tier"] != NOT_A_FIT]
    if choices["phase"] in PHASE_WORDS:
        results = [r for r in results if choices["phase"] in r["phases"]]
    else:
        choices["phase"] = ""
    apart = {
        "no_site": sum(1 for r in results if r["nearest_site"] is None),
        "further": sum(1 for r in results if r["outside_travel_distance"]),
    }
    if not located:
        choices["distance"] = ""
    elif choices["distance"] == "no_site":
        results = [r for r in results if r["nearest_site"] is None]
    elif choices["distance"] == "any":
        results = [r for r in results if r["nearest_site"] is not None]
    else:
        choices["distance"] = "within"
        results = [r for r in results if r["nearest_site"] is not None and not r["outside_travel_distance"]]
    if choices["sort"] == "distance":
        results = sorted(
            results, key=lambda r: (r["nearest_site"] is None, (r["nearest_site"] or {}).get("distance_miles", 0))
        )
    else:
        choices["sort"] = "tier"
    return results, choices, apart


@require_safe
@vary_on_headers("HX-Request")
def shortlist(request: HttpRequest, token: str) -> HttpResponse:
    screening = screening_for(token)
    profile = profile_of(screening)
    briefs = stored_shortlist(screening, profile)
    located = origin(profile) is not None
    results, choices, apart = filtered_results(request, briefs, located=located)
    page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
    # The page's trials in full, their criteria worked out again (from cached facts), in the stored order.
    shown_ids = [brief["nct_id"] for brief in page]
    document = screen_profile(profile, Trial.objects.filter(nct_id__in=shown_ids))
    full = {result["nct_id"]: result for result in document["results"]}
    page.object_list = [full[nct_id] for nct_id in shown_ids if nct_id in full]
    trials = {
        t.nct_id: t
        for t in Trial.objects.filter(nct_id__in=[r["nct_id"] for r in page]).only(
            "nct_id", "phases", "interventions", "is_demo", "status"
        )
    }
    navigator = from_navigator(screening)
    for result in page:
        result["trial"] = trials.get(result["nct_id"])
        result["from_navigator"] = navigator.about(result["nct_id"]) if navigator else None
        trial = result["trial"]
        result["tested"] = (
            list(dict.fromkeys(i.get("name", "") for i in trial.interventions if i.get("name"))) if trial else []
        )
        result["met"] = first_by_reason(result["criteria"], "met")
        # What rules the trial out for everyone comes before what closes one cohort only.
        result["not_met"] = sorted(first_by_reason(result["criteria"], "not_met"), key=lambda c: bool(c.get("cohort")))
        result["marked"] = result["nct_id"] in screening.marked
        result["kind"] = KINDS.get(result.get("study_kind", TREATMENT))
    shown_kind = [r for r in briefs if choices["kind"] in ("all", r.get("study_kind", TREATMENT))]
    counts = {tier: sum(1 for r in shown_kind if r["tier"] == tier) for tier in TIER_WORDS}
    other_kinds = sum(1 for r in briefs if r.get("study_kind", TREATMENT) != TREATMENT and r["tier"] != NOT_A_FIT)
    template = "screening/shortlist.html"
    if request.htmx and request.htmx.target == "results":
        template += "#results"
    query = request.GET.copy()
    query.pop("page", None)
    elsewhere = query.copy()  # the same choices at another distance
    elsewhere.pop("distance", None)
    return TemplateResponse(
        request,
        template,
        {
            "token": token,
            "screening": screening,
            "page": page,
            "counts": counts,
            "tiers": TIER_WORDS,
            "choices": choices,
            "phases": PHASE_WORDS,
            "kinds": {key: name.removesuffix("study") + "studies" for key, (name, _) in KINDS.items()},
            "other_kinds": other_kinds,
            "query": query.urlencode(),
            "elsewhere": elsewhere.urlencode(),
            "narrowing": answers_that_narrow(shown_kind, profile, current_lexicon()),
            "has_location": located,
            "apart": apart,
            "max_travel": profile.max_travel_miles,
            "catalogue": document["catalogue"],
            "navigator": navigator,
        },
    )


@require_POST
def mark(request: HttpRequest, token: str, nct_id: str) -> HttpResponse:
    screening = screening_for(token)
    if not Trial.objects.filter(nct_id=nct_id).exists():
        raise Http404("There is no such trial.")
    marked = screening.toggle_mark(nct_id)
    if request.htmx:
        # Only the button is swapped, so the count beside the sheet link comes along out of band.
        return TemplateResponse(
            request,
            "screening/shortlist.html#mark",
            {"token": token, "screening": screening, "result": {"nct_id": nct_id, "marked": marked}, "oob": True},
        )
    back = request.POST.get("next", "")
    if not back.startswith(reverse("screening:shortlist", args=[token])):
        back = reverse("screening:shortlist", args=[token])
    return redirect(back)


# A printed sheet stays short: a few reasons under each trial, and a count of the rest.
SHEET_REASONS = 5


def shown_reasons(criteria: list[dict[str, Any]]) -> dict[str, Any]:
    return {"shown": criteria[:SHEET_REASONS], "more": max(0, len(criteria) - SHEET_REASONS), "count": len(criteria)}


def sheet_questions(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each question once, naming every marked trial that asks it, in the order the sheet first asks it.

    Many trials word a question the same way; said once with its trials, the list stays
    short and she can still tell which trial each answer matters for.
    """
    questions: dict[str, dict[str, Any]] = {}
    for result in results:
        numbers = []
        for text in result["questions_for_oncologist"]:
            question = questions.setdefault(text, {"text": text, "number": len(questions) + 1, "trials": []})
            if question["number"] not in numbers:
                numbers.append(question["number"])
                question["trials"].append(
                    {"nct_id": result["nct_id"], "acronym": getattr(result["trial"], "acronym", "")}
                )
        result["question_numbers"] = sorted(numbers)
    return list(questions.values())


def sheet_context(screening: Screening, token: str) -> dict[str, Any]:
    profile = profile_of(screening)
    document = screen_profile(profile, Trial.objects.filter(nct_id__in=screening.marked))
    trials = {t.nct_id: t for t in Trial.objects.filter(nct_id__in=screening.marked).prefetch_related("sites")}
    navigator = from_navigator(screening)
    for result in document["results"]:
        result["trial"] = trials.get(result["nct_id"])
        result["from_navigator"] = navigator.about(result["nct_id"]) if navigator else None
        result["tier_words"] = TIER_WORDS[result["tier"]]
        result["fit_reasons"] = shown_reasons(first_by_reason(result["criteria"], "met"))
        # What rules the trial out for everyone comes before what closes one part of it only.
        against = sorted(first_by_reason(result["criteria"], "not_met"), key=lambda c: bool(c.get("cohort")))
        result["against_reasons"] = shown_reasons(against)
    questions = sheet_questions(document["results"])
    sections = [
        (item, answered_lines(build_form(item, screening, answered=True))) for item in steps_for(screening.answers)
    ]
    return {
        "token": token,
        "results": document["results"],
        "questions": questions,
        "sections": sections,
        "catalogue": document["catalogue"],
        "navigator": navigator,
    }


@require_safe
def sheet(request: HttpRequest, token: str) -> HttpResponse:
    screening = screening_for(token)
    return TemplateResponse(request, "screening/sheet.html", sheet_context(screening, token))


@require_safe
def sheet_pdf(request: HttpRequest, token: str) -> HttpResponse:
    screening = screening_for(token)
    html = render_to_string("screening/sheet_pdf.html", {**sheet_context(screening, token), "for_pdf": True}, request)
    response = HttpResponse(write_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="trialscreen-discussion-sheet.pdf"'
    return response


@require_safe
def profile_json(request: HttpRequest, token: str) -> HttpResponse:
    screening = screening_for(token)
    response = JsonResponse(profile_of(screening).to_json(), json_dumps_params={"indent": 2})
    response["Content-Disposition"] = 'attachment; filename="trialscreen-profile.json"'
    return response


@require_safe
def shortlist_json(request: HttpRequest, token: str) -> HttpResponse:
    screening = screening_for(token)
    document = screen_profile(profile_of(screening), patient_trials())
    response = JsonResponse(document, json_dumps_params={"indent": 2})
    response["Content-Disposition"] = 'attachment; filename="trialscreen-shortlist.json"'
    return response

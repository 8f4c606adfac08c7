from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from screening import criteria
from screening.forms import CatalogueFilterForm
from screening.models import SyncRun, Trial

PAGE_SIZE = 20


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    return TemplateResponse(
        request,
        "screening/home.html",
        {"open_trials": Trial.objects.open().for_breast_cancer().count(), "demo": Trial.objects.demo().exists()},
    )


@require_safe
@vary_on_headers("HX-Request")
def trial_list(request: HttpRequest) -> HttpResponse:
    form = CatalogueFilterForm(request.GET or None)
    trials = Trial.objects.all()
    if form.is_valid():
        trials = form.filter(trials)
    elif form.is_bound:
        trials = trials.none()
    else:
        trials = CatalogueFilterForm.default_filter(trials)
    trials = trials.order_by(F("last_update_posted").desc(nulls_last=True), "nct_id").only(
        "nct_id",
        "is_demo",
        "title",
        "status",
        "phases",
        "conditions",
        "sponsor",
        "last_update_posted",
        "left_filter_at",
    )
    page = Paginator(trials, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "shows_demo": any(trial.is_demo for trial in page),
        "last_sync": SyncRun.objects.filter(outcome=SyncRun.Outcome.SUCCEEDED).first(),
    }
    template = "screening/trial_list.html"
    if request.htmx and request.htmx.target == "results":
        template += "#results"
    return TemplateResponse(request, template, context)


@require_safe
def trial_detail(request: HttpRequest, nct_id: str) -> HttpResponse:
    if nct_id != nct_id.upper():
        return redirect("screening:trial-detail", nct_id=nct_id.upper(), permanent=True)
    trial = get_object_or_404(Trial, nct_id=nct_id)
    sections = criteria.parse(trial.eligibility_text)
    return TemplateResponse(
        request,
        "screening/trial_detail.html",
        {
            "trial": trial,
            "study": trial.study,
            "sections": sections,
            "sites": trial.sites.all(),
        },
    )

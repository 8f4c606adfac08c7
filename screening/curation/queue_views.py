"""The curators' review queue at /curate/."""

from __future__ import annotations

from django import forms
from django.core.paginator import Paginator
from django.core.validators import RegexValidator
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from screening.curation.queue import GROUPS, STATES, filtered, queue_rows
from screening.models import PHASE_WORDS
from screening.screening import patient_trials
from screening.staff.roles import curator_required

PAGE_SIZE = 50


def _invalid_choice(what: str) -> dict[str, str]:
    return {"invalid_choice": f"“%(value)s” is not one of the {what} listed here. Choose one from the list."}


class QueueFilterForm(forms.Form):
    nct = forms.CharField(
        label="NCT ID",
        required=False,
        max_length=16,
        help_text="All or part of it, for example NCT0537.",
        validators=[
            RegexValidator(r"^[A-Za-z0-9-]*$", "An NCT ID has only letters, digits and hyphens, like NCT05374187.")
        ],
    )
    state = forms.ChoiceField(
        label="Curation",
        required=False,
        choices=[("", "Any curation state"), *STATES.items()],
        error_messages=_invalid_choice("curation states"),
    )
    phase = forms.ChoiceField(
        label="Phase",
        required=False,
        choices=[("", "Any phase"), *PHASE_WORDS.items()],
        error_messages=_invalid_choice("phases"),
    )
    group = forms.ChoiceField(
        label="HER2/HR group",
        required=False,
        choices=[("", "Any group"), *GROUPS.items()],
        error_messages=_invalid_choice("groups"),
    )


@require_safe
@curator_required
@vary_on_headers("HX-Request")
def queue(request: HttpRequest) -> HttpResponse:
    form = QueueFilterForm(request.GET)
    form.is_valid()
    # A filter that was not understood is named beside its field and left out; the others still apply.
    chosen = {name: form.cleaned_data.get(name) or "" for name in form.fields}
    trials = patient_trials()
    if chosen["phase"]:
        trials = trials.with_phase(chosen["phase"])
    if chosen["nct"]:
        trials = trials.filter(nct_id__icontains=chosen["nct"])
    rows = filtered(queue_rows(trials), state=chosen["state"], group=chosen["group"])
    context = {"section": "queue", "form": form, "page": Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))}
    template = "curation/queue.html"
    if request.htmx and not request.htmx.boosted:
        template += "#results"
    return TemplateResponse(request, template, context)

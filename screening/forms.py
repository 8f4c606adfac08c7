from __future__ import annotations

from django import forms

from screening.models import PHASE_WORDS, TrialQuerySet, TrialStatus

OPEN = "open"
ANY = "any"


class CatalogueFilterForm(forms.Form):
    q = forms.CharField(
        label="Search words",
        required=False,
        max_length=200,
        help_text="For example a drug, a condition or an NCT number.",
    )
    status = forms.ChoiceField(
        label="Recruitment status",
        required=False,
        choices=[(OPEN, "Recruiting or about to recruit"), (ANY, "Any status"), *TrialStatus.choices],
        initial=OPEN,
    )
    phase = forms.ChoiceField(
        label="Phase",
        required=False,
        choices=[("", "Any phase"), *PHASE_WORDS.items()],
    )

    @staticmethod
    def default_filter(trials: TrialQuerySet) -> TrialQuerySet:
        return trials.open()

    def filter(self, trials: TrialQuerySet) -> TrialQuerySet:
        data = self.cleaned_data
        status = data["status"] or OPEN
        if status == OPEN:
            trials = trials.open()
        elif status != ANY:
            trials = trials.filter(status=status)
        if data["phase"]:
            trials = trials.with_phase(data["phase"])
        if data["q"].strip():
            trials = trials.search(data["q"])
        return trials

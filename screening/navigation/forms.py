from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone

from screening.engine.match import NOT_A_FIT, TIER_WORDS
from screening.navigation.models import CaseStatus, Contact, DecisionStatus, Note, Share, needs_reason


class ShareForm(forms.ModelForm):
    class Meta:
        model = Share
        fields = ["nickname", "contact"]
        labels = {
            "nickname": "First name or nickname (optional)",
            "contact": "How you prefer to be contacted (optional)",
        }
        help_texts = {
            "nickname": "So the navigator knows what to call you. It need not be your real name.",
            "contact": "For example: “phone, weekday mornings” or “email first”. Leave it empty if you will call them.",
        }
        error_messages = {
            "nickname": {"max_length": "Keep it to %(limit_value)d characters or fewer (this has %(show_value)d)."},
            "contact": {"max_length": "Keep it to %(limit_value)d characters or fewer (this has %(show_value)d)."},
        }


class DecisionForm(forms.Form):
    status = forms.ChoiceField(
        label="Decision",
        choices=DecisionStatus.choices,
        error_messages={"invalid_choice": "Choose one of the decisions listed.", "required": "Choose a decision."},
    )
    reason = forms.CharField(
        label="Reason",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed for “not suitable”, and whenever the decision overrules the engine's verdict.",
    )

    def __init__(self, *args, engine_tier: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.engine_tier = engine_tier

    def clean(self):
        cleaned = super().clean()
        status, reason = cleaned.get("status"), (cleaned.get("reason") or "").strip()
        cleaned["reason"] = reason
        if status and not reason and needs_reason(status, self.engine_tier):
            if status == DecisionStatus.NOT_SUITABLE and self.engine_tier != NOT_A_FIT:
                message = f"Say why it is not suitable: the engine found it “{TIER_WORDS[self.engine_tier].lower()}”."
            elif status == DecisionStatus.NOT_SUITABLE:
                message = "Say why it is not suitable: the patient will read this."
            else:
                message = "Say why: this overrules the engine, which found the trial probably not a fit."
            self.add_error("reason", message)
        return cleaned


class NoteForm(forms.ModelForm):
    class Meta:
        model = Note
        fields = ["text", "visible_to_patient"]
        labels = {"text": "Note", "visible_to_patient": "The patient can read this note"}
        help_texts = {"visible_to_patient": "Leave it unticked for a note only navigators see."}
        widgets = {"text": forms.Textarea(attrs={"rows": 3, "maxlength": 4000})}
        error_messages = {"text": {"required": "Write the note before adding it."}}

    def clean_text(self) -> str:
        text = self.cleaned_data["text"].strip()
        if not text:
            raise forms.ValidationError("Write the note before adding it.")
        if len(text) > 4000:
            raise forms.ValidationError("Keep a note to 4000 characters or fewer.")
        return text


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["site", "contacted_on", "outcome", "details"]
        labels = {
            "site": "Site contacted",
            "contacted_on": "When",
            "outcome": "Outcome",
            "details": "Details (optional)",
        }
        help_texts = {
            "site": "The site's name or city, and whom you spoke to.",
            "contacted_on": "For example: 2026-12-04",
        }
        widgets = {
            "contacted_on": forms.DateInput(attrs={"type": "date"}),
            "details": forms.Textarea(attrs={"rows": 2, "maxlength": 2000}),
        }
        error_messages = {
            "site": {
                "required": "Name the site you contacted.",
                "max_length": "Keep it to %(limit_value)d characters.",
            },
            "contacted_on": {"required": "Give the date of the contact.", "invalid": "Give the date as YYYY-MM-DD."},
            "outcome": {"required": "Choose an outcome.", "invalid_choice": "Choose one of the outcomes listed."},
        }

    def clean_contacted_on(self) -> dt.date:
        day = self.cleaned_data["contacted_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("The contact cannot be in the future: log it once it has happened.")
        return day

    def clean_details(self) -> str:
        details = self.cleaned_data["details"].strip()
        if len(details) > 2000:
            raise forms.ValidationError("Keep the details to 2000 characters or fewer.")
        return details


class CaseStatusForm(forms.Form):
    status = forms.ChoiceField(
        label="Case status",
        choices=CaseStatus.choices,
        error_messages={"invalid_choice": "Choose one of the statuses."},
    )


class QueueFilterForm(forms.Form):
    q = forms.CharField(
        label="Share code or nickname",
        required=False,
        max_length=40,
        help_text="The whole code, with or without the dash, like KXF7-M9QP; or part of a nickname.",
    )
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Any status"), *CaseStatus.choices],
        error_messages={"invalid_choice": "“%(value)s” is not one of the statuses listed here."},
    )

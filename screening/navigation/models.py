"""A patient's shortlist shared with care navigators, their decisions per trial, and their notes.

A share hangs off her Screening and goes with it: the purge that deletes her answers when the
retention period ends deletes the share, its decisions and its notes too. A navigator may delete a
closed case sooner (Share.delete_early); her answers stay.
"""

from __future__ import annotations

import re
import secrets
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.db.models.functions import Now
from django.utils import timezone

from screening.engine.match import CHECK_FIRST, NOT_A_FIT, WORTH_DISCUSSING
from screening.models import Screening

if TYPE_CHECKING:
    from screening.navigation.changes import Seen

# Read out on the phone: no 0/O, 1/I/L, which sound or look alike. 31**8 codes, about 8.5e11,
# against rate-limited lookups.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8
CODE_REGEX = rf"^[{CODE_ALPHABET}]{{{CODE_LENGTH}}}$"


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalised_code(typed: str) -> str:
    """A code as stored, from however it was typed or read out: any case, with or without the dash."""
    return re.sub(r"[\s-]", "", typed or "").upper()


def grouped(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


class CaseStatus(models.TextChoices):
    NEW = "new", "New"
    IN_REVIEW = "in_review", "In review"
    WAITING_PATIENT = "waiting_patient", "Waiting for the patient"
    WAITING_SITE = "waiting_site", "Waiting for a site"
    CLOSED = "closed", "Closed"


class CaseStillOpen(Exception):
    pass


class ShareQuerySet(models.QuerySet["Share"]):
    def active(self) -> ShareQuerySet:
        """Shares a navigator may open: not stopped, and her answers not past their retention."""
        return self.filter(stopped_at__isnull=True, screening__expires_at__gt=timezone.now())

    def opened(self, typed_code: str) -> Share | None:
        code = normalised_code(typed_code)
        if not re.fullmatch(CODE_REGEX, code):
            return None
        return self.active().filter(code=code).select_related("screening").first()

    def search(self, words: str) -> ShareQuerySet:
        """By the whole code (typed any way) or part of a nickname."""
        words = words.strip()
        if not words:
            return self
        return self.filter(Q(code=normalised_code(words)) | Q(nickname__icontains=words))

    def latest_for(self, screening: Screening) -> Share | None:
        """Her most recent share, stopped or not: what her navigator told her stays hers to read."""
        return self.filter(screening=screening).order_by("-created_at", "-id").first()


class Share(models.Model):
    screening = models.ForeignKey(Screening, on_delete=models.CASCADE, related_name="shares")
    code = models.CharField(max_length=CODE_LENGTH, unique=True, editable=False)
    nickname = models.CharField("first name or nickname", max_length=40, blank=True)
    contact = models.CharField("how she prefers to be contacted", max_length=200, blank=True)
    status = models.CharField(max_length=16, choices=CaseStatus.choices, default=CaseStatus.NEW)
    created_at = models.DateTimeField(db_default=Now())
    stopped_at = models.DateTimeField(null=True, blank=True)
    # What a navigator last reviewed (first, what she shared): her shortlist in brief,
    # {nct_id: {"tier", "title", "status"}}, and her answers as saved. The case page shows what
    # changed since (screening.navigation.changes). The audit log keeps when and by whom, never these.
    reviewed_results = models.JSONField(null=True, blank=True, editable=False)
    reviewed_answers = models.JSONField(null=True, blank=True, editable=False)
    reviewed_at = models.DateTimeField(null=True, blank=True, editable=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="navigation_reviews",
        help_text="Empty for what she shared, or when the navigator's account is gone.",
    )

    objects = ShareQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["screening"],
                condition=Q(stopped_at__isnull=True),
                name="share_one_active_per_screening",
                violation_error_message="These answers are already shared.",
            ),
            models.CheckConstraint(condition=Q(code__regex=CODE_REGEX), name="share_code_format"),
            models.CheckConstraint(condition=Q(status__in=CaseStatus.values), name="share_status_valid"),
            # A review is what was seen, whole: both halves and when, or none (a share made before there were reviews).
            models.CheckConstraint(
                condition=Q(reviewed_at__isnull=True, reviewed_results__isnull=True, reviewed_answers__isnull=True)
                | Q(reviewed_at__isnull=False, reviewed_results__isnull=False, reviewed_answers__isnull=False),
                name="share_review_whole",
            ),
        ]

    def __str__(self) -> str:
        # Never the nickname: this is what the audit log keeps as the entry's name.
        return f"share {self.grouped_code}"

    @property
    def grouped_code(self) -> str:
        return grouped(self.code)

    @property
    def is_active(self) -> bool:
        return self.stopped_at is None and self.screening.expires_at > timezone.now()

    @property
    def is_closed(self) -> bool:
        return self.status == CaseStatus.CLOSED

    @classmethod
    def begin(cls, screening: Screening, *, nickname: str = "", contact: str = "", seen: Seen | None = None) -> Share:
        """Her active share: the one she has, or a new one with a fresh code.

        `seen` is her shortlist and answers as she shares them: what navigators see changes against
        until one of them marks the case reviewed.
        """
        existing = cls.objects.filter(screening=screening, stopped_at__isnull=True).first()
        if existing:
            return existing
        review = {}
        if seen:
            # The same moment for both: a review made when she shared is known by it (changes.Changes.shared).
            now = timezone.now()
            review = {
                "reviewed_results": seen.results,
                "reviewed_answers": seen.answers,
                "reviewed_at": now,
                "created_at": now,
            }
        for _ in range(5):
            try:
                with transaction.atomic():
                    return cls.objects.create(
                        screening=screening, code=new_code(), nickname=nickname, contact=contact, **review
                    )
            except IntegrityError:
                # A code already given (one in 8.5e11), or a second click that shared first.
                existing = cls.objects.filter(screening=screening, stopped_at__isnull=True).first()
                if existing:
                    return existing
        raise RuntimeError("Could not find a free share code.")

    def stop(self) -> None:
        if self.stopped_at is None:
            self.stopped_at = timezone.now()
            self.save(update_fields=["stopped_at"])

    def mark_reviewed(self, seen: Seen, *, navigator) -> None:
        """What changed is now what the navigator has seen: later changes are counted from here."""
        self.reviewed_results, self.reviewed_answers = seen.results, seen.answers
        self.reviewed_at, self.reviewed_by = timezone.now(), navigator
        # save(): the audit log hears who marked it and when (the snapshot itself is kept out of it).
        self.save(update_fields=["reviewed_results", "reviewed_answers", "reviewed_at", "reviewed_by"])

    def delete_early(self) -> None:
        """A closed case, deleted before her retention period ends: its decisions, notes and contacts
        go with it (the database cascades); her screening stays hers. Each deletion is audited, with the
        signed-in navigator, like any other change."""
        with transaction.atomic():
            # Read again under a lock: another navigator may have reopened the case meanwhile.
            status = Share.objects.select_for_update().filter(pk=self.pk).values_list("status", flat=True).first()
            if status != CaseStatus.CLOSED:
                raise CaseStillOpen("Only a closed case can be deleted early.")
            self.delete()

    def set_status(self, status: str) -> None:
        if status != self.status:
            self.status = status
            self.save(update_fields=["status"])

    def decide(self, nct_id: str, *, status: str, reason: str, navigator, engine_tier: str) -> Decision:
        fields = {"status": status, "reason": reason, "navigator": navigator, "engine_tier": engine_tier}
        decision = self.decisions.filter(nct_id=nct_id).first()
        if decision is None:
            # One entry in the audit log per decision made: created with its values, not created then changed.
            return Decision.objects.create(share=self, nct_id=nct_id, **fields)
        for name, value in fields.items():
            setattr(decision, name, value)
        # save(), not update(): the audit log hears each change from the model's signals.
        decision.save()
        return decision

    def add_note(self, text: str, *, author, nct_id: str = "", visible_to_patient: bool = False) -> Note:
        return Note.objects.create(
            share=self, nct_id=nct_id, text=text, author=author, visible_to_patient=visible_to_patient
        )

    def log_contact(self, nct_id: str, *, site: str, contacted_on, outcome: str, details: str, navigator) -> Contact:
        return Contact.objects.create(
            share=self,
            nct_id=nct_id,
            site=site,
            contacted_on=contacted_on,
            outcome=outcome,
            details=details,
            navigator=navigator,
        )

    def for_patient(self) -> ForPatient:
        return ForPatient(self)


class ForPatient:
    """What her navigator chose to tell her: every decision, and only the notes marked for her."""

    def __init__(self, share: Share):
        notes = list(share.notes.filter(visible_to_patient=True))
        self.decisions = {d.nct_id: d for d in share.decisions.all()}
        self.general_notes = [n for n in notes if not n.nct_id]
        self.trial_notes: dict[str, list[Note]] = {}
        for note in notes:
            if note.nct_id:
                self.trial_notes.setdefault(note.nct_id, []).append(note)

    def about(self, nct_id: str) -> dict | None:
        decision, notes = self.decisions.get(nct_id), self.trial_notes.get(nct_id, [])
        return {"decision": decision, "notes": notes} if decision or notes else None


def from_navigator(screening: Screening) -> ForPatient | None:
    share = Share.objects.latest_for(screening)
    return share.for_patient() if share else None


class DecisionStatus(models.TextChoices):
    TO_REVIEW = "to_review", "To review"
    WORTH_DISCUSSING = "worth_discussing", "Worth discussing"
    CHECKING_WITH_SITE = "checking_with_site", "Checking with the site"
    NOT_SUITABLE = "not_suitable", "Not suitable"
    ENROLLED = "enrolled", "Enrolled"


ENGINE_TIERS = [
    (WORTH_DISCUSSING, "Worth discussing"),
    (CHECK_FIRST, "Check first"),
    (NOT_A_FIT, "Probably not a fit"),
]
# Decisions that go further than the engine did for a trial it found probably not a fit.
RAISING = [DecisionStatus.WORTH_DISCUSSING, DecisionStatus.CHECKING_WITH_SITE, DecisionStatus.ENROLLED]


def needs_reason(status: str, engine_tier: str) -> bool:
    """Not suitable always needs a reason; so does any decision that overrules the engine."""
    return status == DecisionStatus.NOT_SUITABLE or (engine_tier == NOT_A_FIT and status in RAISING)


class Decision(models.Model):
    share = models.ForeignKey(Share, on_delete=models.CASCADE, related_name="decisions")
    nct_id = models.CharField("NCT ID", max_length=16)
    status = models.CharField(max_length=24, choices=DecisionStatus.choices, default=DecisionStatus.TO_REVIEW)
    reason = models.TextField(blank=True)
    # The engine's verdict when the decision was made, kept so an overrule can be seen (and checked) later.
    engine_tier = models.CharField(max_length=16, choices=ENGINE_TIERS)
    navigator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="navigation_decisions"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["nct_id"]
        constraints = [
            models.UniqueConstraint(fields=["share", "nct_id"], name="decision_one_per_trial"),
            models.CheckConstraint(condition=Q(status__in=DecisionStatus.values), name="decision_status_valid"),
            models.CheckConstraint(
                condition=Q(engine_tier__in=[tier for tier, _ in ENGINE_TIERS]), name="decision_engine_tier_valid"
            ),
            models.CheckConstraint(
                condition=~Q(reason="")
                | (~Q(status=DecisionStatus.NOT_SUITABLE) & ~Q(engine_tier=NOT_A_FIT, status__in=RAISING)),
                name="decision_reason_when_not_suitable_or_overruling",
                violation_error_message="Say why: not suitable, or overruling the engine, needs a reason.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.nct_id}: {self.get_status_display()}"

    @property
    def overrules(self) -> bool:
        return (self.engine_tier == NOT_A_FIT and self.status in RAISING) or (
            self.engine_tier != NOT_A_FIT and self.status == DecisionStatus.NOT_SUITABLE
        )


class Note(models.Model):
    share = models.ForeignKey(Share, on_delete=models.CASCADE, related_name="notes")
    nct_id = models.CharField("NCT ID", max_length=16, blank=True, help_text="Empty for a note about the patient.")
    text = models.TextField()
    visible_to_patient = models.BooleanField(default=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="navigation_notes"
    )
    created_at = models.DateTimeField(db_default=Now())

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.CheckConstraint(condition=~Q(text=""), name="note_not_empty")]

    def __str__(self) -> str:
        whom = "for the patient" if self.visible_to_patient else "internal"
        return f"note {whom}{f' on {self.nct_id}' if self.nct_id else ''}"


class ContactOutcome(models.TextChoices):
    NO_ANSWER = "no_answer", "No answer yet"
    LEFT_MESSAGE = "left_message", "Left a message"
    MAY_ENROL = "may_enrol", "Site may enrol her: next steps agreed"
    NOT_ENROLLING = "not_enrolling", "Site is not enrolling her"
    NOT_RECRUITING = "not_recruiting", "Site is not recruiting"
    OTHER = "other", "Other (see details)"


class Contact(models.Model):
    """A navigator's contact with a trial's site about her: internal, never shown to her."""

    share = models.ForeignKey(Share, on_delete=models.CASCADE, related_name="contacts")
    nct_id = models.CharField("NCT ID", max_length=16)
    site = models.CharField("site contacted", max_length=200)
    contacted_on = models.DateField("when")
    outcome = models.CharField(max_length=16, choices=ContactOutcome.choices)
    details = models.TextField(blank=True)
    navigator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="navigation_contacts"
    )
    created_at = models.DateTimeField(db_default=Now())

    class Meta:
        ordering = ["-contacted_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(site=""), name="contact_site_named"),
            models.CheckConstraint(condition=Q(outcome__in=ContactOutcome.values), name="contact_outcome_valid"),
        ]

    def __str__(self) -> str:
        return f"contact on {self.nct_id}: {self.get_outcome_display()}"

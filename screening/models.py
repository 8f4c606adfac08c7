from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower, Now
from django.utils import timezone
from django.utils.functional import cached_property

from screening.ctgov import OPEN_STATUSES, Study

NCT_ID_REGEX = r"^(NCT[0-9]{8}|DEMO-[0-9]{3})$"


class TrialStatus(models.TextChoices):
    RECRUITING = "RECRUITING", "Recruiting"
    NOT_YET_RECRUITING = "NOT_YET_RECRUITING", "Not yet recruiting"
    ENROLLING_BY_INVITATION = "ENROLLING_BY_INVITATION", "Enrolling by invitation"
    ACTIVE_NOT_RECRUITING = "ACTIVE_NOT_RECRUITING", "Active, not recruiting"
    SUSPENDED = "SUSPENDED", "Suspended"
    TERMINATED = "TERMINATED", "Terminated"
    COMPLETED = "COMPLETED", "Completed"
    WITHDRAWN = "WITHDRAWN", "Withdrawn"
    AVAILABLE = "AVAILABLE", "Available (expanded access)"
    NO_LONGER_AVAILABLE = "NO_LONGER_AVAILABLE", "No longer available"
    TEMPORARILY_NOT_AVAILABLE = "TEMPORARILY_NOT_AVAILABLE", "Temporarily not available"
    APPROVED_FOR_MARKETING = "APPROVED_FOR_MARKETING", "Approved for marketing"
    WITHHELD = "WITHHELD", "Withheld"
    UNKNOWN = "UNKNOWN", "Unknown"


class Sex(models.TextChoices):
    ALL = "ALL", "All"
    FEMALE = "FEMALE", "Female"
    MALE = "MALE", "Male"


PHASE_WORDS = {
    "EARLY_PHASE1": "Early phase 1",
    "PHASE1": "Phase 1",
    "PHASE2": "Phase 2",
    "PHASE3": "Phase 3",
    "PHASE4": "Phase 4",
    "NA": "No phase",
}

PHASE_EXPLAINED = {
    "EARLY_PHASE1": "A very early, small study of a new treatment, mostly to learn how it acts in the body.",
    "PHASE1": "An early study that gives a new treatment to a small group to find a safe dose and learn about side effects.",
    "PHASE2": "A study in a larger group to see whether the treatment works against the cancer, while still checking safety.",
    "PHASE3": "A large study that compares the new treatment with the usual (standard) treatment.",
    "PHASE4": "A study of a treatment that is already approved, to learn more about its long-term benefits and risks.",
    "PHASE1 PHASE2": (
        "Starts as an early study to find a safe dose, then goes on in a larger group to see whether the treatment works."
    ),
    "PHASE2 PHASE3": (
        "Starts by checking whether the treatment works, then goes on to compare it with the usual (standard) treatment."
    ),
    "NA": "Not a drug study with phases: for example a study of a procedure, a device, a test or a support program.",
}


class TrialQuerySet(models.QuerySet["Trial"]):
    def open(self) -> TrialQuerySet:
        """Trials a patient could still join: recruiting or about to, and still in our filter."""
        return self.filter(status__in=OPEN_STATUSES, left_filter_at__isnull=True)

    def real(self) -> TrialQuerySet:
        return self.filter(is_demo=False)

    def demo(self) -> TrialQuerySet:
        return self.filter(is_demo=True)

    def with_phase(self, code: str) -> TrialQuerySet:
        return self.filter(phases__regex=rf"(^| ){re.escape(code)}( |$)")

    def for_breast_cancer(self) -> TrialQuerySet:
        """Trials someone with breast cancer could be in: breast-cancer trials and solid-tumour baskets."""
        return self.filter(
            Q(search_text__contains="breast")
            | Q(search_text__contains="solid tumo")
            | Q(search_text__contains="solid malignan")
            | Q(search_text__contains="solid neoplasm")
        )

    def search(self, words: str) -> TrialQuerySet:
        queryset = self
        for word in words.lower().split()[:12]:
            queryset = queryset.filter(search_text__contains=word)
        return queryset


class Trial(models.Model):
    nct_id = models.CharField("NCT ID", max_length=16, unique=True)
    is_demo = models.BooleanField(default=False)
    title = models.TextField()
    official_title = models.TextField(blank=True)
    acronym = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=32, choices=TrialStatus.choices)
    # Space-separated API phase codes, e.g. "PHASE1 PHASE2"; empty for observational studies.
    phases = models.CharField(max_length=64, blank=True)
    study_type = models.CharField(max_length=32, blank=True)
    primary_purpose = models.CharField(max_length=32, blank=True)  # "TREATMENT", "SUPPORTIVE_CARE", ...
    conditions = models.JSONField(default=list)
    interventions = models.JSONField(default=list)
    sponsor = models.TextField(blank=True)
    summary = models.TextField(blank=True)
    eligibility_text = models.TextField(blank=True)
    sex = models.CharField(max_length=8, choices=Sex.choices, default=Sex.ALL)
    minimum_age_years = models.FloatField(null=True, blank=True)
    maximum_age_years = models.FloatField(null=True, blank=True)
    healthy_volunteers = models.BooleanField(null=True)
    last_update_posted = models.DateField(null=True, blank=True)
    record = models.JSONField(help_text="The study record as ClinicalTrials.gov sent it.")
    record_hash = models.CharField(max_length=64)
    search_text = models.TextField(blank=True, editable=False)
    rules = models.JSONField(default=list, blank=True, help_text="Eligibility rules extracted from the criteria text.")
    rules_version = models.CharField(
        max_length=32, blank=True, help_text="The lexicon and engine versions the rules were extracted with."
    )
    left_filter_at = models.DateTimeField(
        null=True, blank=True, help_text="When a sync found the trial no longer among open breast-cancer trials."
    )
    first_synced_at = models.DateTimeField(db_default=Now())
    synced_at = models.DateTimeField(db_default=Now())

    objects = TrialQuerySet.as_manager()

    class Meta:
        ordering = ["nct_id"]
        constraints = [
            models.CheckConstraint(condition=Q(nct_id__regex=NCT_ID_REGEX), name="trial_nct_id_format"),
            models.CheckConstraint(
                condition=Q(is_demo=True, nct_id__startswith="DEMO-") | Q(is_demo=False, nct_id__startswith="NCT"),
                name="trial_demo_ids_are_marked",
            ),
            models.CheckConstraint(condition=Q(status__in=TrialStatus.values), name="trial_status_valid"),
            models.CheckConstraint(condition=Q(sex__in=Sex.values), name="trial_sex_valid"),
            models.CheckConstraint(
                condition=Q(minimum_age_years__isnull=True)
                | Q(maximum_age_years__isnull=True)
                | Q(minimum_age_years__lte=models.F("maximum_age_years")),
                name="trial_age_range_ordered",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "left_filter_at"], name="trial_open_idx"),
            models.Index(fields=["last_update_posted"], name="trial_last_update_idx"),
            # Screening reads these three for every trial to find its cached rules; from the index
            # alone it need not read the wide rows.
            models.Index(fields=["nct_id", "rules_version", "record_hash"], name="trial_rules_key_idx"),
            models.Index(fields=["synced_at"], name="trial_synced_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.nct_id}: {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES and self.left_filter_at is None

    @property
    def phase_codes(self) -> list[str]:
        return self.phases.split()

    @property
    def phase_label(self) -> str:
        codes = self.phase_codes
        if not codes:
            return "Phase not given"
        if codes == ["NA"]:
            return "No phase"
        return " / ".join(PHASE_WORDS.get(code, code) for code in codes).replace(" / Phase ", "/")

    @property
    def phase_explained(self) -> str:
        codes = self.phase_codes
        return PHASE_EXPLAINED.get(self.phases) or (PHASE_EXPLAINED.get(codes[-1], "") if codes else "")

    @cached_property
    def study(self) -> Study:
        return Study.model_validate(self.record)

    @property
    def ctgov_url(self) -> str | None:
        return None if self.is_demo else f"https://clinicaltrials.gov/study/{self.nct_id}"


class Site(models.Model):
    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="sites")
    facility = models.TextField(blank=True)
    city = models.CharField(max_length=200, blank=True)
    state = models.CharField(max_length=200, blank=True)
    zip_code = models.CharField("ZIP", max_length=20, blank=True)
    country = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=32, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    contacts = models.JSONField(default=list)

    class Meta:
        ordering = ["country", "state", "city", "facility"]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
                name="site_coordinates_complete_and_in_range",
            ),
        ]
        indexes = [models.Index(fields=["country", "status"], name="site_country_status_idx")]

    def __str__(self) -> str:
        return ", ".join(part for part in (self.facility, self.city, self.state, self.country) if part)

    @property
    def status_label(self) -> str:
        return TrialStatus(self.status).label if self.status in TrialStatus.values else (self.status or "Not given")

    @property
    def is_recruiting(self) -> bool:
        return self.status in OPEN_STATUSES


class SyncRun(models.Model):
    class Mode(models.TextChoices):
        FULL = "full", "Full"
        INCREMENTAL = "incremental", "Incremental"

    class Outcome(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    mode = models.CharField(max_length=16, choices=Mode.choices)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, default=Outcome.RUNNING)
    started_at = models.DateTimeField(db_default=Now())
    finished_at = models.DateTimeField(null=True, blank=True)
    since = models.DateField(
        null=True, blank=True, help_text="Only records updated on or after this day were asked for."
    )
    watermark = models.DateField(
        null=True, blank=True, help_text="Every record updated before this day has been committed."
    )
    api_data_timestamp = models.CharField(max_length=32, blank=True)
    pages = models.PositiveIntegerField(default=0)
    new = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    left_filter = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=["running", "succeeded", "failed"]), name="syncrun_outcome_valid"
            ),
            models.CheckConstraint(
                condition=Q(outcome="running", finished_at__isnull=True)
                | Q(~Q(outcome="running"), finished_at__isnull=False),
                name="syncrun_finished_when_done",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_mode_display()} sync {self.started_at:%Y-%m-%d %H:%M} ({self.outcome})"

    def summary(self) -> str:
        return f"{self.new} new, {self.updated} updated, {self.unchanged} unchanged, {self.failed} failed" + (
            f", {self.left_filter} no longer recruiting" if self.left_filter else ""
        )


# --- Criteria knowledge, curated by staff as fixtures (fixtures/lexicon/) -------------


class KeyedManager(models.Manager):
    key_field = "key"

    def get_by_natural_key(self, key: str):
        return self.get(**{self.key_field: key})


class DrugManager(KeyedManager):
    key_field = "name"


class Concept(models.Model):
    class Category(models.TextChoices):
        AGE_SEX = "age_sex", "Age and sex"
        CURRENT_HEALTH = "current_health", "Current health"
        HISTORY = "history", "Medical history"
        STAGE_SPREAD = "stage_spread", "Stage and spread"
        PRIOR_THERAPY = "prior_therapy", "Prior therapy"
        BIOLOGY = "biology", "Tumour biology"

    class WhoAnswers(models.TextChoices):
        PATIENT = "P", "The patient"
        PATIENT_UNSURE = "P?", "The patient, often unsure"
        ONCOLOGIST = "O", "The oncologist or records"
        TRIAL_TEAM = "T", "The trial team"

    key = models.CharField(max_length=64, unique=True)
    category = models.CharField(max_length=32, choices=Category.choices)
    label = models.CharField(max_length=200)
    who_answers = models.CharField(max_length=2, choices=WhoAnswers.choices)
    question = models.TextField(help_text="Asked of the oncologist when the answer is unknown.")
    phrasings = models.JSONField(default=list, blank=True)

    objects = KeyedManager()

    class Meta:
        ordering = ["category", "key"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    category__in=["age_sex", "current_health", "history", "stage_spread", "prior_therapy", "biology"]
                ),
                name="concept_category_valid",
            ),
            models.CheckConstraint(
                condition=Q(who_answers__in=["P", "P?", "O", "T"]), name="concept_who_answers_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    def natural_key(self) -> tuple[str]:
        return (self.key,)


class DrugClass(models.Model):
    key = models.CharField(max_length=64, unique=True)
    label = models.CharField(max_length=200)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    profile_key = models.CharField(
        max_length=64, blank=True, help_text="The profile's treatment.received key this class answers to."
    )
    phrasings = models.JSONField(default=list, blank=True)

    objects = KeyedManager()

    class Meta:
        ordering = ["key"]
        verbose_name_plural = "drug classes"
        constraints = [
            models.CheckConstraint(condition=~Q(parent=models.F("id")), name="drugclass_not_own_parent"),
        ]

    def __str__(self) -> str:
        return self.label

    def natural_key(self) -> tuple[str]:
        return (self.key,)


class Drug(models.Model):
    name = models.CharField("generic name", max_length=200, unique=True)
    brands = models.JSONField(default=list, blank=True)
    codes = models.JSONField(default=list, blank=True, help_text="Development codes, e.g. DS-8201a.")
    classes = models.ManyToManyField(DrugClass, related_name="drugs")

    objects = DrugManager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(name=Lower("name")), name="drug_generic_name_lower_case"),
        ]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str]:
        return (self.name,)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class RevisionQuerySet(models.QuerySet["Revision"]):
    def bump(self, name: str) -> None:
        """Mark that something screening reads has changed; every process sees it at its next read."""
        self.get_or_create(name=name)
        self.filter(name=name).update(number=models.F("number") + 1, changed_at=Now())

    def numbers(self) -> dict[str, int]:
        return dict(self.values_list("name", "number"))


class Revision(models.Model):
    """A counter per kind of knowledge screening reads that the catalogue's rows do not show
    (the lexicon now; curated readings later), so every worker and host sees a change at once."""

    name = models.CharField(max_length=32, unique=True)
    number = models.PositiveIntegerField(default=0)
    changed_at = models.DateTimeField(db_default=Now())

    objects = RevisionQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.name} revision {self.number}"


class ScreeningQuerySet(models.QuerySet["Screening"]):
    def current(self) -> ScreeningQuerySet:
        return self.filter(expires_at__gt=timezone.now())

    def expired(self) -> ScreeningQuerySet:
        return self.filter(expires_at__lte=timezone.now())

    def for_token(self, token: str) -> Screening | None:
        if not token or len(token) > 64:
            return None
        return self.current().filter(token_digest=token_digest(token)).first()


class Screening(models.Model):
    """A patient's answers as she goes, reached only through the unguessable token in her link.

    Only the token's digest is stored, so the database alone cannot open anyone's answers.
    Nothing identifying is kept: the answers are the contract's profile, and they expire.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    answers = models.JSONField(default=dict, blank=True)
    steps_done = models.JSONField(default=list, blank=True)
    marked = models.JSONField(default=list, blank=True, help_text="NCT IDs the patient marked to discuss.")
    # Her shortlist in brief as last screened, and what it was screened against: screened once
    # when her answers or the catalogue change, then read by every view.
    results = models.JSONField(null=True, blank=True, editable=False)
    results_version = models.CharField(max_length=200, blank=True, editable=False)
    created_at = models.DateTimeField(db_default=Now())
    updated_at = models.DateTimeField(auto_now=True)
    expires_at = models.DateTimeField()

    objects = ScreeningQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(token_digest__regex=r"^[0-9a-f]{64}$"),  # noqa: S106 (a format check, not a secret)
                name="screening_token_digest_hex",
            ),
        ]

    def __str__(self) -> str:
        return f"screening {self.public_id}"

    @classmethod
    def begin(cls) -> tuple[Screening, str]:
        """A new screening and the token for its link (shown once, never stored)."""
        token = secrets.token_urlsafe(24)
        screening = cls.objects.create(token_digest=token_digest(token), expires_at=cls.retention_end())
        return screening, token

    @staticmethod
    def retention_end() -> dt.datetime:
        return timezone.now() + dt.timedelta(days=settings.SCREENING_RETENTION_DAYS)

    def record(self, slug: str, answers: dict) -> None:
        self.answers = answers
        if slug not in self.steps_done:
            self.steps_done = [*self.steps_done, slug]
        self.expires_at = self.retention_end()
        self.results, self.results_version = None, ""  # screened again at the next look
        self.save(update_fields=["answers", "steps_done", "expires_at", "results", "results_version", "updated_at"])

    def keep_results(self, results: list[dict], version: str) -> None:
        self.results, self.results_version = results, version
        # Not `updated_at`: looking at the list is not a change she made.
        Screening.objects.filter(pk=self.pk).update(results=results, results_version=version)

    def results_for(self, version: str) -> list[dict] | None:
        return self.results if self.results is not None and self.results_version == version else None

    def toggle_mark(self, nct_id: str) -> bool:
        marked = nct_id not in self.marked
        self.marked = [*self.marked, nct_id] if marked else [item for item in self.marked if item != nct_id]
        self.save(update_fields=["marked", "updated_at"])
        return marked


class JobLock(models.Model):
    """Who is running a scheduled job, and until when (screening/locks.py takes and gives it)."""

    name = models.CharField(max_length=64, unique=True)
    holder = models.CharField(max_length=200, blank=True, help_text="The host, process and run holding it, or empty.")
    locked_until = models.DateTimeField(help_text="The lock is free once this moment has passed.")

    def __str__(self) -> str:
        return f"{self.name} lock ({self.holder or 'free'})"

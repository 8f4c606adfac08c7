from __future__ import annotations

from django.db import models
from django.db.models import Max, Q
from django.db.models.functions import Now

from screening.curation.reading import Curation as CurationData
from screening.curation.reading import parse_utc, text_sha256, utc_text
from screening.models import Trial


class CurationQuerySet(models.QuerySet["Curation"]):
    def current(self) -> CurationQuerySet:
        """Each trial's current curation: the version saved last (stale or not)."""
        latest = self.values("trial").annotate(last=Max("id")).values("last")
        return self.filter(id__in=latest)


class Curation(models.Model):
    """One saved version of a curator's reading of a trial's criteria (trialscreen/curated-criteria@1).

    Versions are only ever added, never changed, so a trial's history (who, when, with what
    note) stays whole and an earlier version can be restored by saving it again. The latest
    is the trial's current curation; it is stale once the trial's criteria text is no longer
    the one it was made against (`criteria_sha256`), and screening then reads the text anew.
    """

    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="curations")
    criteria_sha256 = models.CharField(
        max_length=64, help_text="SHA-256 of the criteria text the reading was made against."
    )
    curated_by = models.CharField(max_length=150)
    curated_at = models.DateTimeField()
    note = models.TextField(blank=True)
    criteria = models.JSONField(help_text="The reading's criterion items, as the file holds them.")
    digest = models.CharField(
        max_length=64,
        editable=False,
        help_text="SHA-256 of the file this version exports as: equal files, equal digests.",
    )
    saved_at = models.DateTimeField(db_default=Now(), editable=False)

    objects = CurationQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]  # newest first: a trial's history reads from its current version back
        get_latest_by = "id"
        constraints = [
            models.CheckConstraint(
                condition=Q(criteria_sha256__regex=r"^[0-9a-f]{64}$"), name="curation_criteria_sha256_hex"
            ),
            models.CheckConstraint(condition=Q(digest__regex=r"^[0-9a-f]{64}$"), name="curation_digest_hex"),
            # Only a curator's reading is stored; the automatic one is read from the text each time.
            models.CheckConstraint(condition=~Q(curated_by=""), name="curation_names_its_curator"),
        ]

    def __str__(self) -> str:
        return f"{self.trial.nct_id} curated by {self.curated_by} at {utc_text(self.curated_at)}"

    @classmethod
    def of(cls, trial: Trial, data: CurationData) -> Curation:
        return cls(
            trial=trial,
            criteria_sha256=data.criteria_sha256,
            curated_by=data.curated_by,
            curated_at=parse_utc(data.curated_at),
            note=data.note,
            criteria=data.criteria,
            digest=data.digest,
        )

    def data(self) -> CurationData:
        return CurationData(
            self.trial.nct_id,
            self.criteria_sha256,
            self.curated_by,
            utc_text(self.curated_at),
            self.note,
            self.criteria,
        )

    def is_stale_for(self, criteria_text: str) -> bool:
        return self.criteria_sha256 != text_sha256(criteria_text)

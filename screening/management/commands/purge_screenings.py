"""Delete patients' answers whose retention period has ended (run it daily, e.g. from cron)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand

from screening.models import Screening


class Command(BaseCommand):
    help = "Delete saved questionnaire answers older than SCREENING_RETENTION_DAYS since their last change."

    def handle(self, *args, **options) -> None:
        deleted, _ = Screening.objects.expired().delete()
        self.stdout.write(
            f"Deleted {deleted} expired screening{'s' if deleted != 1 else ''} "
            f"(answers are kept {settings.SCREENING_RETENTION_DAYS} days after their last change)."
        )

"""Delete patients' answers whose retention period has ended (run it daily, e.g. from cron)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand

from screening.locks import holder_of, job_lock
from screening.models import Screening

# One DELETE: far shorter than this, which only bounds how long a killed run blocks the next.
LEASE = dt.timedelta(minutes=30)


class Command(BaseCommand):
    help = "Delete saved questionnaire answers older than SCREENING_RETENTION_DAYS since their last change."

    def handle(self, *args, **options) -> None:
        # Every app host may schedule the purge; one run at a time is enough, and two
        # deleting the same rows at once would only contend for locks.
        with job_lock("purge_screenings", LEASE) as held:
            if held is None:
                self.stdout.write(f"Another purge is running ({holder_of('purge_screenings')}); nothing done.")
                return
            deleted, _ = Screening.objects.expired().delete()
        self.stdout.write(
            f"Deleted {deleted} expired screening{'s' if deleted != 1 else ''} "
            f"(answers are kept {settings.SCREENING_RETENTION_DAYS} days after their last change)."
        )

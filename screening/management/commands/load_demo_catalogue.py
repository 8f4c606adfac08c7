from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from screening.models import Trial

DEMO_DIR = Path(settings.BASE_DIR) / "fixtures" / "demo"


class Command(BaseCommand):
    help = (
        "Load the illustrative demo trials (fixtures/demo) so the app can be tried offline. "
        "Does nothing when the catalogue already holds real trials."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if Trial.objects.real().exists():
            self.stdout.write("The catalogue holds real trials; the demo trials are not needed.")
            return
        call_command("import_studies", str(DEMO_DIR), stdout=self.stdout, stderr=self.stderr)
        self.stdout.write("Loaded the demo catalogue. Every page that shows a demo trial says so.")

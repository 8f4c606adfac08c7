from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from screening.engine.extract import rules_version
from screening.engine.lexicon import LexiconError
from screening.knowledge import lexicon_files, load_lexicon


class Command(BaseCommand):
    help = (
        "Validate and load the criteria lexicon (concepts, drug classes, drugs) from fixtures/lexicon, "
        "then extract every trial's rules again if the lexicon changed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "paths", nargs="*", type=Path, metavar="FILE", help="Fixture files (default: fixtures/lexicon/*.json)"
        )

    def handle(self, *args: Any, paths: list[Path], **options: Any) -> None:
        files = paths or lexicon_files()
        try:
            lexicon, count = load_lexicon(files)
        except LexiconError as error:
            raise CommandError(f"The lexicon was not loaded: {error}") from None
        self.stdout.write(
            f"Loaded {len(lexicon.concepts)} concepts, {len(lexicon.classes)} drug classes and {len(lexicon.drugs)} drugs "
            f"(version {rules_version(lexicon)}); extracted rules again for {count} trials."
        )

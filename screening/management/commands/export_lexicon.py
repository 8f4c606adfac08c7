from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from screening.engine.extract import rules_version
from screening.engine.lexicon import LexiconError
from screening.knowledge import LEXICON_DIR, EmptyLexicon, export_lexicon, lexicon_from_database


class Command(BaseCommand):
    help = (
        "Write the criteria lexicon in the database (concepts, drug classes, drugs, with what curators added "
        "in their workspace) to DIR as the fixture files load_lexicon reads, in one canonical order, so a "
        "change shows as a diff to review and commit."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", type=Path, default=LEXICON_DIR, metavar="DIR", help="Default: fixtures/lexicon")

    def handle(self, *args: Any, out: Path, **options: Any) -> None:
        lexicon = lexicon_from_database()
        try:
            written = export_lexicon(out, lexicon)
        except (EmptyLexicon, LexiconError) as error:
            raise CommandError(f"The lexicon was not exported: {error}") from None
        except OSError as error:
            raise CommandError(f"Cannot write to {out}: {error.strerror}") from None
        self.stdout.write(
            f"Wrote {len(lexicon.concepts)} concepts, {len(lexicon.classes)} drug classes and {len(lexicon.drugs)} "
            f"drugs (version {rules_version(lexicon)}) to {', '.join(map(str, written))}."
        )

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from screening.engine.vocabulary import DOUBTS, VOCABULARY
from screening.models import Concept


class Command(BaseCommand):
    help = (
        "List the engine's vocabulary: every concept a constraint may name, with its ops, the value each op "
        "takes and the profile fields it reads (what curated readings are checked against)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args: Any, format: str, **options: Any) -> None:
        # The lexicon's labels, when it is loaded, say what each concept is in words.
        labels = dict(Concept.objects.values_list("key", "label"))
        if format == "json":
            concepts = [
                {**term.to_dict(), **({"label": labels[key]} if key in labels else {})}
                for key, term in VOCABULARY.items()
            ]
            self.stdout.write(json.dumps({"concepts": concepts, "doubts": DOUBTS}, indent=2, ensure_ascii=False))
            return
        lines = []
        for key, term in VOCABULARY.items():
            label = f": {labels[key]}" if key in labels else ""
            lines.append(f"{key}{label} ({term.category})")
            lines.append(f"    reads       {', '.join(term.reads)}")
            for op, value in term.ops.items():
                lines.append(f"    op {op:<12} value: {value.text()}")
            if term.scope:
                lines.append(
                    f"    scope       {'required' if term.scope_required else 'optional'}: {term.scope.text()}"
                )
            if term.qualifiers:
                lines.append(f"    qualifiers  any of {', '.join(term.qualifiers)}")
            if term.specific:
                lines.append("    specific    true when the criterion is narrower than the profile's question")
            for note in term.notes:
                lines.append(f"    note        {note}")
        lines.append("")
        lines.append("doubts (a rule item's optional list; a tentative reading never rules a trial out)")
        lines += [f"    {key:<40} {words}" for key, words in DOUBTS.items()]
        self.stdout.write("\n".join(lines))

"""The shipped lexicon, put in an empty database when it is created.

So that no page view has to load fixtures: after `migrate` the lexicon is there, and later
changes come through `load_lexicon` (validated, and re-extracting rules).
"""

import json
from pathlib import Path

from django.db import migrations

LEXICON = Path(__file__).resolve().parents[2] / "fixtures" / "lexicon"


def rows(name):
    return [row["fields"] for row in json.loads((LEXICON / f"{name}.json").read_text())]


def seed(apps, schema_editor):
    Concept = apps.get_model("screening", "Concept")
    DrugClass = apps.get_model("screening", "DrugClass")
    Drug = apps.get_model("screening", "Drug")
    if Concept.objects.exists() or DrugClass.objects.exists() or Drug.objects.exists():
        return  # a lexicon is already there: load_lexicon changes it
    Concept.objects.bulk_create(Concept(**fields) for fields in rows("concepts"))
    classes = rows("drug_classes")
    made = {
        fields["key"]: DrugClass.objects.create(
            key=fields["key"], label=fields["label"], profile_key=fields["profile_key"], phrasings=fields["phrasings"]
        )
        for fields in classes
    }
    for fields in classes:
        if fields["parent"]:
            made[fields["key"]].parent = made[fields["parent"][0]]
            made[fields["key"]].save(update_fields=["parent"])
    for fields in rows("drugs"):
        drug = Drug.objects.create(name=fields["name"], brands=fields["brands"], codes=fields["codes"])
        drug.classes.set([made[key[0]] for key in fields["classes"]])


class Migration(migrations.Migration):
    dependencies = [("screening", "0004_screening_answers")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

from django.apps import AppConfig


class CurationConfig(AppConfig):
    """Curated readings of trials' criteria (trialscreen/curated-criteria@1) and the curators' tools."""

    name = "screening.curation"
    label = "curation"
    verbose_name = "Curated readings"

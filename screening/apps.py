from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ScreeningConfig(AppConfig):
    name = "screening"
    verbose_name = "Screening"

    def ready(self) -> None:
        from screening.limits import create_cache_table

        # Every install runs migrate, so the rate limits' table comes with it; no one has to remember.
        post_migrate.connect(create_cache_table, sender=self)

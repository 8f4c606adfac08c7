from django.apps import AppConfig


class NavigationConfig(AppConfig):
    """Shortlists a patient chose to share with a care navigator, and the navigators' workspace."""

    name = "screening.navigation"
    label = "navigation"
    verbose_name = "Care navigation"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from screening.navigation.models import Contact, Decision, Note, Share

        # Her nickname and how to reach her are left out of the log: the log outlives her answers
        # (the purge deletes the share, not the entries), and it must not keep who she is. Nor what a
        # review saw of her answers and shortlist: the log keeps who marked it and when.
        auditlog.register(Share, exclude_fields=["nickname", "contact", "reviewed_results", "reviewed_answers"])
        auditlog.register(Decision)
        # A note's words may name her too; the log keeps who wrote which note, when, and for whom.
        auditlog.register(Note, exclude_fields=["text"])
        # Details of a call may name her as well.
        auditlog.register(Contact, exclude_fields=["details"])

from django.apps import AppConfig


class StaffConfig(AppConfig):
    """Staff accounts: the curator and navigator roles, signing in and out, and the checks views use."""

    name = "screening.staff"
    label = "staff"
    verbose_name = "Staff accounts"

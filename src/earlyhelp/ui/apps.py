from django.apps import AppConfig


class UiConfig(AppConfig):
    """The GOV.UK form kit, template components and charts: no domain knowledge, importable by every app."""

    name = "earlyhelp.ui"
    verbose_name = "GOV.UK components"

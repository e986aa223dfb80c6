from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "earlyhelp.matching"
    verbose_name = "Data matching"

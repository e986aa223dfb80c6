from django.apps import AppConfig


class RightsConfig(AppConfig):
    name = "earlyhelp.rights"
    verbose_name = "Rights requests"

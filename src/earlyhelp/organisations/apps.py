from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "earlyhelp.organisations"
    verbose_name = "Organisations and practitioners"

from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "earlyhelp.privacy"
    verbose_name = "Privacy: processing register and notices"

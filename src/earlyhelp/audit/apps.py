from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "earlyhelp.audit"

    def ready(self):
        from . import checks, signals  # noqa: F401  (deploy check; sign-in, sign-out and failed sign-in events)

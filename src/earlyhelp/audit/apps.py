from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "earlyhelp.audit"

    def ready(self):
        from . import signals  # noqa: F401  (sign-in, sign-out and failed sign-in events)

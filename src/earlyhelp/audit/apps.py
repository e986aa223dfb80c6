from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "earlyhelp.audit"

    def ready(self):
        # Imported once the models are loaded: the deploy check; sign-in, sign-out and failed sign-in events; and
        # the words for a refused staged event.
        from . import appends, checks, labels, signals  # noqa: F401

        labels.register({appends.REFUSED_EVENT: "Refused an audit event the system did not write as it stood"})

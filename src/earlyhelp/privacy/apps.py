from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "earlyhelp.privacy"
    verbose_name = "Privacy: processing register and notices"

    def ready(self):
        # Imported here: models are ready only now. The partner register (below this app) checks organisation types
        # against the register's partner recipient types (P21) through this registration.
        from earlyhelp.organisations.models import register_type_choices

        from .models import RecipientKind, recipient_choices

        register_type_choices(lambda: recipient_choices(kind=RecipientKind.PARTNER))

        # Registers the deployment check that refuses a deployment without a current review of the physical
        # safeguards (P23); imported here because it reads models.
        from .governance import hosting  # noqa: F401

from django.apps import AppConfig


class RetentionConfig(AppConfig):
    name = "earlyhelp.retention"
    verbose_name = "Retention and disposal"

    def ready(self):
        # Imported here: models are ready only now. The register (privacy, below this app) shows each purpose's
        # retention rule in words through this registration.
        from earlyhelp.keys import services as keys
        from earlyhelp.privacy import retention_wording

        from .services.holds import held_household_ids
        from .services.rules import codes_in_words

        retention_wording.register(codes_in_words)
        # A family's keys are destroyed only by the key store's own services, which ask this before any goes.
        keys.register_hold_check(held_household_ids)

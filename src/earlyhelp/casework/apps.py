from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "earlyhelp.casework"

    def ready(self):
        # Imported here: an app's modules can import models only once every app is loaded.
        from earlyhelp.privacy.services import consent

        from .services import team_around_family

        consent.when_sharing_withdrawn(team_around_family.end_taf_members_no_longer_consented)

        from django.db.models.signals import post_migrate

        from .kept_pages import triggers

        post_migrate.connect(triggers.install_after_migrate, sender=self, dispatch_uid="kept-family-page-triggers")

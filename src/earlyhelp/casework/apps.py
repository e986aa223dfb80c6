from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "earlyhelp.casework"

    def ready(self):
        # Imported here: an app's modules can import models only once every app is loaded.
        from earlyhelp.privacy.services import consent

        from .services import team_around_family

        consent.when_sharing_withdrawn(team_around_family.end_taf_members_no_longer_consented)

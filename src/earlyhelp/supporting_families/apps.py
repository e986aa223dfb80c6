from django.apps import AppConfig


class SupportingFamiliesConfig(AppConfig):
    name = "earlyhelp.supporting_families"
    verbose_name = "Supporting Families: shortlist, sustainment and claims"

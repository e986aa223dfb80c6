from django import forms
from django.contrib import admin

from earlyhelp.audit.admin import AuditedAdmin

from .models import Organisation, Team, type_choices


class OrganisationForm(forms.ModelForm):
    # The register's partner types (P21): data the DPO keeps, read when the form is shown.
    type = forms.ChoiceField(label="Type", choices=type_choices)

    class Meta:
        model = Organisation
        fields = ["name", "type", "reference", "is_active"]


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdmin):
    form = OrganisationForm
    list_display = ["name", "type", "reference", "is_active"]
    list_filter = ["type", "is_active"]
    search_fields = ["name", "reference"]


@admin.register(Team)
class TeamAdmin(AuditedAdmin):
    list_display = ["name", "organisation", "locality"]

# The User admin is in earlyhelp.accounts.admin: passwords, second factors and sessions are managed there (P23).

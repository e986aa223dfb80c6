from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from earlyhelp.audit.admin import AuditedAdmin

from .models import Organisation, Team, User, type_choices


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


@admin.register(User)
class PractitionerAdmin(AuditedAdmin, UserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "organisation", "team", "is_active"]
    list_filter = ["role", "is_active"]
    fieldsets = UserAdmin.fieldsets + (("Work", {"fields": ("role", "organisation", "team", "job_title")}),)
    add_fieldsets = UserAdmin.add_fieldsets + (("Work", {"fields": ("role", "organisation", "team")}),)

from django.contrib import admin

from earlyhelp.audit.admin import AuditedAdmin

from .models import Organisation, Team


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdmin):
    list_display = ["name", "type", "reference", "is_active"]
    list_filter = ["type", "is_active"]
    search_fields = ["name", "reference"]


@admin.register(Team)
class TeamAdmin(AuditedAdmin):
    list_display = ["name", "organisation", "locality"]

# The User admin is in earlyhelp.accounts.admin: passwords, second factors and sessions are managed there (P23).

"""The council's configuration of the public service: the age needing a parent's permission (P24) and the help lines
offered instead. Changes are audited like every configuration change (`AuditedAdmin`)."""

from django.contrib import admin

from earlyhelp.audit.admin import AuditedAdmin

from .models import HelpLine, PermissionAge


@admin.register(PermissionAge)
class PermissionAgeAdmin(AuditedAdmin):
    list_display = ["__str__"]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not PermissionAge.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(HelpLine)
class HelpLineAdmin(AuditedAdmin):
    list_display = ["name", "phone", "order", "active"]
    list_editable = ["order", "active"]

from django.contrib import admin
from django.db import transaction

from . import services
from .models import Action, AuditEvent, Purpose


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit trail is append-only."""

    list_display = ["sequence", "occurred_at", "actor", "action", "event", "object_type", "purpose"]
    list_filter = ["action", "purpose"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AuditedAdmin(admin.ModelAdmin):
    """Configuration changes made in the admin are audit events too (who changed which record and fields)."""

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            services.record(actor=request.user, action=Action.CHANGE if change else Action.CREATE,
                            event=f"{obj._meta.model_name}.admin_{'change' if change else 'create'}",
                            purpose=Purpose.SYSTEM_SECURITY, objects=[obj],
                            metadata={"fields": sorted(form.changed_data)})

    def delete_model(self, request, obj):
        with transaction.atomic():
            services.record(actor=request.user, action=Action.CHANGE, event=f"{obj._meta.model_name}.admin_delete",
                            purpose=Purpose.SYSTEM_SECURITY, objects=[obj])
            super().delete_model(request, obj)

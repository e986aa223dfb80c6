from django.contrib import admin
from django.contrib.admin import helpers
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

    def delete_queryset(self, request, queryset):
        """The changelist's bulk delete: one event naming every deleted record by id (P23)."""
        with transaction.atomic():
            ids = list(queryset.values_list("pk", flat=True))
            services.record(actor=request.user, action=Action.CHANGE,
                            event=f"{queryset.model._meta.model_name}.admin_bulk_delete",
                            purpose=Purpose.SYSTEM_SECURITY, objects=[(queryset.model._meta.label_lower, pk)
                                                                      for pk in ids],
                            metadata={"count": len(ids)})
            super().delete_queryset(request, queryset)

    def response_action(self, request, queryset):
        """Any other changelist action (a library's or our own) is recorded with its name and the selected ids.
        Deleting is recorded by `delete_queryset` when it happens (the first step only asks to confirm)."""
        name = request.POST.get("action", "")
        selected = [int(pk) if pk.isdigit() else pk for pk in request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)]
        with transaction.atomic():
            response = super().response_action(request, queryset)
            if name and name != "delete_selected" and selected:
                services.record(actor=request.user, action=Action.CHANGE,
                                event=f"{self.model._meta.model_name}.admin_action",
                                purpose=Purpose.SYSTEM_SECURITY,
                                objects=[(self.model._meta.label_lower, pk) for pk in selected[:1000]],
                                metadata={"action": name[:60], "count": len(selected)})
        return response

    def delete_model(self, request, obj):
        with transaction.atomic():
            services.record(actor=request.user, action=Action.CHANGE, event=f"{obj._meta.model_name}.admin_delete",
                            purpose=Purpose.SYSTEM_SECURITY, objects=[obj])
            super().delete_model(request, obj)

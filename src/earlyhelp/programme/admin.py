from django.contrib import admin

from earlyhelp.audit.admin import AuditedAdmin

from .models import HeadlineArea


@admin.register(HeadlineArea)
class HeadlineAreaAdmin(AuditedAdmin):
    list_display = ["order", "code", "label", "sensitivity"]

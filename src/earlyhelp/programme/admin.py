from django.contrib import admin

from .models import HeadlineArea


@admin.register(HeadlineArea)
class HeadlineAreaAdmin(admin.ModelAdmin):
    list_display = ["order", "code", "label", "sensitivity"]

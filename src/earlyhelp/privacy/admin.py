from django.contrib import admin, messages
from simple_history.admin import SimpleHistoryAdmin

from earlyhelp.audit.admin import AuditedAdmin

from .models import PrivacyNotice, ProcessingPurpose
from .services import notices


@admin.register(ProcessingPurpose)
class ProcessingPurposeAdmin(AuditedAdmin, SimpleHistoryAdmin):
    """The DPO keeps the register here; every change keeps history and is audited."""

    list_display = ["name", "code", "article_6", "article_9", "criminal_offence_data", "retention", "is_active"]
    list_filter = ["article_6", "article_9", "criminal_offence_data", "is_active"]
    actions = ["publish_notice"]

    @admin.action(description="Publish a new version of the privacy notice from the register")
    def publish_notice(self, request, queryset):
        notice = notices.publish_notice(by=request.user)
        self.message_user(request, f"Privacy notice version {notice.version} published.", messages.SUCCESS)


@admin.register(PrivacyNotice)
class PrivacyNoticeAdmin(admin.ModelAdmin):
    """Published notices are frozen: they can be read, never changed."""

    list_display = ["version", "published_at", "published_by"]
    readonly_fields = ["version", "published_at", "published_by", "content"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

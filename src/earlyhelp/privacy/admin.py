from django import forms
from django.contrib import admin, messages
from simple_history.admin import SimpleHistoryAdmin

from earlyhelp.audit.admin import AuditedAdmin

from .models import PrivacyNotice, ProcessingPurpose
from .services import notices


ENTER_CHANGE_REASON = "Enter the reason for this change"
# django-simple-history keeps the reason in a 100-character column.
CHANGE_REASON_MAX_LENGTH = 100


class ChangeReasonForm(forms.ModelForm):
    """A register entry's admin form: every save needs a reason, kept with the entry's history."""

    change_reason = forms.CharField(
        label="Reason for this change", max_length=CHANGE_REASON_MAX_LENGTH,
        help_text="Kept with the register's history, for example the decision or advice behind it. Do not include "
                  "personal details.",
        error_messages={"required": ENTER_CHANGE_REASON,
                        "max_length": f"The reason must be {CHANGE_REASON_MAX_LENGTH} characters or fewer"})


class ReasonedHistoryAdmin(AuditedAdmin, SimpleHistoryAdmin):
    """A register model with history, edited in the admin: the form asks for the reason, the history keeps it, and
    the audit event (written by `AuditedAdmin` in the same transaction) says one was given."""

    form = ChangeReasonForm

    def save_model(self, request, obj, form, change):
        obj._change_reason = form.cleaned_data["change_reason"].strip()
        super().save_model(request, obj, form, change)


@admin.register(ProcessingPurpose)
class ProcessingPurposeAdmin(ReasonedHistoryAdmin):
    """The DPO keeps the register here; every change keeps history, with its reason, and is audited."""

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

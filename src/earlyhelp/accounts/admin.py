"""The configuration area's side of sign-in (P23).

* Passwords are never typed into the admin: there is no password field and no change-password page. A new account
  has no usable password; the administrator sends a one-time link (Django's PasswordResetTokenGenerator) instead.
* A system administrator can reset a user's second factor (they enrol again at their next sign-in) and end all of
  a user's sessions. Each is a service with its own permission and audit event.
* Every admin change, bulk delete and action is audited in the chain (`earlyhelp.audit.admin.AuditedAdmin`); the
  admins that libraries register are replaced by audited ones or removed (second-factor devices are never edited
  by hand: a TOTP device's page would show its secret).
"""

from axes import admin as axes_admin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group
from django.http import Http404
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from earlyhelp.audit.admin import AuditedAdmin
from earlyhelp.organisations.models import User

from . import services

for model in (Group, TOTPDevice, StaticDevice, AccessAttempt, AccessLog, AccessFailureLog):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


@admin.register(AccessAttempt)
class AuditedAccessAttemptAdmin(AuditedAdmin, axes_admin.AccessAttemptAdmin):
    """Unlocking an account (deleting its failed attempts) is an audited admin change."""


@admin.register(AccessLog)
class AuditedAccessLogAdmin(AuditedAdmin, axes_admin.AccessLogAdmin):
    pass


@admin.register(AccessFailureLog)
class AuditedAccessFailureLogAdmin(AuditedAdmin, axes_admin.AccessFailureLogAdmin):
    pass


class NewUserForm(forms.ModelForm):
    """A new account without a password: the user sets one from the link the administrator sends."""

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email", "role", "organisation", "team", "job_title"]

    def save(self, commit=True):
        user = super().save(commit=False)
        user.set_unusable_password()
        if commit:
            user.save()
        return user


@admin.register(User)
class PractitionerAdmin(AuditedAdmin, UserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "organisation", "team", "is_active",
                    "second_factor", "open_sessions"]
    list_filter = ["role", "is_active"]
    fieldsets = (
        (None, {"fields": ("username",)}),
        *[fieldset for fieldset in UserAdmin.fieldsets if "password" not in fieldset[1]["fields"]],
        ("Work", {"fields": ("role", "organisation", "team", "job_title")}),
    )
    add_form = NewUserForm
    add_fieldsets = ((None, {"fields": ("username", "first_name", "last_name", "email")}),
                     ("Work", {"fields": ("role", "organisation", "team", "job_title")}))
    actions = ["send_password_reset_links", "reset_second_factors", "end_all_sessions"]

    @admin.display(boolean=True, description="Second factor")
    def second_factor(self, obj):
        return services.has_second_factor(obj)

    @admin.display(description="Open sessions")
    def open_sessions(self, obj):
        return services.open_sessions_of(obj).count()

    def user_change_password(self, request, id, form_url=""):
        raise Http404("Passwords are set by a one-time link: use the 'Send a password reset link' action")

    @admin.action(description="Send a one-time password reset link")
    def send_password_reset_links(self, request, queryset):
        sent = 0
        for user in queryset:
            try:
                services.send_password_reset_link(actor=request.user, user=user, request=request)
                sent += 1
            except ValueError as error:
                self.message_user(request, f"{user.username}: {error}", messages.ERROR)
        if sent:
            self.message_user(request, f"Password reset link sent to {sent} user(s).", messages.SUCCESS)

    @admin.action(description="Reset second factor (they set it up again at their next sign-in)")
    def reset_second_factors(self, request, queryset):
        for user in queryset:
            services.reset_second_factor(actor=request.user, user=user)
        self.message_user(request, f"Second factor reset for {queryset.count()} user(s); their sessions have ended.",
                          messages.SUCCESS)

    @admin.action(description="End all their sessions (sign them out everywhere)")
    def end_all_sessions(self, request, queryset):
        ended = sum(services.end_sessions_of(actor=request.user, user=user) for user in queryset)
        self.message_user(request, f"{ended} session(s) ended.", messages.SUCCESS)

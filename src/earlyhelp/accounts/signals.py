"""Sessions are tracked from sign-in to sign-out; failed sign-ins are counted; a disabled account's sessions end."""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save
from django.dispatch import receiver

from . import services
from .models import EndReason


@receiver(user_logged_in, dispatch_uid="earlyhelp.accounts.track_session")
def on_sign_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        services.track_session(request=request, user=user)


@receiver(user_logged_out, dispatch_uid="earlyhelp.accounts.session_ended")
def on_sign_out(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        services.session_ended(session_key=request.session.session_key)


@receiver(user_login_failed, dispatch_uid="earlyhelp.accounts.count_failure")
def on_sign_in_failed(sender, credentials, request=None, **kwargs):
    services.record_failed_sign_in(request=request, username=(credentials or {}).get("username") or "")


@receiver(post_save, sender=get_user_model(), dispatch_uid="earlyhelp.accounts.disabled_user")
def on_user_saved(sender, instance, created, **kwargs):
    """Disabling an account (is_active off) ends every session it has at once, however it was disabled."""
    if not created and not instance.is_active and services.open_sessions_of(instance).exists():
        services.end_sessions_of(actor=None, user=instance, reason=EndReason.ACCOUNT_DISABLED)

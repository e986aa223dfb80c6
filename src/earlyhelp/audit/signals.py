"""Sign-in, sign-out and failed sign-in are audit events. Failed attempts never store the username typed."""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import (
    user_logged_in,
    user_logged_out,
    user_login_failed,
)
from django.dispatch import receiver

from . import services
from .models import Action, Purpose

PURPOSE = Purpose.SYSTEM_SECURITY


@receiver(user_logged_in)
def on_sign_in(sender, request, user, **kwargs):
    services.record(actor=user, action=Action.SIGN_IN, event="session.sign_in", purpose=PURPOSE)


@receiver(user_logged_out)
def on_sign_out(sender, request, user, **kwargs):
    if user is not None:
        services.record(actor=user, action=Action.SIGN_OUT, event="session.sign_out", purpose=PURPOSE)


@receiver(user_login_failed)
def on_sign_in_failed(sender, credentials, request=None, **kwargs):
    # The typed username may be someone's personal data (or a password typed in the wrong box):
    # record only which account it was, if it names one.
    username = (credentials or {}).get("username") or ""
    account = get_user_model().objects.filter(username=username).only("pk").first() if username else None
    # A wrong second factor (after a right password) says why: a wrong code, a reused recovery code (P23).
    second_factor = (credentials or {}).get("second_factor")
    services.record(
        actor=account,
        action=Action.SIGN_IN_FAILED,
        event="session.second_factor_failed" if second_factor else "session.sign_in_failed",
        purpose=PURPOSE,
        metadata={"known_account": account is not None, **({"reason": second_factor} if second_factor else {})},
    )

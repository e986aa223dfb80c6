"""Sign-in state changes (P23): the second factor, failed sign-ins across accounts, sessions and reset links.

Every staff account needs a second factor: a TOTP authenticator app (django-otp) with single-use recovery codes
for when the phone is lost. A password alone signs a session in but leaves it unverified, and an unverified
session sees nothing but the page to enrol or enter a code (`middleware.SecondFactorMiddleware`). A wrong code or a
reused recovery code is a failed sign-in: audited, counted by django-axes' lockout and by the spray throttle here.
"""

import datetime
import re
from base64 import b32encode
from importlib import import_module

import django_otp
import segno
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from earlyhelp.access import policy
from earlyhelp.audit import services as audit
from earlyhelp.audit.client_address import client_ip
from earlyhelp.audit.models import Action, Purpose

from .models import EndReason, SignInFailure, UsedRecoveryCode, UserSession

PURPOSE = Purpose.SYSTEM_SECURITY
APP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"

# The messages a person sees; the forms and views read them from here.
WRONG_CODE = "The code is not right. Enter the 6-digit code your authenticator app shows now"
REUSED_RECOVERY_CODE = ("That recovery code has already been used. Each recovery code works once: "
                        "use another one, or the code from your authenticator app")
WRONG_RECOVERY_CODE = "That recovery code is not right. Check it and try again, or use your authenticator app"
ENTER_CODE = "Enter the 6-digit code from your authenticator app, or one of your recovery codes"
WAIT_BEFORE_RETRY = "Wait a few seconds before you try another code"
THROTTLED = ("There have been too many failed attempts to sign in from your network or to this account. "
             "Try again in {minutes} minutes, or contact your system administrator.")
NO_EMAIL = "This user has no email address: add one before sending a password reset link"

TOTP_PATTERN = re.compile(r"^\d{6}$")


class SecondFactorError(Exception):
    """A refused code, with the message to show. `reason` is a code for the audit trail."""

    def __init__(self, message, reason):
        super().__init__(message)
        self.message = message
        self.reason = reason


# --- Failed sign-ins across accounts and addresses ---------------------------------------------------------------

def account_key(username: str) -> str:
    """A keyed hash of a typed username: counts failures per account without storing what was typed."""
    return salted_hmac("earlyhelp.accounts.sign-in-failure", (username or "").strip().lower()).hexdigest()


def record_failed_sign_in(*, request, username: str) -> None:
    """Count a failed sign-in (called from the `user_login_failed` signal, beside axes and the audit event)."""
    now = timezone.now()
    with transaction.atomic():
        SignInFailure.objects.create(occurred_at=now, source_ip=client_ip(request) if request else None,
                                     account_key=account_key(username))
        # Counts older than the window decide nothing: they are kept no longer (the audit trail keeps the event).
        SignInFailure.objects.filter(
            occurred_at__lt=now - datetime.timedelta(minutes=settings.EARLYHELP_SIGN_IN_WINDOW_MINUTES)).delete()


def throttle_message(*, request, username: str) -> str | None:
    """The refusal if this address, or this account, has had too many failures in the window (a password spray
    over many usernames from one address, or over one username from many addresses); None to go on."""
    window = settings.EARLYHELP_SIGN_IN_WINDOW_MINUTES
    recent = SignInFailure.objects.filter(occurred_at__gte=timezone.now() - datetime.timedelta(minutes=window))
    address = client_ip(request)
    from_address = recent.filter(source_ip=address).count() if address else 0
    for_account = recent.filter(account_key=account_key(username)).count() if username else 0
    if from_address >= settings.EARLYHELP_SIGN_IN_ADDRESS_LIMIT or for_account >= settings.EARLYHELP_SIGN_IN_ACCOUNT_LIMIT:
        return THROTTLED.format(minutes=window)
    return None


def record_throttled(*, request, user=None) -> None:
    """Audit a sign-in refused by the spray throttle (which account, if known; never the typed name)."""
    audit.record(actor=user, action=Action.SIGN_IN_FAILED, event="session.sign_in_throttled", purpose=PURPOSE,
                 metadata={"known_account": user is not None})


# --- The second factor ---------------------------------------------------------------------------------------------

def has_second_factor(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def begin_enrolment(*, user) -> TOTPDevice:
    """The unconfirmed authenticator device a person is enrolling (the same one until they confirm it)."""
    with transaction.atomic():
        device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
            audit.record(actor=user, action=Action.CREATE, event="second_factor.enrolment_started", purpose=PURPOSE,
                         objects=[device])
        return device


def qr_code_data_uri(device: TOTPDevice) -> str:
    """The device's otpauth:// address as an SVG QR code in a data URI: drawn here, nothing fetched."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)


def manual_entry_secret(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for typing into an app that cannot scan."""
    secret = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def confirm_enrolment(*, request, device: TOTPDevice, code: str) -> list[str]:
    """Confirm the authenticator with a code from it, verify this session and issue recovery codes (shown once)."""
    user = request.user
    code = _normalise(code)
    if device.user_id != user.pk or device.confirmed:
        raise SecondFactorError(WRONG_CODE, "wrong_device")
    if not TOTP_PATTERN.match(code):
        raise SecondFactorError(ENTER_CODE.split(", or")[0], "not_a_code")
    if not device.verify_token(code):
        _failed(request, reason="wrong_code")
        raise SecondFactorError(WRONG_CODE, "wrong_code")
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _issue_recovery_codes(user)
        django_otp.login(request, device)
        audit.record(actor=user, action=Action.CHANGE, event="second_factor.enrolled", purpose=PURPOSE,
                     objects=[device], metadata={"recovery_codes": len(codes)})
    return codes


def verify_second_factor(*, request, code: str) -> str:
    """Verify this session with an authenticator code or a recovery code; returns "app" or "recovery_code".

    A wrong or reused code raises `SecondFactorError` after the failure is audited and counted.
    """
    user = request.user
    code = _normalise(code)
    if not code:
        raise SecondFactorError(ENTER_CODE, "empty")
    if TOTP_PATTERN.match(code):
        device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
        if device is None:
            raise SecondFactorError(WRONG_CODE, "no_device")
        allowed, _ = device.verify_is_allowed()
        if not allowed:
            raise SecondFactorError(WAIT_BEFORE_RETRY, "throttled")
        if not device.verify_token(code):
            _failed(request, reason="wrong_code")
            raise SecondFactorError(WRONG_CODE, "wrong_code")
        with transaction.atomic():
            django_otp.login(request, device)
            audit.record(actor=user, action=Action.SIGN_IN, event="session.second_factor_verified", purpose=PURPOSE,
                         objects=[device], metadata={"method": "app"})
        return "app"
    device = StaticDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    used_hash = _recovery_hash(user, code)
    with transaction.atomic():
        verified = device is not None and device.verify_token(code)
        if verified:
            UsedRecoveryCode.objects.create(user=user, code_hash=used_hash, used_at=timezone.now())
            django_otp.login(request, device)
            remaining = device.token_set.count()
            audit.record(actor=user, action=Action.SIGN_IN, event="session.second_factor_verified", purpose=PURPOSE,
                         objects=[device], metadata={"method": "recovery_code", "recovery_codes_left": remaining})
    if verified:
        return "recovery_code"
    if UsedRecoveryCode.objects.filter(user=user, code_hash=used_hash).exists():
        _failed(request, reason="reused_recovery_code")
        raise SecondFactorError(REUSED_RECOVERY_CODE, "reused_recovery_code")
    _failed(request, reason="wrong_recovery_code")
    raise SecondFactorError(WRONG_RECOVERY_CODE, "wrong_recovery_code")


def _failed(request, *, reason: str) -> None:
    """A wrong second factor is a failed sign-in: the `user_login_failed` signal audits it (with the reason),
    and django-axes and the spray throttle count it toward the lockout."""
    user_login_failed.send(sender=__name__, credentials={"username": request.user.get_username(),
                                                         "second_factor": reason}, request=request)


def _normalise(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "").lower()


def _recovery_hash(user, code: str) -> str:
    return salted_hmac("earlyhelp.accounts.recovery-code", f"{user.pk}:{code}").hexdigest()


def _issue_recovery_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = []
    while len(codes) < settings.EARLYHELP_RECOVERY_CODES:
        token = StaticToken.random_token()
        if token not in codes:
            codes.append(token)
    StaticToken.objects.bulk_create([StaticToken(device=device, token=token) for token in codes])
    return codes


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def reset_second_factor(*, actor, user) -> None:
    """An administrator removes a user's authenticator and recovery codes: they enrol again at their next sign-in,
    and every session they have is ended now."""
    policy.require(actor, policy.Permission.RESET_SECOND_FACTOR, purpose=PURPOSE, object_type="organisations.user",
                   object_id=user.pk)
    with transaction.atomic():
        removed = (TOTPDevice.objects.filter(user=user).count() + StaticDevice.objects.filter(user=user).count())
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        UsedRecoveryCode.objects.filter(user=user).delete()
        audit.record(actor=actor, action=Action.CHANGE, event="user.second_factor_reset", purpose=PURPOSE,
                     objects=[user], metadata={"devices_removed": removed})
        _end_sessions(actor=actor, user=user, reason=EndReason.SECOND_FACTOR_RESET)


# --- Sessions ---------------------------------------------------------------------------------------------------

def _session_store():
    return import_module(settings.SESSION_ENGINE).SessionStore


def device_summary(user_agent: str) -> str:
    """A coarse description of the browser: enough to recognise one's own devices, nothing that identifies.
    Empty when the request named no browser (filled in from the session's next request)."""
    ua = user_agent or ""
    if not ua:
        return ""
    browser = next((name for token, name in [("Edg/", "Edge"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"),
                                             ("Safari/", "Safari")] if token in ua), "Unknown browser")
    system = next((name for token, name in [("Windows", "Windows"), ("iPhone", "iPhone"), ("iPad", "iPad"),
                                            ("Android", "Android"), ("CrOS", "ChromeOS"), ("Mac OS", "macOS"),
                                            ("Linux", "Linux")] if token in ua), "an unknown system")
    return f"{browser} on {system}"


def track_session(*, request, user) -> UserSession | None:
    """Remember a newly signed-in session (called when Django signs someone in)."""
    if not request.session.session_key:
        request.session.save()
    now = timezone.now()
    with transaction.atomic():
        tracked, _ = UserSession.objects.update_or_create(
            session_key=request.session.session_key,
            defaults={"user": user, "device_summary": device_summary(request.META.get("HTTP_USER_AGENT", ""))[:80],
                      "started_at": now, "last_seen_at": now, "ended_at": None, "end_reason": ""})
    return tracked


def session_ended(*, session_key: str | None, reason: str = EndReason.SIGNED_OUT) -> None:
    """Mark a tracked session ended (sign-out or time-out; the sign-out itself is audited by the signal)."""
    if session_key:
        with transaction.atomic():
            UserSession.objects.filter(session_key=session_key, ended_at__isnull=True).update(
                ended_at=timezone.now(), end_reason=reason)


def open_sessions_of(user):
    return UserSession.objects.filter(user=user, ended_at__isnull=True).order_by("-last_seen_at")


def end_session(*, actor, tracked: UserSession) -> None:
    """End one session: one's own, or anyone's with END_ANY_SESSION. Someone else's session is refused as missing."""
    own = tracked.user_id == getattr(actor, "pk", None)
    if not own:
        policy.require(actor, policy.Permission.END_ANY_SESSION, purpose=PURPOSE,
                       object_type="accounts.usersession", object_id=tracked.pk)
    with transaction.atomic():
        _end(tracked, EndReason.ENDED_BY_USER if own else EndReason.ENDED_BY_ADMINISTRATOR)
        audit.record(actor=actor, action=Action.CHANGE, event="session.ended", purpose=PURPOSE,
                     objects=[tracked], metadata={"user_id": tracked.user_id, "by": "self" if own else "administrator"})


def end_sessions_of(*, actor, user, reason: str = EndReason.ENDED_BY_ADMINISTRATOR) -> int:
    """End every session a user has (an administrator's action; also when an account is disabled)."""
    if reason == EndReason.ENDED_BY_ADMINISTRATOR:
        policy.require(actor, policy.Permission.END_ANY_SESSION, purpose=PURPOSE, object_type="organisations.user",
                       object_id=user.pk)
    with transaction.atomic():
        return _end_sessions(actor=actor, user=user, reason=reason)


def _end_sessions(*, actor, user, reason) -> int:
    sessions = list(open_sessions_of(user))
    for tracked in sessions:
        _end(tracked, reason)
    audit.record(actor=actor, action=Action.CHANGE, event="session.ended_all", purpose=PURPOSE, objects=[user],
                 metadata={"sessions": len(sessions), "reason": str(reason)})
    return len(sessions)


def _end(tracked: UserSession, reason) -> None:
    _session_store()(session_key=tracked.session_key).delete()
    tracked.ended_at = timezone.now()
    tracked.end_reason = reason
    tracked.save(update_fields=["ended_at", "end_reason"])


# --- Passwords: set by a one-time link, never typed into the admin ----------------------------------------------

def send_password_reset_link(*, actor, user, request) -> None:
    """Email the user a one-time link to set their password (Django's PasswordResetTokenGenerator)."""
    policy.require(actor, policy.Permission.SEND_PASSWORD_RESET_LINK, purpose=PURPOSE,
                   object_type="organisations.user", object_id=user.pk)
    if not user.email:
        raise ValueError(NO_EMAIL)
    path = reverse("account:password-set", kwargs={"uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                                                    "token": default_token_generator.make_token(user)})
    link = request.build_absolute_uri(path)
    with transaction.atomic():
        audit.record(actor=actor, action=Action.CHANGE, event="user.password_reset_link_sent", purpose=PURPOSE,
                     objects=[user])
        send_mail(
            subject=f"{settings.EARLYHELP_SERVICE_NAME}: set your password",
            message=(f"Use this link to set your password for {settings.EARLYHELP_SERVICE_NAME}. "
                     f"It works once, for {settings.PASSWORD_RESET_TIMEOUT // 3600} hours:\n\n{link}\n\n"
                     "If you did not expect this email, tell your system administrator."),
            from_email=None, recipient_list=[user.email])


def password_set_by_link(*, user) -> None:
    """A password was set through a reset link: audited, and every other session of the user ends."""
    with transaction.atomic():
        audit.record(actor=user, action=Action.CHANGE, event="user.password_set_by_link", purpose=PURPOSE,
                     objects=[user])
        _end_sessions(actor=user, user=user, reason=EndReason.PASSWORD_SET)

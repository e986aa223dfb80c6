"""The second factor (enrol, verify), one's own sessions, and setting a password from a one-time link (P23)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme

from earlyhelp.access import policy
from earlyhelp.audit.models import Purpose
from earlyhelp.ui.http_methods import require_POST, require_form_page, require_safe
from earlyhelp.ui.lists import paged_rows

from . import services
from .forms import CodeForm
from .models import UserSession


def _locked_out(request, message):
    """Too many failures: the half-signed-in session ends and the lockout page says why."""
    logout(request)
    return render(request, "web/locked_out.html", {"message": message}, status=429)


@require_form_page
@login_required
def enrol(request):
    """First sign-in: scan the QR code (or type the secret), confirm with a code, keep the recovery codes."""
    if request.user.is_verified() or services.has_second_factor(request.user):
        return redirect("web:dashboard" if request.user.is_verified() else "account:verify")
    device = services.begin_enrolment(user=request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.confirm_enrolment(request=request, device=device, code=form.cleaned_data["code"])
        except services.SecondFactorError as error:
            if getattr(request, "axes_locked_out", False):
                return _locked_out(request, None)
            form.add_error("code", error.message)
        else:
            return render(request, "accounts/recovery_codes.html", {"codes": codes})
    return render(request, "accounts/enrol.html", {
        "form": form, "qr_code": services.qr_code_data_uri(device), "secret": services.manual_entry_secret(device),
        "issuer": settings.OTP_TOTP_ISSUER})


@require_form_page
@login_required
def verify(request):
    """Every sign-in after the first: a code from the authenticator app, or a recovery code."""
    if request.user.is_verified():
        return redirect("web:dashboard")
    if not services.has_second_factor(request.user):
        return redirect("account:enrol")
    throttled = services.throttle_message(request=request, username=request.user.get_username())
    if throttled:
        services.record_throttled(request=request, user=request.user)
        return _locked_out(request, throttled)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            method = services.verify_second_factor(request=request, code=form.cleaned_data["code"])
        except services.SecondFactorError as error:
            if getattr(request, "axes_locked_out", False):
                return _locked_out(request, None)
            form.add_error("code", error.message)
        else:
            if method == "recovery_code":
                messages.warning(request, f"You signed in with a recovery code. You have "
                                          f"{services.recovery_codes_left(request.user)} left.")
            return redirect(_next(request))
    return render(request, "accounts/verify.html", {"form": form})


def _next(request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return reverse_lazy("web:dashboard")


@require_safe
@login_required
def my_sessions(request):
    page = paged_rows(request, services.open_sessions_of(request.user))
    return render(request, "accounts/sessions.html", {
        "sessions": page.object_list, "page": page, "current_key": request.session.session_key})


@require_POST
@login_required
def end_session(request, session_id):
    tracked = UserSession.objects.filter(pk=session_id, ended_at__isnull=True).first()
    if tracked is None:
        policy.refuse(request.user, object_type="accounts.usersession", object_id=session_id,
                      purpose=Purpose.SYSTEM_SECURITY)
    current = tracked.session_key == request.session.session_key
    services.end_session(actor=request.user, tracked=tracked)
    if current:
        return redirect("web:sign-in")
    messages.success(request, "The session has been ended: that browser is signed out.")
    return redirect("account:sessions")


@method_decorator(require_form_page, name="dispatch")  # before the link's token is checked
class PasswordSetView(auth_views.PasswordResetConfirmView):
    """The one way a password is set: a one-time link sent by an administrator (or a future self-service page)."""

    template_name = "accounts/password_set.html"
    success_url = reverse_lazy("web:sign-in")
    post_reset_login = False

    def form_valid(self, form):
        response = super().form_valid(form)
        services.password_set_by_link(user=form.user)
        messages.success(self.request, "Your password has been set. Sign in with it now.")
        return response



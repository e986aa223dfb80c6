import sys

from django import db, forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import urlencode

from earlyhelp.access import policy
from earlyhelp.accounts import services as accounts
from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Action, Purpose
from earlyhelp.casework.selectors import dashboard_for
from earlyhelp.organisations.models import User
from earlyhelp.people.models import Household
from earlyhelp.ui.http_methods import require_POST, require_form_page, require_safe
from earlyhelp.ui.lists import paged_rows

from . import data_team, jobs

RETRY_AFTER_SECONDS = 120  # what a browser or API caller is told to wait after a database outage


@method_decorator(require_form_page, name="dispatch")  # before LoginView's own dispatch redirects a signed-in user
class SignInView(auth_views.LoginView):
    """The first step: username and password. The session is then signed in but not verified: it sees only the
    second-factor pages until a code is entered (`earlyhelp.accounts`, P23)."""

    template_name = "web/sign_in.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        # A password spray (many accounts from one address, or one account from many) is refused before the
        # password is even checked, so the spray learns nothing.
        username = request.POST.get("username", "")
        throttled = accounts.throttle_message(request=request, username=username)
        if throttled:
            accounts.record_throttled(request=request, user=User.objects.filter(username=username).first())
            return render(request, "web/locked_out.html", {"message": throttled}, status=429)
        return super().post(request, *args, **kwargs)

    def get_success_url(self):
        return f"{reverse('account:verify')}?{urlencode({'next': super().get_success_url()})}"


@require_POST
def sign_out(request):
    logout(request)
    messages.success(request, "You have signed out.")
    return redirect("web:sign-in")


@require_safe
@login_required
def dashboard(request):
    user = request.user
    if data_team.wants_data_team_home(user):
        return _data_team_dashboard(request)
    dashboard = dashboard_for(user)
    # Counts only (each list's own read is audited with the families it names); the look is still recorded.
    audit.record(actor=user, action=Action.VIEW, event="dashboard.view", purpose=Purpose.EARLY_HELP_CASEWORK,
                 metadata={"families_counted": sum(count for _, count in dashboard.families)})
    context = {"dashboard": dashboard}
    return render(request, "web/dashboard.html", context)


def _data_team_dashboard(request):
    """The data team's work waiting, as counts (no family is listed, so no personal data is read)."""
    home = data_team.data_team_home(request.user)
    audit.record(actor=request.user, action=Action.VIEW, event="dashboard.view", purpose=Purpose.DATA_MATCHING,
                 metadata={"families_listed": 0})
    return render(request, "web/data_team_dashboard.html", home)


def page_not_found(request, exception=None):
    return render(request, "web/404.html", status=404)


@require_safe
@login_required
def background_jobs(request):
    """The background jobs of the kinds the user runs (`web.jobs`); an audited 404 for anyone who runs none."""
    policy.require_any(request.user, *jobs.PERMISSIONS, purpose=Purpose.ACCESS_OVERSIGHT, object_type="background_jobs")
    page = paged_rows(request, jobs.jobs_for(request.user))
    audit.record(actor=request.user, action=Action.VIEW, event="background_jobs.view", purpose=Purpose.ACCESS_OVERSIGHT,
                 metadata={"listed": len(page.object_list)})
    return render(request, "web/jobs.html", {"page": page, "shown_days": jobs.SHOWN_DAYS})


def server_error(request):
    """The page for an error nothing else caught. It reads nothing from the database and runs no context processor
    (the fault may be the database: an outage answers 503 "the service is unavailable", with Retry-After); an API
    caller gets JSON."""
    outage = isinstance(sys.exc_info()[1], (db.OperationalError, db.InterfaceError))
    status = 503 if outage else 500
    if request.path.startswith("/api/"):
        detail = "The service is unavailable: try again later" if outage else "There is a problem with the service"
        response = JsonResponse({"detail": detail, "errors": []}, status=status)
    else:
        response = HttpResponse(render_to_string("web/500.html", {"outage": outage}), status=status)
    if outage:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class FamilyReferenceForm(forms.Form):
    reference = forms.CharField(label="Family reference", max_length=12, help_text="For example, F0000123",
                                error_messages={"required": "Enter the family reference"})

    def clean_reference(self):
        reference = self.cleaned_data["reference"].strip().upper()
        household = Household.objects.filter(reference=reference).first()
        if household is None:
            raise forms.ValidationError("No family has this reference: check it and try again")
        return household


@require_form_page
@login_required
def family_access_log_lookup(request):
    """The DPO finds a family's access log by its reference (the DPO has no casework search)."""
    policy.require(request.user, policy.Permission.SEE_ANY_FAMILY_VIEWERS, purpose=Purpose.ACCESS_OVERSIGHT)
    form = FamilyReferenceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        return redirect("web:family-viewers", household_id=form.cleaned_data["reference"].pk)
    return render(request, "web/access_log_lookup.html", {"form": form})

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from earlyhelp.casework.selectors import dashboard_for, overdue_reviews_for
from earlyhelp.organisations.models import Role


class SignInView(auth_views.LoginView):
    template_name = "web/sign_in.html"
    redirect_authenticated_user = True


@require_POST
def sign_out(request):
    logout(request)
    messages.success(request, "You have signed out.")
    return redirect("web:sign-in")


@login_required
def dashboard(request):
    user = request.user
    context = {"dashboard": dashboard_for(user), "role": user.role, "Role": Role}
    return render(request, "web/dashboard.html", context)


@login_required
def overdue_reviews(request):
    return render(request, "web/overdue_reviews.html", {"reviews": overdue_reviews_for(request.user)[:500]})


def page_not_found(request, exception=None):
    return render(request, "web/404.html", status=404)


def server_error(request):
    return render(request, "web/500.html", status=500)

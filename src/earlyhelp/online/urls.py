"""The public pages (no sign-in): every URL here is reachable by anyone on the internet.

Everything in the `online` namespace is let through the sign-in and second-factor middleware
(`earlyhelp.accounts.middleware.PUBLIC_NAMESPACES`), so only public pages belong here: each view is decorated with
`protection.public_page` or `protection.public_form_page` (size and rate limits on every POST). Staff pages about
online requests are in `staff_urls.py`, under another namespace.
"""

from django.urls import path

from . import views
from .rights import views as rights_views

app_name = "online"
urlpatterns = [
    # --- "Ask for early help" (issue 15, items 1, 2 and 5) ---
    path("ask/", views.start, name="start"),
    path("ask/who/", views.who, name="who"),
    path("ask/continue/", views.resume, name="resume"),
    path("ask/check-your-answers/", views.check, name="check"),
    path("ask/request-sent/", views.sent, name="sent"),
    path("ask/other-help/", views.other_help, name="other-help"),
    path("ask/<slug:step>/", views.question, name="question"),
    # --- The public service's own pages ---
    path("accessibility/", views.accessibility, name="accessibility"),
    # --- Rights online (issue 15, item 3): subject access, correction, consent withdrawal, complaint ---
    path("your-information/", rights_views.start, name="rights-start"),
    path("your-information/request-sent/", rights_views.sent, name="rights-sent"),
    path("your-information/<slug:kind>/check-your-answers/", rights_views.check, name="rights-check"),
    path("your-information/<slug:kind>/<slug:step>/", rights_views.question, name="rights-question"),
]

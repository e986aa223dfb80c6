from django.contrib import admin
from django.urls import include, path, register_converter
from django.views.generic import RedirectView

from earlyhelp.api.api import api
from earlyhelp.web import converters

# Registered once, here, before any app's URLs use it.
register_converter(converters.RecordIdConverter, "id")

admin.site.site_header = "earlyhelp configuration"
admin.site.site_title = "earlyhelp configuration"

urlpatterns = [
    # One way in: the admin's own password-only sign-in page sends people to the service's sign-in, which throttles
    # sprays and asks for the second factor (P23).
    path("admin/login/", RedirectView.as_view(pattern_name="web:sign-in", query_string=True)),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("account/", include("earlyhelp.accounts.urls")),
    path("rights/", include("earlyhelp.rights.urls")),
    path("retention/", include("earlyhelp.retention.urls")),
    path("matching/", include("earlyhelp.matching.urls")),
    path("programme/", include("earlyhelp.supporting_families.urls")),
    path("reporting/", include("earlyhelp.reporting.urls")),
    # The front door's queue of requests made online (signed in, through the access table).
    path("contacts/online/", include("earlyhelp.online.staff_urls")),
    # The public pages (no sign-in): "Ask for early help" and rights online.
    path("", include("earlyhelp.online.urls")),
    path("", include("earlyhelp.web.urls")),
]

handler404 = "earlyhelp.web.views.page_not_found"
handler403 = "earlyhelp.web.views.page_not_found"  # a refusal looks exactly like a missing record
handler500 = "earlyhelp.web.views.server_error"

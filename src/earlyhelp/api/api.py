"""The earlyhelp API at /api/ (OpenAPI 3.1 at /api/openapi.json, documentation at /api/docs).

Every endpoint needs a bearer token (`Authorization: Bearer eh_...`) or a signed-in browser
session (see `auth`). The routers are thin: what a caller may see is decided by
`earlyhelp.access.policy` and the selectors; every change is a service function.
"""

from ninja import NinjaAPI

from earlyhelp.ui.http_methods import require_safe

from . import errors
from .auth import bearer_token, browser_session
from .families import router as families
from .lists import router as lists
from .people import router as people
from .privacy import router as privacy
from .referrals import router as referrals
from .reporting import router as reporting

api = NinjaAPI(
    title="earlyhelp API",
    version="1",
    description="Early Help case management: families, people, referrals, consent and sharing, through the same access "
                "policy and audit trail as the web interface.",
    urls_namespace="api",
    auth=[bearer_token, browser_session],
    # Each route declares its methods (ninja answers any other with 405); the schema and its page are read-only.
    docs_decorator=require_safe,
)
errors.install(api)
api.add_router("", lists)  # /families/ and /reviews/: the paged lists
api.add_router("/families", families)
api.add_router("/people", people)
api.add_router("/referrals", referrals)
api.add_router("/returns", "earlyhelp.api.returns.router")
api.add_router("", privacy)
api.add_router("/reporting", reporting)

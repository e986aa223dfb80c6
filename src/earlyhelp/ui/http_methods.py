"""The HTTP methods a view answers (P23). Every view declares its own with one of these, as its OUTERMOST decorator
(above `login_required`), so a wrong method is refused with 405 before anything else runs: no sign-in redirect, no
audit event, no database read.

- `require_safe`: a page that only shows something, or a public download (GET, HEAD).
- `require_export`: a download that is an audited export of personal data (GET only): a HEAD request (a link
  checker, a proxy) must not make the file, nor record an export nobody received.
- `require_form_page`: a page with a form: GET (and HEAD) shows it, POST submits it.
- `require_POST`: an action behind a button, never a page.

A class-based view takes the same decorator on its `dispatch` (`method_decorator(..., name="dispatch")`):
`http_method_names` alone is checked only after the class's own `dispatch` has run (a sign-in page redirects a
signed-in user first). `earlyhelp.web.tests.test_http_methods` walks the URL map and holds every view to its
declaration.
"""

from django.views.decorators.http import require_GET, require_http_methods, require_POST, require_safe

FORM_PAGE_METHODS = ("GET", "HEAD", "POST")

require_form_page = require_http_methods(FORM_PAGE_METHODS)
require_export = require_GET

__all__ = ["FORM_PAGE_METHODS", "require_POST", "require_export", "require_form_page", "require_safe"]

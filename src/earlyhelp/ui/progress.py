"""Pages that follow a background job (a pack being built, a linkage run) refresh themselves while it runs.

No script is needed: a `<meta http-equiv="refresh">` reloads the page every few seconds. The page says that it
does, puts the job's state in its title (so a screen reader announces it on each reload), and offers a link that
stops the refreshing (WCAG 2.2.1: a user can turn off a time limit) and one to check again by hand.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError

REFRESH_SECONDS = 3
STOP_PARAMETER = "refresh"


def auto_refresh(request, *, running: bool, cancel_url: str = "", cancel_label: str = "") -> dict:
    """Template context for `ui/includes/auto_refresh_meta.html` and `ui/includes/auto_refresh_notice.html`; with
    `cancel_url`, the notice offers a button that stops the job (a POST to that page, `cancel_label` its words)."""
    stopped = request.GET.get(STOP_PARAMETER) == "off"
    return {"auto_refresh": {"running": running, "stopped": running and stopped,
                             "seconds": REFRESH_SECONDS if running and not stopped else None,
                             "here": request.path, "cancel_url": cancel_url if running else "",
                             "cancel_label": cancel_label}}


def cancel_job(request, cancel, *, done: str) -> None:
    """The view's part of a cancel button: run the service's `cancel()`, and say what happened (`done`), or why
    nothing did (the job had already finished)."""
    try:
        cancel()
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)

"""Pages that follow a background job (a pack being built, a linkage run) refresh themselves while it runs.

No script is needed: a `<meta http-equiv="refresh">` reloads the page every few seconds. The page says that it
does, puts the job's state in its title (so a screen reader announces it on each reload), and offers a link that
stops the refreshing (WCAG 2.2.1: a user can turn off a time limit) and one to check again by hand.
"""

REFRESH_SECONDS = 3
STOP_PARAMETER = "refresh"


def auto_refresh(request, *, running: bool) -> dict:
    """Template context for `ui/includes/auto_refresh_meta.html` and `ui/includes/auto_refresh_notice.html`."""
    stopped = request.GET.get(STOP_PARAMETER) == "off"
    return {"auto_refresh": {"running": running, "stopped": running and stopped,
                             "seconds": REFRESH_SECONDS if running and not stopped else None,
                             "here": request.path}}

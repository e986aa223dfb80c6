"""Access decided once per request (`policy.decided`)."""

from .policy.decided import per_request


class DecideOncePerRequestMiddleware:
    """A page and the service it calls ask about the same family: the database is asked once."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with per_request():
            return self.get_response(request)

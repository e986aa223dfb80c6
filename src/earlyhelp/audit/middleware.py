from . import context
from .client_address import client_ip


class RequestContextMiddleware:
    """Remembers the client address and URL name (never the path or query string) for audit events."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = context.set_current(context.RequestContext(source_ip=client_ip(request), route=""))
        try:
            return self.get_response(request)
        finally:
            context.reset(token)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = getattr(request, "resolver_match", None)
        route = match.view_name if match else ""
        context.set_current(context.RequestContext(source_ip=client_ip(request), route=route[:100]))

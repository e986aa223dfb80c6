"""The client's address, for the audit trail and the sign-in lockout alike (P23).

Behind a reverse proxy every connection comes from the proxy. `X-Forwarded-For` says who the proxy was talking
to, but anyone can send that header: it is believed only when the connection itself comes from a trusted proxy
(`EARLYHELP_TRUSTED_PROXIES`), and then the right-most address that is not a trusted proxy is the client
(addresses to its left were written by the client and may be invented).
"""

import ipaddress
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]):
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def _parse(address: str):
    try:
        return ipaddress.ip_address(address.strip())
    except ValueError:
        return None


def _is_trusted(address, networks) -> bool:
    return address is not None and any(address in network for network in networks)


def client_ip(request) -> str | None:
    """The address to record and to count failed sign-ins against."""
    peer = request.META.get("REMOTE_ADDR")
    networks = _networks(tuple(getattr(settings, "EARLYHELP_TRUSTED_PROXIES", ()) or ()))
    if not networks or not _is_trusted(_parse(peer or ""), networks):
        return peer
    forwarded = [_parse(part) for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    for address in reversed(forwarded):
        if address is None:
            break  # a malformed entry: nothing to its left can be trusted either
        if not _is_trusted(address, networks):
            return str(address)
    return peer

"""The public rate limit needs a cache every server process shares (django-ratelimit's own check is silenced in
settings because it also refuses the database cache, which is shared though not exact)."""

from django.conf import settings
from django.core import checks

NOT_SHARED = {"django.core.cache.backends.locmem.LocMemCache", "django.core.cache.backends.dummy.DummyCache"}


@checks.register(checks.Tags.caches)
def rate_cache_is_shared(app_configs, **kwargs):
    name = getattr(settings, "RATELIMIT_USE_CACHE", "default")
    backend = settings.CACHES.get(name, {}).get("BACKEND", "")
    if backend in NOT_SHARED or not backend:
        return [checks.Error(f"The public rate limit's cache ({name!r}) is not shared by every server process",
                             hint="Use the database cache (the default) or Redis or memcached", id="online.E001")]
    return []

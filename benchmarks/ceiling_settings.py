"""The application's settings with the benchmark's ceiling view added (see ceiling_urls.py)."""

from earlyhelp.settings import *  # noqa: F403

ROOT_URLCONF = "ceiling_urls"

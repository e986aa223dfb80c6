"""The synthetic demo council (see `loader`). Only the names the `load_demo_council` command, the
tests and the benchmarks use."""

from earlyhelp.demo.generator.loader import (
    DEFAULT_FAMILIES,
    DEFAULT_SEED,
    FLUSH_EVERY_FAMILIES,
    SIGN_IN_URL,
    demo_loaded,
    demo_sign_ins,
    generate_council,
    wipe_demo_data,
)
from earlyhelp.demo.generator.staff import DEMO_PASSWORD, DEMO_USERS, TEAM_NAMES

__all__ = [
    "DEFAULT_FAMILIES",
    "DEFAULT_SEED",
    "DEMO_PASSWORD",
    "DEMO_USERS",
    "FLUSH_EVERY_FAMILIES",
    "SIGN_IN_URL",
    "TEAM_NAMES",
    "demo_loaded",
    "demo_sign_ins",
    "generate_council",
    "wipe_demo_data",
]

"""The synthetic demo council. Only the names the `load_demo_council` command and the tests use."""

from earlyhelp.demo.generator.stages import (
    DEFAULT_FAMILIES,
    DEFAULT_SEED,
    DEMO_PASSWORD,
    DEMO_USERS,
    FLUSH_EVERY_FAMILIES,
    SIGN_IN_URL,
    TEAM_NAMES,
    demo_loaded,
    demo_sign_ins,
    generate_council,
    wipe_demo_data,
)

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

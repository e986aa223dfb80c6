"""Statistical disclosure control for published statistics (privacy promise P11): see `suppression` for the method
and its guarantee, and `publishing` for the check made on what will actually be shown."""

import importlib

from .rules import DisclosureRisk, Geography, Suppression, Symbol, Thresholds

# numpy and scipy (the adversary's linear programs) take seconds to import: they load when statistics are first
# protected, not when a web worker starts (most pages publish no statistics).
_WHERE = {"check_published": "publishing", "render_safe": "publishing", "ProtectedPublication": "suppression",
          "ShownCell": "suppression", "ShownTable": "suppression", "protect": "suppression", "Dataset": "tables",
          "Grouping": "tables", "Publication": "tables", "Table": "tables"}


def __getattr__(name):
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
    globals()[name] = value
    return value


__all__ = [
    "Dataset",
    "DisclosureRisk",
    "Geography",
    "Grouping",
    "ProtectedPublication",
    "Publication",
    "ShownCell",
    "ShownTable",
    "Suppression",
    "Symbol",
    "Table",
    "Thresholds",
    "check_published",
    "protect",
    "render_safe",
]

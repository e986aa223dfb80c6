"""Statistical disclosure control for published statistics (privacy promise P11): see `suppression` for the method
and its guarantee, and `publishing` for the check made on what will actually be shown."""

from earlyhelp.lazy_imports import lazy_exports

from .rules import DisclosureRisk, Geography, Suppression, Symbol, Thresholds

# numpy and scipy (the adversary's linear programs) take seconds to import: they load when statistics are first
# protected, not when a web worker starts (most pages publish no statistics).
_WHERE = {"check_published": "publishing", "render_safe": "publishing", "ProtectedPublication": "suppression",
          "ShownCell": "suppression", "ShownTable": "suppression", "protect": "suppression", "Dataset": "tables",
          "Grouping": "tables", "Publication": "tables", "Table": "tables"}


__getattr__ = lazy_exports(__name__, _WHERE)


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

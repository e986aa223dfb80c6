"""Statistical disclosure control for published statistics (privacy promise P11): see `suppression` for the method
and its guarantee, and `publishing` for the check made on what will actually be shown."""

from .publishing import check_published, render_safe
from .rules import DisclosureRisk, Geography, Suppression, Symbol, Thresholds
from .suppression import ProtectedPublication, ShownCell, ShownTable, protect
from .tables import Dataset, Grouping, Publication, Table

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

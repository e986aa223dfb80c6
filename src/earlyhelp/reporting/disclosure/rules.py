"""The council's disclosure-control rules: thresholds, geography levels and the GSS symbols.

Nothing here reads settings: the council's values come from a model row (added elsewhere) and are passed in as a
`Thresholds` instance, so every function that applies the rules takes one.
"""

import enum
from dataclasses import dataclass


class Geography(enum.IntEnum):
    """The finest geography a table covers. The order matters: a stricter threshold below the council, rounding
    above it."""

    SMALL_AREA = 10  # ward, LSOA, locality: fewer families, so a figure is easier to link to one
    COUNCIL = 20
    REGION = 30
    NATIONAL = 40


class Symbol(enum.StrEnum):
    """The Government Statistical Service's symbols for a figure that is not shown as a number."""

    CONFIDENTIAL = "c"  # suppressed to protect confidentiality
    NOT_APPLICABLE = "z"  # the combination cannot occur
    LOW = "k"  # not zero, but less than half the final digit shown (rounds to zero)
    NOT_AVAILABLE = ":"  # withheld for a reason other than confidentiality


class Suppression(enum.StrEnum):
    """Why a figure is shown as `c`."""

    PRIMARY = "primary"  # the count itself is small
    SECONDARY = "secondary"  # suppressed so that a small count cannot be worked out from the others


class DisclosureRisk(Exception):
    """Publishing what was asked for could let a reader link a figure to a family.

    Messages name the table, never a person or a figure, so they are safe to log and to show.
    """


@dataclass(frozen=True, kw_only=True)
class Thresholds:
    """How small a count must be suppressed, how totals are rounded and how wide the protection must be.

    `minimum`..`suppress_up_to` (or `small_area_suppress_up_to` for small-area tables) are suppressed; 0 is a true
    zero and is shown. Totals of tables above council level are rounded to the nearest `rounding_base` (1: no
    rounding). `protection` is how far an attacker's range for a suppressed small count must reach on each side
    (None: the threshold in force for the table, which is the usual choice); see `targets_for`.
    """

    minimum: int = 1
    suppress_up_to: int = 5
    small_area_suppress_up_to: int = 10
    rounding_base: int = 10
    protection: int | None = None

    def __post_init__(self):
        for name in ("minimum", "suppress_up_to", "small_area_suppress_up_to", "rounding_base"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool):
                raise ValueError(f"The disclosure threshold '{name}' must be a whole number.")
        if self.minimum < 1:
            raise ValueError("A true zero is shown as 0, so the smallest suppressed count must be at least 1.")
        if self.suppress_up_to < self.minimum:
            raise ValueError("The suppression threshold must not be below the smallest suppressed count.")
        if self.small_area_suppress_up_to < self.suppress_up_to:
            raise ValueError("The small-area threshold must be at least as strict as the council threshold.")
        if self.rounding_base < 1:
            raise ValueError("The rounding base must be at least 1 (1 means no rounding).")
        if self.protection is not None and (
            not isinstance(self.protection, int) or isinstance(self.protection, bool) or self.protection < 1
        ):
            raise ValueError("The protection interval must be a whole number of at least 1.")

    def suppress_up_to_for(self, geography: Geography) -> int:
        return self.small_area_suppress_up_to if geography <= Geography.SMALL_AREA else self.suppress_up_to

    def rounds_totals(self, geography: Geography) -> bool:
        return geography > Geography.COUNCIL and self.rounding_base > 1

    def is_small(self, *, count: int, suppress_up_to: int) -> bool:
        return self.minimum <= count <= suppress_up_to

    def targets_for(self, *, count: int, suppress_up_to: int) -> tuple[int, int]:
        """The (lower, upper) values an attacker must be unable to rule out for a suppressed small count.

        With p the protection (default: the threshold t in force), the attacker's feasible range must reach down to
        max(0, count - p) and up to max(count + p, t + 1). With the default p = t >= count the lower target is 0, so
        a reader can never tell a small count from none, nor from one above the threshold.
        """
        protection = self.protection if self.protection is not None else suppress_up_to
        return max(0, count - protection), max(count + protection, suppress_up_to + 1)

    def round_total(self, count: int) -> int:
        """Round half up to the base: with base 10, 15 is shown as 20 and 14 as 10."""
        base = self.rounding_base
        return (count + base // 2) // base * base

    def rounded_range(self, shown: int | str) -> tuple[int, int]:
        """The whole numbers a rounded total shown as `shown` (a number, 0 or `k`) can stand for."""
        base = self.rounding_base
        below, above = base // 2, (base + 1) // 2 - 1
        if shown == Symbol.LOW:
            return 1, above
        if shown == 0:
            return 0, 0  # a true zero is shown as 0; a small non-zero total as `k`
        return shown - below, shown + above

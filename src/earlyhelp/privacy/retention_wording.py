"""How long a register entry keeps its records, in words ("6 years after the case closes"), for the register and
the privacy notice.

The register names a retention rule by its code (CASE+6); the rules, and how a code reads, belong to the retention
app, which sits above this one. It registers its describer at start-up (`register`); until it does, or for a code
that is not a rule, the code is shown as it is.
"""

from collections.abc import Callable, Iterable

Describer = Callable[[Iterable[str]], dict[str, str]]
_describer: Describer | None = None


def register(describer: Describer) -> None:
    """`describer(codes)` returns the words for each code it knows."""
    global _describer
    _describer = describer


def in_words(codes: Iterable[str]) -> dict[str, str]:
    """Each code's words, or the code itself where no rule describes it."""
    codes = [code for code in codes if code]
    known = _describer(codes) if _describer is not None else {}
    return {code: known.get(code, code) for code in codes}

"""Names a package exports from submodules that load only when first used (PEP 562).

Heavy libraries (pandas, DuckDB, Splink, numpy, scipy) take seconds to import; a package whose work needs them
exports its names through this, so that a web worker starts at once and loads them on the first page that needs them:

    __getattr__ = lazy_exports(__name__, {"link": "prediction", "train": "training"})
"""

import importlib
import sys


def lazy_exports(package: str, where: dict[str, str]):
    """A module `__getattr__` that imports `package.<where[name]>` on first use of `name` and keeps the value."""

    def __getattr__(name):
        if name not in where:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f".{where[name]}", package), name)
        setattr(sys.modules[package], name, value)
        return value

    return __getattr__

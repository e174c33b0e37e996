"""The commands' terminal console and renderer, loaded on first use: importing rich costs more than `--help` may take."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable

NARROW_WIDTH = 140     # not a terminal (pipes, tests): a fixed width, so output does not depend on the caller


class Lazy:
    """Stands in for the object `make()` returns, creating it at the first attribute looked up."""

    def __init__(self, make: Callable[[], object]):
        self._make, self._obj = make, None

    def __getattr__(self, name: str):
        if self._obj is None:
            self._obj = self._make()
        return getattr(self._obj, name)


def _console():
    from rich.console import Console
    return Console(highlight=False, width=None if sys.stdout.isatty() else NARROW_WIDTH)


console = Lazy(_console)
render = Lazy(lambda: importlib.import_module("connector.render"))

"""Start-up cost: modules that third-party libraries import but this pipeline never uses.

Two remedies, both for the current process only:

- **Absent** (``UNUSED``): ``jsonschema`` (imported by nbformat for papermill and nbconvert)
  imports ``rfc3987_syntax`` when it is installed, only to check the "iri" string format; that
  module compiles about forty parsers at import, about 4 s of CPU on the reference machine, in
  every command that runs a notebook or renders a paper. No schema this pipeline checks uses
  that format, so each command marks the module absent before anything imports jsonschema
  (jsonschema then leaves "iri" unchecked).
- **Deferred** (``GX_DEFERRED``): Great Expectations imports ``altair`` (with jsonschema, about
  2 s of CPU), ``scipy.stats`` (about 0.8 s) and ``jsonschema`` at import time, for the few
  expectations that draw charts, test distributions (KL divergence, Kolmogorov-Smirnov) or
  match JSON schemas, none of which this pipeline's suites use. ``deferring`` hands GX a
  stand-in module while it is imported; the stand-in imports the real module the first time
  one of its attributes is read, so such an expectation still works, only paying the import
  when it runs. The stand-ins are taken out of ``sys.modules`` afterwards: any other
  ``import altair`` gets the real module.
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Iterator
from contextlib import contextmanager

UNUSED = ("rfc3987_syntax",)
GX_DEFERRED = ("altair", "scipy.stats", "jsonschema")


def skip_unused_imports() -> None:
    """Mark UNUSED modules as absent in this process unless something has imported them."""
    for name in UNUSED:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]  # None: "import ... fails"


class DeferredModule(types.ModuleType):
    """Stands in for a module; imports the real one when an attribute is first read."""

    def __getattr__(self, attr: str):
        real = self.__dict__.get("_deferred_real")
        if real is None:
            if sys.modules.get(self.__name__) is self:
                del sys.modules[self.__name__]
            real = importlib.import_module(self.__name__)
            self.__dict__["_deferred_real"] = real
        return getattr(real, attr)


def is_deferred(module: object) -> bool:
    """True for a stand-in whose real module has not been imported through it yet."""
    return isinstance(module, DeferredModule) and "_deferred_real" not in module.__dict__


@contextmanager
def deferring(names: tuple[str, ...]) -> Iterator[None]:
    """Within the block, ``import <name>`` gives a DeferredModule for each of ``names`` not
    yet imported; afterwards the stand-ins leave ``sys.modules`` (their holders keep them)."""
    added = [name for name in names if name not in sys.modules]
    for name in added:
        sys.modules[name] = DeferredModule(name)
    try:
        yield
    finally:
        for name in added:
            if isinstance(sys.modules.get(name), DeferredModule):
                del sys.modules[name]

"""Start-up cost: modules that third-party libraries import but this pipeline never uses.

``jsonschema`` (imported by nbformat for papermill and nbconvert, and by Great Expectations
through altair) imports ``rfc3987_syntax`` when it is installed, only to check the "iri"
string format; that module compiles about forty parsers at import, about 4 s of CPU on the
reference machine, in every command that runs a notebook, renders a paper or validates.
No schema this pipeline checks uses that format, so each command marks the module absent
before anything imports jsonschema (jsonschema then leaves "iri" unchecked).
"""

from __future__ import annotations

import sys

UNUSED = ("rfc3987_syntax",)


def skip_unused_imports() -> None:
    """Mark UNUSED modules as absent in this process unless something has imported them."""
    for name in UNUSED:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]  # None: "import ... fails"

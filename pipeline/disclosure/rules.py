"""The primary rule and how suppressed numbers are written in tables and sentences.

Every threshold comes from :class:`pipeline.config.DisclosureParams` (params.yaml
``disclosure``); nothing here is hard-coded.
"""

from __future__ import annotations

import math

from pipeline.config import DisclosureParams
from pipeline.errors import DisclosureError


def is_sensitive(value: float, params: DisclosureParams) -> bool:
    """True if the primary rule hides `value`: 1..threshold-1, and 0 when zeros are suppressed."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return False
    if value == 0:
        return params.zero == "suppress"
    return 0 < value < params.threshold


def rule_floor(params: DisclosureParams) -> int:
    """The least value an attacker knows a suppressed cell holds: 1 when zeros are shown."""
    return 1 if params.zero == "show" else 0


def rule_ceiling(params: DisclosureParams) -> int:
    """The greatest value a primary-suppressed cell can hold under the published rule."""
    return params.threshold - 1


def format_count(value: float) -> str:
    """A published count as text: ``1,234``; non-integral figures keep one decimal."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}"


def describe_count(value: float, shown: bool, params: DisclosureParams | None = None) -> str:
    """A count for narrative text: ``"8"`` when shown, ``"fewer than 10"`` when suppressed.

    Only a primary-suppressed count (one the rule itself hides) may be described in words.
    A secondary-suppressed count is not small, so no truthful phrase for it differs from the
    one for small counts without telling the reader it is not small (which the audit does
    not allow for): leave it out of the sentence. Asking for one raises DisclosureError.
    """
    params = params or DisclosureParams()
    if shown:
        return format_count(value)
    if is_sensitive(value, params):
        return f"fewer than {params.threshold}"
    raise DisclosureError(
        "a secondary-suppressed figure cannot be described in text; leave it out of the sentence")


def describe_change(before: float, after: float, shown: bool, params: DisclosureParams | None = None) -> str:
    """A change between two counts for narrative text, or a neutral phrase when either is hidden."""
    if not shown:
        return "a change that cannot be shown (small numbers)"
    diff = after - before
    if diff == 0:
        return "no change"
    word = "an increase" if diff > 0 else "a decrease"
    return f"{word} of {format_count(abs(diff))}"

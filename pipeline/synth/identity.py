"""Child identifiers and unique pupil numbers (UPNs)."""

from __future__ import annotations

import numpy as np

# DfE UPN check letters: the remainder mod 23 indexes this alphabet (no I, O or S).
UPN_CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"


ID_STYLES = ("alphanumeric", "numeric")
NUMERIC_ID_WIDTH = 6  # as many case-management systems issue them: 012345 ... 999999


def make_child_ids(n: int, prefix: str, style: str = "alphanumeric") -> np.ndarray:
    """Child identifiers. ``alphanumeric``: the LA's prefix (from a hash of its name) and a
    serial number (``5D940000673``). ``numeric``: distinct plain numbers of 6 digits
    (``906327``), as many councils' systems issue them (and the DfE validator's fake data);
    about one in ten starts with 0 (``041051``), so a reader that drops leading zeros is
    caught; more digits only when there are too many children for six. Drawn from a stream
    of their own (seeded by the prefix), so the style changes nothing else in the data."""
    if style == "alphanumeric":
        return np.array([f"{prefix}{i:07d}" for i in range(n)], dtype=object)
    if style != "numeric":
        raise ValueError(f"id style {style!r}: expected one of {', '.join(ID_STYLES)}")
    rng = np.random.default_rng(int(prefix.encode().hex() or "0", 16))
    top = max(10 ** NUMERIC_ID_WIDTH, 3 * n)
    width = max(NUMERIC_ID_WIDTH, len(str(top - 1)))
    numbers = rng.choice(np.arange(1_000, top), size=n, replace=False)
    return np.array([f"{v:0{width}d}" for v in numbers], dtype=object)


def upn_check_letter(body: str) -> str:
    """The check letter of a UPN whose last 12 characters are `body` (digits)."""
    total = sum(int(c) * w for c, w in zip(body, range(2, 14), strict=True))
    return UPN_CHECK_LETTERS[total % 23]


def is_valid_upn(upn: str) -> bool:
    """A letter followed by 12 digits, the letter being the DfE check letter of the digits."""
    return (len(upn) == 13 and upn[0] in UPN_CHECK_LETTERS and upn[1:].isdigit()
            and upn_check_letter(upn[1:]) == upn[0])


def make_upns(birth_years: np.ndarray, la_code: str, rng: np.random.Generator) -> np.ndarray:
    """A UPN for each child: check letter + LA number (3) + school (4) + year allocated (2) + serial (3)."""
    n = len(birth_years)
    la = int((la_code + "000")[:3]) if la_code.isdigit() else 999
    school = rng.integers(2000, 7000, size=n)
    year = (np.asarray(birth_years) + 4) % 100
    serial = rng.integers(0, 1000, size=n)
    body = ((la * 10_000 + school) * 100 + year) * 1000 + serial  # the 12 digits as one number
    digits = (body[:, None] // 10 ** np.arange(11, -1, -1)) % 10
    letters = np.array(list(UPN_CHECK_LETTERS))[(digits * np.arange(2, 14)).sum(axis=1) % 23]
    return np.char.add(letters, np.char.zfill(body.astype(str), 12)).astype(object)

"""A fictional county on the British National Grid: districts, postcodes and coordinates.

In-LA postcodes use the LA's invented area (e.g. NM1 4AB); placements outside the LA use other
invented areas (FW, HY, EY), near the border or far away. Every postcode is valid in format.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipeline.synth.settings import OUTSIDE_AREAS, SynthSettings

LA_RADIUS_M = 28_000.0
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # letters allowed in the inward code (no C I K M O V)
OUTSIDE = "OUTSIDE"


@dataclass(frozen=True)
class Geography:
    """Postcodes with coordinates, and index pools the placement model draws from."""

    postcodes: pd.DataFrame  # POSTCODE, EASTING, NORTHING, DISTRICT, IN_LA, ZONE, DISTRICT_IDX
    district_pools: tuple[np.ndarray, ...]  # postcode row indices in each district
    near_pool: np.ndarray  # outside the LA, within ~20 km of its boundary
    far_pool: np.ndarray  # outside the LA, 45-200 km away
    own_homes: np.ndarray  # the LA's own children's homes (in the LA)
    secure_units: np.ndarray  # secure children's homes (mostly far away)


def make_inward_codes(n: int, rng: np.random.Generator) -> list[str]:
    """`n` distinct inward codes (digit + two letters)."""
    letters = INWARD_LETTERS
    combos = 10 * len(letters) ** 2
    picks = rng.choice(combos, size=n, replace=False)
    digit, rest = np.divmod(picks, len(letters) ** 2)
    a, b = np.divmod(rest, len(letters))
    return [f"{d}{letters[i]}{letters[j]}" for d, i, j in zip(digit, a, b, strict=True)]


def make_codes(area: str, first_number: int, n: int, rng: np.random.Generator) -> list[str]:
    """`n` distinct postcodes in an area, spread over outward codes of up to 2,000 each."""
    n_outward = max(1, -(-n // 2000))
    sizes = np.full(n_outward, n // n_outward)
    sizes[: n % n_outward] += 1
    codes: list[str] = []
    for k, size in enumerate(sizes):
        outward = f"{area}{first_number + k}"
        codes += [f"{outward} {inward}" for inward in make_inward_codes(int(size), rng)]
    return codes


def district_centres(n: int, centre: tuple[float, float], rng: np.random.Generator) -> np.ndarray:
    """One district in the middle of the county, the others around it."""
    angles = np.linspace(0, 2 * np.pi, n - 1, endpoint=False) + rng.uniform(0, 2 * np.pi)
    ring = 0.6 * LA_RADIUS_M
    xy = np.vstack([[0.0, 0.0], np.column_stack([ring * np.cos(angles), ring * np.sin(angles)])])
    return xy + np.asarray(centre)


def scatter_points(centre: np.ndarray, n: int, sd: float, la_centre, rng) -> np.ndarray:
    """Points around a district centre, pulled back inside the county boundary."""
    pts = centre + rng.normal(0.0, sd, size=(n, 2))
    rel = pts - np.asarray(la_centre)
    r = np.hypot(rel[:, 0], rel[:, 1])
    limit = LA_RADIUS_M * 0.97
    shrink = np.where(r > limit, limit / np.maximum(r, 1.0) * rng.uniform(0.85, 1.0, size=n), 1.0)
    return np.asarray(la_centre) + rel * shrink[:, None]


def ring_points(n: int, r_min: float, r_max: float, la_centre, rng) -> np.ndarray:
    """Points at a distance between r_min and r_max from the county centre."""
    theta = rng.uniform(0, 2 * np.pi, size=n)
    r = rng.uniform(r_min, r_max, size=n)
    return np.asarray(la_centre) + np.column_stack([r * np.cos(theta), r * np.sin(theta)])


def make_geography(settings: SynthSettings) -> Geography:
    """Districts, in-LA and outside postcodes with coordinates, and the placement pools."""
    rng = settings.rng("geography")
    prof = settings.profile
    size = max(1.0, settings.scale)
    n_d = len(prof.district_names)
    centres = district_centres(n_d, prof.centre, rng)
    frames, first = [], 1
    for i, name in enumerate(prof.district_names):
        n = int(80 * size)
        codes = make_codes(prof.area, first, n, rng)
        first += max(1, -(-n // 2000)) + 1
        xy = scatter_points(centres[i], n, 6000.0, prof.centre, rng)
        frames.append(pd.DataFrame({"POSTCODE": codes, "EASTING": xy[:, 0], "NORTHING": xy[:, 1],
                                    "DISTRICT": name, "IN_LA": 1, "ZONE": "in", "DISTRICT_IDX": i}))
    zones = (("near", int(200 * size), LA_RADIUS_M + 2_000, LA_RADIUS_M + 22_000),
             ("far", int(120 * size), 45_000, 200_000))
    for k, (zone, n, r0, r1) in enumerate(zones):
        area = OUTSIDE_AREAS[k % len(OUTSIDE_AREAS)] if zone == "near" else OUTSIDE_AREAS[2]
        codes = make_codes(area, 1 + 10 * k, n, rng)
        xy = ring_points(n, r0, r1, prof.centre, rng)
        frames.append(pd.DataFrame({"POSTCODE": codes, "EASTING": xy[:, 0], "NORTHING": xy[:, 1],
                                    "DISTRICT": OUTSIDE, "IN_LA": 0, "ZONE": zone, "DISTRICT_IDX": -1}))
    pcs = pd.concat(frames, ignore_index=True)
    pcs["EASTING"] = pcs["EASTING"].round(0)
    pcs["NORTHING"] = pcs["NORTHING"].round(0)
    pools = tuple(np.flatnonzero(pcs["DISTRICT_IDX"].to_numpy() == i) for i in range(n_d))
    near = np.flatnonzero(pcs["ZONE"].to_numpy() == "near")
    far = np.flatnonzero(pcs["ZONE"].to_numpy() == "far")
    in_la = np.flatnonzero(pcs["IN_LA"].to_numpy() == 1)
    own_homes = rng.choice(in_la, size=max(2, round(5 * settings.scale)), replace=False)
    secure = rng.choice(far, size=max(2, round(3 * settings.scale)), replace=False)
    return Geography(pcs, pools, near, far, np.sort(own_homes), np.sort(secure))

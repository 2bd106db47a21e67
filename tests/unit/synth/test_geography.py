import numpy as np
import pytest

from pipeline.periods import parse_quarter
from pipeline.synth.geography import LA_RADIUS_M, make_codes, make_geography
from pipeline.synth.settings import SynthSettings
from tests.synth_checks import POSTCODE_RE


@pytest.fixture(scope="module")
def geo():
    s = SynthSettings(seed=1, scale=0.5, la_name="Northmoor County Council", la_code="990",
                      until=parse_quarter("2026-27 Q2"))
    return s, make_geography(s)


def test_postcodes_are_unique_and_valid_in_format(geo):
    _, g = geo
    pcs = g.postcodes["POSTCODE"]
    assert pcs.is_unique and pcs.map(lambda p: bool(POSTCODE_RE.match(p))).all()


def test_in_la_postcodes_use_the_la_area_and_lie_inside_the_county(geo):
    s, g = geo
    inside = g.postcodes[g.postcodes["IN_LA"] == 1]
    assert inside["POSTCODE"].str.startswith(s.profile.area).all()
    r = np.hypot(inside["EASTING"] - s.profile.centre[0], inside["NORTHING"] - s.profile.centre[1])
    assert (r <= LA_RADIUS_M).all()
    assert set(inside["DISTRICT"]) == set(s.profile.district_names)


def test_outside_postcodes_are_outside(geo):
    s, g = geo
    out = g.postcodes[g.postcodes["IN_LA"] == 0]
    assert (out["DISTRICT"] == "OUTSIDE").all()
    r = np.hypot(out["EASTING"] - s.profile.centre[0], out["NORTHING"] - s.profile.centre[1])
    assert (r > LA_RADIUS_M).all()
    assert set(g.near_pool) | set(g.far_pool) == set(out.index)


def test_codes_spread_over_outward_codes_of_at_most_2000():
    codes = make_codes("NM", 1, 4500, np.random.default_rng(0))
    outward = {c.split()[0] for c in codes}
    assert len(set(codes)) == 4500 and outward == {"NM1", "NM2", "NM3"}

import hashlib

from pipeline.periods import parse_quarter
from pipeline.synth.settings import SynthSettings, make_profile, name_key, short_name_of


def settings(until="2026-27 Q2", name="Northmoor County Council"):
    return SynthSettings(seed=1, scale=1.0, la_name=name, la_code="990", until=parse_quarter(until))


def test_returns_for_q2_are_seven_years_and_two_extracts():
    names = [r.name for r in settings().returns]
    assert names == ["2019-20", "2020-21", "2021-22", "2022-23", "2023-24", "2024-25", "2025-26",
                     "2026-27_Q1", "2026-27_Q2"]


def test_returns_for_q1_have_one_extract_and_q4_four():
    assert [r.name for r in settings("2026-27 Q1").in_year_returns] == ["2026-27_Q1"]
    q4 = settings("2024-25 Q4")
    assert q4.annual_returns[-1].name == "2023-24" and len(q4.in_year_returns) == 4


def test_simulation_starts_long_before_the_first_return():
    s = settings()
    assert s.window_start.isoformat() == "2019-04-01" and s.sim_start_year == 2001
    assert s.end.isoformat() == "2026-09-30"


def test_profile_is_deterministic_and_differs_between_las():
    a, b = make_profile("Northmoor County Council"), make_profile("Eastvale Borough Council")
    assert a == make_profile("Northmoor County Council")
    assert a.id_prefix != b.id_prefix and a.district_names != b.district_names
    assert 6 <= len(a.district_names) <= 7 and abs(sum(a.district_weights) - 1) < 1e-9
    assert a.area == "NM" and b.area == "EV"


def test_name_key_does_not_depend_on_python_hash_seed():
    expected = int(hashlib.sha256(b"Northmoor County Council").hexdigest()[:8], 16)
    assert name_key("Northmoor County Council") == expected
    assert name_key(" Northmoor County Council ") == name_key("Northmoor County Council")


def test_short_name_drops_council_words():
    assert short_name_of("Northmoor County Council") == "Northmoor"
    assert short_name_of("City of Eastvale Council") == "Eastvale"


def test_random_streams_are_reproducible_and_independent():
    s = settings()
    assert s.rng("a").random() == s.rng("a").random()
    assert s.rng("a").random() != s.rng("b").random()

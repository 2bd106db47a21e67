"""Hand-worked cases for the Markov stock-flow projection."""

import numpy as np
import pandas as pd
import pytest

from pipeline.measures.projection import (
    AGE_MONTHS,
    TransitionRates,
    band_index_of_age_years,
    build_base_state,
    estimate_rates,
    simulate_care_population,
    summarise_projection,
)

GROUPS = ("FOSTER", "RESI")


def _rates(exit_p=0.0, move=None, admissions=None, mix=None):
    return TransitionRates(
        groups=GROUPS,
        exit_prob=np.full((5, 2, 2), exit_p),
        move=np.broadcast_to(np.eye(2) if move is None else np.asarray(move, dtype=float), (5, 2, 2)).copy(),
        admissions=np.zeros(18) if admissions is None else np.asarray(admissions, dtype=float),
        entry_mix=np.tile([1.0, 0.0], (5, 1)) if mix is None else np.asarray(mix, dtype=float),
    )


def _base(children: dict[tuple[int, int, int], int]) -> np.ndarray:
    """{(age in months, time-in-care band, group): n}."""
    state = np.zeros((AGE_MONTHS, 2, 2), dtype=np.int64)
    for (m, t, g), n in children.items():
        state[m, t, g] = n
    return state


def test_age_band_index_follows_dfe_bands():
    assert band_index_of_age_years(np.array([0, 1, 4, 5, 9, 10, 15, 16, 17])).tolist() == [0, 1, 1, 2, 2, 3, 3, 4, 4]


def test_certain_exits_and_no_admissions_empty_the_stock():
    runs = simulate_care_population(_base({(60, 1, 0): 40, (120, 0, 1): 7}), _rates(exit_p=1.0), 2, 20, seed=1)
    assert runs.sum() == 0


def test_no_exits_no_moves_no_admissions_keeps_every_child_and_ages_them():
    runs = simulate_care_population(_base({(60, 1, 0): 40}), _rates(), 3, 5, seed=1)
    # 5 years 0 months old at the start -> 6, 7, 8 at each year end, all still in foster care.
    assert runs[:, 0, 6, 0].tolist() == [40] * 5 and runs[:, 2, 8, 0].tolist() == [40] * 5
    assert runs[:, :, :, 1].sum() == 0


def test_children_turning_18_leave_care():
    # 17 years 6 months old: 18 after 6 months, gone by the year end; 16 years 11 months: 17y 11m, still in care.
    runs = simulate_care_population(_base({(210, 1, 0): 3, (203, 1, 1): 4}), _rates(), 1, 3, seed=2)
    assert runs[:, 0, :, 0].sum() == 0
    assert runs[:, 0, 17, 1].tolist() == [4, 4, 4]


def test_steady_state_stays_steady_in_expectation():
    # 200 children aged 5, 10% leave each month, 20 arrive each month at age 5: E[N] stays 200.
    lam = np.zeros(18)
    lam[5] = 20.0
    runs = simulate_care_population(_base({(60, 1, 0): 200}), _rates(exit_p=0.1, admissions=lam), 3, 400, seed=7)
    totals = runs.sum(axis=(2, 3))                      # [sims, years]
    se = totals.std(axis=0) / np.sqrt(totals.shape[0])
    assert np.all(np.abs(totals.mean(axis=0) - 200) < 4 * se + 0.5)


def test_moves_follow_the_transition_matrix():
    # Every foster child moves to residential each month with certainty; nobody moves back.
    runs = simulate_care_population(_base({(24, 1, 0): 10}), _rates(move=[[0, 1], [0, 1]]), 1, 4, seed=3)
    assert runs[:, 0, 3, 1].tolist() == [10] * 4 and runs[:, 0, :, 0].sum() == 0


def test_arrivals_take_their_age_bands_placement_mix():
    lam = np.zeros(18)
    lam[16] = 3.0
    mix = np.tile([1.0, 0.0], (5, 1))
    mix[4] = [0.0, 1.0]                                    # 16 and over all go to residential
    runs = simulate_care_population(_base({}), _rates(admissions=lam, mix=mix), 1, 200, seed=4)
    assert runs[:, :, :, 0].sum() == 0
    # 3 a month for 12 months; arriving aged 16y 0m-16y 11m, none reaches 18 within the year.
    assert runs.sum(axis=(2, 3)).mean() == pytest.approx(36, abs=2)


def test_same_seed_same_runs_and_another_seed_differs():
    lam = np.full(18, 0.5)
    args = (_base({(100, 0, 0): 30}), _rates(exit_p=0.05, admissions=lam, move=[[0.9, 0.1], [0.2, 0.8]]), 2, 50)
    a = simulate_care_population(*args, seed=11)
    assert np.array_equal(a, simulate_care_population(*args, seed=11))
    assert not np.array_equal(a, simulate_care_population(*args, seed=12))


def test_summary_gives_median_and_band_per_group_and_total():
    runs = np.zeros((5, 1, 18, 2), dtype=np.int64)
    runs[:, 0, 5, 0] = [1, 2, 3, 4, 5]
    runs[:, 0, 5, 1] = 10
    s = summarise_projection(runs, GROUPS, ["2025-26"]).set_index("PLACEMENT_GROUP")
    assert s.at["FOSTER", "MEDIAN"] == 3 and s.at["TOTAL", "MEDIAN"] == 13 and s.at["RESI", "P05"] == 10
    assert s.at["FOSTER", "P05"] == pytest.approx(1.2) and s.at["FOSTER", "P95"] == pytest.approx(4.8)


def _transitions(rows):
    return pd.DataFrame(rows, columns=["MONTH_END", "FROM", "TO", "AGE", "TIME_IN_CARE", "AGED_OUT", "N"])


def test_rates_are_estimated_by_hand():
    m = pd.Timestamp("2025-01-31")
    t = _transitions([
        [m, "FOSTER", "FOSTER", 7, "1 year or more", False, 18],
        [m, "FOSTER", "RESI", 7, "1 year or more", False, 1],
        [m, "FOSTER", "OUT", 7, "1 year or more", False, 1],      # 1 exit of 20 at risk, 5-9, 1y+
        [m, "RESI", "OUT", 17, "Under 1 year", True, 2],           # turned 18: not an exit rate
        [m, "RESI", "RESI", 17, "Under 1 year", False, 2],
        [m, "OUT", "FOSTER", 0, "Under 1 year", False, 6],         # entrants aged 0
        [m, "OUT", "RESI", 16, "Under 1 year", False, 3],
    ])
    r = estimate_rates(t, months=3, groups=GROUPS, shrinkage_months=24)
    assert r.exit_prob[2, 1, 0] == pytest.approx(1 / 20)         # 1 exit of 20 (= its pooled rate)
    assert r.exit_prob[2, 1, 1] == pytest.approx(1 / 20)         # no residential 5-9s: the pooled rate
    assert r.exit_prob[4, 0, 1] == pytest.approx(0.0)            # 4 at risk, 0 exits other than turning 18
    assert r.exit_prob[0, 0, 0] == pytest.approx(1 / 24)         # no one at risk: overall 1 / (20 + 4)
    assert np.allclose(r.move[2], [[18 / 19, 1 / 19], [0.0, 1.0]])
    assert np.allclose(r.move[0], [[18 / 19, 1 / 19], [0.0, 1.0]])   # no data in the band: all-ages matrix
    assert r.admissions[0] == pytest.approx(2.0) and r.admissions[16] == pytest.approx(1.0)
    assert r.entry_mix[0].tolist() == [1.0, 0.0] and r.entry_mix[4].tolist() == [0.0, 1.0]
    assert r.entry_mix[2].tolist() == pytest.approx([6 / 9, 3 / 9])   # no entrants aged 5-9: overall mix


def test_small_groups_exit_rates_are_shrunk_towards_the_pooled_rate():
    m = pd.Timestamp("2025-01-31")
    t = _transitions([
        [m, "FOSTER", "FOSTER", 7, "1 year or more", False, 90],
        [m, "FOSTER", "OUT", 7, "1 year or more", False, 10],
        [m, "RESI", "RESI", 7, "1 year or more", False, 10],
    ])
    r = estimate_rates(t, months=1, groups=GROUPS, shrinkage_months=24)
    pooled = 10 / 110
    assert r.exit_prob[2, 1, 1] == pytest.approx((0 + 24 * pooled) / (10 + 24))
    assert r.exit_prob[2, 1, 0] == pytest.approx((10 + 24 * pooled) / (100 + 24))
    assert estimate_rates(t, 1, GROUPS, shrinkage_months=0).exit_prob[2, 1, 1] == 0


def test_moves_depend_on_age_band():
    m = pd.Timestamp("2025-01-31")
    t = _transitions([
        [m, "FOSTER", "RESI", 2, "1 year or more", False, 10],      # toddlers move
        [m, "FOSTER", "FOSTER", 2, "1 year or more", False, 10],
        [m, "FOSTER", "FOSTER", 12, "1 year or more", False, 1000],  # teenagers stay
    ])
    r = estimate_rates(t, months=1, groups=GROUPS, shrinkage_months=0)
    assert r.move[1, 0].tolist() == [0.5, 0.5] and r.move[3, 0].tolist() == [1.0, 0.0]
    w = estimate_rates(t, months=1, groups=GROUPS, shrinkage_months=20)
    overall = 10 / 1020
    assert w.move[1, 0, 1] == pytest.approx((10 + 20 * overall) / (20 + 20))


def test_quarterly_steps_keep_the_monthly_expectation():
    # 10% leave a month, 20 arrive a month: steady at 200 with monthly or quarterly steps.
    lam = np.zeros(18)
    lam[5] = 20.0
    for step in (1, 3):
        runs = simulate_care_population(_base({(60, 1, 0): 200}), _rates(exit_p=0.1, admissions=lam), 2, 300,
                                        seed=5, step_months=step)
        totals = runs.sum(axis=(2, 3))
        assert np.all(np.abs(totals.mean(axis=0) - 200) < 4 * totals.std(axis=0) / np.sqrt(300) + 0.5), step


def test_step_must_divide_a_year():
    with pytest.raises(ValueError):
        simulate_care_population(_base({}), _rates(), 1, 1, seed=0, step_months=5)


def test_estimation_needs_a_window():
    with pytest.raises(ValueError):
        estimate_rates(_transitions([]), months=0, groups=GROUPS)


def test_base_state_counts_children_by_age_month_time_and_group():
    cla = pd.DataFrame({"AGE_MONTHS": [60, 60, 215], "TIME_IN_CARE": ["Under 1 year", "1 year or more", "1 year or more"],
                        "PLACEMENT_GROUP": ["FOSTER", "FOSTER", "RESI"]})
    state = build_base_state(cla, GROUPS)
    assert state[60, 0, 0] == 1 and state[60, 1, 0] == 1 and state[215, 1, 1] == 1 and state.sum() == 3
    with pytest.raises(ValueError, match="SECURE"):
        build_base_state(cla.assign(PLACEMENT_GROUP="SECURE"), GROUPS)

"""Cutting a history into returns, on a small hand-written history (days as dates)."""

from datetime import date

import numpy as np
import pandas as pd

from pipeline.schema import parse_return_label
from pipeline.synth import days as dd
from pipeline.synth.returns import cut_return, hold_back_late_endings, recode_for_year


def d(y, m, day):
    return dd.day(date(y, m, day))


def history():
    # child 1: one period, episodes 2023-05-01 .. 2024-06-10 (X1) .. 2025-01-15 (E4A)
    # child 2: an episode ending 31/03/2024, then nothing
    return pd.DataFrame({
        "child": [1, 1, 2],
        "DECOM": [d(2023, 5, 1), d(2024, 6, 10), d(2023, 9, 1)],
        "DEC": [d(2024, 6, 10), d(2025, 1, 15), d(2024, 3, 31)],
        "REC": ["X1", "E4A", "E13"],
        "PLACE": ["U6", "H5", "P2"],
    })


def test_annual_return_keeps_original_decom_and_blanks_episodes_open_at_31_march():
    r = cut_return(history(), parse_return_label("2023-24"))
    assert r["child"].tolist() == [1, 2]
    assert r["DECOM"].tolist() == [d(2023, 5, 1), d(2023, 9, 1)]
    assert r["DEC"].tolist() == [dd.NONE, d(2024, 3, 31)]
    assert r["REC"].isna().tolist() == [True, False]


def test_next_return_holds_the_episode_again_with_its_ending():
    r = cut_return(history(), parse_return_label("2024-25"))
    assert r["DECOM"].tolist() == [d(2023, 5, 1), d(2024, 6, 10)]
    assert r["REC"].tolist() == ["X1", "E4A"]


def test_in_year_extract_runs_from_1_april_to_the_quarter_end():
    r = cut_return(history(), parse_return_label("2024-25_Q1"))
    assert r["DECOM"].tolist() == [d(2023, 5, 1), d(2024, 6, 10)]
    assert r["DEC"].tolist() == [d(2024, 6, 10), dd.NONE]


def test_withdrawn_independent_living_codes_become_k3_from_2025_26():
    h = history()
    assert recode_for_year(h, 2025)["PLACE"].tolist() == ["U6", "H5", "P2"]
    assert recode_for_year(h, 2026)["PLACE"].tolist() == ["U6", "K3", "K3"]


class Always:
    """A stand-in random generator that always draws 0 (so every candidate is chosen)."""

    def random(self, n):
        return np.zeros(n)


def test_late_endings_show_the_episode_open_and_hide_what_followed():
    r = cut_return(history(), parse_return_label("2024-25_Q1"))
    late = hold_back_late_endings(r, parse_return_label("2024-25_Q1"), Always())
    assert late["DECOM"].tolist() == [d(2023, 5, 1)]
    assert late["DEC"].tolist() == [dd.NONE] and late["REC"].isna().all()

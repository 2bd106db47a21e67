"""The synthetic generator's table of contents: simulate, cut into returns, build the tables.

`generate(settings)` is pure: it returns every output file as a frame of strings keyed by its
path relative to the raw folder (``ssda903/<return>/<table>.csv``, ``local/<file>.csv``).
"""

from __future__ import annotations

import pandas as pd

from pipeline.schema import LOCAL_DIR, SSDA903_DIR
from pipeline.synth import days as dd
from pipeline.synth.cohort import simulate_periods
from pipeline.synth.episodes import simulate_episodes
from pipeline.synth.geography import make_geography
from pipeline.synth.local import make_local_files
from pipeline.synth.returns import cut_returns
from pipeline.synth.settings import SynthSettings
from pipeline.synth.tables import (
    Facts,
    build_return_tables,
    child_facts,
    draw_missing,
    draw_reviews,
)


def simulate(settings: SynthSettings):
    """The whole simulated history: geography, children, periods of care, episodes and plans.

    Only periods still open on or after the first return's start get episodes (earlier ones are
    kept at period level, e.g. for care leavers)."""
    geo = make_geography(settings)
    children, periods = simulate_periods(settings, geo)
    live = periods[(periods["end"] >= dd.day(settings.window_start)) & (periods["start"] <= dd.day(settings.end))]
    episodes, plans = simulate_episodes(live.reset_index(drop=True), children, geo, settings)
    return geo, children, periods, live.reset_index(drop=True), episodes, plans


def generate(settings: SynthSettings) -> dict[str, pd.DataFrame]:
    """Every raw file of a synthetic LA, keyed by relative path."""
    geo, children, periods, live, episodes, plans = simulate(settings)
    rng = settings.rng("tables")
    facts = Facts(
        children=child_facts(children, settings.profile.id_prefix, settings.la_code, rng, settings.id_style),
        periods=periods,
        plans=plans,
        reviews=draw_reviews(live, rng),
        missing=draw_missing(live, children, rng),
        postcodes=geo.postcodes["POSTCODE"].to_numpy(),
    )
    files: dict[str, pd.DataFrame] = {}
    returns = cut_returns(episodes, settings, geo)
    for label in settings.returns:
        tables = build_return_tables(returns[label.name], facts, label, settings.la_code, rng)
        for table, df in tables.items():
            files[f"{SSDA903_DIR}/{label.name}/{table}.csv"] = df
    local = make_local_files(episodes, live, plans, facts.children, geo, settings)
    for name, df in local.items():
        files[f"{LOCAL_DIR}/{name}.csv"] = df
    return files

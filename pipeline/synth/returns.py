"""Cut the simulated history into SSDA903 returns, as an LA's system would have produced them.

An annual return holds every episode open at any time in the year (DEC/REC blank if still open
at 31 March) and a header row for every child in those episodes; an in-year extract does the
same from 1 April to its quarter's end. Two kinds of realistic messiness are added, both
deterministic: a few episodes corrected in a later return, and a few episode endings in a
quarter recorded too late to be in that quarter's extract.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.schema import ReturnLabel, valid_codes
from pipeline.synth import days as dd
from pipeline.synth.geography import Geography
from pipeline.synth.settings import SynthSettings

CORRECTION_SHARE = 0.01  # of episodes seen in two or more returns
LATE_SHARE = 0.08  # of episode endings in a quarter, recorded after its extract was taken
INDEPENDENT_2026 = {"H5": "K3", "P2": "K3"}


def cut_return(ep: pd.DataFrame, label: ReturnLabel) -> pd.DataFrame:
    """Episodes open at any time in the return's span; blank DEC/REC when open at its end."""
    s, e = dd.day(label.start), dd.day(label.end)
    out = ep[(ep["DECOM"] <= e) & (ep["DEC"] >= s)].copy()
    still_open = out["DEC"] > e
    out.loc[still_open, "DEC"] = dd.NONE
    out.loc[still_open, "REC"] = None
    out["RETURN"] = label.name
    return out


def recode_for_year(ret: pd.DataFrame, collection_year: int) -> pd.DataFrame:
    """Codes withdrawn in a collection year are recoded (H5/P2 became K3 in 2025-26)."""
    if "H5" in valid_codes("PLACE", collection_year):
        return ret
    out = ret.copy()
    out["PLACE"] = out["PLACE"].replace(INDEPENDENT_2026)
    return out


def pick_corrections(returns: dict[str, pd.DataFrame], rng) -> dict[str, np.ndarray]:
    """For ~1% of episodes seen in 2+ returns, the earliest return holds a wrong value that a
    later return corrects: {return name: episode ids to spoil}."""
    seen = pd.concat([r[["eid", "RETURN"]] for r in returns.values()], ignore_index=True)
    counts = seen.groupby("eid", sort=True)["RETURN"].agg(["size", "first"])
    multi = counts[counts["size"] >= 2]
    chosen = multi[rng.random(len(multi)) < CORRECTION_SHARE]
    return {name: chosen.index[chosen["first"] == name].to_numpy() for name in returns}


def spoil(ret: pd.DataFrame, eids: np.ndarray, geo: Geography, rng) -> pd.DataFrame:
    """The uncorrected version of some episodes: wrong provider, or wrong placement postcode."""
    if len(eids) == 0:
        return ret
    out = ret.copy()
    m = out["eid"].isin(eids).to_numpy()
    swap = {"PR4": "PR5", "PR5": "PR4", "PR1": "PR4", "PR2": "PR1"}
    by_provider = m & out["PLACE_PROVIDER"].isin(list(swap)).to_numpy() & (rng.random(len(out)) < 0.5)
    out.loc[by_provider, "PLACE_PROVIDER"] = out.loc[by_provider, "PLACE_PROVIDER"].map(swap)
    by_postcode = m & ~by_provider
    in_la = np.concatenate(geo.district_pools)
    out.loc[by_postcode, "pc"] = in_la[rng.integers(0, len(in_la), size=int(by_postcode.sum()))]
    return out


def hold_back_late_endings(ret: pd.DataFrame, label: ReturnLabel, rng) -> pd.DataFrame:
    """Endings in the extract's last quarter that were recorded late: the episode shows as
    open and the child's later episodes are not yet there."""
    q_start = dd.day(label.end) - 91
    ended = (ret["DEC"] >= q_start) & (ret["DEC"] != dd.NONE)
    late = ended & (rng.random(len(ret)) < LATE_SHARE)
    if not late.any():
        return ret
    cut = ret.loc[late].groupby("child")["DEC"].min()
    after = ret["child"].map(cut)
    drop = after.notna() & (ret["DECOM"] >= after)
    out = ret.loc[~drop].copy()
    blank = out["child"].map(cut).eq(out["DEC"])
    out.loc[blank, "DEC"] = dd.NONE
    out.loc[blank, "REC"] = None
    return out


def cut_returns(ep: pd.DataFrame, settings: SynthSettings, geo: Geography) -> dict[str, pd.DataFrame]:
    """Every return's episodes (internal form), with corrections and late recording applied."""
    rng = settings.rng("returns")
    ep = ep.assign(eid=np.arange(len(ep)))
    raw = {lab.name: cut_return(ep, lab) for lab in settings.returns}
    spoilt = pick_corrections(raw, rng)
    out = {}
    last_in_year = settings.in_year_returns[-1].name
    for lab in settings.returns:
        ret = spoil(raw[lab.name], spoilt[lab.name], geo, rng)
        if lab.quarter is not None and lab.name != last_in_year:
            ret = hold_back_late_endings(ret, lab, rng)
        out[lab.name] = recode_for_year(ret, lab.collection_year)
    return out

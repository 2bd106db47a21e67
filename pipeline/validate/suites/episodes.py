"""Episodes: one row per episode of care (SSDA903 episodes table), validated per return."""

from __future__ import annotations

import pandas as pd

from pipeline.validate import checks as ck
from pipeline.validate.codes import ADOPTION_LEGAL_BASIS
from pipeline.validate.suites.common import (
    Check,
    SuiteContext,
    child_in_header,
    column_checks,
    flag_check,
    prepare_columns,
    return_end_checks,
)

AGE_LIMIT_YEARS = 18  # the DfE return covers children; 18 is the legal end of childhood


def prepare(frame: pd.DataFrame, ctx: SuiteContext, related: dict) -> pd.DataFrame:
    """Parsed dates, the child's DOB from the header, and flags for the cross-row rules."""
    df = prepare_columns(frame, "episodes")
    ep = pd.DataFrame({"CHILD": df["CHILD"], "DECOM": df["DECOM_as_date"], "DEC": df["DEC_as_date"],
                       "REC": df["REC"], "RNE": df["RNE"], "LS": df["LS"], "PLACE": df["PLACE"],
                       "PLACE_PROVIDER": df["PLACE_PROVIDER"], "PL_POST": df["PL_POST"], "URN": df["URN"],
                       "HOME_POST": df["HOME_POST"], "REASON_PLACE_CHANGE": df["REASON_PLACE_CHANGE"]})
    nb = ck.neighbour_episodes(ep)
    header = related.get("header")
    if header is not None and len(header):
        dob = ck.lookup(df["CHILD"], pd.Series(ck.parse_dates(header["DOB"]).values, index=header["CHILD"].values))
        dob = dob.astype("datetime64[ns]")
        sex = ck.lookup(df["CHILD"], pd.Series(header["SEX"].values, index=header["CHILD"].values))
        mother = ck.lookup(df["CHILD"], pd.Series(header["MOTHER"].values, index=header["CHILD"].values))
    else:
        dob = pd.Series(pd.NaT, index=df.index, dtype="datetime64[ns]")
        sex = mother = pd.Series(pd.NA, index=df.index, dtype="object")
    flags = {f"ok_{rule}": ~(df["PLACE"].isin(list(places)) & ~df["LS"].isin(list(statuses)))
             for rule, (places, statuses) in _adoption_rules().items()}
    ages = ck.birthdays(dob, ck.AGES)
    codes = ck.as_categories(ep)  # once for both sets of DfE flags
    return df.assign(
        DOB_as_date=dob,
        AGE_LIMIT_as_date=ages[AGE_LIMIT_YEARS],
        AGE_16_as_date=ages[16],
        AGE_14_as_date=ages[14],
        AGE_10_as_date=ages[10],
        PREV_DEC=nb["prev_DEC"],
        **ck.dfe_episode_flags(codes, nb, dob, ages),
        **ck.dfe_placement_flags(codes, dob, ctx.collection_year, ages),
        **ck.dfe_sequence_flags(codes, ctx.return_start, ctx.return_end, ctx.collection_year),
        ok_DFE_607=ck.dfe_mother_episode_flag(codes, sex, mother, ctx.return_start, ctx.return_end),
        ok_REC_ONLY_WITH_DEC=~(df["REC"].notna() & df["DEC"].isna()),
        ok_DEC_HAS_REC=~(df["DEC"].notna() & df["REC"].isna()),
        ok_EP_OVERLAP=ck.flag_no_overlap(ep, nb),
        ok_EP_X1_FOLLOWED=ck.flag_x1_followed(ep, nb),
        ok_EP_CHAIN=ck.flag_chain(ep, nb, ctx.return_start) if ctx.return_start is not None else True,
        ok_EP_S_AFTER_X1=ck.flag_s_not_after_x1(ep, nb),
        ok_CHILD_IN_HEADER=child_in_header(df, related),
        **flags,
    )


def _adoption_rules() -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    """Flag name suffix -> (adoption placements, legal statuses allowing them)."""
    return {f"LS_FOR_{'_'.join(places)}": (places, statuses) for places, statuses in ADOPTION_LEGAL_BASIS.items()}

def checks(ctx: SuiteContext) -> list[Check]:
    out = column_checks(ctx)
    out += return_end_checks(ctx, ("DECOM", "DEC"))
    out += [
        Check("EP_DUPLICATE", "DECOM", "ExpectCompoundColumnsToBeUnique", {"column_list": ["CHILD", "DECOM"]}, {"other": "@CHILD"}),
        Check("EP_DEC_BEFORE_DECOM", "DEC", "ExpectColumnPairValuesAToBeGreaterThanB",
              {"column_A": "DEC_as_date", "column_B": "DECOM_as_date", "or_equal": True, "ignore_row_if": "either_value_is_missing"},
              {"other": "@DECOM"}),
        flag_check("EP_REC_WITHOUT_DEC", "REC", "ok_REC_ONLY_WITH_DEC"),
        flag_check("EP_DEC_WITHOUT_REC", "DEC", "ok_DEC_HAS_REC"),
        flag_check("EP_OVERLAP", "DECOM", "ok_EP_OVERLAP", other="@PREV_DEC|still open"),
        flag_check("EP_X1_NOT_FOLLOWED", "DEC", "ok_EP_X1_FOLLOWED"),
        flag_check("EP_CHAIN_BROKEN", "RNE", "ok_EP_CHAIN", other="@DECOM"),
        flag_check("EP_S_AFTER_X1", "RNE", "ok_EP_S_AFTER_X1", other="@DECOM"),
        flag_check("CHILD_NOT_IN_HEADER", "CHILD", "ok_CHILD_IN_HEADER", other=ctx.return_name or ""),
        Check("EP_DOB_AFTER_DECOM", "DECOM", "ExpectColumnPairValuesAToBeGreaterThanB",
              {"column_A": "DECOM_as_date", "column_B": "DOB_as_date", "or_equal": True, "ignore_row_if": "either_value_is_missing"},
              {"other": "@DOB_as_date"}),
        Check("EP_AGED_18_AT_DECOM", "DECOM", "ExpectColumnPairValuesAToBeGreaterThanB",
              {"column_A": "AGE_LIMIT_as_date", "column_B": "DECOM_as_date", "or_equal": False, "ignore_row_if": "either_value_is_missing"},
              {"other": "@AGE_LIMIT_as_date"}),
    ]
    out += [
        flag_check("DFE_142", "DECOM", "ok_DFE_142"),
        flag_check("DFE_355", "DEC", "ok_DFE_355"),
        flag_check("DFE_388", "REC", "ok_DFE_388", other="@DEC"),
        flag_check("DFE_437", "REC", "ok_DFE_437"),
        flag_check("DFE_431", "RNE", "ok_DFE_431", other="@DECOM"),
        flag_check("DFE_386", "REC", "ok_DFE_386", other="@AGE_LIMIT_as_date"),
        flag_check("DFE_407", "REC", "ok_DFE_407", other="@AGE_LIMIT_as_date"),
        flag_check("DFE_460", "REC", "ok_DFE_460", other="@AGE_LIMIT_as_date"),
        flag_check("DFE_389", "REC", "ok_DFE_389", other="@AGE_16_as_date"),
        flag_check("DFE_387", "REC", "ok_DFE_387", other="@AGE_14_as_date"),
        flag_check("DFE_358", "LS", "ok_DFE_358", other="@AGE_10_as_date"),
        flag_check("DFE_380", "PLACE", "ok_DFE_380", other="@RNE|blank"),
        flag_check("DFE_213", "PLACE_PROVIDER", "ok_DFE_213", other="@PLACE"),
        *[flag_check(f"DFE_{code}", "PLACE", f"ok_DFE_{code}") for code in ck.PLACE_MIN_AGE],
        *[flag_check(f"DFE_{code}", "PLACE", f"ok_DFE_{code}", other="@DEC") for code in ck.PLACE_MAX_DAYS],
        flag_check("DFE_378", "PLACE", "ok_DFE_378", other="@LS"),
        flag_check("DFE_381", "PLACE", "ok_DFE_381", other="@REC"),
        flag_check("DFE_382", "PLACE", "ok_DFE_382", other="@LS"),
        flag_check("DFE_384", "PLACE", "ok_DFE_384", other="@LS"),
        flag_check("DFE_214", "LS", "ok_DFE_214"),
        flag_check("DFE_222", "URN", "ok_DFE_222", other="@PLACE"),
        *[flag_check(f"DFE_{code}", "PLACE_PROVIDER", f"ok_DFE_{code}", other="@PLACE") for code in (*ck.PROVIDER_CANNOT_PLACE, "550")],
        *[flag_check(f"DFE_{code}", "LS", f"ok_DFE_{code}") for code in ck.LEGAL_STATUS_MAX_DAYS],
        flag_check("DFE_199", "REC", "ok_DFE_199"),
        flag_check("DFE_217", "RNE", "ok_DFE_217", other="@PLACE"),
        flag_check("DFE_336", "PLACE", "ok_DFE_336"),
        flag_check("DFE_390", "REC", "ok_DFE_390", other="@PLACE"),
        flag_check("DFE_445", "LS", "ok_DFE_445", other="@DECOM"),
        flag_check("DFE_516", "REC", "ok_DFE_516", other="@PLACE"),
        flag_check("DFE_365", "LS", "ok_DFE_365", other="@DEC|still open"),
        flag_check("DFE_366", "RNE", "ok_DFE_366"),
        flag_check("DFE_398", "LS", "ok_DFE_398"),
        flag_check("DFE_426", "LS", "ok_DFE_426"),
        flag_check("DFE_367", "LS", "ok_DFE_367"),
        flag_check("DFE_377", "PLACE", "ok_DFE_377"),
        flag_check("DFE_383", "PLACE", "ok_DFE_383"),
        flag_check("DFE_225", "REASON_PLACE_CHANGE", "ok_DFE_225"),
        flag_check("DFE_226", "REASON_PLACE_CHANGE", "ok_DFE_226", other="@PLACE"),
        flag_check("DFE_434", "RNE", "ok_DFE_434"),
        flag_check("DFE_435", "RNE", "ok_DFE_435"),
        flag_check("DFE_436", "RNE", "ok_DFE_436"),
        flag_check("DFE_607", "REC", "ok_DFE_607"),
    ]
    for flag, (_places, statuses) in _adoption_rules().items():
        out.append(flag_check("EP_LS_PLACE_ADOPTION", "LS", f"ok_{flag}", other="@PLACE", allowed=" or ".join(statuses)))
    return out

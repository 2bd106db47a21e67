"""Fault corpus (issue 17): raw-folder faults that used to lose rows or files without a word, or
end in a traceback, each built from the valid fixture by one change, with its expected outcome.

Each case runs what the validate stage runs before and after Great Expectations: reading
(pipeline.readers), the suites' preparation (build_jobs: parsing every column) and the local
files' cross-row rules (pipeline.validate.local_rules). No GX run is needed for these rules, so
the whole corpus takes a few seconds; tests/integration/test_faults_cli.py runs a few of them
through `python -m pipeline validate` itself.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from pipeline.readers import read_raw
from pipeline.validate.local_rules import local_rule_failures
from pipeline.validate.rules import RULES
from pipeline.validate.run import build_jobs
from tests.unit.validate.fixture_return import SS, files, replace, write

EP, HD, TR = f"{SS}/episodes.csv", f"{SS}/header.csv", "local/permanence_tracker.csv"
ST, UC, MS = "local/staffing.csv", "local/unit_costs.csv", f"{SS}/missing.csv"
C2_EPISODE = "C2,01/07/2024,S,V2,N4,U3,PR1,01/12/2024,E45,,NM2 1AA,NM2 2BB,"


def _r(rel, old, new):
    return lambda c: replace(c, rel, old, new)


def _move(old, new):
    return lambda c: {**{k: v for k, v in c.items() if k != old}, new: c[old]}


def _copy(old, new):
    return lambda c: {**c, new: c[old]}


def _cut_last_line(rel, keep):
    """The file cut `keep` characters into its last line (a truncated transfer)."""
    def change(c):
        lines = c[rel].rstrip("\n").split("\n")
        return {**c, rel: "\n".join(lines[:-1] + [lines[-1][:keep]])}
    return change


def _encode(rel, encoding):
    return lambda c: {**c, rel: c[rel].encode(encoding)}


def _link_folder(rel):
    """Move folder `rel` aside and put a symbolic link to it in its place."""
    def after(root: Path):
        target = root.parent / f"{root.name}-elsewhere"
        (root / rel).rename(target)
        (root / rel).symlink_to(target, target_is_directory=True)
    return after


def _dangling(rel):
    def after(root: Path):
        (root / rel).symlink_to(root / "nowhere.csv")
    return after


def _link_file(rel):
    def after(root: Path):
        target = root.parent / f"{root.name}-{Path(rel).name}"
        (root / rel).rename(target)
        (root / rel).symlink_to(target)
    return after


def same(c):
    return c


# (case, change, after-write hook, expected rule, file, data row or None): refused.
REFUSED = [
    # short or truncated rows: their last values would have been read as blank
    ("short_row_episodes", _r(EP, C2_EPISODE, "C2,01/07/2024,S,V2,N4,U3,PR1"), None, "ROW_SHORT", EP, 3),
    ("truncated_last_line_episodes", _cut_last_line(EP, 12), None, "ROW_SHORT", EP, 7),
    ("truncated_last_line_tracker", _cut_last_line(TR, 20), None, "ROW_SHORT", TR, 10),
    ("truncated_last_line_staffing", _cut_last_line(ST, 9), None, "ROW_SHORT", ST, 3),
    ("short_row_staffing", _r(ST, "P2,ADOPTION,Social worker,0.5,FILLED,W2,2023-04-01,2025-01-31", "P2,ADOPTION,Social worker,0.5"), None, "ROW_SHORT", ST, 2),
    ("short_row_header", _r(HD, "C3,F,01/01/2021,BAFR,UN2,0,", "C3,F,01/01/2021"), None, "ROW_SHORT", HD, 3),
    ("short_row_with_quoted_comma", _r(ST, "P1,EXIT,Social worker,1,FILLED", 'P1,EXIT,"Social worker, senior",1'), None, "ROW_SHORT", ST, 1),
    ("short_row_semicolons", lambda c: {**c, UC: c[UC].replace(",", ";").replace("ALL;21000", "ALL")}, None, "ROW_SHORT", UC, 1),
    ("short_row_crlf", lambda c: {**c, EP: c[EP].replace(C2_EPISODE, "C2,01/07/2024").replace("\n", "\r\n")}, None, "ROW_SHORT", EP, 3),
    ("short_row_utf16", lambda c: {**c, HD: c[HD].replace("C4,M,02/02/2008,AOTH,C12345678901D,,", "C4,M").encode("utf-16")}, None, "ROW_SHORT", HD, 4),
    ("short_row_after_bom", lambda c: {**c, MS: "\ufeff" + c[MS].replace("2024-05-01,2024-05-03", "2024-05-01")}, None, "ROW_SHORT", MS, 1),
    ("short_row_after_blank_line", lambda c: {**c, UC: c[UC].replace("2024-25,RESIDENTIAL", "\n2024-25,RESIDENTIAL").replace(",190000.50", "")}, None, "ROW_SHORT", UC, 3),
    # files where the layout does not read them
    ("episodes_directly_in_ssda903", _move(EP, "ssda903/episodes.csv"), None, "FILE_MISPLACED", "ssda903/episodes.csv", None),
    ("extra_table_directly_in_ssda903", _copy(MS, "ssda903/missing.csv"), None, "FILE_MISPLACED", "ssda903/missing.csv", None),
    ("table_in_subfolder_of_return", _copy(EP, f"{SS}/old/episodes.csv"), None, "FILE_MISPLACED", f"{SS}/old/episodes.csv", None),
    ("local_file_in_subfolder", _copy(ST, "local/archive/staffing.csv"), None, "FILE_MISPLACED", "local/archive/staffing.csv", None),
    ("local_file_at_raw_root", _move(ST, "staffing.csv"), None, "FILE_MISPLACED", "staffing.csv", None),
    ("ssda903_table_at_raw_root", _copy(HD, "header.csv"), None, "FILE_MISPLACED", "header.csv", None),
    ("ssda903_table_in_local", _copy(MS, "local/missing.csv"), None, "FILE_MISPLACED", "local/missing.csv", None),
    ("local_file_in_return_folder", _copy(ST, f"{SS}/staffing.csv"), None, "FILE_MISPLACED", f"{SS}/staffing.csv", None),
    ("local_file_in_other_folder", _copy(UC, "costs/unit_costs.csv"), None, "FILE_MISPLACED", "costs/unit_costs.csv", None),
    # symbolic links: DVC does not see changes behind a linked folder
    ("linked_return_folder", same, _link_folder(SS), "FILE_SYMLINK", SS, None),
    ("linked_local_folder", same, _link_folder("local"), "FILE_SYMLINK", "local", None),
    ("dangling_link", same, _dangling("local/fostering_capacity_2.csv"), "FILE_SYMLINK", "local/fostering_capacity_2.csv", None),
    # encodings
    ("cp1252_pound_sign", lambda c: {**c, ST: c[ST].replace("Social worker,0.5", "Social worker £,0.5").encode("cp1252")}, None, "FILE_ENCODING", ST, None),
    ("latin1_header", _encode(HD, "latin-1") if False else (lambda c: {**c, HD: c[HD].replace("BAFR", "BAFR\u00e9").encode("latin-1")}), None, "FILE_ENCODING", HD, None),
    ("utf16_without_bom", lambda c: {**c, TR: c[TR].encode("utf-16-le")}, None, "FILE_ENCODING", TR, None),
    ("empty_staffing", lambda c: {**c, ST: ""}, None, "FILE_EMPTY", ST, None),
    ("whitespace_only_costs", lambda c: {**c, UC: "  \n\n"}, None, "FILE_EMPTY", UC, None),
    # local files' cross-row rules
    ("staffing_spells_overlap", lambda c: {**c, ST: c[ST] + "P2,ADOPTION,Social worker,0.5,AGENCY,W9,2024-06-01,2024-12-31\n"}, None, "ST_SPELL_OVERLAP", ST, 4),
    ("staffing_spell_after_open_spell", lambda c: {**c, ST: c[ST] + "P1,EXIT,Social worker,1,FILLED,W8,2025-01-01,\n"}, None, "ST_SPELL_OVERLAP", ST, 4),
    ("staffing_spell_inside_another", lambda c: {**c, ST: c[ST] + "P2,ADOPTION,Social worker,0.5,ABSENT,W2,2023-05-01,2023-06-01\n"}, None, "ST_SPELL_OVERLAP", ST, 4),
    # dates outside what pandas holds (traceback before): an error naming the row
    ("episode_dec_9999", _r(EP, "PR1,01/12/2024,E45", "PR1,31/12/9999,E45"), None, "DATE_OUT_OF_RANGE", EP, 3),
    ("dob_1600", _r(HD, "C2,M,07/06/2015", "C2,M,07/06/1600"), None, "DATE_OUT_OF_RANGE", HD, 2),
    ("tracker_recorded_9999", _r(TR, "2024-07-15,2024-07-16", "2024-07-15,9999-07-16"), None, "DATE_OUT_OF_RANGE", TR, 1),
    ("staffing_from_9999", _r(ST, "W1,2023-04-01,", "W1,9999-04-01,"), None, "DATE_OUT_OF_RANGE", ST, 1),
    ("missing_end_2300", _r(MS, "2024-05-01,2024-05-03", "2024-05-01,2300-05-03"), None, "DATE_OUT_OF_RANGE", MS, 1),
    ("uasc_duc_0001", _r(f"{SS}/uasc.csv", "02/02/2026", "01/01/0001"), None, "DATE_OUT_OF_RANGE", f"{SS}/uasc.csv", 1),
]

# (case, change, after-write hook, warnings expected, check on the RawData or None): accepted.
ACCEPTED = [
    ("staffing_upper_case_extension", _move(ST, "local/staffing.CSV"), None, set(), lambda raw: len(raw.tables["staffing"]) == 3),
    ("staffing_upper_case_name", _move(ST, "local/STAFFING.csv"), None, set(), lambda raw: len(raw.tables["staffing"]) == 3),
    ("episodes_mixed_case", _move(EP, f"{SS}/Episodes.Csv"), None, set(), lambda raw: len(raw.tables["episodes"]) == 7),
    ("header_upper_case", _move(HD, f"{SS}/HEADER.CSV"), None, set(), lambda raw: len(raw.tables["header"]) == 4),
    ("linked_file", same, _link_file(ST), set(), lambda raw: len(raw.tables["staffing"]) == 3),
    ("header_only_staffing", lambda c: {**c, ST: c[ST].split("\n")[0] + "\n"}, None, set(), lambda raw: len(raw.tables["staffing"]) == 0),
    ("unknown_csv_elsewhere", lambda c: {**c, "notes/contacts.csv": "A,B\n1,2\n"}, None, {"FILE_UNKNOWN"}, None),
    ("unknown_csv_in_return", lambda c: {**c, f"{SS}/notes.csv": "A,B\n1,2\n"}, None, {"FILE_UNKNOWN"}, None),
    ("not_a_csv_beside_returns", lambda c: {**c, "README.txt": "read me"}, None, set(), None),
    ("extra_header_column_rows_without_it", lambda c: {**c, UC: c[UC].replace("ANNUAL_COST\n", "ANNUAL_COST,NOTE\n")}, None, {"COL_EXTRA"}, None),
    ("staffing_adjacent_spells", lambda c: {**c, ST: c[ST] + "P2,ADOPTION,Social worker,0.5,VACANT,,2025-02-01,\n"}, None, set(), None),
    ("staffing_to_9999_iso", _r(ST, "W1,2023-04-01,", "W1,2023-04-01,9999-12-31"), None, {"DATE_OPEN_END"},
     lambda raw: raw.tables["staffing"]["TO_DATE"].isna().sum() == 2),
    ("staffing_to_9999_dmy", _r(ST, "W2,2023-04-01,2025-01-31", "W2,2023-04-01,31/12/9999"), None, {"DATE_OPEN_END"},
     lambda raw: raw.tables["staffing"]["TO_DATE"].isna().all()),
    ("unit_cost_year_missing", lambda c: {**c, UC: c[UC] + "2022-23,FOSTER_IN_HOUSE,ALL,20000\n"}, None, {"UC_YEAR_MISSING"}, None),
    ("unit_costs_end_before_returns", lambda c: {**c, UC: c[UC].replace("2024-25", "2023-24")}, None, {"UC_YEAR_MISSING"}, None),
    ("tracker_event_after_data", lambda c: {**c, TR: c[TR] + "E11,K3,C1,SGO,REFERRAL,2025-06-01,2025-06-01,W1,CASE,OTHER_CARER\n"}, None, {"TR_EVENT_AFTER_DATA"}, None),
    ("tracker_outcome_after_data", lambda c: {**c, TR: c[TR] + "E11,K2,C3,ADOPTION,ADOPTION_ORDER,2025-05-01,2025-05-02,W2,COWORK,\n"}, None, {"TR_EVENT_AFTER_DATA"}, None),
]

# The warning rows whose file and row are checked too: (case, rule) -> (file, row, value).
WARNING_DETAIL = {
    ("unit_cost_year_missing", "UC_YEAR_MISSING"): (UC, None, "2023-24"),
    ("unit_costs_end_before_returns", "UC_YEAR_MISSING"): (UC, None, "2024-25"),
    ("tracker_event_after_data", "TR_EVENT_AFTER_DATA"): (TR, 11, "2025-06-01"),
    ("staffing_to_9999_iso", "DATE_OPEN_END"): (ST, 1, "9999-12-31"),
    ("unknown_csv_elsewhere", "FILE_UNKNOWN"): ("notes/contacts.csv", None, None),
}


def run_case(tmp: Path, change, after) -> tuple[pd.DataFrame, object]:
    """(failures, raw data) of one case, as the validate stage finds them (without GX)."""
    root = write(tmp / "raw", change(files()))
    if after is not None:
        after(root)
    raw = read_raw(root)
    build_jobs(raw)  # every column parsed, as before the GX run: must not raise
    covered = pd.Timestamp(max(lbl.end for lbl in raw.returns.values())) if raw.returns else None
    extra = local_rule_failures(raw.tables, covered)
    return pd.concat([raw.failures, extra], ignore_index=True), raw


def test_the_corpus_is_large_enough():
    assert len(REFUSED) + len(ACCEPTED) >= 50


def test_the_valid_fixture_has_no_fault(tmp_path):
    failures, _ = run_case(tmp_path, same, None)
    assert failures.empty, failures[["file", "rule", "message"]].to_string()


@pytest.mark.parametrize("cid, change, after, rule, file, row", REFUSED, ids=[c[0] for c in REFUSED])
def test_refused(tmp_path, cid, change, after, rule, file, row):
    failures, _ = run_case(tmp_path, change, after)
    hits = failures[failures["rule"] == rule]
    assert not hits.empty, f"{cid}: expected {rule}, got {sorted(failures['rule'].unique())}"
    assert (hits["severity"] == RULES[rule].severity).all() and RULES[rule].severity == "error"
    assert (hits["file"] == file).any(), sorted(hits["file"].unique())
    if row is not None:
        assert row in set(hits["row"].dropna().astype(int)), sorted(hits["row"].dropna().astype(int))
    assert hits["message"].str.contains(file.split("/")[-1] if rule.startswith(("FILE_", "ROW_")) else "", regex=False).all()


@pytest.mark.parametrize("cid, change, after, warnings, check", ACCEPTED, ids=[c[0] for c in ACCEPTED])
def test_accepted(tmp_path, cid, change, after, warnings, check):
    failures, raw = run_case(tmp_path, change, after)
    errors = failures[failures["severity"] == "error"]
    assert errors.empty, errors[["file", "row", "rule", "message"]].to_string()
    assert set(failures["rule"]) == warnings
    if check is not None:
        assert check(raw)
    for rule in warnings:
        if (cid, rule) in WARNING_DETAIL:
            file, row, value = WARNING_DETAIL[(cid, rule)]
            hit = failures[failures["rule"] == rule].iloc[0]
            assert hit["file"] == file
            assert (pd.isna(hit["row"]) if row is None else int(hit["row"]) == row)
            assert value is None or hit["value"] == value


def test_short_row_message_names_file_row_and_fields(tmp_path):
    failures, _ = run_case(tmp_path, REFUSED[0][1], None)
    hit = failures[failures["rule"] == "ROW_SHORT"].iloc[0]
    assert hit["message"] == f"{EP} row 3 has 7 of the header's 13 fields (a short or truncated row)"


def test_overlap_message_names_the_earlier_spell(tmp_path):
    change = next(c for c in REFUSED if c[0] == "staffing_spell_after_open_spell")[1]
    failures, _ = run_case(tmp_path, change, None)
    hit = failures[failures["rule"] == "ST_SPELL_OVERLAP"].iloc[0]
    assert hit["message"] == "POST_ID's spell from 2025-01-01 starts before its previous spell ended (row 1, still open)"


def test_misplaced_episodes_say_where_to_put_them(tmp_path):
    failures, _ = run_case(tmp_path, _move(EP, "ssda903/episodes.csv"), None)
    hit = failures[failures["rule"] == "FILE_MISPLACED"].iloc[0]
    assert "put it in its return's folder, e.g. ssda903/2026-27_Q2/episodes.csv" in hit["message"]
    # and the return it was taken from now lacks its episodes: refused, never "not supplied"
    assert "FILE_MISSING" in set(failures["rule"])


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links here")
def test_the_freshness_hash_follows_a_linked_file(tmp_path):
    from pipeline.freshness import current_raw_hashes, sha256_file

    root = write(tmp_path / "raw", files())
    _link_file(ST)(root)
    hashes = current_raw_hashes(root)
    assert hashes[ST] == sha256_file(root / ST) and len(hashes) == len(files())

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.synth.identity import is_valid_upn, make_child_ids, make_upns, upn_check_letter


def test_check_letter_worked_by_hand():
    # digits 0,8,4,0,1,0,1,9,8,4,1,6 weighted 2..13: 0+24+16+0+6+0+8+81+80+44+12+78 = 349
    # 349 mod 23 = 4 -> the fifth letter of ABCDEFGHJKLMNPQRTUVWXYZ, E
    assert upn_check_letter("084010198416") == "E"
    assert is_valid_upn("E084010198416")


@pytest.mark.parametrize("upn", ["R084010198416", "E08401019841", "E08401019841X", "I084010198416", ""])
def test_wrong_check_letter_length_or_character_is_invalid(upn):
    assert not is_valid_upn(upn)


def test_generated_upns_carry_the_la_number_and_are_valid():
    upns = make_upns(np.array([2010, 2015, 2020]), "990", np.random.default_rng(0))
    assert all(is_valid_upn(u) and u[1:4] == "990" for u in upns)


def test_child_ids_carry_the_prefix_and_are_unique():
    ids = make_child_ids(1000, "AB12")
    assert len(set(ids)) == 1000 and all(i.startswith("AB12") for i in ids)


twelve_digits = st.text(alphabet="0123456789", min_size=12, max_size=12)


@given(twelve_digits, st.integers(min_value=0, max_value=11), st.integers(min_value=1, max_value=9))
def test_changing_one_digit_always_changes_the_check_letter(body, pos, delta):
    changed = body[:pos] + str((int(body[pos]) + delta) % 10) + body[pos + 1:]
    assert is_valid_upn(upn_check_letter(body) + body)
    assert upn_check_letter(changed) != upn_check_letter(body)


def test_numeric_child_ids_are_six_digit_text_some_with_a_leading_zero():
    ids = make_child_ids(5000, "AB12", "numeric")
    assert len(set(ids)) == 5000 and all(isinstance(i, str) and len(i) == 6 and i.isdigit() for i in ids)
    zeros = sum(i.startswith("0") for i in ids)
    assert 300 < zeros < 700  # about one in ten (numbers 1,000 to 99,999 of 1,000 to 999,999)
    assert list(make_child_ids(5000, "AB12", "numeric")) == list(ids)  # reproducible
    assert list(make_child_ids(5000, "CD34", "numeric")) != list(ids)  # another LA, other ids


def test_numeric_ids_grow_a_digit_only_when_six_are_too_few():
    ids = make_child_ids(400_000, "AB12", "numeric")
    assert len(set(ids)) == 400_000 and {len(i) for i in ids} == {7}


def test_the_alphanumeric_style_is_the_default_and_unchanged():
    assert list(make_child_ids(3, "AB12")) == ["AB120000000", "AB120000001", "AB120000002"]
    assert list(make_child_ids(3, "AB12", "alphanumeric")) == list(make_child_ids(3, "AB12"))


def test_an_unknown_id_style_is_refused():
    with pytest.raises(ValueError, match="expected one of alphanumeric, numeric"):
        make_child_ids(3, "AB12", "hex")

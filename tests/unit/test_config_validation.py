"""Every bad parameter is one line naming where it came from, the key, the value and what is
allowed; the command exits 2 without a traceback (issue 17 class 5, issue 14)."""

from datetime import date
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.config import ConfigError, latest_year_ended_by, load_params, parse_params, read_yaml

ROOT = Path(__file__).resolve().parents[2]


def _data():
    return read_yaml((ROOT / "params.yaml").read_text())


@pytest.mark.parametrize(("override", "message"), [
    ("period=2026 Q5", "--set: period = '2026 Q5' is not allowed: a financial year and quarter Q1-Q4"),
    ("period=2026-27 Q5", "period = '2026-27 Q5' is not allowed"),
    ("period=q2", "period = 'q2' is not allowed"),
    ("period=2026-27 q2", "(did you mean '2026-27 Q2'?)"),
    ("period=2026-28 Q1", "period = '2026-28 Q1' is not allowed"),
    ("period=20262", "period = 20262 is not allowed"),
    ("disclosure.threshold=ten", "--set: disclosure.threshold = 'ten' is not allowed: a whole number of 1 or more"),
    ("disclosure.threshold=0", "disclosure.threshold = 0 is not allowed: a whole number of 1 or more"),
    ("disclosure.threshold=2.5", "disclosure.threshold = 2.5 is not allowed: a whole number"),
    ("disclosure.threshold=true", "disclosure.threshold = True is not allowed"),
    ("disclosure.zero=hide", "disclosure.zero = 'hide' is not allowed: one of show, suppress"),
    ("disclosure.suppress_totals=maybe", "disclosure.suppress_totals = 'maybe' is not allowed: true or false"),
    ("paper.meeting_date=2026-13-01", "paper.meeting_date = '2026-13-01' is not allowed: a date YYYY-MM-DD"),
    ("paper.meeting_date=10/12/2026", "paper.meeting_date = '10/12/2026' is not allowed: a date YYYY-MM-DD"),
    ("paper.item=first", "paper.item = 'first' is not allowed: a whole number of 1 or more"),
    ("projection.step_months=5", "projection.step_months = 5 is not allowed: one of 1, 2, 3, 4, 6, 12"),
    ("projection.step_months=0", "projection.step_months = 0 is not allowed: one of 1, 2, 3, 4, 6, 12"),
    ("projection.simulations=-3", "projection.simulations = -3 is not allowed: a whole number of 0 or more"),
    ("projection.window_years=0", "projection.window_years = 0 is not allowed"),
    ("sufficiency_year=2025", "sufficiency_year = 2025 is not allowed: 'auto' or a financial year such as '2025-26'"),
    ("sufficiency_year=2025-27", "sufficiency_year = '2025-27' is not allowed"),
    ("trend_years=-1", "trend_years = -1 is not allowed: a whole number of 1 or more"),
    ("distance.far_miles=far", "distance.far_miles = 'far' is not allowed: a number of 0 or more"),
    ("savings.pro_rata_basis_days=0", "savings.pro_rata_basis_days = 0 is not allowed"),
    ("la.name=", "la.name = None is not allowed: non-empty text"),
    ("disclosure.treshold=3", "--set: unknown key disclosure.treshold (allowed in disclosure: min_interval,"),
    ("colour=red", "--set: unknown key colour (allowed: la, period,"),
    ("distance.near_miles=3", "unknown key distance.near_miles"),
    ("disclosure=3", "--set: disclosure must be a mapping of keys to values, not 3"),
    ("period.x=1", "--set period.x: period is a single value, not a section"),
    ("period=[2026", "--set period: '[2026' is not a YAML value (line 1, column 6:"),
    ("threshold", "--set 'threshold': not of the form key=value"),
])
def test_a_bad_override_is_one_line_naming_key_value_and_what_is_allowed(override, message):
    with pytest.raises(ConfigError) as info:
        load_params(ROOT / "params.yaml", [override])
    text = str(info.value)
    assert message in text
    assert "\n" not in text


def test_the_cli_exits_2_with_one_line_and_no_traceback(capsys):
    assert main(["--set", "period=2026 Q5", "where"]) == 2
    err = capsys.readouterr().err
    assert err.strip().splitlines() == ["error: --set: period = '2026 Q5' is not allowed: a financial year and "
                                        "quarter Q1-Q4 such as '2026-27 Q2'"]
    assert "Traceback" not in err


def _write(tmp_path, text):
    path = tmp_path / "params.yaml"
    path.write_text(text)
    return path


def test_a_yaml_syntax_error_names_the_file_and_line(tmp_path, capsys):
    text = (ROOT / "params.yaml").read_text().replace("  threshold: 10", "  threshold: [10", 1)
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError, match=r"params.yaml: not valid YAML \(line \d+, column \d+: "):
        load_params(path)
    assert main(["--params", str(path), "where"]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_a_value_in_the_file_is_named_with_the_file(tmp_path):
    path = _write(tmp_path, (ROOT / "params.yaml").read_text().replace('meeting_date: "2026-12-10"',
                                                                        "meeting_date: 2026-02-30"))
    with pytest.raises(ConfigError, match=r"^params.yaml: paper.meeting_date = '2026-02-30' is not allowed"):
        load_params(path)


def test_a_file_that_is_not_a_mapping_or_missing_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="must be a mapping"):
        load_params(_write(tmp_path, "- a\n- b\n"))
    with pytest.raises(ConfigError, match="no such parameters file"):
        load_params(tmp_path / "absent.yaml")
    with pytest.raises(ConfigError, match="no such parameters file"):
        load_params(tmp_path)                                   # a folder
    (tmp_path / "dangling.yaml").symlink_to(tmp_path / "gone.yaml")
    with pytest.raises(ConfigError, match="dangling.yaml: no such parameters file"):
        load_params(tmp_path / "dangling.yaml")
    (tmp_path / "latin.yaml").write_bytes("la: {name: Caf\xe9}\n".encode("latin-1"))
    with pytest.raises(ConfigError, match=r"latin.yaml: cannot be read \(UnicodeDecodeError"):
        load_params(tmp_path / "latin.yaml")


def test_good_values_are_normalised():
    data = _data()
    data["paper"]["meeting_date"] = date(2026, 12, 10)  # what plain yaml.safe_load gives
    data["la"]["code"] = 990
    p = parse_params(data, Path("/x"))
    assert p.paper.meeting_date == "2026-12-10" and p.la.code == "990"
    assert p.projection.step_months == 3
    blank = load_params(ROOT / "params.yaml", ["la.region_name=", "la.new_la_code="]).la
    assert (blank.region_name, blank.new_la_code) == ("", "")              # optional codes may be left out


@pytest.mark.parametrize("step", [1, 2, 3, 4, 6, 12])
def test_every_allowed_step_is_accepted(step):
    assert load_params(ROOT / "params.yaml", [f"projection.step_months={step}"]).projection.step_months == step


@pytest.mark.parametrize(("period", "year"), [
    ("2026-27 Q2", "2025-26"),   # ends 30 Sep 2026: the year to 31 March 2026
    ("2026-27 Q4", "2026-27"),   # ends 31 March 2027: that year itself
    ("2026-27 Q1", "2025-26"),
    ("2017-18 Q4", "2017-18"),
    ("2018-19 Q3", "2017-18"),
])
def test_the_sufficiency_year_follows_the_period_unless_set(period, year):
    assert load_params(ROOT / "params.yaml", [f"period={period}", "sufficiency_year=auto"]).sufficiency_year.label == year
    data = _data() | {"period": period}
    data.pop("period_slug")
    data.pop("sufficiency_year")
    assert parse_params(data, Path("/x")).sufficiency_year.label == year
    fixed = load_params(ROOT / "params.yaml", [f"period={period}", "sufficiency_year=2020-21"])
    assert fixed.sufficiency_year.label == "2020-21"


def test_latest_year_ended_by_a_day():
    assert latest_year_ended_by(date(2027, 3, 31)).label == "2026-27"
    assert latest_year_ended_by(date(2027, 3, 30)).label == "2025-26"
    assert latest_year_ended_by(date(2026, 4, 1)).label == "2025-26"


def test_a_key_given_twice_is_refused_with_its_line(tmp_path):
    text = (ROOT / "params.yaml").read_text().replace("  threshold: 10", "  threshold: 10\n  threshold: 5", 1)
    line = next(i for i, t in enumerate(text.splitlines(), 1) if t.startswith("  threshold: 5"))
    with pytest.raises(ConfigError, match=rf"params.yaml: not valid YAML \(line {line}, column 3: key 'threshold' "
                                          r"appears twice in the same section\)"):
        load_params(_write(tmp_path, text))

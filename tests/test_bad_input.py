"""Bad input through the CLI: one clear message naming the file, the field path and the fix; exit 2; no traceback.

Every case writes a profile into ``tmp_path`` and runs ``planner crs`` and ``planner
eligibility`` on it with :class:`click.testing.CliRunner`.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from planner.cli.main import cli

AS_OF = "2026-01-15"


def _valid() -> dict:
    """A complete, valid profile; each case breaks one thing in it."""
    return {
        "birth_date": "1994-03-02",
        "citizenships": ["IN"],
        "education": [{"level": "bachelor", "country": "IN", "completed": "2016-05-31", "eca": True}],
        "language_tests": [
            {
                "test": "ielts_general",
                "date": "2025-06-01",
                "listening": 8.0,
                "reading": 7.0,
                "writing": 7.0,
                "speaking": 7.0,
            }
        ],
        "work_history": [
            {"noc": "21231", "country": "IN", "start": "2017-01-01", "end": "2024-12-31", "hours_per_week": 40}
        ],
        "settlement_funds_cad": 20000,
    }


def _run(tmp_path, command: str, content: str, name: str = "profile.json"):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    result = CliRunner().invoke(cli, [command, str(path), "--as-of", AS_OF])
    return path, result


def _assert_clean_error(result, path, field: str | None, *fragments: str):
    output = result.output  # click >= 8.2 mixes stderr into output
    assert result.exit_code == 2, output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in output
    assert str(path) in output, output
    if field is not None:
        assert f": {field}:" in output, output
    assert "fix:" in output, output
    for fragment in fragments:
        assert fragment in output, output


COMMANDS = pytest.mark.parametrize("command", ["crs", "eligibility"])


@COMMANDS
def test_malformed_json(tmp_path, command):
    text = json.dumps(_valid(), indent=2).replace('"IN"\n', '"IN",\n', 1)  # trailing comma in citizenships
    path, result = _run(tmp_path, command, text)
    _assert_clean_error(result, path, None, "not valid JSON", "line")


@COMMANDS
def test_empty_file(tmp_path, command):
    path, result = _run(tmp_path, command, "")
    _assert_clean_error(result, path, None, "not valid JSON")


@COMMANDS
def test_duplicate_key_is_not_silently_dropped(tmp_path, command):
    text = json.dumps(_valid())[:-1] + ', "birth_date": "1999-01-01"}'
    path, result = _run(tmp_path, command, text)
    _assert_clean_error(result, path, "birth_date", "twice")


@COMMANDS
def test_profile_is_a_json_list(tmp_path, command):
    path, result = _run(tmp_path, command, json.dumps([_valid()]))
    _assert_clean_error(result, path, "(top level)", "JSON object")


@COMMANDS
def test_missing_required_field(tmp_path, command):
    profile = _valid()
    del profile["birth_date"]
    path, result = _run(tmp_path, command, json.dumps(profile))
    _assert_clean_error(result, path, "birth_date", "add this field")


@COMMANDS
def test_unknown_field_suggests_the_right_name(tmp_path, command):
    profile = _valid()
    profile["birthdate"] = profile.pop("birth_date")
    path, result = _run(tmp_path, command, json.dumps(profile))
    _assert_clean_error(result, path, "birthdate", "unknown field 'birthdate'", "did you mean 'birth_date'?")
    # the typo is the first thing said, before the consequential "birth_date: Field required"
    assert result.output.index("birthdate") < result.output.index("Field required")


@COMMANDS
def test_unknown_nested_field_suggests_the_right_name(tmp_path, command):
    profile = _valid()
    profile["work_history"][0]["hours_per_wk"] = profile["work_history"][0].pop("hours_per_week")
    path, result = _run(tmp_path, command, json.dumps(profile))
    _assert_clean_error(result, path, "work_history[0].hours_per_wk", "did you mean 'hours_per_week'?")


@COMMANDS
@pytest.mark.parametrize(
    "field,value,path_text",
    [
        ("dependent_children", "two", "dependent_children"),
        ("citizenships", "IN", "citizenships"),
        ("education", {"level": "bachelor"}, "education"),
        ("sibling_in_canada", "maybe", "sibling_in_canada"),
        ("settlement_funds_cad", "lots", "settlement_funds_cad"),
    ],
)
def test_wrong_type(tmp_path, command, field, value, path_text):
    profile = _valid()
    profile[field] = value
    path, result = _run(tmp_path, command, json.dumps(profile))
    _assert_clean_error(result, path, path_text)


@COMMANDS
def test_wrong_type_nested(tmp_path, command):
    profile = _valid()
    profile["work_history"][0]["hours_per_week"] = "forty"
    path, result = _run(tmp_path, command, json.dumps(profile))
    _assert_clean_error(result, path, "work_history[0].hours_per_week", "number")


@COMMANDS
def test_malformed_date(tmp_path, command):
    profile = _valid()
    profile["birth_date"] = "02/03/1994"
    path, result = _run(tmp_path, command, json.dumps(profile))
    _assert_clean_error(result, path, "birth_date", "YYYY-MM-DD")


@COMMANDS
def test_birth_date_after_as_of(tmp_path, command):
    profile = _valid()
    profile["birth_date"] = "2026-06-01"
    path, result = _run(tmp_path, command, json.dumps(profile))
    _assert_clean_error(result, path, "birth_date", "2026-06-01", AS_OF)


@COMMANDS
def test_ielts_9_5(tmp_path, command):
    profile = _valid()
    profile["language_tests"][0]["listening"] = 9.5
    path, result = _run(tmp_path, command, json.dumps(profile))
    _assert_clean_error(result, path, "language_tests[0].listening", "9.5", "0 to 9")


@COMMANDS
def test_ielts_quarter_band(tmp_path, command):
    profile = _valid()
    profile["language_tests"][0]["reading"] = 7.25
    path, result = _run(tmp_path, command, json.dumps(profile))
    _assert_clean_error(result, path, "language_tests[0].reading", "7.25", "steps of 0.5")


@COMMANDS
def test_negative_hours(tmp_path, command):
    profile = _valid()
    profile["work_history"][0]["hours_per_week"] = -10
    path, result = _run(tmp_path, command, json.dumps(profile))
    _assert_clean_error(result, path, "work_history[0].hours_per_week", "greater than 0")


@COMMANDS
def test_end_before_start(tmp_path, command):
    profile = _valid()
    profile["work_history"][0]["end"] = "2016-12-31"
    path, result = _run(tmp_path, command, json.dumps(profile))
    _assert_clean_error(result, path, "work_history[0].end", "before start")


@COMMANDS
def test_unknown_noc(tmp_path, command):
    profile = _valid()
    profile["work_history"][0]["noc"] = "21239"
    path, result = _run(tmp_path, command, json.dumps(profile))
    _assert_clean_error(result, path, "work_history[0].noc", "21239", "did you mean")
    # close matches are real codes from the same minor group
    assert "21231" in result.output or "21232" in result.output


@COMMANDS
def test_unknown_job_offer_noc(tmp_path, command):
    profile = _valid()
    profile["job_offer"] = {"noc": "99999", "lmia": True, "permanent": True}
    path, result = _run(tmp_path, command, json.dumps(profile))
    _assert_clean_error(result, path, "job_offer.noc", "99999")


@COMMANDS
def test_spouse_field_errors_name_the_spouse_path(tmp_path, command):
    profile = _valid()
    profile["marital_status"] = "married"
    profile["spouse"] = {"accompanying": True, "birthdate": "1995-01-01"}
    path, result = _run(tmp_path, command, json.dumps(profile))
    _assert_clean_error(result, path, "spouse.birthdate", "did you mean 'birth_date'?")


def test_missing_file_is_a_clean_error(tmp_path):
    path = tmp_path / "nope.json"
    result = CliRunner().invoke(cli, ["crs", str(path), "--as-of", AS_OF])
    assert result.exit_code == 2
    assert str(path) in result.output and "fix:" in result.output
    assert "Traceback" not in result.output


def test_bad_as_of_option(tmp_path):
    path = tmp_path / "profile.json"
    path.write_text(json.dumps(_valid()))
    result = CliRunner().invoke(cli, ["crs", str(path), "--as-of", "2026-13-01"])
    assert result.exit_code == 2
    assert "YYYY-MM-DD" in result.output
    assert "Traceback" not in result.output


def test_valid_profile_is_accepted(tmp_path):
    """The base profile the cases break is itself valid (so each case fails for its own reason)."""
    for command in ("crs", "eligibility"):
        _, result = _run(tmp_path, command, json.dumps(_valid()))
        assert result.exit_code == 0, result.output


def _pre_2015_profile(tmp_path) -> str:
    profile = _valid()
    profile["birth_date"] = "1980-01-01"
    profile["language_tests"][0]["date"] = "2009-06-01"
    profile["work_history"][0].update(start="2005-01-01", end="2008-12-31")
    profile["education"][0]["completed"] = "2004-05-31"
    path = tmp_path / "profile.json"
    path.write_text(json.dumps(profile))
    return str(path)


def test_crs_as_of_before_the_rules_exist(tmp_path):
    """The CRS started 2015-01-01: an earlier --as-of is a clean error with a fix, not a traceback."""
    result = CliRunner().invoke(cli, ["crs", _pre_2015_profile(tmp_path), "--as-of", "2010-01-01"])
    assert result.exit_code == 2, result.output
    assert "2015-01-01" in result.output and "fix:" in result.output
    assert "Traceback" not in result.output


def test_eligibility_as_of_before_the_programs_open(tmp_path):
    """Eligibility before 2015 is a valid answer: every program is 'not yet open'."""
    result = CliRunner().invoke(cli, ["eligibility", _pre_2015_profile(tmp_path), "--as-of", "2010-01-01", "--json"])
    assert result.exit_code == 0, result.output
    for program in json.loads(result.stdout)["programs"]:
        assert not program["eligible"]
        assert "not yet open" in program["verdicts"][0]["value"]

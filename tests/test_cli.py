"""The command line: crs / eligibility tables and JSON, --as-of, schema, check-models.

Expected points come from federal-rules.md §1.9: arranged employment 600 until
2016-11-18, then 200 (NOC 00) / 50 (other TEER 0-3) until 2025-03-24, and none from
2025-03-25; French NCLC 7+ 15/30 from 2017-06-06 and 25/50 from late October 2020.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from planner.cli.main import cli
from planner.rules import loader

SECTIONS = {"core", "spouse", "transferability", "additional"}


def _profile(**changes) -> dict:
    data = {
        "birth_date": "1995-05-01",
        "citizenships": ["IN"],
        "education": [{"level": "bachelor", "country": "IN", "completed": "2017-05-01", "eca": True}],
        "language_tests": [
            {
                "test": "ielts_general",
                "date": "2024-01-10",
                "listening": 8.5,
                "reading": 8.0,
                "writing": 7.5,
                "speaking": 7.5,
            }
        ],
        "work_history": [
            {"noc": "21231", "country": "IN", "start": "2018-01-01", "end": "2023-12-31", "hours_per_week": 40}
        ],
        "job_offer": {"noc": "21231", "lmia": True, "permanent": True},
        "settlement_funds_cad": 20000,
    }
    data.update(changes)
    return data


def _write(tmp_path: Path, data: dict, name: str = "profile.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def _invoke(*args: str):
    result = CliRunner().invoke(cli, list(args))
    assert "Traceback" not in result.output
    return result


def _crs_json(tmp_path, data: dict, as_of: str) -> dict:
    result = _invoke("crs", _write(tmp_path, data), "--as-of", as_of, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _line(payload: dict, name: str) -> dict:
    return next(line for line in payload["lines"] if line["name"] == name)


# --- crs ----------------------------------------------------------------------------------------


def test_crs_json_shape(tmp_path):
    payload = _crs_json(tmp_path, _profile(), "2024-06-01")
    assert {"total", "sections", "lines", "as_of"} <= set(payload)
    assert payload["as_of"] == "2024-06-01"
    assert set(payload["sections"]) == SECTIONS
    assert payload["total"] == sum(payload["sections"].values())
    assert payload["lines"], "no lines"
    for line in payload["lines"]:
        assert {"section", "name", "points", "rule", "references"} <= set(line)
        assert line["section"] in SECTIONS
        assert line["rule"].startswith("models/crs/")
        assert line["references"]
    for section in SECTIONS:
        assert payload["sections"][section] == sum(line["points"] for line in payload["lines"] if line["section"] == section)


def test_crs_json_values_by_hand(tmp_path):
    """Without spouse on 2024-06-01: age 29 -> 110; bachelor 120; CLB 10 x 4 -> 136; no Canadian work 0;
    C-1 bachelor x CLB 9+ -> 25; C-3 foreign 3+ years (2018-2023, 6 yrs) x CLB 9+ -> 50; AE 50.  Total 491."""
    payload = _crs_json(tmp_path, _profile(), "2024-06-01")
    assert payload["sections"] == {"core": 366, "spouse": 0, "transferability": 75, "additional": 50}
    assert payload["total"] == 491


def test_crs_table(tmp_path):
    result = _invoke("crs", _write(tmp_path, _profile()), "--as-of", "2024-06-01")
    assert result.exit_code == 0, result.output
    assert "CRS 491 as of 2024-06-01" in result.output
    for text in ("Age", "Arranged employment", "core total", "additional total", "models/crs/core.yaml#age"):
        assert text in result.output


@pytest.mark.parametrize(
    "as_of,points",
    [
        ("2016-11-18", 600),  # original rule: LMIA job offer = 600
        ("2016-11-19", 50),
        ("2024-06-01", 50),
        ("2025-03-24", 50),
        ("2025-03-25", 0),
        ("2026-01-01", 0),
    ],
)
def test_as_of_changes_arranged_employment(tmp_path, as_of, points):
    year = int(as_of[:4])
    data = _profile(
        language_tests=[
            {
                "test": "ielts_general",
                "date": f"{year - 1}-12-01",
                "listening": 8.5,
                "reading": 8.0,
                "writing": 7.5,
                "speaking": 7.5,
            }
        ],
        birth_date=f"{year - 30}-01-01",
    )
    payload = _crs_json(tmp_path, data, as_of)
    assert _line(payload, "arranged_employment")["points"] == points
    assert payload["as_of"] == as_of


@pytest.mark.parametrize("as_of,points", [("2024-06-01", 200), ("2025-03-25", 0)])
def test_senior_management_offer(tmp_path, as_of, points):
    """An LMIA offer in NOC major group 00 is worth 200 before 2025-03-25."""
    payload = _crs_json(tmp_path, _profile(job_offer={"noc": "00012", "lmia": True, "permanent": True}), as_of)
    assert _line(payload, "arranged_employment")["points"] == points


def test_total_drops_by_exactly_the_arranged_employment_points(tmp_path):
    before = _crs_json(tmp_path, _profile(), "2025-03-24")
    after = _crs_json(tmp_path, _profile(), "2025-03-25")
    assert before["total"] - after["total"] == 50


FRENCH_TEF_2019 = {
    "test": "tef_canada",
    "date": "2019-11-01",  # 2019 scale: 450-499 -> NCLC 7
    "listening": 450,
    "reading": 450,
    "writing": 450,
    "speaking": 450,
}
ENGLISH_CLB5 = {
    "test": "ielts_general",
    "date": "2019-11-01",
    "listening": 5.0,
    "reading": 4.0,
    "writing": 5.0,
    "speaking": 5.0,
}


@pytest.mark.parametrize(
    "as_of,with_english,points",
    [
        ("2020-10-01", True, 30),
        ("2020-11-01", True, 50),
        ("2020-10-01", False, 15),
        ("2020-11-01", False, 25),
    ],
)
def test_french_bonus_by_date(tmp_path, as_of, with_english, points):
    tests = [FRENCH_TEF_2019] + ([ENGLISH_CLB5] if with_english else [])
    data = _profile(birth_date="1990-01-01", language_tests=tests, citizenships=["FR"])
    assert _line(_crs_json(tmp_path, data, as_of), "french")["points"] == points


def test_french_bonus_needs_nclc7_in_all_four(tmp_path):
    tests = [{**FRENCH_TEF_2019, "speaking": 449}, ENGLISH_CLB5]  # speaking NCLC 6
    data = _profile(birth_date="1990-01-01", language_tests=tests)
    assert _line(_crs_json(tmp_path, data, "2020-11-01"), "french")["points"] == 0


# --- eligibility --------------------------------------------------------------------------------


def test_eligibility_json_shape(tmp_path):
    result = _invoke("eligibility", _write(tmp_path, _profile()), "--as-of", "2025-03-25", "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["as_of"] == "2025-03-25"
    programs = {p["program"]: p for p in payload["programs"]}
    assert {"federal.express_entry.fsw", "federal.express_entry.cec", "federal.express_entry.fst"} <= set(programs)
    for program in programs.values():
        assert {"label", "eligible", "verdicts"} <= set(program)
        assert program["eligible"] == all(v["met"] for v in program["verdicts"])
        for v in program["verdicts"]:
            assert {"requirement", "met", "value", "threshold", "rule", "references", "effective"} <= set(v)
            assert v["rule"].startswith("models/programs/")
            assert any(ref["href"].startswith("https://") for ref in v["references"])
    assert programs["federal.express_entry.fsw"]["eligible"] is True
    assert programs["federal.express_entry.cec"]["eligible"] is False


def test_eligibility_program_option(tmp_path):
    result = _invoke("eligibility", _write(tmp_path, _profile()), "--as-of", "2025-03-25", "--json", "--program", "cec")
    assert result.exit_code == 0, result.output
    assert [p["program"] for p in json.loads(result.stdout)["programs"]] == ["federal.express_entry.cec"]


def test_eligibility_unknown_program_is_bad_input(tmp_path):
    result = _invoke("eligibility", _write(tmp_path, _profile()), "--as-of", "2025-03-25", "--program", "fsx")
    assert result.exit_code == 2
    assert "fsw" in result.output  # did-you-mean


def test_eligibility_table(tmp_path):
    result = _invoke("eligibility", _write(tmp_path, _profile()), "--as-of", "2025-03-25")
    assert result.exit_code == 0, result.output
    for text in (
        "Federal Skilled Worker Program",
        "Canadian Experience Class",
        "Federal Skilled Trades Program",
        "not eligible",
        "67 points",
        "models/programs/federal/",
    ):
        assert text in result.output


# --- schema -------------------------------------------------------------------------------------


def _refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def test_schema_is_json_schema_with_birth_date_required():
    result = _invoke("schema")
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert schema["type"] == "object"
    assert "birth_date" in schema["required"]
    assert schema["properties"]["birth_date"]["format"] == "date"
    assert schema.get("additionalProperties") is False  # unknown fields are errors
    for ref in _refs(schema):  # every reference resolves
        assert ref.startswith("#/$defs/"), ref
        assert ref.removeprefix("#/$defs/") in schema["$defs"], ref
    try:
        import jsonschema
    except ImportError:
        return
    jsonschema.Draft202012Validator.check_schema(schema)


# --- check-models -------------------------------------------------------------------------------


@pytest.fixture
def models_copy(tmp_path, monkeypatch):
    """A copy of the shipped models/ that PLANNER_MODELS_DIR points to (its own RuleBook is made on first use)."""
    target = tmp_path / "models"
    shutil.copytree(loader.models_dir(), target)
    monkeypatch.setenv(loader.MODELS_ENV, str(target))
    return target


def test_check_models_passes_on_shipped_models():
    result = _invoke("check-models", "--as-of", "2026-11-25")
    assert result.exit_code == 0, result.output
    assert "0 error(s)" in result.output


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _check_models_error(models: Path, relative: str, *fragments: str):
    result = _invoke("check-models", "--as-of", "2026-11-25")
    assert result.exit_code == 2, result.output
    error_lines = [line for line in result.output.splitlines() if line.startswith("ERROR")]
    broken = [line for line in error_lines if str(models / relative) in line]
    assert broken, result.output
    for fragment in fragments:
        assert fragment in broken[0], broken[0]
    return broken[0]


def test_check_models_duplicate_key(models_copy):
    _edit(
        models_copy / "crs/additional.yaml",
        "    2017-06-06: {value: 15}\n",
        "    2017-06-06: {value: 15}\n    2017-06-06: {value: 16}\n",
    )
    _check_models_error(models_copy, "crs/additional.yaml", "duplicate key", "sibling.values.2017-06-06")


def test_check_models_unknown_key(models_copy):
    _edit(
        models_copy / "federal/fsw_grid.yaml",
        "        pass_mark: 67\n",
        "        pass_mark: 67\n        pass_marks: 67\n",
    )
    _check_models_error(models_copy, "federal/fsw_grid.yaml", "grid.values.2013-05-04.value.pass_marks", "unknown key")


def test_check_models_unknown_top_level_key(models_copy):
    _edit(
        models_copy / "language/ielts_general.yaml",
        "label: IELTS General Training\n",
        "label: IELTS General Training\nlabels: oops\n",
    )
    _check_models_error(models_copy, "language/ielts_general.yaml", "labels", "unknown key")


def test_check_models_malformed_date_key_impossible_month(models_copy):
    """2017-13-06 looks like a YAML date but is not one: a clean error, not a traceback."""
    _edit(models_copy / "crs/additional.yaml", "    2017-06-06: {value: 15}\n", "    2017-13-06: {value: 15}\n")
    _check_models_error(models_copy, "crs/additional.yaml", "sibling.values.2017-13-06", "YYYY-MM-DD")


def test_check_models_malformed_date_key_short_form(models_copy):
    _edit(models_copy / "crs/additional.yaml", "    2017-06-06: {value: 15}\n", "    2017-6-6: {value: 15}\n")
    _check_models_error(models_copy, "crs/additional.yaml", "sibling.values.2017-6-6", "date")


def test_check_models_dates_out_of_order(models_copy):
    _edit(
        models_copy / "crs/additional.yaml",
        "    2016-11-19:\n      value: {senior_management_prefixes",
        "    2014-11-19:\n      value: {senior_management_prefixes",
    )
    _check_models_error(models_copy, "crs/additional.yaml", "arranged_employment", "oldest first")


def test_crs_with_broken_models_is_bad_input_not_a_traceback(models_copy, tmp_path):
    """A broken rule file makes 'planner crs' exit 2 with the file and key path."""
    from planner.rules.book import RuleBook, use

    _edit(models_copy / "crs/core.yaml", "work_window_years:\n", "work_window_year:\n")
    with use(RuleBook(models_copy)):  # a new book reads the edited file
        result = _invoke("crs", _write(tmp_path, _profile()), "--as-of", "2024-06-01")
    assert result.exit_code == 2, result.output
    assert str(models_copy / "crs/core.yaml") in result.output
    assert "work_window_year" in result.output

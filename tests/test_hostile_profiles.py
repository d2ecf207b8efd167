"""Hostile and malformed profiles (issue 16): exit 2, a message naming the file, the field and the fix, no traceback.

The corpus breaks a valid profile one way at a time: malformed JSON and files that are
not profiles at all, values of the wrong type, out of range or impossible (before birth,
9999-12-31, infinity, 5,000-digit numbers), unknown codes and ids, and profiles the
planner must refuse (a Canadian citizen). A fuzz test then throws random JSON into every
field and checks that the only errors ever raised are the planner's own input errors.
"""

from __future__ import annotations

import copy
import json
import os

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.cli.main import cli
from planner.errors import InputError
from planner.facts.inputs import check_profile
from planner.facts.profile import parse_profile

AS_OF = "2026-12-03"


def valid() -> dict:
    return {
        "birth_date": "1994-03-02",
        "citizenships": ["IN"],
        "marital_status": "married",
        "education": [
            {"level": "bachelor", "program_years": 4, "country": "IN", "completed": "2016-05-31", "eca": True}
        ],
        "language_tests": [
            {
                "test": "ielts_general",
                "date": "2026-06-01",
                "listening": 8.0,
                "reading": 7.0,
                "writing": 7.0,
                "speaking": 7.0,
            }
        ],
        "work_history": [{"noc": "21231", "country": "IN", "start": "2017-01-01", "end": None, "hours_per_week": 40}],
        "status_in_canada": {"status": "outside"},
        "job_offer": {"noc": "21231", "province": "ON", "annual_salary_cad": 120000, "permanent": True},
        "settlement_funds_cad": 20000,
        "spouse": {"accompanying": True, "birth_date": "1995-01-01", "citizenships": ["IN"]},
        "preferences": {"provinces": ["ON"], "horizon_months": 60},
    }


def at(data: dict, path: str, value):
    """``data`` with the value at a dotted path (``work_history.0.noc``) replaced, or removed when value is DELETE."""
    data = copy.deepcopy(data)
    *parents, last = path.split(".")
    target = data
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target[part]
    key = int(last) if isinstance(target, list) else last
    if value is DELETE:
        del target[key]
    else:
        target[key] = value
    return data


DELETE = object()
JOB = valid()["work_history"][0]
TEST = valid()["language_tests"][0]

# (case id, the field path named in the message or None, the profile: a dict, or raw text)
FIELD_CASES = [
    ("birth date missing", "birth_date", at(valid(), "birth_date", DELETE)),
    ("birth date slashed", "birth_date", at(valid(), "birth_date", "1990/01/01")),
    ("birth date 9999", "birth_date", at(valid(), "birth_date", "9999-12-31")),
    ("birth date year 1", "birth_date", at(valid(), "birth_date", "0001-01-01")),
    ("birth date a number", "birth_date", at(valid(), "birth_date", 19900101)),
    ("birth date null", "birth_date", at(valid(), "birth_date", None)),
    ("born after the plan date", "birth_date", at(valid(), "birth_date", "2027-01-01")),
    ("born ten years ago", "birth_date", at(valid(), "birth_date", "2016-06-01")),
    ("no citizenship", "citizenships", at(valid(), "citizenships", [])),
    ("citizenship not a list", "citizenships", at(valid(), "citizenships", "IN")),
    ("citizenship three letters", "citizenships", at(valid(), "citizenships", ["IND"])),
    ("citizenship with a digit", "citizenships", at(valid(), "citizenships", ["C1"])),
    ("Canadian citizen", "citizenships", at(valid(), "citizenships", ["CA"])),
    ("six citizenships", "citizenships", at(valid(), "citizenships", ["IN", "FR", "DE", "IT", "ES", "PT"])),
    ("citizenship a number", "citizenships", at(valid(), "citizenships", [356])),
    ("marital status unknown", "marital_status", at(valid(), "marital_status", "complicated")),
    ("married without a spouse", None, at(valid(), "spouse", DELETE)),
    ("single with a spouse", None, at(valid(), "marital_status", "single")),
    ("first language German", "first_official_language", {**valid(), "first_official_language": "de"}),
    ("education not a list", "education", at(valid(), "education", {"level": "bachelor"})),
    ("education level missing", "education[0].level", at(valid(), "education.0.level", DELETE)),
    ("education level phd", "education[0].level", at(valid(), "education.0.level", "phd")),
    ("program years zero", "education[0].program_years", at(valid(), "education.0.program_years", 0)),
    ("program years eleven", "education[0].program_years", at(valid(), "education.0.program_years", 11)),
    ("program years a string", "education[0].program_years", at(valid(), "education.0.program_years", "4")),
    ("program years true", "education[0].program_years", at(valid(), "education.0.program_years", True)),
    ("program months zero", "education[0].program_months", at(valid(), "education.0.program_months", 0)),
    ("program months 121", "education[0].program_months", at(valid(), "education.0.program_months", 121)),
    ("country a word", "education[0].country", at(valid(), "education.0.country", "Canada")),
    ("completed soon", "education[0].completed", at(valid(), "education.0.completed", "soon")),
    ("completed before birth", "education[0].completed", at(valid(), "education.0.completed", "1990-01-01")),
    ("eca yes", "education[0].eca", at(valid(), "education.0.eca", "yes")),
    (
        "post-secondary without years",
        "education[0]",
        at(at(valid(), "education.0.level", "post_secondary"), "education.0.program_years", DELETE),
    ),
    ("51 credentials", "education", at(valid(), "education", [valid()["education"][0]] * 51)),
    ("test TOEFL", "language_tests[0].test", at(valid(), "language_tests.0.test", "toefl")),
    ("IELTS reading 9.5", "language_tests[0].reading", at(valid(), "language_tests.0.reading", 9.5)),
    ("IELTS listening negative", "language_tests[0].listening", at(valid(), "language_tests.0.listening", -1)),
    ("IELTS 7.3", "language_tests[0].writing", at(valid(), "language_tests.0.writing", 7.3)),
    (
        "CELPIP 13",
        "language_tests[0]",
        at(at(valid(), "language_tests.0.test", "celpip_general"), "language_tests.0.speaking", 13),
    ),
    (
        "TEF 800",
        "language_tests[0]",
        at(at(valid(), "language_tests.0.test", "tef_canada"), "language_tests.0.speaking", 800),
    ),
    ("test in 9999", "language_tests[0].date", at(valid(), "language_tests.0.date", "9999-12-31")),
    ("test before birth", "language_tests[0].date", at(valid(), "language_tests.0.date", "1990-01-01")),
    ("score a word", "language_tests[0].reading", at(valid(), "language_tests.0.reading", "seven")),
    ("speaking missing", "language_tests[0].speaking", at(valid(), "language_tests.0.speaking", DELETE)),
    ("51 tests", "language_tests", at(valid(), "language_tests", [TEST] * 51)),
    ("NOC four digits", "work_history[0].noc", at(valid(), "work_history.0.noc", "2123")),
    ("NOC unknown", "work_history[0].noc", at(valid(), "work_history.0.noc", "99999")),
    ("NOC a number", "work_history[0].noc", at(valid(), "work_history.0.noc", 21231)),
    ("hours zero", "work_history[0].hours_per_week", at(valid(), "work_history.0.hours_per_week", 0)),
    ("hours 200", "work_history[0].hours_per_week", at(valid(), "work_history.0.hours_per_week", 200)),
    ("hours negative", "work_history[0].hours_per_week", at(valid(), "work_history.0.hours_per_week", -5)),
    ("end before start", "work_history[0].end", at(valid(), "work_history.0.end", "2016-01-01")),
    ("start in 1800", "work_history[0].start", at(valid(), "work_history.0.start", "1800-01-01")),
    ("start before birth", "work_history[0].start", at(valid(), "work_history.0.start", "1993-01-01")),
    ("job country XX1", "work_history[0].country", at(valid(), "work_history.0.country", "XX1")),
    ("job key misspelt", "work_history[0].titl", at(valid(), "work_history.0.titl", "dev")),
    ("role boss", "work_history[0].role", at(valid(), "work_history.0.role", "boss")),
    ("job province ZZ", "work_history[0].province", at(valid(), "work_history.0.province", "ZZ")),
    (
        "both a Canadian affiliate and a new office",
        "work_history[0].opening_canadian_office",
        at(at(valid(), "work_history.0.canadian_related_entity", True), "work_history.0.opening_canadian_office", True),
    ),
    ("51 jobs", "work_history", at(valid(), "work_history", [JOB] * 51)),
    ("status tourist", "status_in_canada.status", at(valid(), "status_in_canada.status", "tourist")),
    (
        "permit unknown",
        "status_in_canada.permit",
        at(valid(), "status_in_canada", {"status": "worker", "permit": "h1b_visa", "valid_until": "2027-06-01"}),
    ),
    (
        "permit ended",
        "status_in_canada.valid_until",
        at(valid(), "status_in_canada", {"status": "worker", "permit": "pgwp", "valid_until": "2026-01-01"}),
    ),
    (
        "valid until next year",
        "status_in_canada.valid_until",
        at(valid(), "status_in_canada", {"status": "worker", "valid_until": "next year"}),
    ),
    (
        "status province XX",
        "status_in_canada.province",
        at(valid(), "status_in_canada", {"status": "worker", "province": "XX"}),
    ),
    ("already a citizen", "status_in_canada.status", at(valid(), "status_in_canada.status", "citizen")),
    (
        "already a permanent resident",
        "status_in_canada.status",
        at(valid(), "status_in_canada.status", "permanent_resident"),
    ),
    ("offer NOC unknown", "job_offer.noc", at(valid(), "job_offer.noc", "12345")),
    ("offer wage negative", "job_offer.hourly_wage_cad", at(valid(), "job_offer.hourly_wage_cad", -1)),
    ("offer salary a trillion", "job_offer.annual_salary_cad", at(valid(), "job_offer.annual_salary_cad", 1e12)),
    ("offer duration zero", "job_offer.duration_months", at(valid(), "job_offer.duration_months", 0)),
    ("offer duration 601", "job_offer.duration_months", at(valid(), "job_offer.duration_months", 601)),
    ("offer duration true", "job_offer.duration_months", at(valid(), "job_offer.duration_months", True)),
    ("offer province a city", "job_offer.province", at(valid(), "job_offer.province", "Toronto")),
    ("offer lmia no", "job_offer.lmia", at(valid(), "job_offer.lmia", "no")),
    ("children true", "dependent_children", {**valid(), "dependent_children": True}),
    ("children negative", "dependent_children", {**valid(), "dependent_children": -1}),
    ("children 21", "dependent_children", {**valid(), "dependent_children": 21}),
    ("children 2.5", "dependent_children", {**valid(), "dependent_children": 2.5}),
    ("children a string", "dependent_children", {**valid(), "dependent_children": "2"}),
    ("funds negative", "settlement_funds_cad", {**valid(), "settlement_funds_cad": -1}),
    ("funds a quadrillion", "settlement_funds_cad", {**valid(), "settlement_funds_cad": 1e15}),
    ("funds lots", "settlement_funds_cad", {**valid(), "settlement_funds_cad": "lots"}),
    ("certificate without province", "trade_certificate.province", {**valid(), "trade_certificate": {"trade": "x"}}),
    (
        "nomination bad date",
        "provincial_nomination.date",
        {**valid(), "provincial_nomination": {"province": "BC", "date": "2026-13-01", "express_entry_linked": True}},
    ),
    (
        "nomination without province",
        "provincial_nomination.province",
        {**valid(), "provincial_nomination": {"date": "2026-01-01", "express_entry_linked": True}},
    ),
    ("spouse citizenship XYZ", "spouse.citizenships", at(valid(), "spouse.citizenships", ["XYZ"])),
    ("spouse born after the plan date", "spouse.birth_date", at(valid(), "spouse.birth_date", "2027-05-01")),
    (
        "spouse test score 10",
        "spouse.language_tests[0]",
        at(valid(), "spouse.language_tests", [{**TEST, "reading": 10}]),
    ),
    (
        "spouse job NOC unknown",
        "spouse.work_history[0].noc",
        at(valid(), "spouse.work_history", [{**JOB, "noc": "99999"}]),
    ),
    ("spouse accompanying yes", "spouse.accompanying", at(valid(), "spouse.accompanying", "yes")),
    ("preferred province ZZ", "preferences.provinces[0]", at(valid(), "preferences.provinces", ["ZZ"])),
    ("horizon zero", "preferences.horizon_months", at(valid(), "preferences.horizon_months", 0)),
    ("horizon 241", "preferences.horizon_months", at(valid(), "preferences.horizon_months", 241)),
    ("horizon 12.5", "preferences.horizon_months", at(valid(), "preferences.horizon_months", 12.5)),
    ("objective slowest", "preferences.objective", at(valid(), "preferences.objective", "slowest")),
    ("max cost negative", "preferences.max_cost_cad", at(valid(), "preferences.max_cost_cad", -1)),
    ("IEC participations negative", "iec_participations", {**valid(), "iec_participations": -1}),
    ("IEC participations 11", "iec_participations", {**valid(), "iec_participations": 11}),
    ("unknown top-level key", "nmae", {**valid(), "nmae": "x"}),
    ("a name of 10,000 characters", "name", {**valid(), "name": "x" * 10_000}),
]

TEXT_CASES = [
    ("trailing comma", None, json.dumps(valid(), indent=2).replace('"IN"\n', '"IN",\n', 1)),
    ("single quotes", None, "{'birth_date': '1990-01-01'}"),
    ("comment", None, "// a profile\n" + json.dumps(valid())),
    ("empty file", None, ""),
    ("only spaces", None, "   \n  "),
    ("null", None, "null"),
    ("a list", None, "[]"),
    ("a number", None, "42"),
    ("a string", None, '"profile"'),
    ("100,000 nested brackets", None, "[" * 100_000 + "]" * 100_000),
    (
        "an integer of 5,000 digits",
        None,
        json.dumps(valid()).replace('"settlement_funds_cad": 20000', '"settlement_funds_cad": ' + "9" * 5000),
    ),
    (
        "NaN money",
        "settlement_funds_cad",
        json.dumps(valid()).replace('"settlement_funds_cad": 20000', '"settlement_funds_cad": NaN'),
    ),
    (
        "Infinity money",
        "settlement_funds_cad",
        json.dumps(valid()).replace('"settlement_funds_cad": 20000', '"settlement_funds_cad": Infinity'),
    ),
    (
        "Infinity wage",
        "job_offer.annual_salary_cad",
        json.dumps(valid()).replace('"annual_salary_cad": 120000', '"annual_salary_cad": Infinity'),
    ),
    (
        "a duplicate key",
        "birth_date",
        json.dumps(valid()).replace(
            '"birth_date": "1994-03-02"', '"birth_date": "1994-03-02", "birth_date": "1990-01-01"'
        ),
    ),
    ("a byte-order mark", None, "\ufeff" + json.dumps(valid())),
    ("two megabytes", None, json.dumps({**valid(), "name": "x"}) + " " * 2_000_000),
]


def _invoke(path: str, command: str = "crs", stdin: str | bytes | None = None):
    return CliRunner().invoke(cli, [command, path, "--as-of", AS_OF], input=stdin)


def _assert_clean(result, path: str, field: str | None):
    output = result.output
    assert result.exit_code == 2, output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in output
    assert path in output, output
    if field is not None:
        assert f": {field}" in output, output
    assert "fix:" in output, output


def test_the_corpus_has_more_than_a_hundred_hostile_profiles():
    assert len(FIELD_CASES) + len(TEXT_CASES) + len(FILE_CASES) >= 100


@pytest.mark.parametrize("name, field, data", FIELD_CASES, ids=[case[0] for case in FIELD_CASES])
def test_a_bad_value_is_refused_naming_its_field(tmp_path, name, field, data):
    path = tmp_path / "profile.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    _assert_clean(_invoke(str(path)), str(path), field)


@pytest.mark.parametrize("name, field, text", TEXT_CASES, ids=[case[0] for case in TEXT_CASES])
def test_malformed_json_is_refused_naming_the_file(tmp_path, name, field, text):
    path = tmp_path / "profile.json"
    path.write_text(text, encoding="utf-8")
    _assert_clean(_invoke(str(path)), str(path), field)


def _fifo(tmp_path):
    path = tmp_path / "fifo.json"
    os.mkfifo(path)
    return str(path)


FILE_CASES = [
    ("a directory", lambda tmp_path: str(tmp_path)),
    ("a missing file", lambda tmp_path: str(tmp_path / "missing.json")),
    ("/dev/zero", lambda tmp_path: "/dev/zero"),
    ("a pipe with no writer", _fifo),
    ("not UTF-8", lambda tmp_path: _write_bytes(tmp_path, b'{"birth_date": "\xff\xfe"}')),
]


def _write_bytes(tmp_path, content: bytes) -> str:
    path = tmp_path / "profile.json"
    path.write_bytes(content)
    return str(path)


@pytest.mark.parametrize("name, make", FILE_CASES, ids=[case[0] for case in FILE_CASES])
def test_what_is_not_a_profile_file_is_refused_without_blocking(tmp_path, name, make):
    path = make(tmp_path)
    result = _invoke(path)
    assert result.exit_code == 2 and "Traceback" not in result.output, result.output
    assert path in result.output and "fix:" in result.output, result.output


def test_a_dash_reads_the_profile_from_standard_input():
    good = _invoke("-", stdin=json.dumps(valid()))
    assert good.exit_code == 0, good.output
    bad = _invoke("-", stdin="{not json")
    assert bad.exit_code == 2 and "-: not valid JSON" in bad.output, bad.output


def test_route_and_eligibility_refuse_the_same_way(tmp_path):
    path = tmp_path / "profile.json"
    path.write_text(json.dumps(at(valid(), "work_history.0.noc", "99999")), encoding="utf-8")
    for command in ("route", "eligibility", "compare"):
        _assert_clean(_invoke(str(path), command), str(path), "work_history[0].noc")


# --- fuzz: random JSON in every field -------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**30), 10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | st.sampled_from(["2026-01-01", "9999-12-31", "0001-01-01", "21231", "ON", "IN", ""]),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=10,
)


def _paths(value, prefix=""):
    """Every dotted path into a JSON value (dict keys and list indexes)."""
    if isinstance(value, dict):
        for key, item in value.items():
            path = f"{prefix}.{key}" if prefix else key
            yield path
            yield from _paths(item, path)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            path = f"{prefix}.{index}" if prefix else str(index)
            yield path
            yield from _paths(item, path)


PATHS = list(_paths(valid()))


@settings(
    max_examples=int(os.environ.get("PLANNER_FUZZ_EXAMPLES", "400")),
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.lists(st.tuples(st.sampled_from(PATHS), JSON_VALUES), min_size=1, max_size=3))
def test_random_json_in_any_field_gives_a_profile_or_an_input_error(replacements):
    """Whatever is put where: a valid profile, or an InputError naming a field — never any other exception."""
    from datetime import date

    data = valid()
    for path, value in replacements:
        try:
            data = at(data, path, value)
        except (KeyError, IndexError, TypeError, ValueError):
            continue  # an earlier replacement removed the path
    try:
        check_profile(parse_profile(data, source="fuzz.json"), date(2026, 12, 3), "fuzz.json")
    except InputError as error:
        assert error.file == "fuzz.json" and error.hint


@settings(max_examples=100, deadline=None, derandomize=True)
@given(JSON_VALUES)
def test_any_json_document_gives_a_profile_or_an_input_error(document):
    from datetime import date

    try:
        check_profile(parse_profile(document, source="fuzz.json"), date(2026, 12, 3), "fuzz.json")
    except InputError as error:
        assert error.file == "fuzz.json" and error.hint


# --- options and library arguments ------------------------------------------------------------------


@pytest.mark.parametrize("as_of", ["9999-12-31", "0001-01-01", "2026-02-30", "yesterday"])
def test_an_impossible_as_of_option_is_refused(tmp_path, as_of):
    path = tmp_path / "profile.json"
    path.write_text(json.dumps(valid()), encoding="utf-8")
    result = CliRunner().invoke(cli, ["route", str(path), "--as-of", as_of])
    assert result.exit_code == 2 and "Traceback" not in result.output, result.output
    assert "--as-of" in result.output, result.output


@pytest.mark.parametrize(
    "arguments, field",
    [
        ({"horizon": -5}, "horizon"),
        ({"horizon": 0}, "horizon"),
        ({"horizon": 241}, "horizon"),
        ({"horizon": True}, "horizon"),
        ({"horizon": 12.0}, "horizon"),
        ({"alternatives": -1}, "alternatives"),
        ({"alternatives": 21}, "alternatives"),
        ({"as_of": "2026-12-03"}, "as_of"),
        ({"objective": "slowest"}, "objective"),
    ],
)
def test_the_library_refuses_bad_arguments_with_an_input_error(arguments, field):
    """plan(horizon=0) is an error, not a silent default of 60 months."""
    from datetime import date

    from planner import plan

    profile = parse_profile(valid())
    with pytest.raises(InputError) as raised:
        plan(profile, **{"as_of": date(2026, 12, 3), **arguments})
    assert raised.value.field == field and raised.value.hint


def test_the_library_refuses_a_profile_that_is_not_a_profile():
    from planner import plan

    with pytest.raises(InputError) as raised:
        plan(valid())
    assert raised.value.field == "profile" and "parse_profile" in raised.value.hint

"""Faulty feeds are refused with a message naming the file, the field and the fix; imports never race.

The corpus below is built from the shared feed snapshot (with one fault each) or from small
synthetic feeds.  Every fault is run through the library (the error type and field) and through
the real ``planner`` command (exit 2, the field in the message, no traceback), always into a
scratch models directory.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path

import pytest
from click.testing import CliRunner
from rounds_helpers import SHARED_FEED, feed_round, write_feed

from planner.cli.main import cli
from planner.errors import EXIT_BAD_INPUT, InputError
from planner.rounds import importer
from planner.rounds.feed import FeedError
from planner.rounds.history import read_history_file
from planner.rounds.importer import StaleFeed, history_lock, import_feed

TODAY = date(2026, 12, 3)
DEEP = 100_000
LONG = "7" * 5_000


@cache
def _shared() -> dict:
    if not SHARED_FEED.exists():
        pytest.skip(f"shared feed snapshot not found at {SHARED_FEED}")
    return json.loads(SHARED_FEED.read_text(encoding="utf-8"))


def real(**top: object) -> Callable[[Path], Path]:
    """The shared feed with top-level fields replaced."""

    def build(tmp: Path) -> Path:
        data = {**copy.deepcopy(_shared()), **top}
        return _write(tmp, json.dumps(data))

    return build


def real_round(index: int, **fields: object) -> Callable[[Path], Path]:
    """The shared feed with fields of ``rounds[index]`` replaced (a value of None removes the field)."""

    def build(tmp: Path) -> Path:
        data = copy.deepcopy(_shared())
        data["rounds"][index].update(fields)
        data["rounds"][index] = {k: v for k, v in data["rounds"][index].items() if v is not None}
        return _write(tmp, json.dumps(data))

    return build


def text(content: str | bytes) -> Callable[[Path], Path]:
    """A feed file holding exactly ``content``."""
    return lambda tmp: _write(tmp, content)


def small(**fields: object) -> Callable[[Path], Path]:
    """A one-round synthetic feed (round 7 of 2026-01-10) with fields replaced."""
    return lambda tmp: write_feed(tmp / "feed.json", [feed_round("7", "2026-01-10", **fields)])


def _write(tmp: Path, content: str | bytes) -> Path:
    path = tmp / "feed.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def _directory(tmp: Path) -> Path:
    (tmp / "feed.json").mkdir()
    return tmp / "feed.json"


def _ten_megabytes(tmp: Path) -> Path:
    return _write(tmp, '{"rounds": [], "classes": "' + "x" * 10_000_000 + '"}')


def _nested_in_a_round(tmp: Path) -> Path:
    entry = {**feed_round("7", "2026-01-10"), "drawCRS": "@"}
    raw = json.dumps({"rounds": [entry]}).replace('"@"', "[" * 900 + "]" * 900)
    return _write(tmp, raw)


@dataclass(frozen=True)
class Fault:
    """One faulty feed: how to build it, the error the library raises, and the field it names."""

    name: str
    build: Callable[[Path], Path]
    field: str
    error: type[InputError] = FeedError
    cli_text: str | None = None  # what the command prints instead of the field, when click refuses it first


R12 = "rounds[12] (round 432)"
SMALL = "rounds[0] (round 7)"

FAULTS = [
    # fetchedAt
    Fault("fetchedAt is NaN", real(fetchedAt=float("nan")), "fetchedAt"),
    Fault("fetchedAt is Infinity", real(fetchedAt=float("inf")), "fetchedAt"),
    Fault("fetchedAt is in 2100", real(fetchedAt=4_102_444_800_000), "fetchedAt"),
    Fault("fetchedAt is negative", real(fetchedAt=-1), "fetchedAt"),
    Fault("fetchedAt is huge", real(fetchedAt=10**25), "fetchedAt"),
    Fault("fetchedAt has 5,000 digits", text('{"rounds": [], "fetchedAt": ' + LONG + "}"), "fetchedAt"),
    Fault("fetchedAt is in seconds, so in 1970", real(fetchedAt=1_790_576_469), "fetchedAt"),
    Fault("fetchedAt has a fraction", real(fetchedAt=1_790_576_469_911.5), "fetchedAt"),
    Fault("fetchedAt is a string", real(fetchedAt="1790576469911"), "fetchedAt"),
    Fault("fetchedAt is true", real(fetchedAt=True), "fetchedAt"),
    # dates
    Fault("a draw date in 2100", real_round(0, drawDate="2100-01-01"), "rounds[0] (round 444).drawDate"),
    Fault("a draw date before Express Entry", real_round(12, drawDate="1999-05-05"), f"{R12}.drawDate"),
    Fault(
        "a draw date after the feed's fetchedAt", real_round(0, drawDate="2026-10-15"), "rounds[0] (round 444).drawDate"
    ),
    Fault("a draw date that does not exist", small(drawDate="2026-02-30"), f"{SMALL}.drawDate"),
    Fault("a draw date in basic ISO form", small(drawDate="20260110"), f"{SMALL}.drawDate"),
    Fault("a draw date in Arabic-Indic digits", small(drawDate="٢٠٢٦-٠١-١٠"), f"{SMALL}.drawDate"),
    Fault(
        "a distribution date that does not exist",
        real_round(12, drawDistributionAsOn="September 31, 2026"),
        f"{R12}.drawDistributionAsOn",
    ),
    Fault(
        "a distribution date in 2100",
        real_round(12, drawDistributionAsOn="January 1, 2100"),
        f"{R12}.drawDistributionAsOn",
    ),
    # numbers
    Fault("a superscript cut-off", real_round(12, drawCRS="²"), f"{R12}.drawCRS"),
    Fault("a superscript draw size", small(size="¹⁰⁰⁰"), f"{SMALL}.drawSize"),
    Fault("a cut-off in full-width digits", small(crs="５００"), f"{SMALL}.drawCRS"),
    Fault("a draw size of 5,000 digits", real_round(12, drawSize=LONG), f"{R12}.drawSize"),
    Fault(
        "a bare 5,000-digit cut-off",
        text(json.dumps({"rounds": [feed_round("7", "2026-01-10", crs="@")]}).replace('"@"', LONG)),
        "rounds[0].drawCRS",
    ),
    Fault("a negative draw size", real_round(12, drawSize="-5"), f"{R12}.drawSize"),
    Fault("a cut-off above 1200", small(crs="1201"), f"{SMALL}.drawCRS"),
    Fault("a draw size above 100,000", small(size="100,001"), f"{SMALL}.drawSize"),
    Fault("a pool count above ten million", real_round(12, dd18="12,000,001"), f"{R12}.dd18"),
    Fault("misplaced thousands commas", small(size="1,00"), f"{SMALL}.drawSize"),
    Fault("a cut-off with a decimal point", small(crs="500.5"), f"{SMALL}.drawCRS"),
    Fault("a superscript round number", small(drawNumber="7²"), "rounds[0].drawNumber"),
    Fault("a round number of 5,000 digits", small(drawNumber=LONG), "rounds[0].drawNumber"),
    Fault("a round name of 20,000 characters", small(name="Canadian Experience Class " * 800), "rounds[0].drawName"),
    # structure and types
    Fault("a missing draw date", real_round(12, drawDate=None), "rounds[12].drawDate"),
    Fault("a cut-off as a JSON number", real_round(12, drawCRS=500), "rounds[12].drawCRS"),
    Fault("a cut-off as null", small(crs=None), "rounds[0].drawCRS"),
    Fault("a round that is a list", text('{"rounds": [["7", "2026-01-10"]]}'), "rounds[0]"),
    Fault("rounds that are an object", text('{"rounds": {"7": {}}}'), "rounds"),
    Fault("no rounds list", text('{"fetchedAt": 1790576469911}'), "rounds"),
    Fault("a top level that is a list", text("[]"), "(top level)"),
    Fault("a top level that is a string", text('"rounds"'), "(top level)"),
    Fault("a top level that is null", text("null"), "(top level)"),
    Fault("an empty rounds list", real(rounds=[]), "rounds", StaleFeed),
    # the file itself
    Fault("not JSON at all", text("<html><body>Service unavailable</body></html>"), "(JSON)"),
    Fault("an empty file", text(""), "(JSON)"),
    Fault("JSON nested 100,000 deep", text("[" * DEEP + "]" * DEEP), "(JSON)"),
    Fault("a round value nested 900 deep", _nested_in_a_round, "rounds[0].drawCRS"),
    Fault("bytes that are not UTF-8", text(b'{"rounds": [\xff]}'), "(file)"),
    Fault("a directory instead of a file", _directory, "(file)", cli_text="is a directory"),
    Fault("a 10 MB file", _ten_megabytes, "(file size)"),
]


@pytest.fixture(params=FAULTS, ids=[fault.name for fault in FAULTS])
def fault(request) -> Fault:
    return request.param


def test_the_corpus_has_at_least_thirty_faults():
    assert len(FAULTS) >= 30 and len({fault.name for fault in FAULTS}) == len(FAULTS)


def test_every_faulty_feed_is_refused_by_the_library_naming_the_file_field_and_fix(fault, tmp_path, scratch_models):
    feed = fault.build(tmp_path)
    with pytest.raises(fault.error) as caught:
        import_feed(feed, root=scratch_models, today=TODAY)
    error = caught.value
    assert (error.file, error.field) == (str(feed), fault.field) and error.hint
    assert fault.field in error.render() and "fix:" in error.render()
    assert not (scratch_models / "rounds/history.yaml").exists()


def test_every_faulty_feed_exits_2_from_the_command_without_a_traceback(fault, tmp_path, scratch_models):
    feed = fault.build(tmp_path)
    result = CliRunner().invoke(cli, ["data", "import-rounds", str(feed), "--models-dir", str(scratch_models)])
    assert result.exit_code == EXIT_BAD_INPUT, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert (fault.cli_text or fault.field) in result.output and str(feed) in result.output
    assert "Traceback" not in result.output
    assert not (scratch_models / "rounds/history.yaml").exists()


def test_an_overlong_field_name_is_cut_short_in_the_message(tmp_path, scratch_models):
    feed = write_feed(tmp_path / "feed.json", [feed_round("7", "2026-01-10", **{"x" * 100_000: "1"})])
    with pytest.raises(FeedError) as caught:
        import_feed(feed, root=scratch_models, today=TODAY)
    assert caught.value.field.startswith("rounds[0].xxx") and len(caught.value.render()) < 2_000


# --- stale and empty feeds -------------------------------------------------------------------------


def _ms(moment: datetime) -> int:
    return int(moment.replace(tzinfo=UTC).timestamp() * 1000)


def _two_rounds(tmp_path: Path, scratch_models: Path) -> Path:
    feed = write_feed(tmp_path / "first.json", [feed_round("1", "2026-01-10"), feed_round("2", "2026-01-20")])
    return import_feed(feed, root=scratch_models, snapshot=date(2026, 1, 25), today=date(2026, 1, 26)).path


def test_a_feed_older_than_the_history_is_refused_and_changes_nothing(tmp_path, scratch_models):
    path = _two_rounds(tmp_path, scratch_models)
    before = path.read_text()
    older = write_feed(tmp_path / "older.json", [feed_round("1", "2026-01-10", crs="501")])
    with pytest.raises(StaleFeed) as caught:
        import_feed(older, root=scratch_models, today=TODAY)
    assert caught.value.field == "rounds" and "--force" in caught.value.hint
    assert "round 1 (2026-01-10), older than round 2 (2026-01-20)" in caught.value.message
    assert path.read_text() == before


def test_a_forced_older_feed_is_merged_but_keeps_last_verified_and_the_data_end(tmp_path, scratch_models):
    path = _two_rounds(tmp_path, scratch_models)
    older = write_feed(tmp_path / "older.json", [feed_round("1", "2026-01-10", crs="501")])
    report = import_feed(older, root=scratch_models, today=TODAY, force=True)
    history = read_history_file(path)
    assert report.updated == {"1": ["cutoff"]} and [r.cutoff for r in history.rounds] == [501, 500]
    assert (history.last_verified, history.feed_snapshot) == (date(2026, 1, 26), date(2026, 1, 25))
    assert history.imported_from == "first.json"


def test_an_older_feed_through_the_command_exits_2_and_points_to_force(tmp_path, scratch_models):
    _two_rounds(tmp_path, scratch_models)
    older = write_feed(tmp_path / "older.json", [feed_round("1", "2026-01-10")])
    args = ["data", "import-rounds", str(older), "--models-dir", str(scratch_models)]
    refused = CliRunner().invoke(cli, args)
    assert refused.exit_code == EXIT_BAD_INPUT and "--force" in refused.output and "Traceback" not in refused.output
    forced = CliRunner().invoke(cli, [*args, "--force"])
    assert forced.exit_code == 0 and "0 rounds added, 0 updated, 1 unchanged" in forced.output


def test_an_empty_feed_is_refused_and_leaves_last_verified_alone(tmp_path, scratch_models):
    path = _two_rounds(tmp_path, scratch_models)
    before = path.read_text()
    empty = write_feed(tmp_path / "empty.json", [])
    with pytest.raises(StaleFeed, match="no rounds"):
        import_feed(empty, root=scratch_models, today=TODAY)
    report = import_feed(empty, root=scratch_models, today=TODAY, force=True)
    assert not report.written and report.kept_not_in_feed == ["1", "2"]
    assert path.read_text() == before and read_history_file(path).last_verified == date(2026, 1, 26)


def test_a_forced_empty_feed_through_the_command_says_nothing_changed(tmp_path, scratch_models):
    empty = write_feed(tmp_path / "empty.json", [])
    result = CliRunner().invoke(
        cli, ["data", "import-rounds", str(empty), "--models-dir", str(scratch_models), "--force"]
    )
    assert result.exit_code == 0 and "nothing changed" in result.output
    assert not (scratch_models / "rounds/history.yaml").exists()


def test_a_newer_feed_still_moves_last_verified(tmp_path, scratch_models):
    path = _two_rounds(tmp_path, scratch_models)
    newer = write_feed(tmp_path / "newer.json", [feed_round("2", "2026-01-20"), feed_round("3", "2026-02-01")])
    import_feed(newer, root=scratch_models, snapshot=date(2026, 2, 5), today=TODAY)
    history = read_history_file(path)
    assert (history.last_verified, history.feed_snapshot, history.imported_from) == (
        TODAY,
        date(2026, 2, 5),
        "newer.json",
    )


# --- the data's end never passes today -------------------------------------------------------------


def test_a_fetched_at_of_tomorrow_utc_is_accepted_but_the_data_ends_today(tmp_path, scratch_models):
    feed = write_feed(tmp_path / "f.json", [feed_round("1", "2026-01-10")], fetchedAt=_ms(datetime(2026, 12, 4, 0, 30)))
    report = import_feed(feed, root=scratch_models, today=TODAY)
    assert report.snapshot == TODAY == read_history_file(report.path).feed_snapshot


def test_a_fetched_at_of_the_day_after_tomorrow_is_refused(tmp_path, scratch_models):
    feed = write_feed(tmp_path / "f.json", [feed_round("1", "2026-01-10")], fetchedAt=_ms(datetime(2026, 12, 5)))
    with pytest.raises(FeedError) as caught:
        import_feed(feed, root=scratch_models, today=TODAY)
    assert caught.value.field == "fetchedAt" and "2026-12-04" in caught.value.message


@pytest.mark.parametrize("snapshot", [date(2026, 12, 4), date(2014, 12, 31)])
def test_a_snapshot_date_after_today_or_before_express_entry_is_refused(tmp_path, scratch_models, snapshot):
    feed = write_feed(tmp_path / "f.json", [feed_round("1", "2026-01-10")])
    with pytest.raises(InputError) as caught:
        import_feed(feed, root=scratch_models, snapshot=snapshot, today=TODAY)
    assert caught.value.field == "--snapshot-date"


def test_a_draw_after_the_given_snapshot_date_is_refused_naming_the_option(tmp_path, scratch_models):
    feed = write_feed(tmp_path / "f.json", [feed_round("1", "2026-01-10"), feed_round("2", "2026-01-20")])
    with pytest.raises(FeedError) as caught:
        import_feed(feed, root=scratch_models, snapshot=date(2026, 1, 15), today=TODAY)
    assert caught.value.field == "rounds[0] (round 2).drawDate" and "--snapshot-date" in caught.value.message


def test_a_history_whose_data_end_was_pushed_into_the_future_is_pulled_back_to_today(tmp_path, scratch_models):
    path = _two_rounds(tmp_path, scratch_models)
    path.write_text(path.read_text().replace("feed_snapshot: 2026-01-25", "feed_snapshot: 2100-01-01"))
    newer = write_feed(tmp_path / "newer.json", [feed_round("2", "2026-01-20"), feed_round("3", "2026-02-01")])
    report = import_feed(newer, root=scratch_models, today=TODAY)
    assert report.snapshot == TODAY == read_history_file(path).feed_snapshot


def test_the_shared_feed_still_imports_with_its_own_snapshot(shared_feed, scratch_models):
    report = import_feed(shared_feed, root=scratch_models, today=TODAY)
    assert len(report.added) == 445 and report.snapshot == date(2026, 9, 28)


# --- atomic writes under a lock --------------------------------------------------------------------


def test_an_import_leaves_no_temporary_or_lock_file_and_keeps_the_file_mode(tmp_path, scratch_models):
    path = _two_rounds(tmp_path, scratch_models)
    path.chmod(0o640)
    newer = write_feed(tmp_path / "newer.json", [feed_round("2", "2026-01-20"), feed_round("3", "2026-02-01")])
    import_feed(newer, root=scratch_models, today=TODAY)
    assert sorted(p.name for p in path.parent.iterdir()) == ["history.yaml", "round_names.yaml"]
    assert path.stat().st_mode & 0o777 == 0o640


def test_a_write_that_fails_midway_leaves_the_old_history_whole(tmp_path, scratch_models, monkeypatch):
    path = _two_rounds(tmp_path, scratch_models)
    before = path.read_text()

    def broken_replace(source, target):
        raise OSError("disk full")

    monkeypatch.setattr(importer.os, "replace", broken_replace)
    newer = write_feed(tmp_path / "newer.json", [feed_round("3", "2026-02-01")])
    with pytest.raises(OSError, match="disk full"):
        import_feed(newer, root=scratch_models, today=TODAY)
    assert path.read_text() == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["history.yaml", "round_names.yaml"]


def test_an_import_waits_while_another_holds_the_lock(tmp_path, scratch_models):
    feed = write_feed(tmp_path / "f.json", [feed_round("1", "2026-01-10")])
    path = scratch_models / "rounds/history.yaml"
    with history_lock(path):
        worker = threading.Thread(target=import_feed, args=(feed,), kwargs={"root": scratch_models, "today": TODAY})
        worker.start()
        time.sleep(0.5)
        assert worker.is_alive() and not path.exists()
    worker.join(timeout=30)
    assert not worker.is_alive() and [r.number for r in read_history_file(path).rounds] == ["1"]


def test_an_import_gives_up_naming_the_lock_file_if_the_lock_is_never_released(tmp_path, scratch_models, monkeypatch):
    monkeypatch.setattr(importer, "LOCK_TIMEOUT_SECONDS", 0.3)
    feed = write_feed(tmp_path / "f.json", [feed_round("1", "2026-01-10")])
    path = scratch_models / "rounds/history.yaml"
    with history_lock(path), pytest.raises(InputError) as caught:
        import_feed(feed, root=scratch_models, today=TODAY)
    assert caught.value.file == f"{path}.lock" and "still running" in caught.value.message


def _split_shared_feed(tmp_path: Path) -> tuple[Path, Path]:
    """Two different feeds from the shared one: alternate rounds, both ending with the newest round."""
    data = _shared()
    newest, rest = data["rounds"][0], data["rounds"][1:]
    feeds = []
    for name, part in (("even.json", rest[0::2]), ("odd.json", rest[1::2])):
        feeds.append(_write_named(tmp_path / name, {"fetchedAt": data["fetchedAt"], "rounds": [newest, *part]}))
    return feeds[0], feeds[1]


def _write_named(path: Path, data: dict) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


_RACER = """
import pathlib, sys, time
from planner.cli.main import main
ready, go = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
ready.touch()
while not go.exists():
    time.sleep(0.001)
sys.argv = ["planner", *sys.argv[3:]]
main()
"""


def _start_racer(tmp_path: Path, feed: Path, models: Path) -> subprocess.Popen:
    """Start ``planner data import-rounds FEED`` in a new process that waits for the file ``go`` to appear."""
    return subprocess.Popen(
        [
            sys.executable,
            "-c",
            _RACER,
            str(tmp_path / f"{feed.stem}.ready"),
            str(tmp_path / "go"),
            "data",
            "import-rounds",
            str(feed),
            "--models-dir",
            str(models),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for(paths: list[Path], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not all(path.exists() for path in paths) and time.monotonic() < deadline:
        time.sleep(0.01)


def test_two_processes_importing_different_feeds_at_once_both_land(tmp_path, scratch_models):
    even, odd = _split_shared_feed(tmp_path)
    racers = [_start_racer(tmp_path, feed, scratch_models) for feed in (even, odd)]
    _wait_for([tmp_path / "even.ready", tmp_path / "odd.ready"])  # both have loaded the planner
    (tmp_path / "go").touch()
    outcomes = [racer.communicate(timeout=120) for racer in racers]
    assert [racer.returncode for racer in racers] == [0, 0], outcomes
    history = read_history_file(scratch_models / "rounds/history.yaml")
    assert len(history.rounds) == 445 and {"91a", "91b", "1", "444"} <= {r.number for r in history.rounds}
    assert sorted(p.name for p in (scratch_models / "rounds").iterdir()) == ["history.yaml", "round_names.yaml"]

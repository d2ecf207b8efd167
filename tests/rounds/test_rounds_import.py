"""The feed importer: IRCC's real feed, small hand-made feeds, re-imports and bad input."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from rounds_helpers import feed_round, write_feed

from planner.errors import InputError, ModelFileError
from planner.rounds.feed import FeedError
from planner.rounds.history import BUCKETS, load_history, load_history_file, read_history_file
from planner.rounds.importer import UnknownRoundNames, import_feed
from planner.rounds.tiebreak import parse_tie_break
from planner.rounds.types import ROUND_TYPES

# --- the real feed -----------------------------------------------------------------------------


def test_the_shared_feed_imports_all_445_rounds_with_known_names(shared_feed, scratch_models):
    report = import_feed(shared_feed, root=scratch_models, today=date(2026, 11, 25))
    assert len(report.added) == 445 and not report.unknown_names
    history = read_history_file(report.path)
    numbers = [r.number for r in history.rounds]
    assert len(set(numbers)) == 445 and {"91a", "91b"} <= set(numbers)
    assert history.feed_snapshot == date(2026, 9, 28)  # fetchedAt 1790576469911 ms
    assert {r.type for r in history.rounds} <= set(ROUND_TYPES)


def test_the_shipped_history_is_exactly_what_the_shared_feed_imports_to(shared_feed, scratch_models):
    report = import_feed(shared_feed, root=scratch_models)
    assert read_history_file(report.path).rounds == list(load_history())


def test_reimporting_the_same_feed_changes_nothing(shared_feed, scratch_models):
    first = import_feed(shared_feed, root=scratch_models, today=date(2026, 11, 25))
    text = first.path.read_text()
    second = import_feed(shared_feed, root=scratch_models, today=date(2026, 11, 25))
    assert not second.added and not second.updated and second.unchanged == 445
    assert first.path.read_text() == text


def test_shipped_rounds_are_typed_versioned_and_cleaned():
    by_number = {r.number: r for r in load_history()}
    first = by_number["1"]
    assert (first.date, first.type, first.version, first.invitations, first.cutoff) == (
        date(2015, 1, 31),
        "general",
        None,
        779,
        886,
    )
    assert first.pool is None and first.tie_break is None and first.tie_break_raw is None
    assert (by_number["254"].type, by_number["254"].version) == ("stem", "2023-v1")
    assert (by_number["394"].type, by_number["394"].version) == ("french", "2026-v2")
    assert (by_number["345"].type, by_number["345"].version) == ("healthcare", "2025-v2")
    assert by_number["272"].type == "general"  # "General", 2023-12-06
    latest = by_number["444"]
    assert (latest.type, latest.version, latest.cutoff) == ("senior_managers", "2026-v1", 389)
    assert latest.tie_break == datetime(2026, 9, 1, 23, 5, 13, tzinfo=UTC)
    assert latest.pool.total == 226_793 and list(latest.pool.buckets) == list(BUCKETS)
    assert latest.pool.as_of == date(2026, 9, 13)


def test_unpublished_distributions_are_null_not_zeros():
    without = sorted(int(r.number.rstrip("ab")) for r in load_history() if r.pool is None)
    assert without == sorted([*range(1, 214), 91, 223, 224, 226, 227])  # 91a and 91b share 91


def test_round_247_keeps_irccs_total_and_notes_the_180_gap():
    r247 = next(r for r in load_history() if r.number == "247")
    assert r247.pool.total == 230_189 and sum(r247.pool.buckets.values()) == 230_009
    assert any("180" in issue for issue in r247.issues)
    assert any("Round 247" in note for note in load_history_file().notes)


def test_every_published_tie_break_text_is_parsed():
    for item in load_history():
        assert (item.tie_break is None) == (item.tie_break_raw is None), item.number


def test_suspicious_dates_are_flagged_not_fixed():
    issues = {r.number: " ".join(r.issues) for r in load_history()}
    assert "after the round date" in issues["139"]
    assert "after the round" in issues["226"]
    assert "may be wrong" in issues["386"]


# --- small hand-made feeds ---------------------------------------------------------------------


def test_an_unknown_round_name_stops_the_import_and_names_the_round(tmp_path, scratch_models):
    feed = write_feed(
        tmp_path / "feed.json",
        [
            feed_round("1", "2026-01-10"),
            feed_round("2", "2026-01-20", name="Lunar occupations, 2026-Version 1"),
        ],
    )
    with pytest.raises(UnknownRoundNames) as caught:
        import_feed(feed, root=scratch_models)
    message = caught.value.render()
    assert "'Lunar occupations, 2026-Version 1' (round 2)" in message and "round_names.yaml" in message
    assert not (scratch_models / "rounds/history.yaml").exists()


def test_allow_unknown_keeps_the_round_as_type_unknown_and_reports_it(tmp_path, scratch_models):
    feed = write_feed(
        tmp_path / "feed.json",
        [
            feed_round("1", "2026-01-10"),
            feed_round("2", "2026-01-20", name="Lunar occupations, 2026-Version 1"),
        ],
    )
    report = import_feed(feed, root=scratch_models, allow_unknown=True)
    assert report.unknown_names == {"Lunar occupations, 2026-Version 1": ["2"]}
    stored = read_history_file(report.path).rounds
    assert [(r.number, r.type) for r in stored] == [("1", "cec"), ("2", "unknown")]


def test_names_match_despite_case_and_spacing(tmp_path, scratch_models):
    feed = write_feed(tmp_path / "feed.json", [feed_round("1", "2026-01-10", name="  canadian  EXPERIENCE class ")])
    report = import_feed(feed, root=scratch_models)
    assert read_history_file(report.path).rounds[0].type == "cec"


def test_a_newer_feed_adds_and_corrects_rounds_without_duplicates(tmp_path, scratch_models):
    old = write_feed(tmp_path / "old.json", [feed_round("1", "2026-01-10"), feed_round("2", "2026-01-20", crs="510")])
    import_feed(old, root=scratch_models, snapshot=date(2026, 1, 25))
    path = scratch_models / "rounds/history.yaml"
    path.write_text(path.read_text().replace("notes: []", "notes:\n- a note written by hand"))
    new = write_feed(
        tmp_path / "new.json",
        [
            feed_round("1", "2026-01-10"),
            feed_round("2", "2026-01-20", crs="512"),  # IRCC corrected the cut-off
            feed_round("3", "2026-02-03", name="Provincial Nominee Program", crs="720"),
        ],
    )
    report = import_feed(new, root=scratch_models, snapshot=date(2026, 2, 10))
    assert report.added == ["3"] and report.updated == {"2": ["cutoff"]} and report.unchanged == 1
    history = read_history_file(path)
    assert [(r.number, r.cutoff) for r in history.rounds] == [("1", 500), ("2", 512), ("3", 720)]
    assert history.notes == ["a note written by hand"] and history.feed_snapshot == date(2026, 2, 10)


def test_rounds_missing_from_a_newer_feed_are_kept_and_reported(tmp_path, scratch_models):
    import_feed(
        write_feed(tmp_path / "a.json", [feed_round("1", "2026-01-10"), feed_round("2", "2026-01-20")]),
        root=scratch_models,
    )
    report = import_feed(write_feed(tmp_path / "b.json", [feed_round("2", "2026-01-20")]), root=scratch_models)
    assert report.kept_not_in_feed == ["1"]
    assert [r.number for r in read_history_file(report.path).rounds] == ["1", "2"]


def test_a_published_distribution_is_parsed_and_checked(tmp_path, scratch_models):
    counts = {f"dd{k}": f"{1_000 * k:,}" for k in (1, 2, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 15, 16, 17)}
    total = sum(1_000 * k for k in (1, 2, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 15, 16, 17))
    entry = feed_round("9", "2026-03-04", drawDistributionAsOn="March 2, 2026", dd18=f"{total + 5:,}", **counts)
    report = import_feed(write_feed(tmp_path / "f.json", [entry]), root=scratch_models)
    stored = read_history_file(report.path).rounds[0]
    assert stored.pool.as_of == date(2026, 3, 2) and stored.pool.buckets["601-1200"] == 1_000
    assert stored.pool.total == total + 5 and "difference +5" in stored.issues[0]


def test_a_live_feed_subtotal_that_disagrees_is_reported(tmp_path, scratch_models):
    counts = {f"dd{k}": "10" for k in (1, 2, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 15, 16, 17)}
    entry = feed_round(
        "9",
        "2026-03-04",
        drawDistributionAsOn="March 2, 2026",
        dd18="150",
        dd3="59",
        dd9="50",
        drawDateFull="March 4, 2026",
        **counts,
    )
    report = import_feed(write_feed(tmp_path / "f.json", [entry], classes="x"), root=scratch_models)
    issues = read_history_file(report.path).rounds[0].issues
    assert any("dd3" in i for i in issues) and not any("dd9" in i for i in issues)


# --- bad input ---------------------------------------------------------------------------------


def test_a_missing_feed_file_is_an_input_error(tmp_path, scratch_models):
    with pytest.raises(FeedError, match="file not found"):
        import_feed(tmp_path / "nope.json", root=scratch_models)


def test_malformed_json_says_where(tmp_path, scratch_models):
    bad = tmp_path / "bad.json"
    bad.write_text('{"rounds": [\n  {"drawNumber": "1",}\n]}')
    with pytest.raises(FeedError) as caught:
        import_feed(bad, root=scratch_models)
    assert "not valid JSON (line 2" in str(caught.value) and str(bad) in str(caught.value)


@pytest.mark.parametrize(
    ("rounds", "top", "field"),
    [
        ([feed_round("1", "2026-01-10", drawColour="blue")], {}, "rounds[0].drawColour"),
        ([feed_round("1", "2026-01-10")], {"extra": 1}, "extra"),
        ([{k: v for k, v in feed_round("1", "2026-01-10").items() if k != "drawCRS"}], {}, "rounds[0].drawCRS"),
        ([feed_round("1", "2026-01-10", crs="five hundred")], {}, "rounds[0] (round 1).drawCRS"),
        ([feed_round("1", "10/01/2026")], {}, "rounds[0] (round 1).drawDate"),
        ([feed_round("1", "2026-01-10", size=1000)], {}, "rounds[0].drawSize"),
        (
            [feed_round("1", "2026-01-10", dd1="5", drawDistributionAsOn="soon")],
            {},
            "rounds[0] (round 1).drawDistributionAsOn",
        ),
    ],
)
def test_bad_feed_content_names_the_field(tmp_path, scratch_models, rounds, top, field):
    feed = write_feed(tmp_path / "feed.json", rounds, **top)
    with pytest.raises(InputError) as caught:
        import_feed(feed, root=scratch_models)
    assert caught.value.field == field and caught.value.file == str(feed) and caught.value.hint


def test_a_round_listed_twice_with_different_values_is_an_error(tmp_path, scratch_models):
    feed = write_feed(tmp_path / "feed.json", [feed_round("1", "2026-01-10"), feed_round("1", "2026-01-10", crs="1")])
    with pytest.raises(FeedError, match="appears twice"):
        import_feed(feed, root=scratch_models)


def test_a_hand_edit_that_duplicates_a_round_is_caught_when_loading(tmp_path, scratch_models):
    feed = write_feed(tmp_path / "f.json", [feed_round("1", "2026-01-10"), feed_round("2", "2026-01-20")])
    report = import_feed(feed, root=scratch_models)
    text = report.path.read_text().replace("number: '2'", "number: '1'")
    report.path.write_text(text)
    with pytest.raises(ModelFileError) as caught:
        read_history_file(report.path)
    assert "round 1 appears twice" in str(caught.value) and str(report.path) in str(caught.value)


def test_a_hand_edit_with_an_unknown_key_is_caught_when_loading(tmp_path, scratch_models):
    report = import_feed(write_feed(tmp_path / "f.json", [feed_round("1", "2026-01-10")]), root=scratch_models)
    report.path.write_text(report.path.read_text().replace("    cutoff: 500", "    cutof: 500"))
    with pytest.raises(ModelFileError) as caught:
        read_history_file(report.path)
    assert "rounds[0].cutof" in str(caught.value)


def test_a_hand_edit_with_a_cutoff_above_the_crs_maximum_is_caught_when_loading(tmp_path, scratch_models):
    report = import_feed(write_feed(tmp_path / "f.json", [feed_round("1", "2026-01-10")]), root=scratch_models)
    report.path.write_text(report.path.read_text().replace("    cutoff: 500", "    cutoff: 1201"))
    with pytest.raises(ModelFileError) as caught:
        read_history_file(report.path)
    assert "above the CRS maximum of 1200" in str(caught.value) and "rounds[0]" in str(caught.value)


# --- tie-break text ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "round_date", "expected", "noted"),
    [
        ("September 01, 2026 at 23:05:13 UTC", date(2026, 9, 16), datetime(2026, 9, 1, 23, 5, 13), None),
        (" January 16, 2024 at 12:04:44 UTC", date(2024, 1, 23), datetime(2024, 1, 16, 12, 4, 44), None),
        ("April 12th, 2023 at 09:30:11 UTC", date(2023, 4, 25), datetime(2023, 4, 12, 9, 30, 11), None),
        ("July 3rd 2024 at 16:33:20 UTC", date(2024, 7, 8), datetime(2024, 7, 3, 16, 33, 20), None),
        ("May 19,2022 13:42:34 UTC", date(2022, 5, 25), datetime(2022, 5, 19, 13, 42, 34), None),
        ("March 02. 2024 at 05:10:10 UTC", date(2024, 3, 13), datetime(2024, 3, 2, 5, 10, 10), None),
        ("June 22, 2021 at 20:19:59 PM UTC", date(2021, 11, 24), datetime(2021, 6, 22, 20, 19, 59), "PM"),
        ("June 09, 2022 at 02:31:04 PM UTC", date(2022, 6, 22), datetime(2022, 6, 9, 14, 31, 4), None),
        ("September 07, 2021 at 12:01:00 AM UTC", date(2021, 9, 14), datetime(2021, 9, 7, 0, 1, 0), None),
        ("October 7 at 16:38:21 UTC", date(2021, 10, 27), datetime(2021, 10, 7, 16, 38, 21), "no year"),
        ("December 30 at 16:38:21 UTC", date(2022, 1, 5), datetime(2021, 12, 30, 16, 38, 21), "no year"),
        ("June 15, 2023 at 23:49:05", date(2023, 7, 12), datetime(2023, 6, 15, 23, 49, 5), "UTC"),
        ("April 29, 2023  at 9:05:01 UTC", date(2023, 5, 1), datetime(2023, 4, 29, 9, 5, 1), None),
    ],
)
def test_tie_break_texts_in_the_wild_are_read(text, round_date, expected, noted):
    moment, notes = parse_tie_break(text, round_date)
    assert moment == expected.replace(tzinfo=UTC)
    assert (noted is None and not notes) or (noted is not None and noted in " ".join(notes))


@pytest.mark.parametrize("text", ["soon", "Smarch 3, 2024 at 10:00:00 UTC", "February 30, 2024 at 10:00:00 UTC"])
def test_unreadable_tie_break_text_gives_none_and_a_note(text):
    moment, notes = parse_tie_break(text, date(2024, 3, 10))
    assert moment is None and len(notes) == 1

"""Imported rounds go to the user's data directory (a reinstall keeps them) and are used from there (issue 17)."""

from __future__ import annotations

from datetime import date

from click.testing import CliRunner
from rounds_helpers import feed_round, write_feed

from planner.cli.main import cli
from planner.rounds.history import DATA_ENV, history_path, load_history_file, read_history_file, user_history_path
from planner.rules.loader import models_dir


def test_an_import_without_a_models_dir_lands_in_the_user_data_directory_and_is_used(tmp_path, monkeypatch):
    monkeypatch.setenv(DATA_ENV, str(tmp_path / "data"))
    shipped = load_history_file(models_dir())
    newest = shipped.rounds[-1]
    feed = write_feed(
        tmp_path / "feed.json", [feed_round("999", "2026-10-14", crs="512")], fetchedAt=1792000000000
    )  # 2026-10-14T...
    result = CliRunner().invoke(cli, ["data", "import-rounds", str(feed)])
    assert result.exit_code == 0, result.output
    assert user_history_path() == tmp_path / "data" / "rounds" / "history.yaml"
    assert user_history_path().is_file()
    assert history_path() == user_history_path()  # the planner now reads the imported copy, without being told
    rounds = load_history_file().rounds
    assert rounds[-1].number == "999" and len(rounds) == len(shipped.rounds) + 1
    assert load_history_file(models_dir()).rounds[-1].number == newest.number  # the shipped file is untouched


def test_a_shipped_history_newer_than_the_import_wins(tmp_path, monkeypatch):
    """After an upgrade whose package holds later rounds than an old import, the package's history is used."""
    monkeypatch.setenv(DATA_ENV, str(tmp_path / "data"))
    old = load_history_file(models_dir())
    copy = user_history_path()
    copy.parent.mkdir(parents=True)
    text = (models_dir() / "rounds/history.yaml").read_text(encoding="utf-8")
    copy.write_text(
        text.replace(f"feed_snapshot: {old.feed_snapshot.isoformat()}", "feed_snapshot: 2025-01-01", 1),
        encoding="utf-8",
    )
    assert read_history_file(copy).feed_snapshot == date(2025, 1, 1)
    assert history_path() == models_dir() / "rounds/history.yaml"

"""The `rounds` and `data` click groups, driven through CliRunner."""

from __future__ import annotations

import json

import click
import pytest
from click.testing import CliRunner
from rounds_helpers import feed_round, write_feed

from planner.cli.rounds import data, rounds
from planner.errors import EXIT_BAD_INPUT, InputError, PlannerError


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def as_main_cli(*groups: click.Group) -> click.Group:
    """Build a stand-in for the main CLI that catches InputError, prints it and exits 2 (as planner.cli.main does)."""

    class Main(click.Group):
        def invoke(self, ctx):
            try:
                return super().invoke(ctx)
            except PlannerError as error:
                click.echo(f"error: {error}", err=True)
                ctx.exit(EXIT_BAD_INPUT)

    main = Main("planner")
    for group in groups:
        main.add_command(group)
    return main


def test_rounds_shows_the_history_newest_first(runner):
    result = runner.invoke(rounds, ["--since", "2026-09-01"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "444" in lines[2] and "senior_managers 2026-v1" in lines[2]
    assert "Express Entry rounds (6)" in result.output  # 439-444


def test_rounds_json_filters_by_type_and_date(runner):
    result = runner.invoke(rounds, ["--type", "cec", "--type", "PNP", "--since", "2026-01-01", "--json"])
    assert result.exit_code == 0, result.output
    listed = json.loads(result.stdout)
    assert listed and {r["type"] for r in listed} == {"cec", "pnp"}
    assert all(r["date"] >= "2026-01-01" for r in listed)
    assert listed[-1]["tie_break"].endswith("Z")


def test_rounds_plot_writes_a_png(runner, tmp_path):
    chart = tmp_path / "cutoffs.png"
    result = runner.invoke(rounds, ["--since", "2023-01-01", "--plot", str(chart), "--json"])
    assert result.exit_code == 0, result.output
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_rounds_plot_insists_on_png(runner, tmp_path):
    result = runner.invoke(rounds, ["--plot", str(tmp_path / "chart.pdf")])
    assert isinstance(result.exception, InputError) and result.exception.field == "--plot"


def test_a_bad_since_date_is_a_usage_error(runner):
    result = runner.invoke(rounds, ["--since", "last year"])
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.output


def test_rounds_estimate_explains_itself(runner):
    result = runner.invoke(
        rounds,
        ["estimate", "--crs", "520", "--type", "general", "--type", "cec", "--as-of", "2026-06-01", "--window", "6"],
    )
    assert result.exit_code == 0, result.output
    assert "chance of an invitation within 6 months with CRS 520" in result.output


@pytest.mark.parametrize(("crs", "accepted"), [("1200", True), ("1201", False)])
def test_rounds_estimate_accepts_scores_up_to_the_crs_maximum(runner, crs, accepted):
    result = runner.invoke(
        as_main_cli(rounds), ["rounds", "estimate", "--crs", crs, "--type", "general", "--as-of", "2026-06-01"]
    )
    if accepted:
        assert result.exit_code == 0 and "with CRS 1200" in result.output, result.output
    else:
        assert result.exit_code == EXIT_BAD_INPUT and "above the maximum of 1200" in result.output, result.output


def test_rounds_estimate_json(runner):
    result = runner.invoke(rounds, ["estimate", "--crs", "520", "--type", "cec", "--as-of", "2026-06-01", "--json"])
    data_out = json.loads(result.stdout)
    assert 0 <= data_out["probability"] <= 1 and data_out["data_until"] == "2026-06-01"


def test_rounds_backtest_json_on_a_small_window(runner):
    result = runner.invoke(
        rounds, ["backtest", "--window", "3", "--start", "2025-01-01", "--end", "2025-07-01", "--step", "3", "--json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    window = report["windows"][0]
    assert window["window_months"] == 3 and window["cut_dates"] == 3
    models = {m["model"]: m for m in window["models"]}
    assert set(models) == {"correlated", "independent", "naive"}
    assert models["correlated"]["overall"]["brier"] < models["naive"]["overall"]["brier"]


def test_rounds_backtest_table_shows_every_model_overall_and_near_the_cut_off(runner):
    result = runner.invoke(rounds, ["backtest", "--window", "6", "--start", "2025-01-01", "--end", "2025-03-01"])
    assert result.exit_code == 0, result.output
    for text in ("Brier", "ECE", "near ECE", "new", "current", "naive", "near the cut-off"):
        assert text in result.output


def test_rounds_backtest_draws_a_reliability_diagram(runner, tmp_path):
    path = tmp_path / "reliability.png"
    result = runner.invoke(
        rounds, ["backtest", "--window", "3", "--start", "2025-01-01", "--end", "2025-06-01", "--plot", str(path)]
    )
    assert result.exit_code == 0, result.output
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 20_000


def test_rounds_backtest_tuning_period_stops_its_outcomes_at_2024(runner):
    result = runner.invoke(
        rounds, ["backtest", "--period", "tuning", "--window", "3", "--start", "2024-06-01", "--json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["outcomes_until"] == "2024-12-31" and report["windows"][0]["last_cut"] == "2024-09-01"


def test_backtest_end_before_start_is_an_input_error(runner):
    result = runner.invoke(rounds, ["backtest", "--start", "2025-01-01", "--end", "2024-01-01"])
    assert isinstance(result.exception, InputError)


def test_import_rounds_reports_what_changed(runner, tmp_path, scratch_models):
    feed = write_feed(tmp_path / "feed.json", [feed_round("1", "2026-01-10"), feed_round("2", "2026-01-20")])
    args = ["import-rounds", str(feed), "--models-dir", str(scratch_models), "--snapshot-date", "2026-01-25"]
    first = runner.invoke(data, args)
    assert first.exit_code == 0, first.output
    assert "2 rounds added, 0 updated, 0 unchanged; feed snapshot 2026-01-25" in first.output
    second = runner.invoke(data, args)
    assert "0 rounds added, 0 updated, 2 unchanged" in second.output


def test_import_rounds_with_unknown_names_exits_2_without_a_traceback(runner, tmp_path, scratch_models):
    feed = write_feed(tmp_path / "feed.json", [feed_round("7", "2026-01-10", name="Moon base occupations")])
    result = runner.invoke(as_main_cli(data), ["data", "import-rounds", str(feed), "--models-dir", str(scratch_models)])
    assert result.exit_code == EXIT_BAD_INPUT
    assert "'Moon base occupations' (round 7)" in result.output and "Traceback" not in result.output


def test_import_rounds_allow_unknown_warns(runner, tmp_path, scratch_models):
    feed = write_feed(tmp_path / "feed.json", [feed_round("7", "2026-01-10", name="Moon base occupations")])
    result = runner.invoke(data, ["import-rounds", str(feed), "--models-dir", str(scratch_models), "--allow-unknown"])
    assert result.exit_code == 0
    assert "warning: unknown round name 'Moon base occupations' (rounds 7)" in result.output


@pytest.mark.parametrize("content", [None, "{not json", '{"rounds": [{"drawNumber": "1", "oops": "x"}]}'])
def test_import_rounds_bad_files_exit_2(runner, tmp_path, scratch_models, content):
    feed = tmp_path / "feed.json"
    if content is not None:
        feed.write_text(content)
    result = runner.invoke(as_main_cli(data), ["data", "import-rounds", str(feed), "--models-dir", str(scratch_models)])
    assert result.exit_code == EXIT_BAD_INPUT and str(feed) in result.output and "fix:" in result.output
    assert not (scratch_models / "rounds/history.yaml").exists()


def test_import_rounds_of_the_shared_feed_into_a_scratch_directory(runner, shared_feed, scratch_models):
    result = runner.invoke(data, ["import-rounds", str(shared_feed), "--models-dir", str(scratch_models)])
    assert result.exit_code == 0, result.output
    assert "445 rounds added" in result.output and "feed snapshot 2026-09-28" in result.output

"""Command-line groups for Express Entry rounds: ``planner rounds`` and ``planner data``.

- ``planner rounds [--type T] [--since DATE] [--json] [--plot FILE.png]`` lists the round
  history and can chart cut-offs over time by round type;
- ``planner rounds estimate --crs N --type T ...`` prints an invitation estimate;
- ``planner rounds backtest [--json]`` replays history and scores the estimator against a
  naive baseline;
- ``planner data import-rounds FEED.json`` imports IRCC's rounds feed into ``models/rounds/``.

The commands are thin: they call :mod:`planner.rounds` and render.  User errors are raised
as :class:`~planner.errors.InputError`; the main ``planner`` command prints them and exits 2.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import click

from planner.cli_params import DATE
from planner.errors import InputError
from planner.rounds.types import LABELS, ROUND_TYPES, UNKNOWN_TYPE


TYPE_CHOICE = click.Choice(ROUND_TYPES + (UNKNOWN_TYPE,), case_sensitive=False)


def _round_json(item) -> dict:
    data = item.model_dump(mode="json")
    if item.tie_break is not None:
        data["tie_break"] = item.tie_break.isoformat().replace("+00:00", "Z")
    return data


def _filtered(types: tuple[str, ...], since: date | None):
    from planner.rounds.history import load_history
    wanted = {t.lower() for t in types}
    return [r for r in load_history()
            if (not wanted or r.type in wanted) and (since is None or r.date >= since)]


def _print_table(rounds) -> None:
    from rich.table import Table

    from planner.render import PlannerConsole
    table = Table(title=f"Express Entry rounds ({len(rounds)}), newest first", box=None,
                  pad_edge=False, header_style="bold underline")
    for header, justify in (("#", "right"), ("date", "left"), ("type", "left"), ("invited", "right"),
                            ("cut-off", "right"), ("tie-break (UTC)", "left")):
        table.add_column(header, justify=justify, no_wrap=True)
    for item in reversed(rounds):  # newest first, like IRCC's page
        table.add_row(item.number, item.date.isoformat(),
                      item.type + (f" {item.version}" if item.version else ""),
                      f"{item.invitations:,}", str(item.cutoff),
                      item.tie_break.strftime("%Y-%m-%d %H:%M") if item.tie_break else "")
    PlannerConsole().print(table)


def plot_cutoffs(rounds, path: Path) -> None:
    """Draw cut-offs over time, one series per round type, into the PNG file ``path``."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(13, 6), dpi=100)
    colours = plt.get_cmap("tab20").colors
    markers = "os^vDP*Xhp<>d8H."
    for k, round_type in enumerate(ROUND_TYPES + (UNKNOWN_TYPE,)):
        series = [(r.date, r.cutoff) for r in rounds if r.type == round_type]
        if series:
            dates, cutoffs = zip(*series, strict=True)
            ax.plot(dates, cutoffs, marker=markers[k % len(markers)], markersize=4, linewidth=0.8,
                    color=colours[(2 * k) % 20 if k < 10 else (2 * k + 1) % 20], label=LABELS[round_type])
    ax.set_title("Express Entry round cut-offs (CRS of the lowest-ranked candidate invited)")
    ax.set_xlabel("round date")
    ax.set_ylabel("CRS cut-off")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.autofmt_xdate()
    fig.tight_layout()
    try:
        fig.savefig(path, format="png")
    except OSError as error:
        raise InputError(f"cannot write the chart ({error.strerror or error})", file=str(path),
                         field="--plot", hint="give a writable path ending in .png") from None
    finally:
        plt.close(fig)


@click.group(invoke_without_command=True)
@click.option("--type", "types", type=TYPE_CHOICE, multiple=True,
              help="Only rounds of this type (repeatable): " + ", ".join(ROUND_TYPES) + ".")
@click.option("--since", type=DATE, default=None, help="Only rounds on or after this date (YYYY-MM-DD).")
@click.option("--json", "as_json", is_flag=True, help="Print the rounds as JSON instead of a table.")
@click.option("--plot", type=click.Path(dir_okay=False), default=None,
              help="Also draw cut-offs over time by round type into this PNG file.")
@click.pass_context
def rounds(ctx, types, since, as_json, plot):
    """Show the Express Entry round history (newest first), or run a subcommand."""
    if ctx.invoked_subcommand is not None:
        return
    selected = _filtered(types, since)
    if plot:
        if not plot.lower().endswith(".png"):
            raise InputError("the chart is written as PNG", file=plot, field="--plot",
                             hint="give a file name ending in .png")
        plot_cutoffs(selected, Path(plot))
    if as_json:
        click.echo(json.dumps([_round_json(r) for r in selected], indent=2))
    else:
        _print_table(selected)
    if plot:
        click.echo(f"chart written to {plot}", err=True)


@rounds.command()
@click.option("--crs", type=click.IntRange(min=0), required=True,
              help="CRS score (0 to the CRS maximum, 1,200 since 2015; models/crs/core.yaml).")
@click.option("--type", "types", type=click.Choice(ROUND_TYPES, case_sensitive=False), multiple=True,
              required=True, help="A round type the person qualifies for (repeatable; include general).")
@click.option("--as-of", "as_of", type=DATE, default=None, help="Start of the window (default: today).")
@click.option("--window", type=click.IntRange(1, 120), default=6, show_default=True, help="Window in months.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def estimate(crs, types, as_of, window, as_json):
    """Estimate the chance of an invitation within a window, from recent rounds."""
    from dataclasses import asdict

    from planner.crs import maximum_total
    from planner.rounds.estimator import estimate_invitation
    as_of = as_of or date.today()
    highest = maximum_total(as_of)
    if crs > highest:  # the estimator checks it too; here it becomes an error naming the option
        raise InputError(f"CRS {crs} is above the maximum of {highest}", field="--crs",
                         hint="give the score as IRCC's CRS tool shows it (models/crs/core.yaml: maximum_total)")
    result = estimate_invitation(crs, [t.lower() for t in types], as_of, window)
    if as_json:
        data = asdict(result)
        click.echo(json.dumps(data, indent=2, default=lambda v: v.isoformat()))
    else:
        click.echo(result.explanation)


@rounds.command()
@click.option("--window", "windows", type=click.IntRange(1, 36), multiple=True,
              help="Window in months (repeatable; default: 3, 6 and 12).")
@click.option("--start", type=DATE, default=date(2023, 1, 1), show_default=True,
              help="First cut date (YYYY-MM-DD).")
@click.option("--end", type=DATE, default=None, help="Last cut date (default: as late as the data allows).")
@click.option("--step", type=click.IntRange(1, 24), default=1, show_default=True, help="Months between cut dates.")
@click.option("--json", "as_json", is_flag=True, help="Print the full report as JSON.")
def backtest(windows, start, end, step, as_json):
    """Replay history: estimate with rounds before each cut date, compare with what happened.

    Reports the Brier score of the estimator and of a naive baseline (invited if the last
    cut-off of an eligible type was at or below the score), and a calibration table.
    """
    from planner.rounds.backtest import DEFAULT_WINDOWS, run_backtest
    if end is not None and end < start:
        raise InputError(f"--end {end.isoformat()} is before --start {start.isoformat()}", field="--end",
                         hint="give an end date on or after the start date")
    report = run_backtest(start=start, end=end, step_months=step, windows=windows or DEFAULT_WINDOWS)
    if as_json:
        click.echo(json.dumps(report.to_json(), indent=2))
        return
    _print_backtest(report)


def _print_backtest(report) -> None:
    from rich.table import Table

    from planner.render import PlannerConsole
    console = PlannerConsole()
    summary = Table(title=f"Backtest from {report.start.isoformat()} (history until {report.data_end.isoformat()})",
                    box=None, pad_edge=False, header_style="bold underline")
    for header in ("window", "cut dates", "cases", "invited", "Brier ours", "naive", "recent"):
        summary.add_column(header, justify="right", no_wrap=True)
    for w in report.windows:
        if not w.cases:
            summary.add_row(f"{w.window_months} mo", "none", "0", "-", "-", "-", "-")
            continue
        summary.add_row(f"{w.window_months} mo", f"{w.cut_dates}: {w.first_cut:%Y-%m}..{w.last_cut:%Y-%m}",
                        f"{w.cases:,}", f"{w.base_rate:.0%}",
                        f"{w.brier:.4f}", f"{w.brier_baseline:.4f}", f"{w.brier_recent_baseline:.4f}")
    console.print(summary)
    for w in report.windows:
        if not w.cases:
            continue
        table = Table(title=f"Calibration, {w.window_months}-month window", box=None, pad_edge=False,
                      header_style="bold underline")
        for header in ("predicted", "cases", "mean predicted", "observed"):
            table.add_column(header, justify="right")
        for band in w.calibration:
            table.add_row(f"{band.low:.1f}-{band.high:.1f}", f"{band.cases:,}", f"{band.mean_predicted:.3f}",
                          f"{band.observed:.3f}")
        console.print(table)
    console.print(f"{len(report.eligibilities)} eligibility sets x {len(report.scores)} CRS scores "
                  f"({min(report.scores)}-{max(report.scores)}) per cut date.  Brier: 0 is perfect, 0.25 is "
                  "always answering 50 %.  naive: invited if the last cut-off of an eligible type <= score; "
                  "recent: the same, counting only types with a round in the last 6 months.")


@rounds.command("provincial-backtest")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def provincial_backtest(as_json):
    """Replay the provincial draws the planner estimates from, against the flat 30% assumption.

    For each complete series (models/rounds/provincial_draws.yaml), each month's estimate from
    earlier draws is compared with whether a draw admitting the wage happened in the window.
    """
    from dataclasses import asdict

    from planner.rounds.provincial import BACKTEST_WAGES, FLAT_ASSUMPTION, backtest_selection, estimable, provincial_draws
    results = [row for series in provincial_draws().series if estimable(series) for row in backtest_selection(series)]
    if as_json:
        click.echo(json.dumps([asdict(row) for row in results], indent=2, default=lambda v: v.isoformat()))
        return
    from rich.table import Table

    from planner.render import PlannerConsole
    table = Table(title="Provincial selection backtest", box=None, pad_edge=False, header_style="bold underline")
    for header in ("series", "window", "cut dates", "cases", "selected", "Brier ours", f"flat {FLAT_ASSUMPTION:.0%}",
                   "last floor"):
        table.add_column(header, justify="right", no_wrap=True)
    for row in results:
        span = f"{row.cut_dates}: {row.first_cut:%Y-%m}..{row.last_cut:%Y-%m}" if row.cut_dates else "none"
        table.add_row(row.series, f"{row.window_months} mo", span, f"{row.cases:,}", f"{row.base_rate:.0%}",
                      f"{row.brier:.4f}", f"{row.brier_flat:.4f}", f"{row.brier_last_floor:.4f}")
    console = PlannerConsole()
    console.print(table)
    console.print(f"Wages ${min(BACKTEST_WAGES):g}-{max(BACKTEST_WAGES):g}/h per cut date. Brier: 0 is perfect. "
                  f"flat: the earlier {FLAT_ASSUMPTION:.0%} for everyone; last floor: selected if the last draw's wage "
                  "floor was at or below the wage. Series with incomplete records or criteria a profile cannot give "
                  "are kept as evidence only (see models/rounds/provincial_draws.yaml).")


@click.group()
def data():
    """Import and maintain the data under models/."""


@data.command("import-rounds")
@click.argument("feed", type=click.Path(dir_okay=False))
@click.option("--allow-unknown", is_flag=True,
              help="Keep rounds with names missing from models/rounds/round_names.yaml, as type 'unknown'.")
@click.option("--snapshot-date", type=DATE, default=None,
              help="Date the feed was downloaded, not after today (default: the feed's fetchedAt, else today).")
@click.option("--source-note", default=None, help="Where this copy of the feed came from (kept in the header).")
@click.option("--models-dir", type=click.Path(file_okay=False), default=None,
              help="The models/ directory to write to (default: the planner's own).")
@click.option("--force", is_flag=True,
              help="Accept a feed that lists no rounds (nothing changes) or ends before the history already "
                   "imported (merged; last_verified is kept).")
def import_rounds(feed, allow_unknown, snapshot_date, source_note, models_dir, force):
    """Import IRCC's Express Entry rounds feed FEED (ee_rounds_123_en.json) into models/rounds/.

    The feed is checked first (size, numbers, dates, fetchedAt) and refused with exit 2 if
    implausible.  Concurrent imports wait for each other; the file is replaced atomically.
    """
    from planner.rounds.importer import import_feed
    report = import_feed(Path(feed), root=Path(models_dir) if models_dir else None, allow_unknown=allow_unknown,
                         snapshot=snapshot_date, imported_from=source_note, force=force)
    if not report.written:
        click.echo(f"{report.path}: the feed lists no rounds; nothing changed (last_verified kept).")
        return
    updated = "; ".join(f"{n} ({', '.join(fields)})" for n, fields in report.updated.items())
    click.echo(f"{report.path}: {len(report.added)} rounds added, {len(report.updated)} updated, "
               f"{report.unchanged} unchanged; feed snapshot {report.snapshot.isoformat()}.")
    if report.added:
        click.echo(f"  added: {', '.join(report.added[:20])}{' ...' if len(report.added) > 20 else ''}")
    if updated:
        click.echo(f"  updated: {updated}")
    if report.kept_not_in_feed:
        click.echo(f"  kept (not in this feed): {', '.join(report.kept_not_in_feed)}")
    for name, numbers in report.unknown_names.items():
        click.echo(f"warning: unknown round name {name!r} (rounds {', '.join(numbers)}) stored as type "
                   f"'{UNKNOWN_TYPE}'; add it to models/rounds/round_names.yaml", err=True)
    if report.issues:
        click.echo(f"  {len(report.issues)} rounds have data issues noted in the file: "
                   f"{', '.join(report.issues)}")

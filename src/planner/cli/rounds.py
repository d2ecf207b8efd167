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

from planner.cli.params import DATE, print_stamp, stamp_json, warn_if_rounds_stale
from planner.errors import InputError
from planner.rounds.history import round_type_label
from planner.rounds.types import ROUND_TYPES, UNKNOWN_TYPE

TYPE_CHOICE = click.Choice(ROUND_TYPES + (UNKNOWN_TYPE,), case_sensitive=False)


def _round_json(item) -> dict:
    data = item.model_dump(mode="json")
    if item.tie_break is not None:
        data["tie_break"] = item.tie_break.isoformat().replace("+00:00", "Z")
    return data


def _filtered(types: tuple[str, ...], since: date | None):
    from planner.rounds.history import load_history

    wanted = {t.lower() for t in types}
    return [r for r in load_history() if (not wanted or r.type in wanted) and (since is None or r.date >= since)]


def _print_table(rounds) -> None:
    from rich.table import Table

    from planner.output.text import PlannerConsole

    table = Table(
        title=f"Express Entry rounds ({len(rounds)}), newest first",
        box=None,
        pad_edge=False,
        header_style="bold underline",
    )
    for header, justify in (
        ("#", "right"),
        ("date", "left"),
        ("type", "left"),
        ("invited", "right"),
        ("cut-off", "right"),
        ("tie-break (UTC)", "left"),
    ):
        table.add_column(header, justify=justify, no_wrap=True)
    for item in reversed(rounds):  # newest first, like IRCC's page
        table.add_row(
            item.number,
            item.date.isoformat(),
            item.type + (f" {item.version}" if item.version else ""),
            f"{item.invitations:,}",
            str(item.cutoff),
            item.tie_break.strftime("%Y-%m-%d %H:%M") if item.tie_break else "",
        )
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
            ax.plot(
                dates,
                cutoffs,
                marker=markers[k % len(markers)],
                markersize=4,
                linewidth=0.8,
                color=colours[(2 * k) % 20 if k < 10 else (2 * k + 1) % 20],
                label=round_type_label(round_type),
            )
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
        raise InputError(
            f"cannot write the chart ({error.strerror or error})",
            file=str(path),
            field="--plot",
            hint="give a writable path ending in .png",
        ) from None
    finally:
        plt.close(fig)


@click.group(invoke_without_command=True)
@click.option(
    "--type",
    "types",
    type=TYPE_CHOICE,
    multiple=True,
    help="Only rounds of this type (repeatable): " + ", ".join(ROUND_TYPES) + ".",
)
@click.option("--since", type=DATE, default=None, help="Only rounds on or after this date (YYYY-MM-DD).")
@click.option("--json", "as_json", is_flag=True, help="Print the rounds as JSON instead of a table.")
@click.option(
    "--plot",
    type=click.Path(dir_okay=False),
    default=None,
    help="Also draw cut-offs over time by round type into this PNG file.",
)
@click.pass_context
def rounds(ctx, types, since, as_json, plot):
    """Show the Express Entry round history (newest first), or run a subcommand."""
    if ctx.invoked_subcommand is not None:
        return
    selected = _filtered(types, since)
    if plot:
        if not plot.lower().endswith(".png"):
            raise InputError(
                "the chart is written as PNG", file=plot, field="--plot", hint="give a file name ending in .png"
            )
        plot_cutoffs(selected, Path(plot))
    if as_json:
        click.echo(json.dumps([_round_json(r) for r in selected], indent=2))
    else:
        _print_table(selected)
    if plot:
        click.echo(f"chart written to {plot}", err=True)


@rounds.command()
@click.option(
    "--crs",
    type=click.IntRange(min=0),
    required=True,
    help="CRS score (0 to the CRS maximum, 1,200 since 2015; models/crs/core.yaml).",
)
@click.option(
    "--type",
    "types",
    type=click.Choice(ROUND_TYPES, case_sensitive=False),
    multiple=True,
    required=True,
    help="A round type the person qualifies for (repeatable; include general).",
)
@click.option("--as-of", "as_of", type=DATE, default=None, help="Start of the window (default: today).")
@click.option("--window", type=click.IntRange(1, 120), default=6, show_default=True, help="Window in months.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def estimate(crs, types, as_of, window, as_json):
    """Estimate the chance of an invitation within a window, from recent rounds."""
    from dataclasses import asdict

    from planner.rounds.estimator import estimate_invitation
    from planner.scoring.crs import maximum_total

    as_of = as_of or date.today()
    highest = maximum_total(as_of)
    if crs > highest:  # the estimator checks it too; here it becomes an error naming the option
        raise InputError(
            f"CRS {crs} is above the maximum of {highest}",
            field="--crs",
            hint="give the score as IRCC's CRS tool shows it (models/crs/core.yaml: maximum_total)",
        )
    result = estimate_invitation(crs, [t.lower() for t in types], as_of, window)
    warn_if_rounds_stale(as_of)
    if as_json:
        data = {**asdict(result), "stamp": stamp_json()}
        click.echo(json.dumps(data, indent=2, default=lambda v: v.isoformat()))
    else:
        click.echo(result.explanation)
        print_stamp()


@rounds.command()
@click.option(
    "--period",
    type=click.Choice(["held-out", "tuning"]),
    default="held-out",
    show_default=True,
    help="held-out: cut dates from 2025-01-01 to the end of the data; tuning: cut dates from 2019-01-01 "
    "whose windows end by 2024-12-31 (what the correlated model was tuned on).",
)
@click.option(
    "--window",
    "windows",
    type=click.IntRange(1, 36),
    multiple=True,
    help="Window in months (repeatable; default: 3, 6 and 12).",
)
@click.option("--start", type=DATE, default=None, help="First cut date (YYYY-MM-DD; default: the period's).")
@click.option("--end", type=DATE, default=None, help="Last cut date (default: as late as the period allows).")
@click.option("--step", type=click.IntRange(1, 24), default=1, show_default=True, help="Months between cut dates.")
@click.option("--json", "as_json", is_flag=True, help="Print the full report as JSON.")
@click.option(
    "--plot",
    type=click.Path(dir_okay=False),
    default=None,
    help="Also draw a reliability diagram (overall and near the cut-off) into this PNG file.",
)
def backtest(period, windows, start, end, step, as_json, plot):
    """Replay history: each model estimates with rounds before each cut date; compare with what happened.

    Scores the correlated model the planner uses, the independent-rounds model it used
    before, and a naive baseline (invited if the last cut-off of an eligible type was at or
    below the score): Brier score and expected calibration error, overall and near the
    cut-off, per window and pooled, with calibration bands.
    """
    from planner.rounds import backtest as bt

    first = start or (bt.HELD_OUT_START if period == "held-out" else bt.TUNING_START)
    if end is not None and end < first:
        raise InputError(
            f"--end {end.isoformat()} is before --start {first.isoformat()}",
            field="--end",
            hint="give an end date on or after the start date",
        )
    until = bt.TUNING_END if period == "tuning" else None
    report = bt.run_backtest(
        start=first, end=end, step_months=step, windows=windows or bt.DEFAULT_WINDOWS, outcomes_until=until
    )
    if plot:
        plot_reliability(report, Path(plot))
    if as_json:
        click.echo(json.dumps(report.to_json(), indent=2))
    else:
        _print_backtest(report)
    if plot:
        click.echo(f"reliability diagram written to {plot}", err=True)


def _figure(value: float) -> str:
    return "-" if value != value else f"{value:.4f}"  # NaN when a slice holds no case


def _print_backtest(report) -> None:
    from rich.table import Table

    from planner.output.text import PlannerConsole

    console = PlannerConsole()
    title = (
        f"Backtest: cut dates from {report.start.isoformat()}, outcomes until {report.outcomes_until.isoformat()} "
        f"(history until {report.data_end.isoformat()})"
    )
    summary = Table(title=title, box=None, pad_edge=False, header_style="bold underline")
    for header in ("window", "model", "cases", "Brier", "ECE", "near cases", "near Brier", "near ECE"):
        summary.add_column(header, justify="right", no_wrap=True)
    rows = [(f"{w.window_months} mo", w.cases, w.near_cases, w.models) for w in report.windows if w.cases]
    rows.append(("all", sum(w.cases for w in report.windows), sum(w.near_cases for w in report.windows), report.pooled))
    for name, cases, near, models in rows:
        for k, m in enumerate(models):
            summary.add_row(
                name if k == 0 else "",
                m.label,
                f"{cases:,}" if k == 0 else "",
                _figure(m.overall.brier),
                _figure(m.overall.ece),
                f"{near:,}" if k == 0 else "",
                _figure(m.near.brier),
                _figure(m.near.ece),
            )
    console.print(summary)
    for slice_name in ("overall", "near"):
        table = Table(
            title=f"Calibration, all windows, {'near the cut-off' if slice_name == 'near' else 'all cases'}: "
            "cases / mean predicted / share invited",
            box=None,
            pad_edge=False,
            header_style="bold underline",
        )
        table.add_column("predicted", justify="right")
        for m in report.pooled:
            table.add_column(m.label, justify="right")
        for k in range(10):
            cells = []
            for m in report.pooled:
                band = next((b for b in getattr(m, slice_name).calibration if round(b.low * 10) == k), None)
                cells.append(f"{band.cases:,} / {band.mean_predicted:.2f} / {band.observed:.2f}" if band else "-")
            table.add_row(f"{k / 10:.1f}-{(k + 1) / 10:.1f}", *cells)
        console.print(table)
    console.print(
        f"{len(report.eligibilities)} eligibility sets x {len(report.scores)} CRS scores "
        f"({min(report.scores)}-{max(report.scores)}) per cut date.  Brier: 0 is perfect, 0.25 is always "
        "answering 50 %.  new: correlated rounds (the planner's model); current: independent rounds "
        "(the model until December 2026); naive: invited if the last cut-off of an eligible type was at "
        "or below the score.  ECE: case-weighted gap between predicted and observed over ten bands.  Near: "
        "scores 25 below to 5 above the lowest cut-off of the same types in the previous 3 months."
    )


def plot_reliability(report, path: Path) -> None:
    """Draw predicted against observed per band, for every model, overall and near the cut-off, into ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(12, 5.8), dpi=100, sharey=True)
    styles = {
        "correlated": ("tab:blue", "o", "new: correlated rounds"),
        "independent": ("tab:orange", "s", "current: independent rounds"),
        "naive": ("tab:gray", "^", "naive: last cut-off"),
    }
    for ax, slice_name, title in ((axes[0], "overall", "All cases"), (axes[1], "near", "Near the cut-off")):
        ax.plot([0, 1], [0, 1], color="black", linewidth=0.8, linestyle="--", label="perfect calibration")
        for m in report.pooled:
            scores = getattr(m, slice_name)
            bands = scores.calibration
            if not bands:
                continue
            colour, marker, label = styles[m.model]
            ax.plot(
                [b.mean_predicted for b in bands],
                [b.observed for b in bands],
                color=colour,
                marker=marker,
                linewidth=1.2,
                markersize=5,
                label=f"{label} (Brier {scores.brier:.3f}, ECE {scores.ece:.3f})",
            )
        cases = getattr(report.pooled[0], slice_name).cases
        ax.set_title(f"{title} ({cases:,} cases)")
        ax.set_xlabel("predicted probability of an invitation (mean of the band)")
        ax.set_xlim(-0.02, 1.02)
        ax.set_ylim(-0.02, 1.02)
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize="small", loc="upper left")
    axes[0].set_ylabel("share of cases invited")
    windows = ", ".join(str(w.window_months) for w in report.windows)
    fig.suptitle(
        f"Express Entry invitation estimates: reliability, cut dates {report.start:%Y-%m} to "
        f"{report.end:%Y-%m}, outcomes until {report.outcomes_until.isoformat()}, windows {windows} months"
    )
    fig.tight_layout()
    try:
        fig.savefig(path, format="png")
    except OSError as error:
        raise InputError(
            f"cannot write the diagram ({error.strerror or error})",
            file=str(path),
            field="--plot",
            hint="give a writable path ending in .png",
        ) from None
    finally:
        plt.close(fig)


@rounds.command("provincial-backtest")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def provincial_backtest(as_json):
    """Replay the provincial draws the planner estimates from, against the flat 30% assumption.

    For each complete series (models/rounds/provincial_draws.yaml), each month's estimate from
    earlier draws is compared with whether a draw admitting the wage happened in the window.
    """
    from dataclasses import asdict

    from planner.rounds.provincial import BACKTEST_WAGES, FLAT_ASSUMPTION, backtest_selection, estimable
    from planner.rules.draws import provincial_draws

    results = [row for series in provincial_draws().series if estimable(series) for row in backtest_selection(series)]
    if as_json:
        click.echo(json.dumps([asdict(row) for row in results], indent=2, default=lambda v: v.isoformat()))
        return
    from rich.table import Table

    from planner.output.text import PlannerConsole

    table = Table(title="Provincial selection backtest", box=None, pad_edge=False, header_style="bold underline")
    for header in (
        "series",
        "window",
        "cut dates",
        "cases",
        "selected",
        "Brier ours",
        f"flat {FLAT_ASSUMPTION:.0%}",
        "last floor",
    ):
        table.add_column(header, justify="right", no_wrap=True)
    for row in results:
        span = f"{row.cut_dates}: {row.first_cut:%Y-%m}..{row.last_cut:%Y-%m}" if row.cut_dates else "none"
        table.add_row(
            row.series,
            f"{row.window_months} mo",
            span,
            f"{row.cases:,}",
            f"{row.base_rate:.0%}",
            f"{row.brier:.4f}",
            f"{row.brier_flat:.4f}",
            f"{row.brier_last_floor:.4f}",
        )
    console = PlannerConsole()
    console.print(table)
    console.print(
        f"Wages ${min(BACKTEST_WAGES):g}-{max(BACKTEST_WAGES):g}/h per cut date. Brier: 0 is perfect. "
        f"flat: the earlier {FLAT_ASSUMPTION:.0%} for everyone; last floor: selected if the last draw's wage "
        "floor was at or below the wage. Series with incomplete records or criteria a profile cannot give "
        "are kept as evidence only (see models/rounds/provincial_draws.yaml)."
    )


@click.group()
def data():
    """Import and maintain the data under models/."""


@data.command("import-rounds")
@click.argument("feed", type=click.Path(dir_okay=False))
@click.option(
    "--allow-unknown",
    is_flag=True,
    help="Keep rounds with names missing from models/rounds/round_names.yaml, as type 'unknown'.",
)
@click.option(
    "--snapshot-date",
    type=DATE,
    default=None,
    help="Date the feed was downloaded, not after today (default: the feed's fetchedAt, else today).",
)
@click.option("--source-note", default=None, help="Where this copy of the feed came from (kept in the header).")
@click.option(
    "--models-dir",
    type=click.Path(file_okay=False),
    default=None,
    help="The models/ directory to write to (default: the planner's own).",
)
@click.option(
    "--force",
    is_flag=True,
    help="Accept a feed that lists no rounds (nothing changes) or ends before the history already "
    "imported (merged; last_verified is kept).",
)
def import_rounds(feed, allow_unknown, snapshot_date, source_note, models_dir, force):
    """Import IRCC's Express Entry rounds feed FEED (ee_rounds_123_en.json) into models/rounds/.

    The feed is checked first (size, numbers, dates, fetchedAt) and refused with exit 2 if
    implausible.  Concurrent imports wait for each other; the file is replaced atomically.
    """
    from planner.rounds.importer import import_feed

    report = import_feed(
        Path(feed),
        root=Path(models_dir) if models_dir else None,
        allow_unknown=allow_unknown,
        snapshot=snapshot_date,
        imported_from=source_note,
        force=force,
    )
    if not report.written:
        click.echo(f"{report.path}: the feed lists no rounds; nothing changed (last_verified kept).")
        return
    updated = "; ".join(f"{n} ({', '.join(fields)})" for n, fields in report.updated.items())
    click.echo(
        f"{report.path}: {len(report.added)} rounds added, {len(report.updated)} updated, "
        f"{report.unchanged} unchanged; feed snapshot {report.snapshot.isoformat()}."
    )
    if report.added:
        click.echo(f"  added: {', '.join(report.added[:20])}{' ...' if len(report.added) > 20 else ''}")
    if updated:
        click.echo(f"  updated: {updated}")
    if report.kept_not_in_feed:
        click.echo(f"  kept (not in this feed): {', '.join(report.kept_not_in_feed)}")
    for name, numbers in report.unknown_names.items():
        click.echo(
            f"warning: unknown round name {name!r} (rounds {', '.join(numbers)}) stored as type "
            f"'{UNKNOWN_TYPE}'; add it to models/rounds/round_names.yaml",
            err=True,
        )
    if report.issues:
        click.echo(f"  {len(report.issues)} rounds have data issues noted in the file: {', '.join(report.issues)}")

"""CLI commands for routes and the catalogue: ``route``, ``compare``, ``programs``, ``graph``.

Heavy modules (OR-Tools, matplotlib) are imported inside the commands that use them, so
``planner --help`` and the light commands start quickly.
"""

from __future__ import annotations

import json
import sys

import click

from planner.cli.params import AS_OF, JSON, load_profile_arg, today, warn_if_rounds_stale
from planner.errors import EXIT_NO_ROUTE, InputError

OBJECTIVE = click.option(
    "--objective",
    type=click.Choice(["fastest", "probable", "cheapest"]),
    default=None,
    help="What to optimise (default: the profile's preference, else fastest).",
)
HORIZON = click.option(
    "--horizon",
    type=click.IntRange(1, 240),
    default=None,
    help="Months to plan over (default: the profile's horizon_months, else 60).",
)


@click.command()
@click.argument("profile", type=click.Path())
@OBJECTIVE
@AS_OF
@HORIZON
@click.option("--json", "as_json", is_flag=True, help="Print the RoutePlan as JSON.")
@click.option("--markdown", "as_markdown", is_flag=True, help="Print the plan as Markdown.")
def route(profile, objective, as_of, horizon, as_json, as_markdown):
    """Plan the best route to permanent residence for PROFILE (exit 1 when there is none)."""
    from planner.api import plan
    from planner.output import routes as render_routes

    person, as_of = load_profile_arg(profile, as_of)
    warn_if_rounds_stale(as_of)
    result = plan(person, objective=objective, as_of=as_of, horizon=horizon)
    if as_json:
        click.echo(result.model_dump_json(indent=2))
    elif as_markdown:
        click.echo(render_routes.plan_markdown(result))
    else:
        render_routes.print_plan(result)
    if not result.found:
        sys.exit(EXIT_NO_ROUTE)


@click.command()
@click.argument("profile", type=click.Path())
@OBJECTIVE
@AS_OF
@HORIZON
@click.option(
    "-k", "count", type=click.IntRange(1, 10), default=5, show_default=True, help="How many routes to compare."
)
@JSON
def compare(profile, objective, as_of, horizon, count, as_json):
    """Compare the k best genuinely different routes for PROFILE side by side."""
    from planner.api import plan
    from planner.output import routes as render_routes

    person, as_of = load_profile_arg(profile, as_of)
    warn_if_rounds_stale(as_of)
    result = plan(person, objective=objective, as_of=as_of, horizon=horizon, alternatives=count - 1)
    if as_json:
        click.echo(result.model_dump_json(indent=2))
    else:
        render_routes.print_comparison(result)
    if not result.found:
        sys.exit(EXIT_NO_ROUTE)


def _open_text(program) -> str:
    periods, start = [], None
    for effective, value in program.open.values.items():
        if value.value and start is None:
            start = effective
        elif not value.value and start is not None:
            periods.append(f"{start} to {effective}")
            start = None
    if start is not None:
        periods.append(f"since {start}")
    doubt = next((v.doubt for v in program.open.values.values() if v.certainty != "confirmed"), None)
    return ", ".join(periods) + (" (uncertain)" if doubt else "")


def _processing_text(program, on) -> str:
    if program.processing is None:
        return "-"
    found = program.processing.entry(on)
    if found is None:
        return "-"
    mark = "" if found.certainty == "confirmed" else f" ({found.certainty})"
    return f"{found.value.median_months:g} / {found.value.p80_months:g} months{mark} (as of {found.effective})"


@click.command()
@AS_OF
@JSON
def programs(as_of, as_json):
    """List every program in models/: id, label, kind, open dates, processing time and sources."""
    from planner.rules.catalogue import catalogue

    as_of = as_of or today()
    rows = [
        {
            "id": p.id,
            "label": p.label,
            "kind": p.kind,
            "open": _open_text(p),
            "open_on_date": p.is_open(as_of),
            "processing": _processing_text(p, as_of),
            "sources": [r.href for r in p.references],
        }
        for p in catalogue().programs
    ]
    if as_json:
        click.echo(json.dumps({"as_of": as_of.isoformat(), "programs": rows}, indent=2))
    else:
        from planner.output import routes as render_routes

        render_routes.print_programs(rows)


@click.command()
@click.option(
    "--profile",
    "profile_path",
    type=click.Path(),
    default=None,
    help="Prune the graph for this profile (ruled-out options shown faded with reasons).",
)
@AS_OF
@click.option(
    "--format", "fmt", type=click.Choice(["mermaid", "dot", "json", "png", "svg"]), default="mermaid", show_default=True
)
@click.option(
    "--output", "-o", type=click.Path(dir_okay=False), default=None, help="File to write (required for png/svg)."
)
def graph(profile_path, as_of, fmt, output):
    """Show the pathway graph (statuses and transitions), optionally for one profile."""
    from planner.output import routes as render_routes
    from planner.planning.graph import build_graph, prune_for_profile
    from planner.rules.catalogue import catalogue

    cat = catalogue()
    as_of = as_of or today()
    G, excluded = build_graph(cat, as_of), []
    if profile_path:
        person, as_of = load_profile_arg(profile_path, as_of)
        pruned = prune_for_profile(G, person, as_of, cat)
        excluded = pruned.excluded
        G = pruned.graph
    if fmt in ("png", "svg"):
        if not output:
            raise InputError(f"--format {fmt} writes an image file", field="--output", hint=f"add --output graph.{fmt}")
        render_routes.graph_image(G, output, excluded, fmt)
        click.echo(f"wrote {output}")
        return
    text = {"mermaid": render_routes.graph_mermaid, "dot": render_routes.graph_dot, "json": render_routes.graph_json}[
        fmt
    ](G, excluded)
    if output:
        with open(output, "w", encoding="utf-8") as handle:
            handle.write(text)
        click.echo(f"wrote {output}")
    else:
        click.echo(text, nl=False)

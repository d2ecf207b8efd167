"""The ``planner`` command line: a thin layer over the library that renders results.

Exit codes: 0 success, 1 no route (a valid answer), 2 bad input (profile, model files,
options), 141 when the reader of the output closed it early.  Errors of the user's making
print one clear message, never a traceback.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import date

import click

from planner.cli_params import DATE
from planner.errors import EXIT_BAD_INPUT, EXIT_OUTPUT_CLOSED, InputError, PlannerError, RuleNotInForceError


def _today() -> date:
    return date.today()


AS_OF = click.option("--as-of", "as_of", type=DATE, default=None,
                     help="Evaluate the rules as they stood on this date (YYYY-MM-DD; default: today).")
JSON = click.option("--json", "as_json", is_flag=True, help="Print stable JSON instead of a table.")


class PlannerGroup(click.Group):
    """A click group that turns PlannerError into a clean message and exit code 2."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            # Nothing more can be written; point stdout at nothing so the interpreter's final flush is quiet.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(EXIT_OUTPUT_CLOSED)
        except InputError as error:
            click.echo(f"error: {error.render()}", err=True)
            sys.exit(EXIT_BAD_INPUT)
        except RuleNotInForceError as error:
            click.echo(f"error: {error}\n  fix: pass an --as-of date on or after the date the rule starts", err=True)
            sys.exit(EXIT_BAD_INPUT)
        except PlannerError as error:
            click.echo(f"error: {error}", err=True)
            sys.exit(EXIT_BAD_INPUT)


@click.group(cls=PlannerGroup)
@click.version_option(package_name="planner")
def cli():
    """Plan routes to Canadian permanent residence from dated, cited rules."""


def warn_if_rounds_stale(as_of: date) -> None:
    """Print a warning on standard error when the rounds history ends long before ``as_of``."""
    from planner.rounds.estimator import stale_warning
    message = stale_warning(as_of)
    if message:
        click.echo(message, err=True)


def _load(profile_path: str, as_of: date | None):
    from planner.inputs import read_profile
    as_of = as_of or _today()
    return read_profile(profile_path, as_of), as_of


@cli.command()
@click.argument("profile", type=click.Path())
@AS_OF
@JSON
def crs(profile, as_of, as_json):
    """Show the CRS score of PROFILE, line by line, each line citing its rule."""
    from planner import crs as crs_module
    from planner import render
    person, as_of = _load(profile, as_of)
    result = crs_module.score(person, as_of)
    if as_json:
        click.echo(json.dumps(result.to_json(), indent=2))
    else:
        render.print_crs(result)


@cli.command()
@click.argument("profile", type=click.Path())
@AS_OF
@JSON
@click.option("--program", "programs", multiple=True, help="Program id or alias (repeatable; default: FSW, CEC, FST).")
def eligibility(profile, as_of, as_json, programs):
    """Show which Express Entry programs PROFILE is eligible for, requirement by requirement."""
    from planner import render
    from planner.eligibility import evaluate_many
    person, as_of = _load(profile, as_of)
    results = evaluate_many(person, as_of, list(programs) or None)
    if as_json:
        click.echo(json.dumps({"as_of": as_of.isoformat(), "programs": [r.to_json() for r in results]}, indent=2))
    else:
        render.print_eligibility(results, person, as_of)


@cli.command()
def schema():
    """Print the JSON Schema of the profile."""
    from planner.profile import Profile
    click.echo(json.dumps(Profile.model_json_schema(), indent=2))


@cli.command("check-models")
@AS_OF
@click.option("--max-age-months", default=12, show_default=True, help="Report files not verified for this long.")
def check_models(as_of, max_age_months):
    """Load every file under models/ strictly and report stale last_verified dates."""
    from planner.model_check import check_all
    as_of = as_of or _today()
    report = check_all(as_of, max_age_months)
    for line in report.lines:
        click.echo(line)
    if report.errors:
        sys.exit(EXIT_BAD_INPUT)


def _register_commands() -> None:
    """Attach the command groups defined in their own modules (they import this module's options)."""
    from planner.cli_rounds import data, rounds
    from planner.cli_routes import compare, graph, programs, route
    for command in (route, compare, programs, graph, rounds, data):
        cli.add_command(command)


_register_commands()


def main() -> None:
    """Entry point of the ``planner`` console script."""
    cli(prog_name="planner")

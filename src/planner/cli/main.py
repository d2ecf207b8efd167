"""The ``planner`` command line: a thin layer over the library that renders results.

Exit codes: 0 success, 1 no route (a valid answer), 2 bad input (profile, model files,
options), 141 when the reader of the output closed it early.  Errors of the user's making
print one clear message, never a traceback.
"""

from __future__ import annotations

import json
import os
import sys

import click

from planner.cli.params import AS_OF, JSON, load_profile_arg, print_stamp, stamp_json, today
from planner.cli.rounds import data, rounds
from planner.cli.routes import compare, graph, programs, route
from planner.errors import EXIT_BAD_INPUT, EXIT_OUTPUT_CLOSED, InputError, PlannerError, RuleNotInForceError


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


@cli.command()
@click.argument("profile", type=click.Path())
@AS_OF
@JSON
def crs(profile, as_of, as_json):
    """Show the CRS score of PROFILE, line by line, each line citing its rule."""
    from planner.output import text as render
    from planner.scoring import crs as crs_module

    person, as_of = load_profile_arg(profile, as_of)
    result = crs_module.score(person, as_of)
    if as_json:
        click.echo(json.dumps({**result.to_json(), "stamp": stamp_json()}, indent=2))
    else:
        render.print_crs(result)
        print_stamp()


@cli.command()
@click.argument("profile", type=click.Path())
@AS_OF
@JSON
@click.option("--program", "programs", multiple=True, help="Program id or alias (repeatable; default: FSW, CEC, FST).")
def eligibility(profile, as_of, as_json, programs):
    """Show which Express Entry programs PROFILE is eligible for, requirement by requirement."""
    from planner.eligibility.verdicts import evaluate_many
    from planner.output import text as render

    person, as_of = load_profile_arg(profile, as_of)
    results = evaluate_many(person, as_of, list(programs) or None)
    if as_json:
        click.echo(
            json.dumps(
                {"as_of": as_of.isoformat(), "programs": [r.to_json() for r in results], "stamp": stamp_json()},
                indent=2,
            )
        )
    else:
        render.print_eligibility(results, person, as_of)
        print_stamp()


@cli.command()
def schema():
    """Print the JSON Schema of the profile."""
    from planner.facts.profile import Profile

    click.echo(json.dumps(Profile.model_json_schema(), indent=2))


@cli.command("check-models")
@AS_OF
@click.option("--max-age-months", default=12, show_default=True, help="Report files not verified for this long.")
def check_models(as_of, max_age_months):
    """Load every file under models/ strictly and report stale last_verified dates."""
    from planner.cli.check_models import check_all

    as_of = as_of or today()
    report = check_all(as_of, max_age_months)
    for line in report.lines:
        click.echo(line)
    if report.errors:
        sys.exit(EXIT_BAD_INPUT)


for _command in (route, compare, programs, graph, rounds, data):
    cli.add_command(_command)


def main() -> None:
    """Entry point of the ``planner`` console script."""
    cli(prog_name="planner")

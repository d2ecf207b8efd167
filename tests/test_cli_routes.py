"""CLI tests for route, compare, programs and graph, on the shipped example profiles."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from planner.cli.main import cli
from planner.facts.profile import load_profile
from planner.planning.result import RoutePlan
from planner.planning.validate import validate_plan
from planner.rules.catalogue import catalogue

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples" / "profiles").glob("*.json"))
AS_OF = "2026-11-25"


@pytest.fixture(scope="module")
def runner():
    return CliRunner()


NO_ROUTE_EXAMPLES = {
    "indian-developer-no-offer": "no FSW or general round since 2024, and Saskatchewan's no-offer sub-categories closed 2025-03-27",
    "couple-spouse-stronger": "CRS 301 reaches no round; Saskatchewan's Occupations In-Demand closed 2025-03-27",
    "ict-engineering-manager": "BC PNP needs an indeterminate offer (hers is 36 months) and CRS 405 reaches no round",
}
"""Examples whose honest answer on 2026-11-25 is "no route", with why (README: the examples table)."""


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_gets_a_valid_dated_route_or_an_explained_no(runner, path):
    result = runner.invoke(cli, ["route", str(path), "--as-of", AS_OF, "--json"])
    if path.stem in NO_ROUTE_EXAMPLES:
        assert result.exit_code == 1, result.output
        plan = RoutePlan.model_validate_json(result.stdout)
        assert not plan.found and plan.no_route_reasons and plan.what_would_change
        assert not any("does not accept applications" in change for change in plan.what_would_change)
        return
    assert result.exit_code == 0, result.output
    plan = RoutePlan.model_validate_json(result.stdout)
    assert plan.found and plan.route.steps
    assert plan.route.steps[-1].kind == "decision"
    assert plan.route.expected_months <= plan.horizon_months
    assert validate_plan(plan, load_profile(path)) == []
    cited = [v for step in plan.route.steps for v in step.verdicts]
    assert cited and all(v.references for v in cited), "every requirement verdict cites a source"


def test_us_engineer_enters_on_cusma_and_goes_through_cec(runner):
    result = runner.invoke(
        cli, ["route", str(ROOT / "examples/profiles/us-software-engineer.json"), "--as-of", AS_OF, "--json"]
    )
    plan = RoutePlan.model_validate_json(result.stdout)
    assert plan.route.programs[:2] == ["temporary.cusma.professional", "federal.express_entry.cec"]
    pool = next(s for s in plan.route.steps if s.kind == "enter_pool")
    assert pool.start_month >= 12  # a year of Canadian work first
    assert pool.crs >= 500


def test_stronger_spouse_is_reported(runner):
    result = runner.invoke(
        cli, ["route", str(ROOT / "examples/profiles/couple-spouse-stronger.json"), "--as-of", AS_OF, "--json"]
    )
    plan = RoutePlan.model_validate_json(result.stdout)
    assert any("spouse would be the stronger principal applicant" in note for note in plan.notes)


def test_markdown_and_table_output(runner):
    path = str(ROOT / "examples/profiles/pgwp-worker-in-canada.json")
    markdown = runner.invoke(cli, ["route", path, "--as-of", AS_OF, "--markdown"])
    assert markdown.exit_code == 0 and markdown.stdout.startswith("# Route plan")
    assert "Canadian Experience Class" in markdown.output
    table = runner.invoke(cli, ["route", path, "--as-of", AS_OF])
    assert table.exit_code == 0 and "Canadian Experience Class" in table.output


def test_fees_the_rules_do_not_have_are_flagged_in_every_format(runner):
    """Ontario's Workforce Priority fee is not in models/: the route and the comparison say it is left out."""
    ontario = str(ROOT / "examples/profiles/age-44-falling-points.json")
    table = runner.invoke(cli, ["route", ontario, "--as-of", AS_OF])
    markdown = runner.invoke(cli, ["route", ontario, "--as-of", AS_OF, "--markdown"])
    for output in (table.output, markdown.output):
        assert "not counted: the fee of Ontario Workforce Priority Stream" in " ".join(output.split())
    compare = runner.invoke(
        cli, ["compare", str(ROOT / "examples/profiles/us-software-engineer.json"), "--as-of", AS_OF, "-k", "3"]
    )
    assert "+ = leaves out a fee" in " ".join(compare.output.split()) and "1,675+" in compare.output


def test_compare_returns_different_programs_and_marks_pareto(runner):
    result = runner.invoke(
        cli,
        ["compare", str(ROOT / "examples/profiles/us-software-engineer.json"), "--as-of", AS_OF, "-k", "3", "--json"],
    )
    assert result.exit_code == 0
    plan = RoutePlan.model_validate_json(result.stdout)
    routes = [plan.route, *plan.alternatives]
    assert len(routes) >= 2
    assert len({tuple(r.programs) for r in routes}) == len(routes), "alternatives differ in programs"
    assert any(r.pareto for r in routes)
    table = runner.invoke(cli, ["compare", str(ROOT / "examples/profiles/us-software-engineer.json"), "--as-of", AS_OF])
    assert "Pareto" in table.output


def test_no_route_exits_1_with_reasons_and_what_would_change(runner, tmp_path):
    profile = {
        "birth_date": "1960-01-01",
        "citizenships": ["IN"],
        "education": [],
        "language_tests": [],
        "work_history": [],
        "settlement_funds_cad": 0,
    }
    path = tmp_path / "weak.json"
    path.write_text(json.dumps(profile))
    result = runner.invoke(cli, ["route", str(path), "--as-of", AS_OF, "--json"])
    assert result.exit_code == 1
    plan = RoutePlan.model_validate_json(result.stdout)
    assert not plan.found and plan.no_route_reasons and plan.what_would_change
    text = runner.invoke(cli, ["route", str(path), "--as-of", AS_OF])
    assert text.exit_code == 1 and "What would change the answer" in text.output


def test_programs_lists_every_program_with_sources(runner):
    result = runner.invoke(cli, ["programs", "--as-of", AS_OF, "--json"])
    assert result.exit_code == 0
    rows = json.loads(result.stdout)["programs"]
    assert {row["id"] for row in rows} == {p.id for p in catalogue().programs}
    assert all(row["sources"] and all(s.startswith("http") for s in row["sources"]) for row in rows)
    h1b = next(row for row in rows if "h1b" in row["id"])
    assert h1b["open_on_date"] is False


@pytest.mark.parametrize("fmt", ["mermaid", "dot", "json"])
def test_graph_text_formats_show_pruned_options(runner, fmt):
    result = runner.invoke(
        cli,
        [
            "graph",
            "--profile",
            str(ROOT / "examples/profiles/indian-developer-no-offer.json"),
            "--as-of",
            AS_OF,
            "--format",
            fmt,
        ],
    )
    assert result.exit_code == 0
    assert "express_entry_pool" in result.output
    if fmt == "json":
        data = json.loads(result.stdout)
        assert any("cusma" in e["program"] for e in data["excluded"]), "ruled-out options are listed with reasons"
    else:
        assert "cusma" in result.output.lower()


@pytest.mark.parametrize("fmt", ["png", "svg"])
def test_graph_images_are_drawn(runner, tmp_path, fmt):
    out = tmp_path / f"graph.{fmt}"
    result = runner.invoke(
        cli,
        [
            "graph",
            "--profile",
            str(ROOT / "examples/profiles/gts-hire.json"),
            "--as-of",
            AS_OF,
            "--format",
            fmt,
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 1000


def test_image_format_without_output_is_bad_input(runner):
    result = runner.invoke(cli, ["graph", "--format", "png"])
    assert result.exit_code == 2 and "--output" in result.output


def test_a_route_says_which_programs_are_not_met_today_and_what_would_open_them(runner, tmp_path):
    """CLB 6 in reading and writing: FSW is not on the plan, and the plan says why and what would open it."""
    data = json.loads((ROOT / "examples/profiles/us-software-engineer.json").read_text())
    data["language_tests"] = [
        {
            "test": "ielts_general",
            "date": "2026-06-01",
            "listening": 6.0,
            "reading": 5.5,
            "writing": 5.5,
            "speaking": 6.0,
        }
    ]
    path = tmp_path / "clb6.json"
    path.write_text(json.dumps(data))
    result = runner.invoke(cli, ["route", str(path), "--as-of", AS_OF, "--json"])
    assert result.exit_code == 0, result.output
    plan = RoutePlan.model_validate_json(result.stdout)
    assert "federal.express_entry.fsw" not in plan.route.programs
    fsw = next(e for e in plan.not_met_on_date if e.program == "federal.express_entry.fsw")
    language = next(v for v in fsw.reasons if v.requirement == "language")
    assert not language.met and "R6 W6" in language.value and language.rule.endswith("fsw.yaml#language")
    assert any(
        "reach CLB/NCLC listening 7, reading 7, writing 7, speaking 7" in c and "Federal Skilled Worker" in c
        for c in plan.what_would_change
    )
    assert not any(e.program in plan.route.programs for e in plan.not_met_on_date)
    text = runner.invoke(cli, ["route", str(path), "--as-of", AS_OF])
    assert f"Not met on {AS_OF}" in text.output and "What would change the answer" in text.output


def test_compare_fills_k_routes_with_the_most_likely_below_the_minimum_probability(runner):
    """Two routes reach 50% for the US engineer; compare -k 5 still shows five, the rest marked, most likely first."""
    path = str(ROOT / "examples/profiles/us-software-engineer.json")
    result = runner.invoke(cli, ["compare", path, "--as-of", AS_OF, "-k", "5", "--json"])
    plan = RoutePlan.model_validate_json(result.stdout)
    routes = [plan.route, *plan.alternatives]
    assert len(routes) == 5 and len({tuple(r.programs) for r in routes}) == 5
    assert all(not r.below_minimum_probability and r.probability >= 0.5 for r in routes[:2])
    below = routes[2:]
    assert all(r.below_minimum_probability and r.probability < 0.5 for r in below)
    assert [r.probability for r in below] == sorted((r.probability for r in below), reverse=True)
    assert plan.notes[0].startswith("Only 2 route(s) reach a 50% probability")
    table = runner.invoke(cli, ["compare", path, "--as-of", AS_OF, "-k", "5"])
    assert "! = below the minimum probability of PR" in table.output


def test_a_reader_closing_the_output_early_is_not_reported_as_no_route():
    """``planner route p.json | head -1``: exit 141 (closed output), not 1 (no route), and no traceback."""
    import subprocess
    import sys

    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "planner",
            "route",
            str(ROOT / "examples/profiles/us-software-engineer.json"),
            "--as-of",
            AS_OF,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    process.stdout.close()  # the reader is gone before the plan is printed (so every write fails, whatever the timing)
    errors = process.stderr.read()
    process.wait(timeout=60)
    assert process.returncode == 141 and b"Traceback" not in errors and b"error" not in errors, errors.decode()


def test_an_invitation_step_shows_its_probability_and_the_last_five_cut_offs_of_its_types(runner):
    result = runner.invoke(
        cli, ["route", str(ROOT / "examples" / "profiles" / "pgwp-worker-in-canada.json"), "--as-of", AS_OF, "--json"]
    )
    plan = RoutePlan.model_validate_json(result.stdout)
    step = next(s for s in plan.route.steps if s.kind == "invitation")
    assert f"{step.probability:.0%} chance of an invitation within" in step.note
    assert "taken as stopped: general (none since 2024-04-23)" in step.note
    assert [(e.round_type, e.date.isoformat(), e.cutoff) for e in step.evidence] == [
        ("cec", "2026-09-15", 519),
        ("cec", "2026-09-01", 521),
        ("cec", "2026-08-18", 523),
        ("cec", "2026-08-05", 516),
        ("cec", "2026-07-21", 516),
    ]
    assert "cec 519 (2026-09-15)" in step.note


def test_every_route_says_the_newest_round_it_knows_and_warns_when_it_is_stale(runner):
    path = str(ROOT / "examples" / "profiles" / "pgwp-worker-in-canada.json")
    stale = runner.invoke(cli, ["route", path, "--as-of", AS_OF, "--json"])
    plan = RoutePlan.model_validate_json(stale.stdout)
    assert plan.stamp.last_round.isoformat() == "2026-09-16"
    assert "newest round is of 2026-09-16" in plan.notes[0]
    assert "warning: the newest Express Entry round the planner knows is of 2026-09-16, 70 days" in stale.stderr
    fresh = runner.invoke(cli, ["compare", path, "--as-of", "2026-10-01", "-k", "2", "--json"])
    assert fresh.exit_code == 0 and fresh.stderr == ""

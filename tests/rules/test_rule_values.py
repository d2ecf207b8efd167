"""Rule knowledge that lives in models/, not in Python (issue 18): each value read where the rule applies."""

from __future__ import annotations

from datetime import date

from planner.facts.derived import qualifying_job_offer, work_rules
from planner.facts.profile import parse_profile
from planner.planning.templates import _pick_following
from planner.rules.catalogue import catalogue
from planner.scoring import fsw
from planner.scoring.fsw import grid_file

BASE = {
    "birth_date": "1990-05-01",
    "citizenships": ["IN"],
    "education": [{"level": "bachelor", "country": "IN", "completed": "2012-05-01", "eca": True}],
    "language_tests": [
        {
            "test": "ielts_general",
            "date": "2016-01-10",
            "listening": 8.5,
            "reading": 8.0,
            "writing": 7.5,
            "speaking": 7.5,
        }
    ],
    "work_history": [{"noc": "21231", "country": "IN", "start": "2012-06-01", "hours_per_week": 40}],
}


def test_a_one_year_offer_is_arranged_employment_from_2016_11_19_and_only_a_permanent_one_before():
    one_year = parse_profile({**BASE, "job_offer": {"noc": "21231", "lmia": True, "duration_months": 12}})
    before, after = (
        qualifying_job_offer(one_year, date(2016, 11, 18)),
        qualifying_job_offer(one_year, date(2016, 11, 19)),
    )
    assert not before[0] and "must be full-time, skilled (TEER 0-3), permanent, and" in before[1]
    assert after[0]
    assert work_rules().arranged_employment_min_months.at(date(2026, 12, 3)) == 12


def test_the_fsw_first_language_maximum_is_read_off_the_grid():
    grid = grid_file().grid.at(date(2026, 12, 3))
    lines = fsw.score(parse_profile(BASE), date(2026, 12, 3)).lines
    line = next(line for line in lines if line["factor"] == "first official language")
    assert line["maximum"] == max(band.points for band in grid.first_language) * 4 == 24


def test_full_time_for_an_intra_company_transfer_is_a_rule_value_with_its_doubt():
    rule = work_rules().full_time_hours_per_week
    entry = rule.entry(date(2026, 12, 3))
    assert entry.value == 30 and entry.certainty == "uncertain" and "intra-company" in entry.doubt


def test_express_entry_linked_provincial_programs_name_the_rounds_their_nominees_are_invited_in():
    linked = [p for p in catalogue().programs if p.express_entry_linked]
    assert linked and all(p.round_types == ["pnp"] for p in linked)


def test_an_invitation_edge_takes_the_federal_program_by_jurisdiction():
    cat = catalogue()
    options = tuple(sorted(p.id for p in cat.programs if p.id in ("federal.express_entry.invitation",)))
    assert _pick_following(options, [], cat) == ["federal.express_entry.invitation"]
    assert cat.get("federal.express_entry.invitation").jurisdiction == "federal"

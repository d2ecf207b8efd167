"""Checks on a profile that need the rules or the as-of date (the schema alone cannot make them).

Impossible test scores (IELTS 9.5), unknown NOC codes, a birth date after the as-of date:
each becomes a :class:`~planner.errors.ProfileError` naming the file, the field and the fix.
"""

from __future__ import annotations

import difflib
from datetime import date, datetime
from pathlib import Path

from planner.dates import age_on
from planner.errors import InputError, ProfileError
from planner.facts.language import check_scores
from planner.facts.profile import Profile, load_profile
from planner.rules import noc as noc
from planner.rules.catalogue import catalogue

EARLIEST_PLAN_DATE = date(2000, 1, 1)
"""The earliest date rules are read for: models/ holds Express Entry's rules from 2015 (earlier dates answer
"not yet in force"), and a date before 2000 is a typo (year 1)."""

LATEST_PLAN_DATE = date(2100, 12, 31)
"""Plans start no later than this: a later date is a typo (9999-12-31), and plan months must stay within the calendar."""

MAX_HORIZON = 240
"""The longest plan, in months (20 years; the profile's horizon_months has the same limit)."""

MAX_ALTERNATIVES = 20
"""The most alternative routes one plan returns."""


def check_plan_arguments(
    profile: object, objective: object, as_of: object, horizon: object, alternatives: object
) -> None:
    """Raise InputError for a library caller's argument of the wrong type or out of range (never a silent default)."""
    if not isinstance(profile, Profile):
        raise InputError(
            f"profile must be a Profile, not {type(profile).__name__}",
            field="profile",
            hint="read it with planner.load_profile(path) or planner.parse_profile(dict)",
        )
    check_as_of(as_of, "as_of")
    if horizon is not None and (
        isinstance(horizon, bool) or not isinstance(horizon, int) or not 1 <= horizon <= MAX_HORIZON
    ):
        raise InputError(
            f"horizon {horizon!r} is not a whole number of months from 1 to {MAX_HORIZON}",
            field="horizon",
            hint=f"give 1 to {MAX_HORIZON} months, or None for the profile's horizon_months",
        )
    if isinstance(alternatives, bool) or not isinstance(alternatives, int) or not 0 <= alternatives <= MAX_ALTERNATIVES:
        raise InputError(
            f"alternatives {alternatives!r} is not a whole number from 0 to {MAX_ALTERNATIVES}",
            field="alternatives",
            hint=f"give 0 to {MAX_ALTERNATIVES}",
        )


def check_as_of(as_of: object, field: str = "--as-of") -> date:
    """The plan date, checked: a ``date`` between :data:`EARLIEST_PLAN_DATE` and :data:`LATEST_PLAN_DATE`."""
    if not isinstance(as_of, date):
        raise InputError(
            f"{field} must be a date, not {type(as_of).__name__}",
            field=field,
            hint="give a datetime.date, e.g. date(2026, 12, 3)",
        )
    if isinstance(as_of, datetime):
        as_of = as_of.date()
    if not EARLIEST_PLAN_DATE <= as_of <= LATEST_PLAN_DATE:
        raise InputError(
            f"{as_of} is outside the dates the planner plans from ({EARLIEST_PLAN_DATE} to {LATEST_PLAN_DATE})",
            field=field,
            hint="give a date in that range, e.g. today's",
        )
    return as_of


MIN_AGE = 16
"""The youngest age a plan is made for (a skilled worker's profile; younger is a mistyped birth date)."""


def check_profile(profile: Profile, as_of: date, source: str = "profile") -> Profile:
    """Raise ProfileError for values that are impossible on ``as_of`` or unknown to the rules; return the profile.

    Impossible: a birth date on or after the plan date or under :data:`MIN_AGE`, a job, test
    or credential before the person was born, a permit that has already ended, test scores
    outside the test's scale, unknown NOC codes or permit names, and a Canadian citizen or
    permanent resident (who needs no route). (A test or job after the plan date is not: it
    simply does not count yet, as when past rules are read with ``--as-of``.)
    """

    def fail(message: str, field: str, hint: str):
        raise ProfileError(message, file=source, field=field, hint=hint)

    if profile.birth_date >= as_of:
        fail(
            f"birth date {profile.birth_date} is not before the as-of date {as_of}",
            "birth_date",
            "check the year, or pass a later --as-of",
        )
    if age_on(profile.birth_date, as_of) < MIN_AGE:
        fail(
            f"birth date {profile.birth_date} makes the person {age_on(profile.birth_date, as_of)} on {as_of}",
            "birth_date",
            f"plans are made for people aged {MIN_AGE} or more: check the year",
        )
    _not_canadian(profile, fail)
    people = [("", profile.birth_date, profile.language_tests, profile.work_history, profile.education)]
    if profile.spouse is not None:
        spouse = profile.spouse
        people.append(("spouse.", spouse.birth_date, spouse.language_tests, spouse.work_history, spouse.education))
        if spouse.birth_date is not None and spouse.birth_date >= as_of:
            fail(f"spouse birth date {spouse.birth_date} is not before {as_of}", "spouse.birth_date", "check the year")
    for prefix, born, tests, jobs, education in people:
        _check_history(prefix, born, tests, jobs, education, as_of, source, fail)
    if profile.job_offer is not None:
        noc.require_known(profile.job_offer.noc, source, "job_offer.noc")
    _check_status(profile, as_of, fail)
    return profile


def _not_canadian(profile: Profile, fail) -> None:
    if "CA" in profile.citizenships:
        fail(
            "a Canadian citizen needs no route to permanent residence",
            "citizenships",
            "list the person's other citizenships only if they are not Canadian",
        )
    if profile.status_in_canada.status in ("permanent_resident", "citizen"):
        fail(
            f"status '{profile.status_in_canada.status}': this person already holds permanent residence",
            "status_in_canada.status",
            "plans are for people who do not yet hold permanent residence",
        )


def _check_history(prefix, born, tests, jobs, education, as_of: date, source: str, fail) -> None:
    """Tests, jobs and credentials: scores on the test's scale, known NOC codes, nothing before birth."""
    for i, test in enumerate(tests):
        check_scores(test, source, f"{prefix}language_tests[{i}]")
        if born is not None and test.date < born:
            fail(
                f"a test dated {test.date}, before the birth date {born}",
                f"{prefix}language_tests[{i}].date",
                "check the year",
            )
    for i, job in enumerate(jobs):
        noc.require_known(job.noc, source, f"{prefix}work_history[{i}].noc")
        if born is not None and job.start < born:
            fail(
                f"a job starting {job.start}, before the birth date {born}",
                f"{prefix}work_history[{i}].start",
                "check the year",
            )
    for i, credential in enumerate(education):
        if born is not None and credential.completed < born:
            fail(
                f"a credential completed {credential.completed}, before the birth date {born}",
                f"{prefix}education[{i}].completed",
                "check the year",
            )


def _check_status(profile: Profile, as_of: date, fail) -> None:
    """A permit named in the profile is one the rules know, and has not already ended."""
    current = profile.status_in_canada
    if current.status == "worker" and current.permit and catalogue().permit_program(current.permit) is None:
        names = sorted(
            {
                name
                for p in catalogue().programs
                if p.grants is not None
                for name in (p.id, *p.aliases, p.id.rsplit(".", 1)[-1])
            }
        )
        close = difflib.get_close_matches(current.permit, names, n=3, cutoff=0.5)
        fail(
            f"unknown permit '{current.permit}'",
            "status_in_canada.permit",
            f"did you mean {' or '.join(close)}?" if close else "run 'planner programs' for the permit ids",
        )
    if (
        current.status in ("worker", "student", "visitor")
        and current.valid_until is not None
        and current.valid_until < as_of
    ):
        fail(
            f"the {current.status} status ended on {current.valid_until}, before the plan date {as_of}",
            "status_in_canada.valid_until",
            "give the current end date; someone whose status has ended must restore it within 90 days or leave",
        )


def read_profile(path: str | Path, as_of: date) -> Profile:
    """Load a profile file and check it against the rules on ``as_of``."""
    return check_profile(load_profile(path), as_of, str(path))

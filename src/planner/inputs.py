"""Checks on a profile that need the rules or the as-of date (the schema alone cannot make them).

Impossible test scores (IELTS 9.5), unknown NOC codes, a birth date after the as-of date:
each becomes a :class:`~planner.errors.ProfileError` naming the file, the field and the fix.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from planner import noc
from planner.errors import ProfileError
from planner.language import check_scores
from planner.profile import Profile, load_profile


def check_profile(profile: Profile, as_of: date, source: str = "profile") -> Profile:
    """Raise ProfileError for values that are impossible on ``as_of`` or unknown to the rules; return the profile."""
    if profile.birth_date >= as_of:
        raise ProfileError(f"birth date {profile.birth_date} is not before the as-of date {as_of}", file=source,
                           field="birth_date", hint="check the year, or pass a later --as-of")
    people = [("", profile.language_tests, profile.work_history)]
    if profile.spouse is not None:
        people.append(("spouse.", profile.spouse.language_tests, profile.spouse.work_history))
        if profile.spouse.birth_date is not None and profile.spouse.birth_date >= as_of:
            raise ProfileError(f"spouse birth date {profile.spouse.birth_date} is not before {as_of}", file=source,
                               field="spouse.birth_date", hint="check the year")
    for prefix, tests, jobs in people:
        for i, test in enumerate(tests):
            check_scores(test, source, f"{prefix}language_tests[{i}]")
        for i, job in enumerate(jobs):
            noc.require_known(job.noc, source, f"{prefix}work_history[{i}].noc")
    if profile.job_offer is not None:
        noc.require_known(profile.job_offer.noc, source, "job_offer.noc")
    return profile


def read_profile(path: str | Path, as_of: date) -> Profile:
    """Load a profile file and check it against the rules on ``as_of``."""
    return check_profile(load_profile(path), as_of, str(path))

"""The time model: how a profile evolves month by month along a route.

Month 0 is the as-of date.  Along a route the person may move to Canada on a temporary
permit (arriving in month ``a``): from then their foreign job ends and a Canadian job in
the offered (or current) occupation starts, accruing Canadian experience while the permit
lasts.  Age advances with the calendar; language results expire two years after the test
and, when a step needs a valid result, are retaken (a step with its own time and cost).
The profile itself is never changed: :func:`project` returns a new one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from planner.dates import add_months
from planner.facts.language import convert, possible_levels, test_rules
from planner.facts.profile import JobOffer, LanguageTest, Nomination, Profile, StatusInCanada, Work
from planner.memo import per_scope
from planner.rules.process import planning


def month_date(as_of: date, month: int) -> date:
    """The calendar date of plan month ``month``."""
    return add_months(as_of, month)


@dataclass(frozen=True)
class Move:
    """Moving to Canada on a temporary permit: when the person starts working there, and in what job."""

    program: str
    status: str
    arrival_month: int
    noc: str
    hours_per_week: float
    employer: str | None
    permit_months: int | None
    province: str | None = None


def canadian_job_for(profile: Profile, as_of: date) -> tuple[str, float, str | None, str | None] | None:
    """The (occupation, weekly hours, employer, province) of a future Canadian job: the job offer's, else the latest job's.

    Without an offer the province is where the person lives in Canada now, if the profile says.
    """
    if profile.job_offer is not None:
        hours = planning().default_hours_per_week.at(as_of)
        return profile.job_offer.noc, hours, profile.job_offer.employer, profile.job_offer.province
    if profile.work_history:
        latest = max(profile.work_history, key=lambda j: (j.end or date.max, j.start))
        return latest.noc, latest.hours_per_week, latest.employer, latest.province or profile.status_in_canada.province
    return None


@dataclass(frozen=True)
class Unchanging:
    """What no route changes about the person: :func:`project` and :func:`with_retakes` leave these alone.

    ``occupations`` are every occupation the person has held or would hold in Canada;
    ``test_languages`` the languages of their tests (a retake renews a test, it never adds
    a language); ``language_levels`` every (language, levels) any of their results could
    have on a day of the plan, used or retaken with the same scores (see
    :func:`planner.facts.language.possible_levels`).
    """

    occupations: frozenset[str]
    test_languages: frozenset[str]
    job_offer: JobOffer | None
    citizenships: frozenset[str]
    language_levels: frozenset[tuple[str, tuple[int, ...]]]


def unchanging(profile: Profile, as_of: date, end: date) -> Unchanging:
    """What stays the same about ``profile`` along every route planned from ``as_of`` up to ``end``."""
    job = canadian_job_for(profile, as_of)
    levels = frozenset(
        (test_rules(t.test).language, vector)
        for t in profile.language_tests
        for vector in possible_levels(t, as_of, end)
    )
    return Unchanging(
        occupations=frozenset([j.noc for j in profile.work_history] + ([job[0]] if job else [])),
        test_languages=frozenset(test_rules(t.test).language for t in profile.language_tests),
        job_offer=profile.job_offer,
        citizenships=frozenset(profile.citizenships),
        language_levels=levels,
    )


_VALID_UNTIL = object()


def project(
    profile: Profile,
    as_of: date,
    month: int,
    move: Move | None = None,
    nominated_province: str | None = None,
    nomination_month: int | None = None,
    work_until: date | None | object = _VALID_UNTIL,
) -> Profile:
    """Return the profile as it would stand in plan month ``month`` along a route.

    ``work_until`` is the last day the current Canadian job can go on (default: the current
    permit's ``valid_until``; later when the route renews it, see :func:`planner.planning.status.current_work_end`;
    None: no end).
    """
    on = month_date(as_of, month)
    jobs: list[Work] = []
    arrived = move is not None and move.arrival_month <= month
    arrival = month_date(as_of, move.arrival_month) if arrived else None
    current = profile.status_in_canada
    until = current.valid_until if work_until is _VALID_UNTIL else work_until
    for job in profile.work_history:
        if job.end is None and arrived and not job.in_canada:
            job = _ended(job, max(job.start, arrival - timedelta(days=1)))
        elif job.end is None and job.in_canada and until is not None and until < on:
            job = _ended(job, max(job.start, until))
        jobs.append(job)
    status = current
    if arrived:
        jobs.append(_canadian_job(move.noc, move.employer, arrival, move.hours_per_week, move.province))
        status = _worker(move.program, move.province)
    update: dict = {"work_history": jobs, "status_in_canada": status}
    if nominated_province is not None and nomination_month is not None:
        update["provincial_nomination"] = Nomination(
            province=nominated_province, date=month_date(as_of, nomination_month), express_entry_linked=True
        )
    return profile.model_copy(update=update)


# A route projects the same jobs month after month: made once per plan (see planner.memo).


@per_scope
def _ended(job: Work, end: date) -> Work:
    return job.model_copy(update={"end": end})


@per_scope
def _canadian_job(noc: str, employer: str | None, start: date, hours_per_week: float, province: str | None) -> Work:
    return Work(
        noc=noc,
        employer=employer,
        country="CA",
        province=province,
        start=start,
        end=None,
        hours_per_week=hours_per_week,
    )


@per_scope
def _worker(permit: str, province: str | None) -> StatusInCanada:
    return StatusInCanada(status="worker", permit=permit, province=province)


def newest_tests(profile: Profile) -> dict[str, LanguageTest]:
    """The most recent result of each language ('en', 'fr'): the ones a plan keeps valid and retakes."""
    newest: dict[str, LanguageTest] = {}
    for test in profile.language_tests:
        language = test_rules(test.test).language
        if language not in newest or test.date > newest[language].date:
            newest[language] = test
    return newest


def with_retakes(profile: Profile, on: date) -> tuple[Profile, list[str]]:
    """Replace the newest result of each language, if expired on ``on``, by a retake with the same scores.

    Older results are left as they are (expired ones stay unusable): a retake renews the
    person's latest result, it does not revive a better old one.  Returns the new profile
    and the tests retaken (empty if none was needed).
    """
    retake = planning().language_retake.at(on)
    taken_on = add_months(on, -retake.months)
    renew = {id(test) for test in newest_tests(profile).values() if convert(test, on).expired}
    if not renew:
        return profile, []
    tests = [
        test.model_copy(update={"date": taken_on}) if id(test) in renew else test for test in profile.language_tests
    ]
    return profile.model_copy(update={"language_tests": tests}), [
        t.test for t in profile.language_tests if id(t) in renew
    ]

"""Derived facts: what a profile means on a date, computed and never typed by the user.

Age, recognised education and its tier, language levels, and years of skilled work
inside a rule's window.  Work is counted the way IRCC counts it: a year is
``hours_per_year`` hours; no more than ``max_hours_per_week`` count in any week, across
all jobs together (so overlapping jobs are not double-counted and overtime does not
shorten the year); part-time is pro-rated.  Both numbers live in
``models/federal/work_experience.yaml``.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction
from functools import lru_cache

from planner.dates import add_years
from planner.facts.profile import Education, Profile, Work
from planner.memo import active_memory, per_scope
from planner.rules import noc as noc
from planner.rules.book import rule_file
from planner.rules.schema import Dated, ModelFile
from planner.rules.vocabulary import EducationTier, Where

TIER_ORDER: tuple[EducationTier, ...] = (
    "less_than_secondary",
    "secondary",
    "one_year",
    "two_year",
    "bachelor_or_three_year",
    "two_or_more",
    "master_or_professional",
    "doctoral",
)
TIER_LABELS: dict[str, str] = {
    "less_than_secondary": "less than secondary school",
    "secondary": "secondary diploma",
    "one_year": "one-year post-secondary program",
    "two_year": "two-year post-secondary program",
    "bachelor_or_three_year": "bachelor's degree or 3+ year program",
    "two_or_more": "two or more credentials, one of 3+ years",
    "master_or_professional": "master's or entry-to-practice professional degree",
    "doctoral": "doctoral degree",
}
POST_SECONDARY_LEVELS = ("post_secondary", "bachelor", "master", "professional", "doctoral")


class WorkExperienceRules(ModelFile):
    """Schema of ``models/federal/work_experience.yaml``."""

    hours_per_year: Dated[int]
    max_hours_per_week: Dated[int]
    skilled_teers: Dated[list[int]]
    full_time_hours_per_week: Dated[int]
    arranged_employment_min_months: Dated[int | None]


def work_rules() -> WorkExperienceRules:
    """Return the work-counting rules."""
    return rule_file("federal/work_experience.yaml", WorkExperienceRules)


@dataclass(frozen=True)
class ExperienceQuery:
    """Which work counts for a rule: where, which TEERs or codes, inside which window, what is excluded."""

    where: Where
    within_years: int | None
    """The window: work in the last so many years (None: any work ever)."""
    teers: frozenset[int] | None = None
    nocs: frozenset[str] | None = None
    noc_prefixes: tuple[str, ...] | None = None
    provinces: frozenset[str] | None = None
    """Work in Canada counts only in these provinces (its ``Work.province``)."""
    exclude_self_employed: bool = False
    exclude_full_time_student: bool = False
    require_authorized: bool = False

    def __hash__(self) -> int:
        # Queries key the per-plan memory of hours; hashing their sets once keeps those look-ups cheap.
        try:
            return self._hash  # type: ignore[has-type]
        except AttributeError:
            found = hash(
                (
                    self.where,
                    self.within_years,
                    self.teers,
                    self.nocs,
                    self.noc_prefixes,
                    self.provinces,
                    self.exclude_self_employed,
                    self.exclude_full_time_student,
                    self.require_authorized,
                )
            )
            object.__setattr__(self, "_hash", found)
            return found

    def counts(self, job: Work) -> bool:
        """True if ``job`` is the kind of work this query counts."""
        if not job.paid:
            return False
        if self.where == "canada" and not job.in_canada or self.where == "abroad" and job.in_canada:
            return False
        if self.exclude_self_employed and job.self_employed:
            return False
        if self.exclude_full_time_student and job.while_full_time_student:
            return False
        if self.require_authorized and job.in_canada and not job.authorized:
            return False
        if self.provinces is not None and (not job.in_canada or job.province not in self.provinces):
            return False
        return self.occupation_matches(job.noc)

    def occupation_matches(self, code: str) -> bool:
        """True if work in occupation ``code`` is of a kind this query counts (its NOC, prefix and TEER filters)."""
        if self.nocs is not None and code not in self.nocs:
            return False
        if self.noc_prefixes is not None and not code.startswith(self.noc_prefixes):
            return False
        if self.teers is not None:
            found = noc.occupation(code)
            if found is None or found.teer not in self.teers:
                return False
        return True


@lru_cache(maxsize=256)
def shared_query(
    where: Where,
    within_years: int,
    teers: tuple[int, ...] | None = None,
    *,
    exclude_self_employed: bool = False,
    exclude_full_time_student: bool = False,
    require_authorized: bool = False,
) -> ExperienceQuery:
    """The one :class:`ExperienceQuery` for these values: scores ask for the same few queries every month."""
    return ExperienceQuery(
        where=where,
        within_years=within_years,
        teers=None if teers is None else frozenset(teers),
        exclude_self_employed=exclude_self_employed,
        exclude_full_time_student=exclude_full_time_student,
        require_authorized=require_authorized,
    )


@lru_cache(maxsize=4096)
def _window(on: date, within_years: int | None) -> tuple[date, date]:
    return (date.min if within_years is None else add_years(on, -within_years)), on


def _clipped(job: Work, start: date, end: date) -> tuple[date, date] | None:
    first = max(job.start, start)
    last = min(job.end or end, end)
    return (first, last) if first <= last else None


_HOUR_SCALE = 100
"""Weekly hours are counted in hundredths of an hour, so sums stay exact integers."""


def counted_hours(jobs: Iterable[Work], on: date, query: ExperienceQuery) -> Fraction:
    """Return the hours of work that count for ``query`` in its window ending on ``on``.

    Days are counted inclusively; each day contributes (weekly hours of all counted jobs
    active that day, capped at the weekly maximum) / 7.  Inside a :func:`planner.memo.scope`
    the running totals of a set of jobs are remembered (jobs and queries are immutable), so
    asking again for another date or window costs two look-ups.
    """
    return Fraction(counted_units(jobs, on, query), UNITS_PER_HOUR)


UNITS_PER_HOUR = 7 * _HOUR_SCALE
"""A day at w weekly hours counts w / 7 hours: in hundredths of a weekly hour per day, an hour is 700 units."""

UNITS_PER_WEEKLY_HOUR = _HOUR_SCALE
"""A day of work at one hour a week counts this many units (so a day at the weekly cap counts cap times this)."""


def counted_units(jobs: Iterable[Work], on: date, query: ExperienceQuery) -> int:
    """:func:`counted_hours` in whole units of 1/700 hour (an exact integer)."""
    cap = work_rules().max_hours_per_week.at(on) * _HOUR_SCALE
    start, end = _window(on, query.within_years)
    curve = _curve_of(jobs, query, cap)
    return curve.total_before(end.toordinal() + 1) - curve.total_before(start.toordinal())


@dataclass(frozen=True)
class _HoursCurve:
    """Capped weekly hours (in hundredths) as a step function of the day, with running totals.

    From day ``days[i]`` (an ordinal) until the next step, ``rates[i]`` hours a week count;
    ``totals[i]`` is the sum of the daily rates of all days before ``days[i]``.
    """

    days: tuple[int, ...]
    rates: tuple[int, ...]
    totals: tuple[int, ...]

    def total_before(self, day: int) -> int:
        """The sum of the daily rates of all days before ``day`` (an ordinal)."""
        i = bisect_right(self.days, day) - 1
        if i < 0:
            return 0
        return self.totals[i] + self.rates[i] * (day - self.days[i])


def _curve_of(jobs: Iterable[Work], query: ExperienceQuery, cap: int) -> _HoursCurve:
    """:func:`_hours_curve` of ``jobs``; inside a memo scope a list of jobs is looked up by identity.

    A plan asks about the same projected work history (one list object) for every month:
    keying by the list's identity spares hashing every job each time.  The memory holds
    the list, so its identity cannot pass to another object while the scope lasts.
    """
    memory = active_memory()
    if memory is None or not isinstance(jobs, list):
        return _hours_curve(tuple(jobs), query, cap)
    key = (_curve_of, id(jobs), query, cap)
    found = memory.get(key)
    if found is None:
        found = memory[key] = (jobs, _hours_curve(tuple(jobs), query, cap))
    return found[1]


@per_scope
def _hours_curve(jobs: tuple[Work, ...], query: ExperienceQuery, cap: int) -> _HoursCurve:
    steps: dict[int, int] = {}
    for job in jobs:
        if not query.counts(job) or (job.end is not None and job.end < job.start):
            continue
        hours = round(job.hours_per_week * _HOUR_SCALE)
        first = job.start.toordinal()
        steps[first] = steps.get(first, 0) + hours
        if job.end is not None:
            after = job.end.toordinal() + 1
            steps[after] = steps.get(after, 0) - hours
    days, rates, totals = [], [], []
    weekly, total = 0, 0
    for day in sorted(steps):
        if days:
            total += rates[-1] * (day - days[-1])
        weekly += steps[day]
        days.append(day)
        rates.append(min(weekly, cap))
        totals.append(total)
    return _HoursCurve(tuple(days), tuple(rates), tuple(totals))


def experience_years(jobs: Iterable[Work], on: date, query: ExperienceQuery) -> int:
    """Return completed years of counted work (hours // hours_per_year)."""
    per_year = work_rules().hours_per_year.at(on)
    return counted_units(jobs, on, query) // (per_year * UNITS_PER_HOUR)  # = floor(hours / per_year), exactly


def longest_continuous_hours(jobs: Iterable[Work], on: date, query: ExperienceQuery) -> tuple[Fraction, str | None]:
    """Return the most hours in one continuous run of work in a single occupation, and that NOC.

    Used for the FSW rule "one year of continuous work in the same occupation": jobs in
    the same NOC that touch or overlap form one run; a gap of a day or more breaks it.
    """
    start, end = _window(on, query.within_years)
    by_noc: dict[str, list[Work]] = {}
    for job in jobs:
        if query.counts(job) and _clipped(job, start, end):
            by_noc.setdefault(job.noc, []).append(job)
    best: tuple[Fraction, str | None] = (Fraction(0), None)
    for code, group in sorted(by_noc.items()):
        group = sorted(group, key=lambda j: j.start)
        run: list[Work] = []
        run_end: date | None = None
        for job in group + [None]:  # type: ignore[list-item]
            job_end = None if job is None else (job.end or on)
            if job is not None and (run_end is None or job.start <= run_end + timedelta(days=1)):
                run.append(job)
                run_end = max(run_end, job_end) if run_end else job_end
                continue
            hours = counted_hours(tuple(run), on, query)  # a new group each time: not worth remembering by identity
            if hours > best[0]:
                best = (hours, code)
            run = [job] if job is not None else []
            run_end = job_end
    return best


def most_hours_in_one_occupation(jobs: Iterable[Work], on: date, query: ExperienceQuery) -> tuple[Fraction, str | None]:
    """The most hours counted for ``query`` in any single occupation, and that NOC (months need not be continuous)."""
    jobs = list(jobs)
    best: tuple[Fraction, str | None] = (Fraction(0), None)
    for code in sorted({job.noc for job in jobs if query.counts(job)}):
        hours = counted_hours([job for job in jobs if job.noc == code], on, query)
        if hours > best[0]:
            best = (hours, code)
    return best


# --- education --------------------------------------------------------------------------


def recognised_credentials(education: Iterable[Education], on: date) -> list[Education]:
    """Credentials that count on ``on``: completed by then, and Canadian or with an ECA."""
    return [e for e in education if e.completed <= on and (e.canadian or e.eca)]


def is_three_year_or_more(credential: Education) -> bool:
    """True for a bachelor's or higher, or a post-secondary program of 3+ years."""
    if credential.level in ("bachelor", "master", "professional", "doctoral"):
        return True
    return credential.level == "post_secondary" and (credential.program_years or 0) >= 3


def single_tier(credential: Education) -> EducationTier:
    """The tier of one credential on its own."""
    match credential.level:
        case "secondary":
            return "secondary"
        case "post_secondary":
            years = credential.program_years or 1
            return "one_year" if years == 1 else "two_year" if years == 2 else "bachelor_or_three_year"
        case "bachelor":
            return "bachelor_or_three_year"
        case "master" | "professional":
            return "master_or_professional"
        case "doctoral":
            return "doctoral"
    raise ValueError(credential.level)


def education_tier(credentials: list[Education]) -> EducationTier:
    """The highest education tier the credentials give, including 'two or more, one 3+ years'."""
    best: EducationTier = "less_than_secondary"
    for credential in credentials:
        tier = single_tier(credential)
        if TIER_ORDER.index(tier) > TIER_ORDER.index(best):
            best = tier
    post_secondary = [c for c in credentials if c.level in POST_SECONDARY_LEVELS]
    if len(post_secondary) >= 2 and any(is_three_year_or_more(c) for c in post_secondary):
        if TIER_ORDER.index("two_or_more") > TIER_ORDER.index(best):
            best = "two_or_more"
    return best


def tier_at_least(tier: EducationTier, minimum: EducationTier) -> bool:
    """True if ``tier`` is ``minimum`` or higher."""
    return TIER_ORDER.index(tier) >= TIER_ORDER.index(minimum)


# --- where the person would live -------------------------------------------------------


@dataclass(frozen=True)
class Intent:
    """The provinces a person would live in, and the profile fields that say so (empty: nothing says)."""

    provinces: tuple[str, ...]
    source: str

    @property
    def known(self) -> bool:
        return bool(self.provinces)


IN_CANADA_STATUSES = ("worker", "student", "visitor")
"""Statuses of a person living in Canada on temporary status (their ``status_in_canada.province`` is where they live)."""


def intended_provinces(profile: Profile) -> Intent:
    """Where the person would live: ``preferences.provinces`` when given, else their job offer's and current province.

    A provincial nominee must intend to reside in the nominating province (IRPR 87(2)(b)),
    so a stated list is taken as complete; without one, the job offer's province and the
    province the person lives in now on temporary status count as intent.
    """
    preferred = profile.preferences.provinces
    if preferred:
        return Intent(tuple(dict.fromkeys(preferred)), "preferences.provinces")
    found, sources = [], []
    if profile.job_offer is not None and profile.job_offer.province is not None:
        found.append(profile.job_offer.province)
        sources.append("job_offer.province")
    current = profile.status_in_canada
    if current.status in IN_CANADA_STATUSES and current.province is not None:
        found.append(current.province)
        sources.append("status_in_canada.province")
    return Intent(tuple(dict.fromkeys(found)), " and ".join(sources))


# --- job offer --------------------------------------------------------------------------


def qualifying_job_offer(profile: Profile, on: date) -> tuple[bool, str]:
    """Whether the job offer is 'arranged employment' (FSW grid, CRS before 2025-03-25), and why.

    Qualifying: full-time, skilled (TEER 0-3), permanent or at least ``arranged_employment_min_months``
    long (``models/federal/work_experience.yaml``), and supported by an LMIA or made by the employer
    the person already works for in Canada on a permit.
    """
    offer = profile.job_offer
    if offer is None:
        return False, "no job offer"
    found = noc.occupation(offer.noc)
    skilled = found is not None and found.teer in work_rules().skilled_teers.at(on)
    min_months = work_rules().arranged_employment_min_months.at(on)
    long_enough = offer.permanent or (min_months is not None and (offer.duration_months or 0) >= min_months)
    working_there = profile.status_in_canada.status == "worker" and any(
        job.in_canada and job.end is None and offer.employer is not None and job.employer == offer.employer
        for job in profile.work_history
    )
    if offer.full_time and skilled and long_enough and (offer.lmia or working_there):
        basis = "LMIA-supported" if offer.lmia else "from the employer you work for in Canada"
        return True, f"qualifying job offer (NOC {offer.noc}, {basis})"
    length = "permanent" if min_months is None else f"permanent or {min_months}+ months"
    return False, (
        "job offer does not qualify as arranged employment: it must be full-time, skilled (TEER 0-3), "
        f"{length}, and LMIA-supported or from the employer you already work for in Canada"
    )

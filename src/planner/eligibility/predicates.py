"""One pure function per requirement kind: ``(params, context) -> Outcome``.

Each function only reads the profile's derived facts on the context's date and the
parameters from the program file; it returns whether the requirement is met, the value
it saw, the threshold, and — when unmet — what would change the answer.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property

from planner.dates import add_months, age_on, months_between
from planner.facts import derived as facts
from planner.facts.derived import ExperienceQuery
from planner.facts.language import LanguageResult, convert
from planner.facts.profile import JobOffer, Profile
from planner.rules import noc as noc
from planner.rules.book import rule_file
from planner.rules.process import planning
from planner.rules.requirements import (
    AgeParams,
    AnyOfParams,
    CanadianCredentialParams,
    CitizenshipParams,
    CredentialLanguageParams,
    CrsMinParams,
    EducationParams,
    ExperienceLanguageParams,
    FieldOfStudyParams,
    FswPointsParams,
    IecParticipationsParams,
    IntendedProvinceParams,
    JobOfferParams,
    LanguageParams,
    ManualCheckParams,
    OfferOrCertificateParams,
    ProfessionCredentialsParams,
    RelatedEmploymentParams,
    SettlementFundsParams,
    SpouseWorkerParams,
    StatusParams,
    WorkExperienceParams,
)
from planner.rules.schema import Dated, ModelFile, Strict
from planner.scoring import crs as crs
from planner.scoring import fsw as fsw


@dataclass(frozen=True)
class Outcome:
    """What a predicate found."""

    met: bool
    value: str
    threshold: str
    fix: str | None = None


class Context:
    """A profile on a date, with derived facts computed once and shared by all predicates."""

    def __init__(self, profile: Profile, as_of: date):
        self.profile = profile
        self.as_of = as_of

    @cached_property
    def languages(self) -> list[LanguageResult]:
        """Usable (valid, accepted, converted) language results on the date."""
        return [r for r in (convert(t, self.as_of) for t in self.profile.language_tests) if r.usable]

    @cached_property
    def crs(self) -> crs.CrsResult:
        return crs.score(self.profile, self.as_of)

    @cached_property
    def crs_total(self) -> int:
        """The CRS total (what requirements compare); the route planner's contexts look it up by score key."""
        return self.crs.total

    @cached_property
    def fsw(self) -> fsw.FswScore:
        return fsw.score(self.profile, self.as_of)

    def hours_per_year(self) -> int:
        return facts.work_rules().hours_per_year.at(self.as_of)


def experience_query(params: WorkExperienceParams, teers: list[int] | None = None) -> ExperienceQuery:
    """The work a work-experience requirement counts (with ``teers`` instead of its own, when given).

    Built once per requirement version: the route planner asks thousands of times.
    """
    key = (id(params), tuple(teers) if teers is not None else None)
    found = _queries.get(key)
    if found is None:
        query = _experience_query(params)
        if teers is not None:
            query = dataclasses.replace(query, teers=frozenset(teers))
        found = _queries[key] = (params, query)  # holding params keeps its id from being reused
    return found[1]


_queries: dict[tuple, tuple[WorkExperienceParams, ExperienceQuery]] = {}


def _experience_query(params: WorkExperienceParams) -> ExperienceQuery:
    return ExperienceQuery(
        where=params.where,
        within_years=params.within_years,
        teers=frozenset(params.teers) if params.teers is not None else None,
        nocs=frozenset(params.nocs) if params.nocs is not None else None,
        noc_prefixes=tuple(params.noc_prefixes) if params.noc_prefixes else None,
        provinces=frozenset(params.provinces) if params.provinces is not None else None,
        exclude_self_employed=params.exclude_self_employed,
        exclude_full_time_student=params.exclude_full_time_student,
        require_authorized=params.where == "canada",
    )


def _months(hours, per_year: int) -> float:
    return float(hours) * 12 / per_year


def _where_text(where: str) -> str:
    return {"canada": "in Canada", "abroad": "outside Canada", "any": "anywhere"}[where]


def _window_text(within_years: int | None) -> str:
    return "ever" if within_years is None else f"in the last {within_years} years"


def work_experience(params: WorkExperienceParams, ctx: Context) -> Outcome:
    per_year = ctx.hours_per_year()
    needed = per_year * params.min_months / 12
    query = experience_query(params)
    if params.continuous_same_occupation:
        hours, code = facts.longest_continuous_hours(ctx.profile.work_history, ctx.as_of, query)
        seen = f"{_months(hours, per_year):.1f} months continuous in one occupation" + (
            f" (NOC {code})" if code else ""
        )
    elif params.single_occupation:
        hours, code = facts.most_hours_in_one_occupation(ctx.profile.work_history, ctx.as_of, query)
        seen = f"{_months(hours, per_year):.1f} months in one occupation" + (f" (NOC {code})" if code else "")
    else:
        hours = facts.counted_hours(ctx.profile.work_history, ctx.as_of, query)
        seen = f"{_months(hours, per_year):.1f} months ({float(hours):.0f} h)"
    kind = ("TEER " + "/".join(map(str, params.teers))) if params.teers else "qualifying"
    where = _where_text(params.where) + (f" ({', '.join(params.provinces)})" if params.provinces else "")
    one = " in one occupation" if params.single_occupation or params.continuous_same_occupation else ""
    threshold = (
        f"{params.min_months} months ({needed:.0f} h) of {kind} work{one} {where} {_window_text(params.within_years)}"
    )
    met = hours >= needed
    fix = None if met else f"{(needed - float(hours)) * 12 / per_year:.1f} more months of full-time qualifying work"
    return Outcome(met, seen, threshold, fix)


def _levels(result: LanguageResult) -> str:
    return result.describe()


def _meets(result: LanguageResult, minimums: dict[str, int]) -> bool:
    return all(result.levels[a] >= level for a, level in minimums.items())


LANGUAGES_OF = {"any": ("en", "fr"), "english": ("en",), "french": ("fr",)}
"""The test languages a language requirement's ``language`` accepts."""


def _language_choices(params_language: str, ctx: Context) -> list[LanguageResult]:
    wanted = LANGUAGES_OF[params_language]
    return [r for r in ctx.languages if r.language in wanted]


def language(params: LanguageParams, ctx: Context) -> Outcome:
    choices = _language_choices(params.language, ctx)
    threshold = ", ".join(f"{a} {level}" for a, level in params.min_clb.items())
    threshold = f"CLB/NCLC {threshold}"
    best = next((r for r in choices if _meets(r, params.min_clb)), None)
    if best is not None:
        return Outcome(True, _levels(best), threshold)
    seen = "; ".join(_levels(r) for r in choices) or "no valid language test"
    return Outcome(False, seen, threshold, f"take an approved test and reach {threshold}")


def experience_language(params: ExperienceLanguageParams, ctx: Context) -> Outcome:
    per_year = ctx.hours_per_year()
    needed = per_year * params.experience.min_months / 12
    seen_parts, gaps = [], []
    best = max((r.minimum for r in ctx.languages), default=0)
    for option in params.options:
        query = experience_query(params.experience, teers=option.teers)
        hours = facts.counted_hours(ctx.profile.work_history, ctx.as_of, query)
        teers = "/".join(map(str, option.teers))
        seen_parts.append(f"TEER {teers}: {_months(hours, per_year):.1f} months, best CLB {best}")
        if hours >= needed and best >= option.min_clb:
            return Outcome(True, "; ".join(seen_parts), f"CLB {option.min_clb} in all four for TEER {teers} experience")
        months_short = max(0.0, (needed - float(hours)) * 12 / per_year)
        missing = (
            [f"{months_short:.1f} more months of TEER {teers} work {_where_text(params.experience.where)}"]
            if months_short > 0
            else []
        ) + ([f"CLB {option.min_clb} in all four abilities"] if best < option.min_clb else [])
        gaps.append(((months_short, best < option.min_clb), len(option.teers), " and ".join(missing)))
    # Every way to close the gap, except one needing the same as another option open to more TEERs.
    fixes = [text for gap, width, text in gaps if not any(g == gap and w > width for g, w, _ in gaps)]
    thresholds = " or ".join(
        f"CLB {o.min_clb} with TEER {'/'.join(map(str, o.teers))} experience" for o in params.options
    )
    return Outcome(False, "; ".join(seen_parts), thresholds, ", or ".join(fixes))


def education(params: EducationParams, ctx: Context) -> Outcome:
    recognised = facts.recognised_credentials(ctx.profile.education, ctx.as_of)
    tier = facts.education_tier(recognised)
    met = facts.tier_at_least(tier, params.min_tier)
    unassessed = [e for e in ctx.profile.education if not e.canadian and not e.eca]
    fix = None
    if not met:
        fix = (
            "get an Educational Credential Assessment for your foreign credential"
            if unassessed
            else f"complete at least a {facts.TIER_LABELS[params.min_tier]}"
        )
    return Outcome(
        met,
        facts.TIER_LABELS[tier] + (" (foreign credentials without ECA ignored)" if unassessed else ""),
        f"at least {facts.TIER_LABELS[params.min_tier]}, Canadian or with an ECA",
        fix,
    )


def fsw_points(params: FswPointsParams, ctx: Context) -> Outcome:
    result = ctx.fsw
    breakdown = ", ".join(f"{line['factor']} {line['points']}" for line in result.lines)
    short = result.pass_mark - result.total
    fix = (
        None
        if result.passes
        else f"{short} more grid point{'s' if short > 1 else ''} (e.g. higher language levels or more experience)"
    )
    return Outcome(result.passes, f"{result.total} points ({breakdown})", f"{result.pass_mark} points", fix)


class FundsTable(Strict):
    """Funds by family size (index 0 = one person) and the amount for each further member."""

    by_family_size: list[int]
    each_additional: int


class ProofOfFundsFile(ModelFile):
    """Schema of ``models/federal/proof_of_funds.yaml``."""

    funds: Dated[FundsTable]


def settlement_funds(params: SettlementFundsParams, ctx: Context) -> Outcome:
    table = rule_file(params.table, ProofOfFundsFile).funds.at(ctx.as_of)
    size = ctx.profile.family_size
    amounts = table.by_family_size
    needed = amounts[size - 1] if size <= len(amounts) else amounts[-1] + table.each_additional * (size - len(amounts))
    if params.exempt_if_authorized_with_offer and ctx.profile.status_in_canada.status == "worker":
        offer, _ = facts.qualifying_job_offer(ctx.profile, ctx.as_of)
        if offer:
            return Outcome(
                True,
                "authorized to work in Canada with a valid job offer (exempt)",
                f"CAD {needed:,} for a family of {size}, unless exempt",
            )
    have = ctx.profile.settlement_funds_cad
    met = have >= needed
    return Outcome(
        met,
        f"CAD {have:,.0f}",
        f"CAD {needed:,} for a family of {size}",
        None if met else f"show CAD {needed - have:,.0f} more in settlement funds",
    )


def intended_province(params: IntendedProvinceParams, ctx: Context) -> Outcome:
    intent = facts.intended_provinces(ctx.profile)
    if params.not_in:
        threshold = "intending to live outside " + ", ".join(params.not_in)
    else:
        threshold = "intending to live in " + " or ".join(params.allowed or [])
    if not intent.known:
        assumed = "outside " + ", ".join(params.not_in) if params.not_in else " or ".join(params.allowed or [])
        return Outcome(
            True,
            f"no province named in the profile (assumed: you would live {'' if params.not_in else 'in '}{assumed})",
            threshold,
        )
    ok = [p for p in intent.provinces if p not in params.not_in and (params.allowed is None or p in params.allowed)]
    seen = "would live in " + ", ".join(intent.provinces) + f" ({intent.source})"
    wanted = " or ".join(params.allowed) if params.allowed else "a province other than " + ", ".join(params.not_in)
    return Outcome(
        bool(ok),
        seen,
        threshold,
        None if ok else f"only if you would live in {wanted}: then list it in preferences.provinces",
    )


def offer_or_certificate(params: OfferOrCertificateParams, ctx: Context) -> Outcome:
    profile = ctx.profile
    if profile.trade_certificate is not None:
        return Outcome(
            True,
            f"certificate of qualification ({profile.trade_certificate.trade}, {profile.trade_certificate.province})",
            "a trade job offer or a Canadian certificate of qualification",
        )
    offer = profile.job_offer
    in_trade = offer is not None and (params.noc_prefixes is None or offer.noc.startswith(tuple(params.noc_prefixes)))
    long_enough = offer is not None and (offer.permanent or (offer.duration_months or 0) >= params.offer_min_months)
    met = bool(in_trade and long_enough and offer.full_time)
    return Outcome(
        met,
        f"job offer NOC {offer.noc}" if offer else "no job offer and no certificate",
        f"a full-time trade job offer of {params.offer_min_months}+ months, or a certificate of qualification",
        None if met else "get a certificate of qualification or a qualifying trade job offer",
    )


def citizenship(params: CitizenshipParams, ctx: Context) -> Outcome:
    held = ctx.profile.citizenships
    met = any(c in params.any_of for c in held)
    return Outcome(
        met,
        "citizen of " + ", ".join(held),
        "citizen of " + " or ".join(params.any_of),
        None
        if met
        else "only citizens of " + ", ".join(params.any_of) + " qualify (permanent residence there does not count)",
    )


def age(params: AgeParams, ctx: Context) -> Outcome:
    years = age_on(ctx.profile.birth_date, ctx.as_of)
    limit = params.max_age
    if params.max_age_by_citizenship is not None:
        limits = [
            params.max_age_by_citizenship[c] for c in ctx.profile.citizenships if c in params.max_age_by_citizenship
        ]
        if not limits:
            return Outcome(
                False,
                f"age {years}; citizen of {', '.join(ctx.profile.citizenships)}",
                "citizen of a participating country",
                "not open to your citizenship",
            )
        limit = max(limits)
    low_ok = params.min_age is None or years >= params.min_age
    high_ok = limit is None or years <= limit
    bounds = " to ".join(str(b) for b in (params.min_age, limit) if b is not None)
    return Outcome(
        low_ok and high_ok, f"age {years}", f"age {bounds}", None if low_ok and high_ok else "outside the age limits"
    )


def job_offer(params: JobOfferParams, ctx: Context) -> Outcome:
    offer = ctx.profile.job_offer
    wanted = "a job offer"
    if offer is None:
        return Outcome(False, "no job offer", wanted, "get a job offer from a Canadian employer")
    annual_hours = planning().annual_hours_for_wages.at(ctx.as_of)
    hourly = offer.hourly_wage_cad or (offer.annual_salary_cad / annual_hours if offer.annual_salary_cad else None)
    place, terms = _offer_problems(params, offer)
    wage = []
    floor = params.min_hourly_wage_cad
    if params.min_hourly_wage_by_noc and offer.noc in params.min_hourly_wage_by_noc:
        floor = params.min_hourly_wage_by_noc[offer.noc]
    if floor is not None and (hourly is None or hourly < floor - 1e-9):
        wage.append(f"wage {'unknown' if hourly is None else f'${hourly:.2f}/h'} below ${floor:.2f}/h")
    problems = place + wage + terms
    seen = (
        f"offer NOC {offer.noc}"
        + (f", ${hourly:.2f}/h" if hourly else "")
        + (f", {offer.province}" if offer.province else "")
    )
    return Outcome(not problems, seen, "job offer: " + _offer_threshold(params), "; ".join(problems) or None)


def offer_never_meets(params: JobOfferParams, offer: JobOffer | None) -> bool:
    """True if ``offer`` fails a job-offer requirement on any date: no offer, or a problem other than the wage.

    Nothing along a route changes the offer; only the wage test reads the date (the hours
    a year that turn a salary into an hourly wage).
    """
    if offer is None:
        return True
    place, terms = _offer_problems(params, offer)
    return bool(place or terms)


def _offer_problems(params: JobOfferParams, offer: JobOffer) -> tuple[list[str], list[str]]:
    """What keeps ``offer`` from meeting the requirement, except its wage: (occupation and place, terms)."""
    problems = []
    found = noc.occupation(offer.noc)
    if params.teers is not None and (found is None or found.teer not in params.teers):
        problems.append(f"TEER {found.teer if found else '?'} not in {params.teers}")
    if params.nocs is not None and offer.noc not in params.nocs:
        problems.append(f"NOC {offer.noc} not on the list")
    if params.noc_prefixes is not None and not offer.noc.startswith(tuple(params.noc_prefixes)):
        problems.append(f"NOC {offer.noc} not in groups {', '.join(params.noc_prefixes)}")
    if params.provinces is not None and offer.province not in params.provinces:
        problems.append(f"province {offer.province} not in {', '.join(params.provinces)}")
    terms = []
    if params.min_annual_salary_cad is not None and (offer.annual_salary_cad or 0) < params.min_annual_salary_cad:
        terms.append(f"salary below ${params.min_annual_salary_cad:,.0f}")
    if params.permanent_or_min_months is not None and not (
        offer.permanent or (offer.duration_months or 0) >= params.permanent_or_min_months
    ):
        terms.append(f"not permanent or {params.permanent_or_min_months}+ months")
    if params.permanent and not offer.permanent:
        terms.append("not permanent (an indeterminate offer is needed)")
    if params.full_time and not offer.full_time:
        terms.append("not full-time")
    if params.lmia is not None and offer.lmia != params.lmia:
        terms.append("LMIA " + ("missing" if params.lmia else "present"))
    if params.gts_referral is not None and offer.gts_referral != params.gts_referral:
        terms.append("no designated-partner referral" if params.gts_referral else "referral present")
    return problems, terms


def _offer_threshold(params: JobOfferParams) -> str:
    parts = []
    if params.teers is not None:
        parts.append("TEER " + "/".join(map(str, params.teers)))
    if params.nocs is not None:
        parts.append(f"one of {len(params.nocs)} listed occupations")
    if params.noc_prefixes is not None:
        parts.append("NOC groups " + ", ".join(params.noc_prefixes))
    if params.provinces is not None:
        parts.append("in " + ", ".join(params.provinces))
    if params.min_hourly_wage_cad is not None:
        parts.append(f"at least ${params.min_hourly_wage_cad:.2f}/h")
    if params.min_hourly_wage_by_noc:
        parts.append("occupation wage floor")
    if params.permanent_or_min_months is not None:
        parts.append(f"permanent or {params.permanent_or_min_months}+ months")
    if params.permanent:
        parts.append("permanent (indeterminate)")
    return ", ".join(parts) or "any"


_ENTITY_TEXT = {
    "existing": "a related company with an existing Canadian parent, subsidiary, branch or affiliate",
    "new_office": "a company sending you to open its first Canadian office",
}


def related_employment(params: RelatedEmploymentParams, ctx: Context) -> Outcome:
    start = add_months(ctx.as_of, -12 * params.within_years)
    full_time = facts.work_rules().full_time_hours_per_week.at(ctx.as_of)
    best_months = 0
    for job in ctx.profile.work_history:
        related = job.canadian_related_entity if params.canadian_entity == "existing" else job.opening_canadian_office
        if not related or job.role not in params.roles or job.hours_per_week < full_time:
            continue
        first, last = max(job.start, start), min(job.end or ctx.as_of, ctx.as_of)
        if first <= last:
            best_months = max(best_months, months_between(first, last + timedelta(days=1)))
    met = best_months >= params.min_months
    entity = _ENTITY_TEXT[params.canadian_entity]
    fix = None
    if not met:
        fix = (
            f"{params.min_months - best_months} more months with {entity}"
            if best_months
            else f"only for full-time {', '.join(params.roles)} employees of {entity}"
        )
    return Outcome(
        met,
        f"{best_months} months continuous full-time with {entity}",
        f"{params.min_months} months continuous full-time in the last {params.within_years} years as "
        f"{', '.join(params.roles)} with {entity}",
        fix,
    )


def canadian_credential(params: CanadianCredentialParams, ctx: Context) -> Outcome:
    for credential in ctx.profile.education:
        if not credential.canadian or credential.level == "secondary" or credential.completed > ctx.as_of:
            continue
        months = credential.length_months
        recent = (
            params.completed_within_months is None
            or months_between(credential.completed, ctx.as_of) <= params.completed_within_months
        )
        if months >= params.min_program_months and recent:
            return Outcome(
                True,
                f"Canadian {credential.level} completed {credential.completed}",
                f"Canadian post-secondary program of {params.min_program_months}+ months",
            )
    return Outcome(
        False,
        "no qualifying Canadian credential",
        f"Canadian post-secondary program of {params.min_program_months}+ months",
        "complete a Canadian post-secondary program",
    )


def status(params: StatusParams, ctx: Context) -> Outcome:
    current = ctx.profile.status_in_canada
    met = (
        current.status in params.statuses
        and (params.permits is None or current.permit in params.permits)
        and (params.provinces is None or current.province in params.provinces)
    )
    seen = (
        f"status {current.status}"
        + (f" ({current.permit})" if current.permit else "")
        + (f" in {current.province}" if current.province else "")
    )
    wanted = (
        "status "
        + " or ".join(params.statuses)
        + (f" with {' or '.join(params.permits)}" if params.permits else "")
        + (f", living in {' or '.join(params.provinces)}" if params.provinces else "")
    )
    return Outcome(met, seen, wanted, None if met else f"only for people with {wanted}")


def crs_min(params: CrsMinParams, ctx: Context) -> Outcome:
    total = ctx.crs_total
    met = total >= params.min_points
    return Outcome(
        met, f"CRS {total}", f"CRS {params.min_points}", None if met else f"{params.min_points - total} more CRS points"
    )


def spouse_worker(params: SpouseWorkerParams, ctx: Context) -> Outcome:
    spouse = ctx.profile.spouse
    if spouse is None:
        return Outcome(False, "no spouse", "spouse working in Canada", "only for spouses of eligible workers")
    jobs = [j for j in spouse.work_history if j.in_canada and j.end is None]
    teers = [noc.occupation(j.noc).teer for j in jobs if noc.occupation(j.noc)]
    status_ = getattr(spouse, "status_in_canada", None)
    left = months_between(ctx.as_of, status_.valid_until) if status_ is not None and status_.valid_until else 0
    listed = [
        j.noc
        for j in jobs
        if params.nocs and j.noc in params.nocs or params.noc_prefixes and j.noc.startswith(tuple(params.noc_prefixes))
    ]
    met = (any(t in params.teers for t in teers) or bool(listed)) and left >= params.min_months_left
    occupations = (
        f"TEER {'/'.join(map(str, params.teers))}"
        + (f" or NOC {', '.join(params.nocs)}" if params.nocs else "")
        + (f" or NOC groups {', '.join(params.noc_prefixes)}" if params.noc_prefixes else "")
    )
    return Outcome(
        met,
        f"spouse job TEER {teers or 'none'}, {left} months left on permit",
        f"spouse working in {occupations} with {params.min_months_left}+ months left",
        None if met else "spouse must hold a qualifying work permit",
    )


# Experience counted for a profession has no window: "3 years' experience" in the treaty text has no recency limit.
_NO_WINDOW_YEARS = 100


def profession_credentials(params: ProfessionCredentialsParams, ctx: Context) -> Outcome:
    offer = ctx.profile.job_offer
    names = " / ".join(p.name for p in params.professions)
    threshold = f"a job in a listed profession ({names}) with that profession's credentials"
    if offer is None:
        return Outcome(False, "no job offer", threshold, "get a pre-arranged job in a listed profession")
    matching = [p for p in params.professions if p.nocs is None or offer.noc in p.nocs]
    if not matching:
        return Outcome(
            False,
            f"offer NOC {offer.noc} is not mapped to a listed profession",
            threshold,
            "the job must fall under one of the listed professions",
        )
    credentials = [
        e
        for e in ctx.profile.education
        if e.completed <= ctx.as_of and (not params.foreign_credentials_need_eca or e.canadian or e.eca)
    ]
    tier = facts.education_tier(credentials)
    per_year = ctx.hours_per_year()
    seen = []
    for profession in matching:
        query = ExperienceQuery(
            where="any",
            within_years=_NO_WINDOW_YEARS,
            nocs=frozenset(profession.nocs if profession.nocs is not None else [offer.noc]),
        )
        months = _months(facts.counted_hours(ctx.profile.work_history, ctx.as_of, query), per_year)
        seen.append(f"{profession.name}: {facts.TIER_LABELS[tier]}, {months:.1f} months in the profession")
        for option in profession.options:
            tier_ok = option.min_tier is None or facts.tier_at_least(tier, option.min_tier)
            months_ok = option.min_experience_months is None or months >= option.min_experience_months
            if tier_ok and months_ok:
                return Outcome(True, "; ".join(seen), threshold)
    wanted = " or ".join(
        " + ".join(
            part
            for part in (
                facts.TIER_LABELS[o.min_tier] if o.min_tier else None,
                f"{o.min_experience_months} months' experience" if o.min_experience_months else None,
            )
            if part
        )
        or "no credential"
        for p in matching
        for o in p.options
    )
    return Outcome(False, "; ".join(seen), threshold, f"needs {wanted}")


def credential_language(params: CredentialLanguageParams, ctx: Context) -> Outcome:
    if not params.options:
        return Outcome(True, "no language requirement on this date", "none")
    threshold = " or ".join(
        f"CLB/NCLC {o.min_clb} in all four with a Canadian {'/'.join(o.levels)}" for o in params.options
    )
    credentials = [e for e in ctx.profile.education if e.canadian and e.completed <= ctx.as_of]
    needed = [o.min_clb for e in credentials for o in params.options if e.level in o.levels]
    best = max((r.minimum for r in ctx.languages), default=0)
    if not needed:
        return Outcome(
            False,
            "no Canadian credential of a listed level",
            threshold,
            "complete a Canadian credential of a listed level",
        )
    required = min(needed)
    met = best >= required
    return Outcome(
        met,
        f"best valid test: CLB/NCLC {best} (lowest ability)",
        threshold,
        None if met else f"reach CLB/NCLC {required} in all four abilities",
    )


def latest_canadian_credential(profile: Profile, on: date):
    """The most recently completed Canadian post-secondary credential on ``on`` (None if there is none)."""
    done = [e for e in profile.education if e.canadian and e.level != "secondary" and e.completed <= on]
    return max(done, key=lambda e: e.completed, default=None)


def field_of_study(params: FieldOfStudyParams, ctx: Context) -> Outcome:
    credential = latest_canadian_credential(ctx.profile, ctx.as_of)
    exempt = ", ".join(params.exempt_levels) or "none"
    threshold = (
        f"a field of study on IRCC's list, for programs whose study permit was applied for on or after "
        f"{params.study_permits_from} (exempt: {exempt})"
    )
    if credential is None:
        return Outcome(
            False, "no Canadian post-secondary credential", threshold, "complete a Canadian post-secondary program"
        )
    if credential.level in params.exempt_levels:
        return Outcome(True, f"{credential.level} (exempt)", threshold)
    applied = credential.study_permit_applied
    if applied is not None and applied < params.study_permits_from:
        return Outcome(True, f"study permit applied for on {applied} (before the rule)", threshold)
    if credential.pgwp_eligible_field:
        return Outcome(True, "field of study on the list (as the profile says)", threshold)
    if credential.pgwp_eligible_field is False:
        return Outcome(
            False,
            "field of study not on the list (as the profile says)",
            threshold,
            "only programs in a listed field of study qualify",
        )
    return Outcome(
        False,
        "not recorded whether the field of study is on the list",
        threshold,
        "check the program's CIP code against IRCC's field-of-study list and set "
        "education[].pgwp_eligible_field (and study_permit_applied)",
    )


def iec_participations(params: IecParticipationsParams, ctx: Context) -> Outcome:
    limits = [params.max_by_citizenship[c] for c in ctx.profile.citizenships if c in params.max_by_citizenship]
    done = ctx.profile.iec_participations
    if not limits:
        return Outcome(
            False,
            f"{done} past participation(s); citizen of {', '.join(ctx.profile.citizenships)}",
            "citizen of a participating country",
            "not open to your citizenship",
        )
    allowed = max(limits)
    met = done < allowed
    return Outcome(
        met,
        f"{done} past participation(s)",
        f"fewer than {allowed} past participation(s)",
        None if met else "you have used every participation your citizenship allows",
    )


def any_of(params: AnyOfParams, ctx: Context) -> Outcome:
    outcomes = [(option, PREDICATES[option.kind](option.params, ctx)) for option in params.options]
    met = any(outcome.met for _, outcome in outcomes)
    seen = "; ".join(
        f"{option.label}: {'yes' if outcome.met else 'no'} ({outcome.value})" for option, outcome in outcomes
    )
    threshold = " or ".join(option.label for option, _ in outcomes)
    fixes = [outcome.fix for _, outcome in outcomes if outcome.fix]
    return Outcome(met, seen, threshold, None if met else " or ".join(fixes) or None)


def manual_check(params: ManualCheckParams, ctx: Context) -> Outcome:
    return Outcome(False, "not recorded in the profile", params.check, f"check this yourself: {params.check}")


PREDICATES: dict[str, Callable[[object, Context], Outcome]] = {
    "work_experience": work_experience,
    "language": language,
    "experience_language": experience_language,
    "education": education,
    "fsw_points": fsw_points,
    "settlement_funds": settlement_funds,
    "intended_province": intended_province,
    "offer_or_certificate": offer_or_certificate,
    "citizenship": citizenship,
    "age": age,
    "job_offer": job_offer,
    "related_employment": related_employment,
    "canadian_credential": canadian_credential,
    "status": status,
    "crs_min": crs_min,
    "spouse_worker": spouse_worker,
    "profession_credentials": profession_credentials,
    "credential_language": credential_language,
    "field_of_study": field_of_study,
    "iec_participations": iec_participations,
    "manual_check": manual_check,
    "any_of": any_of,
}

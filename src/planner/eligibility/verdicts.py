"""Evaluate a program's requirements for a profile on a date, keeping every verdict.

Each requirement gives a :class:`Verdict`: met or not, the value seen, the threshold,
the date its rule took effect, its citation, and what would change the answer.
"""

from __future__ import annotations

from datetime import date, timedelta

from pydantic import BaseModel, ConfigDict

from planner.eligibility.predicates import LANGUAGES_OF, PREDICATES, Context, experience_query, offer_never_meets
from planner.facts import derived as facts
from planner.facts.profile import Profile
from planner.rules.vocabulary import ABILITIES
from planner.facts.timeline import Unchanging
from planner.rules.catalogue import Catalogue, ProgramFile, catalogue
from planner.rules.schema import Certainty, Reference


class Verdict(BaseModel):
    """The outcome of one requirement on one date."""

    model_config = ConfigDict(frozen=True)

    requirement: str
    kind: str
    label: str
    met: bool
    value: str
    threshold: str
    fix: str | None = None
    as_of: date
    effective: date | None
    rule: str
    references: list[Reference]
    certainty: Certainty = "confirmed"
    doubt: str | None = None


class ProgramEligibility(BaseModel):
    """All verdicts for one program."""

    model_config = ConfigDict(frozen=True)

    program: str
    label: str
    kind: str
    as_of: date
    eligible: bool
    verdicts: list[Verdict]

    @property
    def unmet(self) -> list[Verdict]:
        return [v for v in self.verdicts if not v.met]

    def to_json(self) -> dict:
        return self.model_dump(mode="json")


def _open_verdict(program: ProgramFile, path: str, as_of: date) -> Verdict:
    found = program.open.entry(as_of)
    is_open = bool(found and found.value)
    if found is None:
        value = f"not yet open (opens {next(iter(program.open.values))})"
    elif is_open:
        value = f"open since {found.effective}"
    else:
        value = f"closed since {found.effective}"
    return Verdict(
        requirement="program_open",
        kind="program_open",
        label=f"{program.label} accepts applications",
        met=is_open,
        value=value,
        threshold=f"open on {as_of}",
        fix=None if is_open else "this program does not accept applications on this date",
        as_of=as_of,
        effective=found.effective if found else None,
        rule=f"models/{path}#open",
        references=found.references if found else list(program.open.references),
        certainty=found.certainty if found else "confirmed",
        doubt=found.doubt if found else None,
    )


def requirement_kinds(requirement) -> frozenset[str]:
    """The requirement kinds a requirement evaluates: its own, or for ``any_of`` those of its options in every version.

    ``evaluate(..., kinds=K)`` evaluates a requirement only when all its kinds are in ``K``.
    """
    if requirement.kind != "any_of":
        return frozenset((requirement.kind,))
    return frozenset(option.kind for version in requirement.values.values() for option in version.value.options)


def evaluate(
    program: ProgramFile,
    profile: Profile,
    as_of: date,
    *,
    ctx: Context | None = None,
    cat: Catalogue | None = None,
    kinds: frozenset[str] | None = None,
) -> ProgramEligibility:
    """Evaluate every requirement of ``program`` for ``profile`` on ``as_of`` (only those of ``kinds``, if given)."""
    cat = cat or catalogue()
    ctx = ctx or Context(profile, as_of)
    path = cat.path_of(program.id)
    verdicts = [_open_verdict(program, path, as_of)]
    for requirement in program.requirements:
        if kinds is not None and not requirement_kinds(requirement) <= kinds:
            continue
        found = requirement.entry(as_of)
        if found is None or found.value is None:
            continue  # the requirement does not apply on this date (see requirements._Requirement)
        outcome = PREDICATES[requirement.kind](found.value, ctx)
        verdicts.append(
            Verdict(
                requirement=requirement.id,
                kind=requirement.kind,
                label=requirement.label,
                met=outcome.met,
                value=outcome.value,
                threshold=outcome.threshold,
                fix=None if outcome.met else outcome.fix,
                as_of=as_of,
                effective=found.effective,
                rule=f"models/{path}#{requirement.id}",
                references=found.references,
                certainty=found.certainty,
                doubt=found.doubt,
            )
        )
    return ProgramEligibility(
        program=program.id,
        label=program.label,
        kind=program.kind,
        as_of=as_of,
        eligible=all(v.met for v in verdicts),
        verdicts=verdicts,
    )


def is_eligible(program: ProgramFile, ctx: Context, kinds: frozenset[str] | None = None) -> bool:
    """True if every requirement of ``program`` (of ``kinds``, if given) is met on the context's date.

    The same predicates as :func:`evaluate`, stopping at the first unmet one and building
    no verdicts: the route planner asks this thousands of times per plan.
    """
    if not program.is_open(ctx.as_of):
        return False
    for requirement in program.requirements:
        if kinds is not None and not requirement_kinds(requirement) <= kinds:
            continue
        params = requirement.get(ctx.as_of)
        if params is not None and not PREDICATES[requirement.kind](params, ctx).met:
            return False
    return True


def cannot_become_eligible(program: ProgramFile, person: Unchanging, start: date, end: date) -> bool:
    """True if ``program`` is certainly not met on any day from ``start`` to ``end``, whatever else happens.

    An exact shortcut, not a heuristic: it reads only what no route changes (``person``).
    It holds when the program is closed on every one of those days, or when a requirement
    applies on every one of them and fails in every version in force for a reason that
    does not change: a ``manual_check`` (never met by the planner),
    months of work in occupations the person never holds, a language they have no test
    in or whose results never reach the levels asked (a retake keeps the scores, only the
    conversion tables in force can change the levels), a job offer they do not have or
    that fails on more than its wage, a citizenship they do not hold.
    """
    if not any(program.open.values_between(start, end)):
        return True
    for requirement in program.requirements:
        never = _NEVER_MET.get(requirement.kind)
        if never is not None and all(
            params is not None and never(params, person) for params in requirement.values_between(start, end)
        ):
            return True
    return False


def earliest_canadian_work_date(
    program: ProgramFile, profile: Profile, as_of: date, end: date, accrual_from: date | None
) -> date | None:
    """A lower bound on the first day ``program``'s requirements of work in Canada can be met; None if never by ``end``.

    An exact bound, not an estimate: counted hours in any window ending on a day D are at
    most those counted on ``as_of`` plus the weekly maximum for each day from
    ``accrual_from`` (the first day new Canadian work can count: tomorrow for someone
    working in Canada now, the arrival day for someone moving) to D.  It reads each
    version of the requirement, the year's hours and the weekly cap in force up to
    ``end``, taking the most favourable.  Requirements of other kinds and work outside
    Canada are not bounded (``as_of`` is returned when nothing in Canada is required).
    """
    rules = facts.work_rules()
    cap = max(rules.max_hours_per_week.values_between(as_of, end)) * facts.UNITS_PER_WEEKLY_HOUR
    per_year = min(v for v in rules.hours_per_year.values_between(as_of, end) if v is not None)
    latest = as_of
    for requirement in program.requirements:
        if requirement.kind not in ("work_experience", "experience_language"):
            continue
        soonest = None
        for params in requirement.values_between(as_of, end):
            if params is None:  # not required on some day: it does not delay the program
                soonest = as_of
                break
            work = params.experience if requirement.kind == "experience_language" else params
            if work.where != "canada":
                soonest = as_of
                break
            teer_sets = (
                [option.teers for option in params.options] if requirement.kind == "experience_language" else [None]
            )
            have = max(
                facts.counted_units(profile.work_history, as_of, experience_query(work, teers=teers))
                for teers in teer_sets
            )
            missing = per_year * work.min_months * facts.UNITS_PER_HOUR // 12 - have
            if missing <= 0:
                soonest = as_of
                break
            if accrual_from is None:
                continue
            met_on = accrual_from + timedelta(days=-(-missing // cap) - 1)  # days are counted inclusively
            soonest = met_on if soonest is None else min(soonest, met_on)
        if soonest is None or soonest > end:
            return None
        latest = max(latest, soonest)
    return latest


def _work_never_met(params, person: Unchanging) -> bool:
    return params.min_months > 0 and not any(
        experience_query(params).occupation_matches(code) for code in person.occupations
    )


def _language_never_met(params, person: Unchanging) -> bool:
    """No result in an accepted language, or none whose levels could ever reach every minimum (same scores on a retake)."""
    wanted = LANGUAGES_OF[params.language]
    minimums = [(ABILITIES.index(ability), level) for ability, level in params.min_clb.items()]
    return not any(
        language in wanted and all(levels[i] >= level for i, level in minimums)
        for language, levels in person.language_levels
    )


def _any_of_never_met(params, person: Unchanging) -> bool:
    """Every option fails on every date for what no route changes."""
    return all(
        _NEVER_MET.get(option.kind) is not None and _NEVER_MET[option.kind](option.params, person)
        for option in params.options
    )


_NEVER_MET = {
    "manual_check": lambda params, person: True,
    "any_of": _any_of_never_met,
    "work_experience": _work_never_met,
    "language": _language_never_met,
    "job_offer": lambda params, person: offer_never_meets(params, person.job_offer),
    "citizenship": lambda params, person: not person.citizenships & set(params.any_of),
}
"""Per requirement kind: does it fail on every date for what no route changes (given one version's params)."""


def evaluate_many(profile: Profile, as_of: date, program_ids: list[str] | None = None) -> list[ProgramEligibility]:
    """Evaluate several programs (all permanent federal ones by default), sharing derived facts."""
    cat = catalogue()
    ctx = Context(profile, as_of)
    programs = (
        [cat.get(pid) for pid in program_ids] if program_ids else [p for p in cat.programs if p.kind == "express_entry"]
    )
    return [evaluate(p, profile, as_of, ctx=ctx, cat=cat) for p in programs]

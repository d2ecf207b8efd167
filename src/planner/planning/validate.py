"""An independent check of a RoutePlan against the rules, used by tests (not by the solver).

It replays the plan: rebuilds the person's projected profile at each step's date from
the plan's own steps, re-evaluates each program's requirements with the eligibility
layer, and checks timing rules (horizon, permit validity, ITA deadline, language
validity, processing durations).  It returns a list of problems; empty means valid.
"""

from __future__ import annotations

from datetime import date
from itertools import pairwise

from planner.dates import add_years
from planner.eligibility.verdicts import evaluate, requirement_kinds
from planner.facts.language import validity_rules
from planner.facts.profile import Profile
from planner.facts.timeline import Move, canadian_job_for, month_date, newest_tests, project, with_retakes
from planner.planning.permits import permit_months
from planner.planning.process import permit_processing
from planner.planning.result import RoutePlan
from planner.planning.status import current_stay, current_work_end, route_stay
from planner.rules.catalogue import catalogue
from planner.rules.process import decision_processing, express_entry_process, program_processing


def validate_plan(plan: RoutePlan, profile: Profile) -> list[str]:
    """Return every way ``plan`` breaks the rules for ``profile`` (empty list: the plan is valid)."""
    if not plan.found:
        return []
    problems: list[str] = []
    cat = catalogue()
    as_of, route = plan.as_of, plan.route
    steps = route.steps
    by_kind = {}
    for step in steps:
        by_kind.setdefault(step.kind, []).append(step)
    last = steps[-1]
    if last.kind != "decision":
        problems.append("the plan does not end with a decision on permanent residence")
    if last.end_month > plan.horizon_months:
        problems.append(f"PR in month {last.end_month} is beyond the horizon of {plan.horizon_months}")
    if route.expected_months != last.end_month:
        problems.append("expected months differ from the last step's end")
    for earlier, later in pairwise(steps):
        if later.start_month < earlier.start_month:
            problems.append(f"steps out of order: {earlier.label} / {later.label}")

    move = None
    permit = by_kind.get("apply_permit", [None])[0]
    if permit is not None:
        program = cat.get(permit.program)
        grant = program.grants.get(month_date(as_of, permit.start_month)) if program.grants else None
        job = canadian_job_for(profile, as_of)
        months = permit_months(grant, profile, month_date(as_of, permit.start_month))
        move = Move(
            program.id, grant.status if grant else "worker", permit.end_month, job[0], job[1], job[2], months, job[3]
        )
        expected, _ = permit_processing(program, profile, month_date(as_of, permit.start_month))
        if permit.end_month - permit.start_month != int(expected):
            problems.append(
                f"{program.label} takes {expected} month(s) to process, the plan allows "
                f"{permit.end_month - permit.start_month}"
            )
        problems += _unmet(program, profile, as_of, permit.start_month, None, None)
    submission = by_kind.get("apply_pr", [None])[0]
    if submission is None:
        return problems + ["the plan has no PR application"]
    problems += _status_problems(profile, as_of, cat, by_kind, permit, submission, last.end_month)
    problems += _duration_problems(cat, as_of, by_kind, submission, last)

    nomination = None
    for kind in ("enter_pool", "nomination", "selection"):
        for step in by_kind.get(kind, []):
            program = cat.get(step.program)
            problems += _unmet(
                program, profile, as_of, step.start_month, move, nomination, retake=_retake_month(by_kind)
            )
            if kind == "nomination" and program.express_entry_linked:
                nomination = (program.jurisdiction.upper(), step.start_month)
    invitation = by_kind.get("invitation", [None])[0]
    if invitation is not None:
        deadline = express_entry_process().ita_deadline_days.at(month_date(as_of, invitation.end_month))
        days = (submission.end_date - submission.start_date).days
        if submission.start_month != invitation.end_month or days > deadline:
            problems.append(
                f"the application is submitted {days} days after the invitation; the deadline is {deadline} days"
            )

    problems += _language_problems(profile, as_of, steps, _retake_month(by_kind))
    return problems


def _duration_problems(cat, as_of: date, by_kind, submission, decision) -> list[str]:
    """The decision takes IRCC's processing for its application, and a nomination at least its program's processing."""
    problems = []
    selected = next(
        (cat.get(step.program) for kind in ("nomination", "selection") for step in by_kind.get(kind, [])), None
    )
    expected, _ = decision_processing(cat.get(decision.program), selected, month_date(as_of, submission.end_month))
    if decision.end_month - decision.start_month != expected or decision.start_month != submission.end_month:
        problems.append(
            f"the decision takes {decision.end_month - decision.start_month} month(s) from month "
            f"{decision.start_month}; IRCC's processing is {expected} from the submission (month "
            f"{submission.end_month})"
        )
    if selected is not None:
        step = next(step for kind in ("nomination", "selection") for step in by_kind.get(kind, []))
        least, _ = program_processing(selected, month_date(as_of, step.start_month))
        if step.end_month - step.start_month < least:
            problems.append(
                f"{selected.label} takes at least {least} month(s) to process; the plan allows "
                f"{step.end_month - step.start_month}"
            )
    return problems


def _status_problems(profile: Profile, as_of: date, cat, by_kind, permit, submission, pr: int) -> list[str]:
    """Someone in Canada holds a status in every month until the PR decision, by the plan's own steps.

    A new permit is applied for before the current one ends (maintained status covers its
    processing); the permit held is valid as issued, renewed by the plan's renewal steps (each
    applied for before the permit it renews ends, and only for a renewable permit), or bridged
    by a bridging open work permit applied for after the PR application and before the permit ends.
    """
    problems = []
    current = current_stay(profile, as_of, cat)
    if permit is not None:
        if current is not None and permit.start_month > current.ends:
            problems.append(
                f"{permit.label} is applied for in month {permit.start_month}, after the current permit "
                f"ends (month {current.ends}): the person is out of status"
            )
        stay = route_stay(cat.get(permit.program), profile, as_of, permit.start_month, permit.end_month)
        first = permit.end_month
    else:
        stay, first = current, 0
    if stay is None:
        return problems
    renewals = by_kind.get("extend_permit", [])
    if renewals and not stay.renew_months:
        problems.append("the plan renews a permit that cannot be renewed")
    for j, renewal in enumerate(sorted(renewals, key=lambda step: step.start_month)):
        if renewal.start_month > stay.end_after(j):
            problems.append(
                f"renewal {j + 1} is applied for in month {renewal.start_month}, after the permit ends "
                f"(month {stay.end_after(j)})"
            )
    valid_to = stay.end_after(len(renewals))
    bridging = by_kind.get("bridging_open_work_permit", [None])[0]
    if bridging is not None and not stay.can_bridge():
        problems.append("a bridging open work permit needs a work permit (or a worker's maintained status)")
    if bridging is not None and not submission.end_month <= bridging.start_month <= valid_to:
        problems.append(
            f"the bridging open work permit (month {bridging.start_month}) must be applied for after the PR "
            f"application (month {submission.end_month}) and while the permit is valid (to month {valid_to})"
        )
    bridged_from = bridging.start_month if bridging is not None else None
    gap = next((m for m in range(first, pr) if m > valid_to and (bridged_from is None or m < bridged_from)), None)
    if gap is None and bridged_from is None and pr > valid_to:
        gap = valid_to + 1
    if gap is not None:
        problems.append(f"in month {gap} the person is in Canada without status (the permit ends in month {valid_to})")
    return problems


def _retake_month(by_kind) -> int | None:
    retake = by_kind.get("language_retake")
    return retake[0].end_month if retake else None


def _unmet(
    program, profile: Profile, as_of: date, month: int, move, nomination, retake: int | None = None
) -> list[str]:
    projected = project(
        profile,
        as_of,
        month,
        move,
        *(nomination or (None, None)),
        work_until=current_work_end(profile, as_of, catalogue()),
    )
    on = month_date(as_of, month)
    if retake is not None and retake <= month:
        projected, _ = with_retakes(projected, on)
    result = evaluate(program, projected, on)
    return [
        f"{program.label} in month {month}: {v.label} not met ({v.value}; needs {v.threshold})"
        for v in result.verdicts
        if not v.met
    ]


def _language_problems(profile: Profile, as_of: date, steps, retake: int | None) -> list[str]:
    """Each step needing language results happens while an original or retaken result is valid."""
    if not profile.language_tests:
        return []
    years = validity_rules().validity_years.at(as_of)
    problems = []
    cat = catalogue()
    for step in steps:
        if step.kind not in ("enter_pool", "nomination", "apply_pr", "apply_permit"):
            continue
        if step.kind == "apply_permit" and not _reads_language(cat.get(step.program)):
            continue
        month = step.end_month if step.kind == "apply_pr" else step.start_month
        on = month_date(as_of, month)
        newest = newest_tests(profile)
        originals_valid = all(add_years(t.date, years) > on for t in newest.values())
        retake_valid = retake is not None and retake <= month and add_years(month_date(as_of, retake), years) > on
        if not (originals_valid or retake_valid):
            problems.append(f"language results are not valid at '{step.label}' in month {month}")
    problems += _pool_gap(profile, as_of, steps, retake, years)
    return problems


def _reads_language(program) -> bool:
    """True if a program has a requirement that reads language results."""
    return any(
        requirement_kinds(r) & {"language", "credential_language", "experience_language"} for r in program.requirements
    )


def _pool_gap(profile: Profile, as_of: date, steps, retake: int | None, years: int) -> list[str]:
    """Results that expire while the person is in the Express Entry pool are renewed before they expire."""
    entered = next((s.start_month for s in steps if s.kind == "enter_pool"), None)
    applied = next((s.end_month for s in steps if s.kind == "apply_pr"), None)
    if entered is None or applied is None:
        return []
    expires = min(add_years(t.date, years) for t in newest_tests(profile).values())
    if not month_date(as_of, entered) < expires <= month_date(as_of, applied):
        return []
    if retake is not None and month_date(as_of, retake) < expires:
        return []
    return [
        f"language results expire on {expires} while the Express Entry profile is in the pool "
        "and are not renewed before then"
    ]

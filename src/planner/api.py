"""The library entry point: ``plan(profile, objective=..., as_of=...) -> RoutePlan``.

Pipeline: profile → graph pruned for the person (programs ruled out, with reasons) →
route templates → month tables from the rules → CP-SAT → RoutePlan with dated steps,
each carrying the verdicts that allow it.
"""

from __future__ import annotations

from datetime import date

from planner import memo
from planner.eligibility.verdicts import evaluate
from planner.planning.graph import ProfileGraph, build_graph, prune_for_profile
from planner.facts.inputs import check_as_of, check_plan_arguments, check_profile
from planner.facts.profile import Profile
from planner.rules.catalogue import catalogue
from planner.planning.result import Exclusion, RoundEvidence, Route, RoutePlan, Step, current_stamp
from planner.rounds import estimate_invitation
from planner.planning.solver.model import OBJECTIVES, RouteModel, Timing
from planner.planning.status import bridging_program
from planner.rules.status import status_rules
from planner.planning.process import applies_from_inside_canada, at_port_of_entry
from planner.rules.process import express_entry_process, planning, processing_is_assumed
from planner.errors import PlannerError
from planner.planning.tables import (StepTables, States, estimate_cached, extend_tables, fee_is_known, fee_payers,
                                   last_useful_month, log_cost,
                                   start_tables, step_fees, step_probability)
from planner.planning.templates import enumerate_templates
from planner.facts.timeline import month_date, newest_tests, with_retakes


SEARCH_STEP_MONTHS = 12
"""The fastest route is searched for within 12 months, then 24, ... up to the horizon (a search setting, not a rule)."""


def prepare(profile: Profile, as_of: date, horizon: int, through: int | None = None):
    """Build the pruned graph, templates and month tables for a profile (shared by solver and tests).

    The tables are evaluated up to month ``through`` (default: the whole horizon); see
    :func:`planner.planning.tables.extend_tables` to evaluate further.
    """
    cat = catalogue()
    graph = build_graph(cat, as_of)
    pruned = prune_for_profile(graph, profile, as_of, cat)
    templates = enumerate_templates(pruned, cat)
    states = States(profile, as_of, cat, horizon)
    tables = [start_tables(t, states, horizon) for t in templates]
    for table in tables:
        extend_tables(table, states, horizon, horizon if through is None else through)
    return cat, pruned, tables, states


def plan(profile: Profile, objective: str = "fastest", as_of: date | None = None, horizon: int | None = None,
         alternatives: int = 0) -> RoutePlan:
    """Plan the best route to permanent residence for ``profile``.

    Parameters
    ----------
    profile:
        The person's situation (see :class:`planner.facts.profile.Profile`).
    objective:
        ``fastest`` (least expected months), ``probable`` (most likely within the horizon) or ``cheapest``.
    as_of:
        The date the plan starts from (default: today).
    horizon:
        Months to plan over (default: the profile's preference, else 60).
    alternatives:
        How many genuinely different other routes to return (different programs, not the same route shifted).
    """
    if objective not in OBJECTIVES:
        from planner.errors import InputError
        raise InputError(f"unknown objective {objective!r}", field="objective", hint=f"use one of {', '.join(OBJECTIVES)}")
    as_of = date.today() if as_of is None else as_of
    check_plan_arguments(profile, objective, as_of, horizon, alternatives)
    with memo.scope():
        return _plan(profile, objective, check_as_of(as_of, "as_of"), horizon, alternatives)


def _plan(profile: Profile, objective: str, as_of: date, horizon: int | None, alternatives: int) -> RoutePlan:
    check_profile(profile, as_of)
    horizon = profile.preferences.horizon_months if horizon is None else horizon
    cat, pruned, tables, states = prepare(profile, as_of, horizon, through=-1)
    once_each = {e.program: e for e in pruned.excluded}.values()  # a program on several edges is excluded once
    excluded = [Exclusion(program=e.program, label=e.label, reasons=e.reasons) for e in once_each]
    base = dict(as_of=as_of, objective=objective, horizon_months=horizon, start_status=pruned.start, excluded=excluded,
                rules_version=_rules_version(), stamp=current_stamp())
    if pruned.start == "permanent_resident":
        return RoutePlan(found=False, route=None, no_route_reasons=["you already hold permanent residence or citizenship"], **base)
    timings, meeting = _search(tables, states, horizon, objective, as_of, alternatives)
    if not timings:
        reasons, changes = explain_no_route(tables, states, pruned, profile, as_of, horizon)
        return RoutePlan(found=False, route=None, no_route_reasons=reasons, what_would_change=changes,
                         notes=_notes(profile, as_of)[1:], **base)
    routes = mark_pareto([to_route(tables[t.template_index], t, states, profile, as_of)
                          .model_copy(update={"below_minimum_probability": rank >= meeting})
                          for rank, t in enumerate(timings)])
    notes = _notes(profile, as_of) + _assumed_residence(routes, profile, as_of)
    minimum = planning().min_route_probability.at(as_of)
    if meeting == 0:
        notes.insert(0, f"No route reaches a {minimum:.0%} probability of PR within {horizon} months; "
                        "the routes shown are the most likely ones, however unlikely.")
    elif meeting < len(routes):
        notes.insert(0, f"Only {meeting} route(s) reach a {minimum:.0%} probability of PR within {horizon} months; "
                        "the others shown are the most likely below it (marked).")
    unmet = not_met_on_date(tables, routes, profile, as_of)
    changes = [f"{v.fix} (would open {e.label})" for e in unmet for v in e.reasons if v.fix]
    return RoutePlan(found=True, route=routes[0], alternatives=routes[1:], notes=notes, not_met_on_date=unmet,
                     what_would_change=list(dict.fromkeys(changes)), **base)


def not_met_on_date(tables: list[StepTables], routes: list[Route], profile: Profile, as_of: date) -> list[Exclusion]:
    """The programs of the person's route templates that no returned route uses and that are not met on ``as_of``.

    Each keeps its unmet verdicts (value, threshold, rule, fix), so a plan says why, say,
    the Federal Skilled Worker Program is not on it.  Evaluated on the profile as it
    stands, with expired results retaken; some may be met later along a route.
    """
    used = {program for route in routes for program in route.programs}
    today, _ = with_retakes(profile, as_of)
    found: dict[str, Exclusion | None] = {}
    for table in tables:
        template = table.template
        for step in (template.temp, template.pool, template.nomination):
            if step is None or step.program.id in used or step.program.id in found:
                continue
            result = evaluate(step.program, today, as_of, cat=catalogue())
            found[step.program.id] = None if result.eligible else Exclusion(
                program=step.program.id, label=step.program.label, reasons=result.unmet)
    return [exclusion for exclusion in found.values() if exclusion is not None]


def probability_floor(objective: str, as_of: date) -> int | None:
    """The largest route log-cost allowed for ``fastest``/``cheapest`` (None for ``probable``)."""
    if objective == "probable":
        return None
    return log_cost(planning().min_route_probability.at(as_of))


def _search(tables: list[StepTables], states: States, horizon: int, objective: str, as_of: date,
            alternatives: int) -> tuple[list[Timing], int]:
    """The best route's timing and up to ``alternatives`` genuinely different ones, evaluating months only as needed.

    Routes must first reach the minimum route probability (``fastest`` and ``cheapest``);
    when fewer than wanted do, the rest are the most likely routes of other programs
    (:data:`BELOW_MINIMUM_OBJECTIVE`).
    Returns (timings best first, how many of them reach the minimum: all of them for
    ``probable``, which has none).

    A template's months are evaluated only when the model reaches it (templates whose
    fixed steps alone cannot beat the routes found are never evaluated; see
    :class:`RouteModel`); templates whose fixed steps alone fall below the floor cannot
    reach it, so the first search does not evaluate their months, nor the months whose
    invitation cannot reach it (see :func:`planner.planning.tables.extend_tables`).
    """
    floor = probability_floor(objective, as_of)
    timings = _search_with(tables, states, horizon, objective, alternatives, floor, set())
    meeting = len(timings)
    if floor is not None and meeting < alternatives + 1:
        found = {tables[t.template_index].template.programs for t in timings}
        timings += _search_with(tables, states, horizon, BELOW_MINIMUM_OBJECTIVE, alternatives - meeting, None, found)
    return timings, meeting


BELOW_MINIMUM_OBJECTIVE = "probable"
"""How routes below the minimum probability are ranked: the most likely first (a planning choice, not a rule).

A fast route that most likely fails is the confident wrong advice a plan must not lead
with; among routes that all fall short, the one most likely to succeed is shown first."""


def _search_with(tables: list[StepTables], states: States, horizon: int, objective: str, alternatives: int,
                 max_log_cost: int | None, excluded: set[tuple[str, ...]]) -> list[Timing]:
    """Up to ``alternatives + 1`` best routes of program sets not in ``excluded``, within ``max_log_cost``.

    The fastest route is looked for among routes ending within 12 months, then 24, and so
    on: a route found within ``depth`` months is faster than any ending later, so later
    months need not be evaluated (each template only up to :func:`last_useful_month`), and
    a template solved with a route at one depth keeps that optimum at the next, unevaluated
    (:meth:`RouteModel.optima`).  Other objectives look at the whole horizon.
    """
    depth = min(horizon, SEARCH_STEP_MONTHS) if objective == "fastest" else horizon
    known: dict = {}  # templates already solved with a route at a shorter depth: final (see RouteModel.optima)
    while True:
        def evaluate(table, through=depth):
            extend_tables(table, states, horizon, last_useful_month(table, through), max_log_cost)

        model = RouteModel(tables, depth, objective, max_log_cost=max_log_cost, evaluate=evaluate, known=known)
        model.exclude([i for i, t in enumerate(tables) if t.template.programs in excluded])
        # Fewer program sets with any possible route than routes wanted: a deeper search is needed anyway.
        if depth < horizon and alternatives and model.possible_program_sets(alternatives + 1) < alternatives + 1:
            timings = []
            if objective == "fastest":
                model.solve_possible()  # their optima are final: the deeper search need not evaluate them again
        else:
            timings = _best_timings(model, alternatives)
        if depth == horizon or len(timings) == alternatives + 1:
            return timings
        known = model.optima()
        depth = min(horizon, depth + SEARCH_STEP_MONTHS)


def _best_timings(model: RouteModel, alternatives: int) -> list[Timing]:
    """The model's best timing, then up to ``alternatives`` using other programs."""
    tables = model.tables
    timing = model.solve()
    if timing is None:
        return []
    timings = [timing]
    seen = {tables[timing.template_index].template.programs}
    for _ in range(alternatives):
        model.exclude([i for i, t in enumerate(tables) if t.template.programs in seen])
        other = model.solve()
        if other is None:
            break
        timings.append(other)
        seen.add(tables[other.template_index].template.programs)
    return timings


def _profile_expiry_note(timing: Timing, as_of: date) -> str:
    """A warning when the expected invitation comes after the Express Entry profile has expired."""
    if timing.pool is None:
        return ""
    entered = month_date(as_of, timing.pool)
    validity = express_entry_process().profile_validity_months.at(entered)
    if timing.invitation - timing.pool <= validity:
        return ""
    return (f"; a profile expires {validity} months after it is submitted: if not invited by "
            f"{month_date(as_of, timing.pool + validity).isoformat()}, submit a new one to stay in the pool "
            "(you must still be eligible then)")


def _first_expiry(profile: Profile, as_of: date) -> date:
    """The first date one of the newest language results (those a retake renews) stops being valid."""
    from planner.facts.language import convert
    return min(convert(test, as_of).valid_until for test in newest_tests(profile).values())


def last_round_date() -> date:
    """The date of the newest Express Entry round in the history in use."""
    from planner.rounds.estimator import default_index
    return default_index().last_round


def _rules_version() -> str:
    """The planner version that read the rules."""
    from planner import __version__
    return f"planner {__version__}"


def _assumed_residence(routes: list[Route], profile: Profile, as_of: date) -> list[str]:
    """Say which province each route assumes the person would live in, when the profile names none."""
    from planner.facts.derived import intended_provinces
    if intended_provinces(profile).known:
        return []
    cat, notes = catalogue(), []
    for route in routes:
        for program_id in route.programs:
            program = cat.get(program_id)
            for requirement in program.requirements:
                params = requirement.get(as_of) if requirement.kind == "intended_province" else None
                if params is not None and params.allowed:
                    notes.append(f"{program.label} assumes you would live in {' or '.join(params.allowed)} "
                                 f"({requirement.label.lower()}); your profile names no province: list the provinces "
                                 "you would live in under preferences.provinces to plan only for those.")
    return list(dict.fromkeys(notes))


def _notes(profile: Profile, as_of: date) -> list[str]:
    notes = [f"Expected waits for invitations come from the rounds history, whose newest round is of "
             f"{last_round_date().isoformat()} (see README: invitation model)."]
    if profile.spouse is not None and profile.spouse.accompanying:
        notes.extend(_spouse_comparison(profile, as_of))
    return notes


def _spouse_comparison(profile: Profile, as_of: date) -> list[str]:
    """Say so when the spouse would score higher as the principal applicant."""
    from planner.scoring import crs as crs
    spouse = profile.spouse
    if spouse.birth_date is None or spouse.canadian_citizen_or_pr:
        return []
    swapped = profile.model_copy(update={
        "birth_date": spouse.birth_date, "education": spouse.education, "language_tests": spouse.language_tests,
        "work_history": spouse.work_history, "citizenships": spouse.citizenships or profile.citizenships,
        "first_official_language": None, "trade_certificate": None, "job_offer": None, "provincial_nomination": None,
        "spouse": spouse.model_copy(update={
            "birth_date": profile.birth_date, "education": profile.education,
            "language_tests": profile.language_tests, "work_history": profile.work_history})})
    try:
        own, theirs = crs.score(profile, as_of).total, crs.score(swapped, as_of).total
    except PlannerError:  # e.g. a rule not in force on the date: no comparison rather than no plan
        return []
    if theirs > own:
        return [f"Your spouse would be the stronger principal applicant: CRS {theirs} with your spouse as principal "
                f"against {own} with you. Consider planning with your spouse's profile as the principal."]
    return [f"You are the stronger principal applicant (CRS {own}; {theirs} with your spouse as principal)."]


def mark_pareto(routes: list[Route]) -> list[Route]:
    """Mark routes not dominated on (expected months, probability)."""
    marked = []
    for route in routes:
        dominated = any(o.expected_months <= route.expected_months and o.probability >= route.probability
                        and (o.expected_months < route.expected_months or o.probability > route.probability)
                        for o in routes if o is not route)
        marked.append(route.model_copy(update={"pareto": not dominated}))
    return marked


def to_route(tables: StepTables, timing: Timing, states: States, profile: Profile, as_of: date) -> Route:
    """Turn a solved timing into dated steps with their verdicts."""
    template = tables.template
    move = tables.moves.get(timing.arrival)
    steps: list[Step] = []
    probability = 1.0
    status = "outside Canada" if template.temp is not None or profile.status_in_canada.status != "worker" else "work permit"

    def verdicts_at(program, month, before_moving=False):
        # The projected profile comes from the tables' cache; its verdicts are evaluated afresh.
        ctx = states.context(move if month >= timing.arrival and not before_moving else None, month)
        return evaluate(program, ctx.profile, ctx.as_of, cat=states.cat).verdicts

    def add(kind, program, label, start, end, held, verdicts=(), crs=None, p=1.0, cost=0, note=None):
        nonlocal probability
        probability *= p
        steps.append(Step(kind=kind, program=program.id if program else None, label=label, start_month=start,
                          end_month=end, start_date=month_date(as_of, start), end_date=month_date(as_of, end),
                          status=held, verdicts=list(verdicts), crs=crs, probability=p, cost_cad=cost, note=note))

    payers = fee_payers(profile)
    unknown_fees: list[str] = []

    def fees(program, month):
        return step_fees(program, month_date(as_of, month), payers)

    def fee_note(program, month, note=None):
        """The note of a step that charges a fee, saying so when the plan has none for the program (not in models/).

        Entering the Express Entry pool is free, so its step is not asked.
        """
        if fee_is_known(program, month_date(as_of, month)):
            return note
        unknown_fees.append(program.label)
        missing = f"{program.label}'s own fee is not in the planner's rules (models/), so the fees shown leave it out"
        return missing if note is None else f"{note}; {missing}"

    if template.temp is not None:
        program = template.temp.program
        start = timing.arrival - tables.temp_months
        applied_on = month_date(as_of, start)
        border = at_port_of_entry(program, profile, applied_on)
        where = " at a port of entry (decided on arrival)" if border else ""
        note = None if border else (_inside_note(applied_on) if applies_from_inside_canada(program, profile)
                                    else _assumed_note(program, applied_on) or _online_note(program, applied_on))
        add("apply_permit", program, f"Apply for {program.label}{where}", start, timing.arrival, status,
            verdicts_at(program, start, before_moving=True),
            p=step_probability(program, applied_on), cost=fees(program, start),
            note=fee_note(program, start, note))
        status = states.cat.statuses[template.temp.target].label
    if timing.retake is not None:
        add("language_retake", None, "Retake the language test(s) (same scores assumed)", timing.retake,
            timing.retake + tables.retake_months, status, cost=tables.retake_cost,
            note=f"your newest results expire on {_first_expiry(profile, as_of).isoformat()}; results must be valid "
                 "at each step that needs them, and an Express Entry profile whose results expire leaves the pool")
    first_pr_side = timing.pool if timing.pool is not None else timing.nomination
    if first_pr_side is not None and first_pr_side > max(timing.arrival, 0):
        add("work", None, "Work in Canada (accrues Canadian experience)" if move or profile.status_in_canada.status == "worker"
            else "Keep working (accrues experience)", max(timing.arrival, 0), first_pr_side, status)
    if template.pool is not None:
        program = template.pool.program
        add("enter_pool", program, f"Create an Express Entry profile ({program.label})", timing.pool, timing.pool,
            status, verdicts_at(program, timing.pool), crs=states.crs(move, timing.pool), cost=fees(program, timing.pool))
    if template.nomination is not None:
        program = template.nomination.program
        entry = tables.nomination[(timing.arrival, timing.nomination)]
        applied_on = month_date(as_of, timing.nomination)
        note = entry.note if entry.note is not None else _assumed_note(program, applied_on)
        add(template.nomination.step, program, f"{'Selection' if template.nomination.step == 'selection' else 'Nomination'}: {program.label}",
            timing.nomination, timing.nominee, status, verdicts_at(program, timing.nomination),
            p=step_probability(program, applied_on) * entry.probability, cost=fees(program, timing.nomination),
            note=fee_note(program, timing.nomination, note))
    if template.invitation is not None:
        key = (timing.arrival, timing.wait_start)
        wait, _, p_inv, score = tables.invitation[key]
        window = tables.horizon_window(timing.wait_start)
        evidence, stopped = invitation_evidence(score, tables.round_types[key], as_of, window)
        add("invitation", template.invitation.program, "Wait for an invitation to apply (ITA)", timing.wait_start,
            timing.invitation, status, crs=score, p=p_inv,
            note=f"{p_inv:.0%} chance of an invitation within {window} months at CRS {score} (estimated from rounds "
                 f"until {last_round_date().isoformat()}), expected wait {wait} month(s); "
                 f"{_cutoff_text(evidence, stopped)}" + _profile_expiry_note(timing, as_of))
        steps[-1] = steps[-1].model_copy(update={"evidence": evidence})
    program = template.apply.program if template.apply else template.decision.program
    # IRCC's PR application fees, whichever program led to the application (see tables.step_charges).
    add("apply_pr", program, "Submit the permanent residence application", timing.invitation, timing.submission, status,
        cost=fees(template.decision.program, timing.submission), note=fee_note(template.decision.program, timing.submission))
    decision_median, decision_p80 = tables.decision[timing.submission]
    add("decision", template.decision.program, "Processing and decision", timing.submission, timing.pr,
        "applicant for permanent residence", p=step_probability(template.decision.program, month_date(as_of, timing.submission)))
    for kind, program, label, start, end, cost, note in keeping_status_steps(tables.stays.get(timing.arrival), timing,
                                                                            states, payers):
        add(kind, program, label, start, end, status, cost=cost, note=note)
    steps.sort(key=lambda s: (s.start_month, s.end_month))
    p80 = timing.pr - decision_median + decision_p80 + _p80_extra_wait(tables, timing)
    risky = min(steps, key=lambda s: s.probability)
    return Route(programs=list(template.programs), summary=_summary(template, states), steps=steps,
                 expected_months=timing.pr, p80_months=p80, probability=round(probability, 4),
                 cost_cad=sum(s.cost_cad for s in steps), fees_not_included=list(dict.fromkeys(unknown_fees)),
                 riskiest_step=f"{risky.label} (p={risky.probability:.2f})")


def keeping_status_steps(stay, timing: Timing, states: States, payers):
    """The steps that keep someone in Canada in status until the PR decision: renewals, then a bridging permit.

    Each renewal is applied for a month (``renewal_lead_months``) before the permit ends, so
    maintained status covers its processing; the bridging open work permit is applied for
    when the PR application is submitted, while the permit is still valid. The fees are those
    the solver counted (:func:`planner.planning.tables.keeping_status_fees`).
    """
    if stay is None:
        return []
    as_of, found = states.as_of, []
    lead = status_rules().renewal_lead_months.at(as_of)
    renewals = stay.renewals_to_reach(timing.submission)
    for j in range(renewals):
        ends, applied = stay.end_after(j), stay.end_after(j) - lead
        label = stay.program.label if stay.program is not None else "the work permit"
        found.append(("extend_permit", stay.program, f"Renew {label} before it ends", applied, ends,
                      step_fees(stay.program, month_date(as_of, applied), payers, renewal=True),
                      f"the permit ends on {stay.end_date(j, as_of).isoformat()}: applied for before then, maintained "
                      f"status keeps you working while it is processed (IRPR 183(5), 186(u)); renewed to about "
                      f"{stay.end_date(j + 1, as_of).isoformat()}"))
    if timing.pr > stay.end_after(renewals):
        on = month_date(as_of, timing.submission)
        bridging = bridging_program(states.cat, on)
        found.append(("bridging_open_work_permit", bridging, f"Apply for a {bridging.label}", timing.submission,
                      timing.submission, step_fees(bridging, on, payers),
                      f"your permit ends on {stay.end_date(renewals, as_of).isoformat()}, before the expected decision: "
                      "apply once the PR application is acknowledged and while the permit is valid, and keep working "
                      "until the decision"))
    return found


def _inside_note(on: date) -> str:
    """For a permit applied for from inside Canada: its processing is IRCC's in-Canada time, not the two-week standard."""
    from planner.rules.process import work_permit_processing
    found = work_permit_processing().in_canada.entry(on)
    source = (f"IRCC's time for work permits applied for from inside Canada ({found.value.median_months:g} months "
              f"since {found.effective})") if found else "the planner's assumption for unpublished times (models/planning.yaml)"
    return f"applied for from inside Canada: the two-week Global Skills Strategy standard does not apply; processing is {source}"


def _online_note(program, on: date) -> str | None:
    """For a permit some citizens may apply for at the border: say that this person applies online, and why."""
    rule = program.port_of_entry.entry(on) if program.port_of_entry is not None else None
    if rule is None:
        return None
    return (f"apply online from outside Canada: only citizens of {', '.join(rule.value.citizenships)} may apply at a "
            f"port of entry (since {rule.effective}; {rule.references[0].href})")


def invitation_evidence(score: int, round_types, as_of: date, window: int) -> tuple[list[RoundEvidence], list[str]]:
    """The last five rounds of each round type an invitation estimate counts on (newest first), and the
    eligible types it takes as stopped, each as 'stem (none since 2024-04-11)'."""
    estimate = estimate_invitation(score, round_types, as_of, max(window, 1))
    evidence = [RoundEvidence(round_type=item.round_type, date=day, cutoff=cutoff)
                for item in estimate.contributions if any(item.rounds_in_lookback)
                for day, cutoff in item.recent_cutoffs]
    stopped = [f"{item.round_type} (none since {item.recent_cutoffs[0][0].isoformat()})" if item.recent_cutoffs
               else f"{item.round_type} (never held)"
               for item in estimate.contributions if not any(item.rounds_in_lookback)]
    return evidence, stopped


def _cutoff_text(evidence: list[RoundEvidence], stopped: list[str]) -> str:
    """The recent cut-offs as a sentence: 'recent cut-offs: cec 519 (2026-09-15), ...; taken as stopped: ...'."""
    text = ("recent cut-offs: " + ", ".join(f"{e.round_type} {e.cutoff} ({e.date.isoformat()})" for e in evidence)
            if evidence else "no recent round of its types")
    return text + (f"; taken as stopped: {', '.join(stopped)}" if stopped else "")


def _assumed_note(program, on: date) -> str | None:
    if processing_is_assumed(program, on):
        return (f"{program.label} publishes no processing time; the plan assumes "
                f"{planning().unknown_processing_months.at(on)} months (models/planning.yaml)")
    return None


def _p80_extra_wait(tables: StepTables, timing: Timing) -> int:
    """Extra months beyond the expected wait until an invitation has come with 80% probability."""
    if tables.template.invitation is None:
        return 0
    key = (timing.arrival, timing.wait_start)
    wait, _, _, score = tables.invitation[key]
    for window in range(1, 121):
        if estimate_cached(score, tables.round_types[key], tables.as_of, window).probability >= P80:
            return max(0, window - wait)
    return 0


P80 = 0.8
"""The percentile reported as the 80th-percentile time to PR (a reporting choice, not a rule)."""


def _summary(template, states) -> str:
    names = [s.program.label for s in template.steps if s.step in ("apply_permit", "enter_pool", "nomination", "selection")]
    return " → ".join(names + ["permanent residence"])


def _program_never_met(table: StepTables):
    """The template's pool (else nomination) program if no month of the plan meets it, else None."""
    template = table.template
    if template.pool is not None and not table.pool:
        return template.pool.program
    if template.nomination is not None and not table.nomination:
        return template.nomination.program
    return None


def explain_no_route(tables: list[StepTables], states: States, pruned: ProfileGraph, profile: Profile, as_of: date,
                     horizon: int):
    """Why no route exists, and what would change the answer.

    Every template's months are evaluated first (the search may have skipped some by
    their bounds), so each reason is read off complete tables.
    """
    reasons, changes = [], []
    for exclusion in pruned.excluded:
        reasons.append(f"{exclusion.label}: {exclusion.summary()}")
        if any(verdict.kind == "program_open" for verdict in exclusion.reasons):
            continue  # closed for good: nothing the person does opens it
        for verdict in exclusion.reasons:
            if verdict.fix:
                changes.append(f"{verdict.fix} (would open {exclusion.label})")
    for table in tables:
        extend_tables(table, states, horizon, horizon)
        label = table.template.describe() or " → ".join(table.template.programs)
        if table.notes:
            reasons.append(f"{label}: {'; '.join(table.notes)}")
        elif (program := _program_never_met(table)) is not None:
            today, _ = with_retakes(profile, as_of)
            unmet = [v for v in evaluate(program, today, as_of, cat=catalogue()).verdicts if not v.met]
            reasons.append(f"{label}: {program.label} requirements are not met in any month within {horizon} months "
                           f"(today: {'; '.join(f'{v.label}: {v.value}' for v in unmet) or 'met, but not with the timing'})")
            changes.extend(f"{v.fix} (would open {program.label})" for v in unmet if v.fix)
        elif table.earliest_pr is not None and table.earliest_pr > horizon:
            reasons.append(f"{label}: its steps cannot end before month {table.earliest_pr} (processing times, and any "
                           f"Canadian work its programs need), beyond the horizon of {horizon}")
        elif table.invitation_impossible:
            reasons.append(f"{label}: no invitation is possible at any CRS: no round of a type this route could be "
                           "invited in has been held recently (see `planner rounds`)")
        elif table.template.invitation is not None and not table.invitation:
            reasons.append(f"{label}: an invitation is unlikely within the horizon at the CRS this route reaches")
        elif not table.arrivals:
            reasons.append(f"{label}: the permit's requirements are not met in any month")
        else:
            reasons.append(f"{label}: the steps do not fit within {horizon} months while the permit is valid, "
                           "language results are valid and the route reaches the minimum probability")
    return list(dict.fromkeys(reasons)) or ["no program leads to permanent residence from your status"], list(dict.fromkeys(changes))

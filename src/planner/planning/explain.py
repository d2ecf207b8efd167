"""A solved route, explained: dated steps with the verdicts that allow them, notes, and "no route" reasons.

The solver gives months (:class:`~planner.planning.solver.model.Timing`); this module turns
them into a :class:`~planner.planning.result.Route` a person can read: each step with its
dates, the status held, the requirements met (evaluated afresh on the projected profile),
its probability, fees and a note saying where its figures come from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from planner.eligibility.verdicts import evaluate
from planner.errors import PlannerError
from planner.facts.profile import Profile
from planner.facts.timeline import month_date, newest_tests, with_retakes
from planner.planning.charges import fee_payers
from planner.planning.graph import ProfileGraph
from planner.planning.process import applies_from_inside_canada, at_port_of_entry
from planner.planning.result import Exclusion, RoundEvidence, Route, Step
from planner.planning.solver.model import Timing
from planner.planning.states import States
from planner.planning.status import bridging_program
from planner.planning.tables import StepTables, estimate_cached, extend_tables
from planner.rounds import estimate_invitation
from planner.rounds.estimator import default_index
from planner.rules.catalogue import ProgramFile, catalogue
from planner.rules.fees import Payers, fee_is_known, step_fees
from planner.rules.process import express_entry_process, planning, processing_is_assumed, step_probability
from planner.rules.status import status_rules


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
            found[step.program.id] = (
                None
                if result.eligible
                else Exclusion(program=step.program.id, label=step.program.label, reasons=result.unmet)
            )
    return [exclusion for exclusion in found.values() if exclusion is not None]


def _profile_expiry_note(timing: Timing, as_of: date) -> str:
    """A warning when the expected invitation comes after the Express Entry profile has expired."""
    if timing.pool is None:
        return ""
    entered = month_date(as_of, timing.pool)
    validity = express_entry_process().profile_validity_months.at(entered)
    if timing.invitation - timing.pool <= validity:
        return ""
    return (
        f"; a profile expires {validity} months after it is submitted: if not invited by "
        f"{month_date(as_of, timing.pool + validity).isoformat()}, submit a new one to stay in the pool "
        "(you must still be eligible then)"
    )


def _first_expiry(profile: Profile, as_of: date) -> date:
    """The first date one of the newest language results (those a retake renews) stops being valid."""
    from planner.facts.language import convert

    return min(convert(test, as_of).valid_until for test in newest_tests(profile).values())


def last_round_date() -> date:
    """The date of the newest Express Entry round in the history in use."""

    return default_index().last_round


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
                    notes.append(
                        f"{program.label} assumes you would live in {' or '.join(params.allowed)} "
                        f"({requirement.label.lower()}); your profile names no province: list the provinces "
                        "you would live in under preferences.provinces to plan only for those."
                    )
    return list(dict.fromkeys(notes))


def _notes(profile: Profile, as_of: date) -> list[str]:
    notes = [
        f"Expected waits for invitations come from the rounds history, whose newest round is of "
        f"{last_round_date().isoformat()} (see README: invitation model)."
    ]
    if profile.spouse is not None and profile.spouse.accompanying:
        notes.extend(_spouse_comparison(profile, as_of))
    return notes


def _spouse_comparison(profile: Profile, as_of: date) -> list[str]:
    """Say so when the spouse would score higher as the principal applicant."""
    from planner.scoring import crs as crs

    spouse = profile.spouse
    if spouse.birth_date is None or spouse.canadian_citizen_or_pr:
        return []
    swapped = profile.model_copy(
        update={
            "birth_date": spouse.birth_date,
            "education": spouse.education,
            "language_tests": spouse.language_tests,
            "work_history": spouse.work_history,
            "citizenships": spouse.citizenships or profile.citizenships,
            "first_official_language": None,
            "trade_certificate": None,
            "job_offer": None,
            "provincial_nomination": None,
            "spouse": spouse.model_copy(
                update={
                    "birth_date": profile.birth_date,
                    "education": profile.education,
                    "language_tests": profile.language_tests,
                    "work_history": profile.work_history,
                }
            ),
        }
    )
    try:
        own, theirs = crs.score(profile, as_of).total, crs.score(swapped, as_of).total
    except PlannerError:  # e.g. a rule not in force on the date: no comparison rather than no plan
        return []
    if theirs > own:
        return [
            f"Your spouse would be the stronger principal applicant: CRS {theirs} with your spouse as principal "
            f"against {own} with you. Consider planning with your spouse's profile as the principal."
        ]
    return [f"You are the stronger principal applicant (CRS {own}; {theirs} with your spouse as principal)."]


def mark_pareto(routes: list[Route]) -> list[Route]:
    """Mark routes not dominated on (expected months, probability)."""
    marked = []
    for route in routes:
        dominated = any(
            o.expected_months <= route.expected_months
            and o.probability >= route.probability
            and (o.expected_months < route.expected_months or o.probability > route.probability)
            for o in routes
            if o is not route
        )
        marked.append(route.model_copy(update={"pareto": not dominated}))
    return marked


def to_route(tables: StepTables, timing: Timing, states: States, profile: Profile, as_of: date) -> Route:
    """Turn a solved timing into dated steps with their verdicts."""
    writer = _RouteWriter(tables, timing, states, profile, as_of)
    writer.permit()
    writer.retake()
    writer.work()
    writer.pool()
    writer.nomination()
    writer.invitation()
    writer.permanent_residence()
    writer.keeping_status()
    return writer.route()


@dataclass
class _RouteWriter:
    """Writes a route's steps in turn, keeping the status held and the fees the rules do not have."""

    tables: StepTables
    timing: Timing
    states: States
    profile: Profile
    as_of: date
    steps: list[Step] = field(default_factory=list)
    unknown_fees: list[str] = field(default_factory=list)
    probability: float = 1.0
    """The product of the steps' probabilities, in the order they are written."""

    def __post_init__(self) -> None:
        self.template = self.tables.template
        self.move = self.tables.moves.get(self.timing.arrival)
        self.payers: Payers = fee_payers(self.profile)
        moving = self.template.temp is not None or self.profile.status_in_canada.status != "worker"
        self.status = "outside Canada" if moving else "work permit"

    def add(
        self,
        kind: str,
        program: ProgramFile | None,
        label: str,
        start: int,
        end: int,
        verdicts=(),
        crs: int | None = None,
        p: float = 1.0,
        cost: int = 0,
        note: str | None = None,
        held: str | None = None,
    ) -> Step:
        step = Step(
            kind=kind,
            program=program.id if program else None,
            label=label,
            start_month=start,
            end_month=end,
            start_date=month_date(self.as_of, start),
            end_date=month_date(self.as_of, end),
            status=held or self.status,
            verdicts=list(verdicts),
            crs=crs,
            probability=p,
            cost_cad=cost,
            note=note,
        )
        self.steps.append(step)
        self.probability *= p
        return step

    def verdicts_at(self, program: ProgramFile, month: int, before_moving: bool = False):
        """The program's verdicts in ``month`` on the projected profile, evaluated afresh (not the tables' memory)."""
        moved = self.move if month >= self.timing.arrival and not before_moving else None
        ctx = self.states.context(moved, month)
        return evaluate(program, ctx.profile, ctx.as_of, cat=self.states.cat).verdicts

    def fees(self, program: ProgramFile, month: int) -> int:
        return step_fees(program, month_date(self.as_of, month), self.payers)

    def fee_note(self, program: ProgramFile, month: int, note: str | None = None) -> str | None:
        """The note of a step that charges a fee, saying so when the plan has none for the program (not in models/).

        Entering the Express Entry pool is free, so its step is not asked.
        """
        if fee_is_known(program, month_date(self.as_of, month)):
            return note
        self.unknown_fees.append(program.label)
        missing = f"{program.label}'s own fee is not in the planner's rules (models/), so the fees shown leave it out"
        return missing if note is None else f"{note}; {missing}"

    def permit(self) -> None:
        """Applying for the temporary permit, at a port of entry or online, before arriving."""
        if self.template.temp is None:
            return
        program = self.template.temp.program
        start = self.timing.arrival - self.tables.temp_months
        applied_on = month_date(self.as_of, start)
        border = at_port_of_entry(program, self.profile, applied_on)
        where = " at a port of entry (decided on arrival)" if border else ""
        note = None
        if not border:
            note = (
                _inside_note(applied_on)
                if applies_from_inside_canada(program, self.profile)
                else _assumed_note(program, applied_on) or _online_note(program, applied_on)
            )
        self.add(
            "apply_permit",
            program,
            f"Apply for {program.label}{where}",
            start,
            self.timing.arrival,
            self.verdicts_at(program, start, before_moving=True),
            p=step_probability(program, applied_on),
            cost=self.fees(program, start),
            note=self.fee_note(program, start, note),
        )
        self.status = self.states.cat.statuses[self.template.temp.target].label

    def retake(self) -> None:
        if self.timing.retake is None:
            return
        expiry = _first_expiry(self.profile, self.as_of).isoformat()
        self.add(
            "language_retake",
            None,
            "Retake the language test(s) (same scores assumed)",
            self.timing.retake,
            self.timing.retake + self.tables.retake_months,
            cost=self.tables.retake_cost,
            note=f"your newest results expire on {expiry}; results must be valid at each step that needs them, "
            "and an Express Entry profile whose results expire leaves the pool",
        )

    def work(self) -> None:
        """Working until the first step towards PR, when that is later than arriving (or now)."""
        first = self.timing.pool if self.timing.pool is not None else self.timing.nomination
        start = max(self.timing.arrival, 0)
        if first is None or first <= start:
            return
        in_canada = self.move or self.profile.status_in_canada.status == "worker"
        self.add(
            "work",
            None,
            "Work in Canada (accrues Canadian experience)" if in_canada else "Keep working (accrues experience)",
            start,
            first,
        )

    def pool(self) -> None:
        if self.template.pool is None:
            return
        program, month = self.template.pool.program, self.timing.pool
        self.add(
            "enter_pool",
            program,
            f"Create an Express Entry profile ({program.label})",
            month,
            month,
            self.verdicts_at(program, month),
            crs=self.states.crs(self.move, month),
            cost=self.fees(program, month),
        )

    def nomination(self) -> None:
        step = self.template.nomination
        if step is None:
            return
        program, month = step.program, self.timing.nomination
        entry = self.tables.nomination[(self.timing.arrival, month)]
        applied_on = month_date(self.as_of, month)
        note = entry.note if entry.note is not None else _assumed_note(program, applied_on)
        kind = "Selection" if step.step == "selection" else "Nomination"
        self.add(
            step.step,
            program,
            f"{kind}: {program.label}",
            month,
            self.timing.nominee,
            self.verdicts_at(program, month),
            p=step_probability(program, applied_on) * entry.probability,
            cost=self.fees(program, month),
            note=self.fee_note(program, month, note),
        )

    def invitation(self) -> None:
        """The wait for an invitation, with its chance, the window it is counted over, and the cut-offs behind it."""
        if self.template.invitation is None:
            return
        key = (self.timing.arrival, self.timing.wait_start)
        entry = self.tables.invitation[key]
        window = self.tables.horizon_window(self.timing.wait_start)
        evidence, stopped = invitation_evidence(entry.crs, self.tables.round_types[key], self.as_of, window)
        note = (
            f"{entry.probability:.0%} chance of an invitation within {window} months at CRS {entry.crs} "
            f"(estimated from rounds until {last_round_date().isoformat()}), expected wait {entry.wait} month(s); "
            f"{_cutoff_text(evidence, stopped)}" + _profile_expiry_note(self.timing, self.as_of)
        )
        step = self.add(
            "invitation",
            self.template.invitation.program,
            "Wait for an invitation to apply (ITA)",
            self.timing.wait_start,
            self.timing.invitation,
            crs=entry.crs,
            p=entry.probability,
            note=note,
        )
        self.steps[-1] = step.model_copy(update={"evidence": evidence})

    def permanent_residence(self) -> None:
        """Submitting the PR application (IRCC's fees, whichever program led to it) and the decision."""
        template, timing = self.template, self.timing
        program = template.apply.program if template.apply else template.decision.program
        decider = template.decision.program
        self.add(
            "apply_pr",
            program,
            "Submit the permanent residence application",
            timing.invitation,
            timing.submission,
            cost=self.fees(decider, timing.submission),
            note=self.fee_note(decider, timing.submission),
        )
        self.add(
            "decision",
            decider,
            "Processing and decision",
            timing.submission,
            timing.pr,
            p=step_probability(decider, month_date(self.as_of, timing.submission)),
            held="applicant for permanent residence",
        )

    def keeping_status(self) -> None:
        for kind, program, label, start, end, cost, note in keeping_status_steps(
            self.tables.stays.get(self.timing.arrival), self.timing, self.states, self.payers
        ):
            self.add(kind, program, label, start, end, cost=cost, note=note)

    def route(self) -> Route:
        steps = sorted(self.steps, key=lambda s: (s.start_month, s.end_month))
        decision = self.tables.decision[self.timing.submission]
        p80 = self.timing.pr - decision.median + decision.p80 + _p80_extra_wait(self.tables, self.timing)
        risky = min(steps, key=lambda s: s.probability)
        return Route(
            programs=list(self.template.programs),
            summary=_summary(self.template),
            steps=steps,
            expected_months=self.timing.pr,
            p80_months=p80,
            probability=round(self.probability, 4),
            cost_cad=sum(s.cost_cad for s in steps),
            fees_not_included=list(dict.fromkeys(self.unknown_fees)),
            riskiest_step=f"{risky.label} (p={risky.probability:.2f})",
        )


def keeping_status_steps(stay, timing: Timing, states: States, payers):
    """The steps that keep someone in Canada in status until the PR decision: renewals, then a bridging permit.

    Each renewal is applied for a month (``renewal_lead_months``) before the permit ends, so
    maintained status covers its processing; the bridging open work permit is applied for
    when the PR application is submitted, while the permit is still valid. The fees are those
    the solver counted (:func:`planner.planning.charges.keeping_status_fees`).
    """
    if stay is None:
        return []
    as_of, found = states.as_of, []
    lead = status_rules().renewal_lead_months.at(as_of)
    renewals = stay.renewals_to_reach(timing.submission)
    for j in range(renewals):
        ends, applied = stay.end_after(j), stay.end_after(j) - lead
        label = stay.program.label if stay.program is not None else "the work permit"
        found.append(
            (
                "extend_permit",
                stay.program,
                f"Renew {label} before it ends",
                applied,
                ends,
                step_fees(stay.program, month_date(as_of, applied), payers, renewal=True),
                f"the permit ends on {stay.end_date(j, as_of).isoformat()}: applied for before then, maintained "
                f"status keeps you working while it is processed (IRPR 183(5), 186(u)); renewed to about "
                f"{stay.end_date(j + 1, as_of).isoformat()}",
            )
        )
    if timing.pr > stay.end_after(renewals):
        on = month_date(as_of, timing.submission)
        bridging = bridging_program(states.cat, on)
        found.append(
            (
                "bridging_open_work_permit",
                bridging,
                f"Apply for a {bridging.label}",
                timing.submission,
                timing.submission,
                step_fees(bridging, on, payers),
                f"your permit ends on {stay.end_date(renewals, as_of).isoformat()}, before the expected decision: "
                "apply once the PR application is acknowledged and while the permit is valid, and keep working "
                "until the decision",
            )
        )
    return found


def _inside_note(on: date) -> str:
    """For a permit applied for from inside Canada: its processing is IRCC's in-Canada time, not the two-week standard."""
    from planner.rules.process import work_permit_processing

    found = work_permit_processing().in_canada.entry(on)
    source = (
        (
            f"IRCC's time for work permits applied for from inside Canada ({found.value.median_months:g} months "
            f"since {found.effective})"
        )
        if found
        else "the planner's assumption for unpublished times (models/planning.yaml)"
    )
    return f"applied for from inside Canada: the two-week Global Skills Strategy standard does not apply; processing is {source}"


def _online_note(program, on: date) -> str | None:
    """For a permit some citizens may apply for at the border: say that this person applies online, and why."""
    rule = program.port_of_entry.entry(on) if program.port_of_entry is not None else None
    if rule is None:
        return None
    return (
        f"apply online from outside Canada: only citizens of {', '.join(rule.value.citizenships)} may apply at a "
        f"port of entry (since {rule.effective}; {rule.references[0].href})"
    )


def invitation_evidence(score: int, round_types, as_of: date, window: int) -> tuple[list[RoundEvidence], list[str]]:
    """The last five rounds of each round type an invitation estimate counts on (newest first), and the
    eligible types it takes as stopped, each as 'stem (none since 2024-04-11)'."""
    estimate = estimate_invitation(score, round_types, as_of, max(window, 1))
    evidence = [
        RoundEvidence(round_type=item.round_type, date=day, cutoff=cutoff)
        for item in estimate.contributions
        if any(item.rounds_in_lookback)
        for day, cutoff in item.recent_cutoffs
    ]
    stopped = [
        f"{item.round_type} (none since {item.recent_cutoffs[0][0].isoformat()})"
        if item.recent_cutoffs
        else f"{item.round_type} (never held)"
        for item in estimate.contributions
        if not any(item.rounds_in_lookback)
    ]
    return evidence, stopped


def _cutoff_text(evidence: list[RoundEvidence], stopped: list[str]) -> str:
    """The recent cut-offs as a sentence: 'recent cut-offs: cec 519 (2026-09-15), ...; taken as stopped: ...'."""
    text = (
        "recent cut-offs: " + ", ".join(f"{e.round_type} {e.cutoff} ({e.date.isoformat()})" for e in evidence)
        if evidence
        else "no recent round of its types"
    )
    return text + (f"; taken as stopped: {', '.join(stopped)}" if stopped else "")


def _assumed_note(program, on: date) -> str | None:
    if processing_is_assumed(program, on):
        return (
            f"{program.label} publishes no processing time; the plan assumes "
            f"{planning().unknown_processing_months.at(on)} months (models/planning.yaml)"
        )
    return None


def _p80_extra_wait(tables: StepTables, timing: Timing) -> int:
    """Extra months beyond the expected wait until an invitation has come with 80% probability."""
    if tables.template.invitation is None:
        return 0
    key = (timing.arrival, timing.wait_start)
    entry = tables.invitation[key]
    for window in range(1, P80_SEARCH_MONTHS + 1):
        if estimate_cached(entry.crs, tables.round_types[key], tables.as_of, window).probability >= P80:
            return max(0, window - entry.wait)
    return 0


P80 = 0.8
"""The percentile reported as the 80th-percentile time to PR (a reporting choice, not a rule)."""

P80_SEARCH_MONTHS = 120
"""How far the 80th-percentile wait for an invitation is looked for (a reporting choice)."""


def _summary(template) -> str:
    names = [
        s.program.label for s in template.steps if s.step in ("apply_permit", "enter_pool", "nomination", "selection")
    ]
    return " → ".join(names + ["permanent residence"])


def _program_never_met(table: StepTables):
    """The template's pool (else nomination) program if no month of the plan meets it, else None."""
    template = table.template
    if template.pool is not None and not table.pool:
        return template.pool.program
    if template.nomination is not None and not table.nomination:
        return template.nomination.program
    return None


def explain_no_route(
    tables: list[StepTables], states: States, pruned: ProfileGraph, profile: Profile, as_of: date, horizon: int
) -> tuple[list[str], list[str]]:
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
    for table in (extend_tables(table, states, horizon, horizon) for table in tables):
        label = table.template.describe() or " → ".join(table.template.programs)
        if table.notes:
            reasons.append(f"{label}: {'; '.join(table.notes)}")
        elif (program := _program_never_met(table)) is not None:
            today, _ = with_retakes(profile, as_of)
            unmet = [v for v in evaluate(program, today, as_of, cat=catalogue()).verdicts if not v.met]
            reasons.append(
                f"{label}: {program.label} requirements are not met in any month within {horizon} months "
                f"(today: {'; '.join(f'{v.label}: {v.value}' for v in unmet) or 'met, but not with the timing'})"
            )
            changes.extend(f"{v.fix} (would open {program.label})" for v in unmet if v.fix)
        elif table.earliest_pr is not None and table.earliest_pr > horizon:
            reasons.append(
                f"{label}: its steps cannot end before month {table.earliest_pr} (processing times, and any "
                f"Canadian work its programs need), beyond the horizon of {horizon}"
            )
        elif table.invitation_impossible:
            reasons.append(
                f"{label}: no invitation is possible at any CRS: no round of a type this route could be "
                "invited in has been held recently (see `planner rounds`)"
            )
        elif table.template.invitation is not None and not table.invitation:
            reasons.append(f"{label}: an invitation is unlikely within the horizon at the CRS this route reaches")
        elif not table.arrivals:
            reasons.append(f"{label}: the permit's requirements are not met in any month")
        else:
            reasons.append(
                f"{label}: the steps do not fit within {horizon} months while the permit is valid, "
                "language results are valid and the route reaches the minimum probability"
            )
    return list(dict.fromkeys(reasons)) or ["no program leads to permanent residence from your status"], list(
        dict.fromkeys(changes)
    )

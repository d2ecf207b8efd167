"""The CP-SAT models: time each route template's steps, then choose the best template.

Each template gets its own small CP-SAT model (solving them separately is 10-40 times
faster than one joint model with a choice variable per template, because a joint model's
enforced table constraints propagate weakly); the route is the template whose optimum
has the least composite objective, which is what the joint model would minimise.
Optima are cached, so alternatives (other templates) cost little.

Variables per template ``r``: ``use[r]`` (fixed true in the template's own model), the arrival month
``a[r]``, the month the person enters the Express Entry pool ``pool[r]``, the month
a nomination is applied for ``nom[r]``, the invitation month ``ita[r]``, the submission
month ``sub[r]``, the PR month ``pr[r]``, and the language retake ``retake[r]`` with its
month.  Every time-dependent requirement is a table constraint over the month tables
of :mod:`planner.planning.tables`, enforced only when ``use[r]`` is true.

Objectives (with deterministic tie-breaks, so the same input gives the same output):

- ``fastest``: least expected months to PR, then the simpler route (template rank), then earliest steps;
- ``probable``: highest probability of PR within the horizon (least sum of scaled -ln p),
  then fastest, then rank;
- ``cheapest``: least government fees, then fastest, then rank.

A language retake, when one is needed, is reported so the new results are in hand before
the original ones expire (see :meth:`TemplateModel._retake_month`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from planner.planning.solver import cpsat
from planner.planning.tables import StepTables

OBJECTIVES = ("fastest", "probable", "cheapest")

SMALL_MODEL_SETTINGS = dict(
    max_presolve_iterations=1, cp_model_probing_level=0, symmetry_level=0, linearization_level=0
)
"""CP-SAT settings for the route models, which are tiny (about 20 variables, tables of at most a few hundred rows).

Repeated presolve, probing, symmetry detection and the LP relaxation cost 1-15 ms per
solve here and do not shorten a search this small: over the examples' models these
settings solve about three times faster in total, and no model much slower.  The optimum
is proven either way (a property test checks it against exhaustive search)."""


@dataclass(frozen=True)
class Timing:
    """The months the solver chose for one route (plan months from the as-of date)."""

    template_index: int
    arrival: int
    pool: int | None
    nomination: int | None
    nominee: int | None
    wait_start: int | None
    invitation: int | None
    submission: int
    pr: int
    retake: int | None
    cost: int
    log_cost: int
    objective: int


def prune_unreachable(t: StepTables, horizon: int, max_log_cost: int | None = None) -> StepTables:
    """Drop table entries that cannot belong to any feasible route; the model stays equivalent, only smaller.

    A pool month with no invitation reachable from it, a nomination whose nominee month has
    no invitation (or whose PR would fall beyond the horizon), an invitation whose PR would
    fall beyond the horizon or whose cost breaks the probability floor: none can be chosen.
    """
    tpl = t.template

    def earliest_pr(submission: int) -> int | None:
        decision = t.decision.get(submission)
        return None if decision is None else submission + decision.median

    budget = None if max_log_cost is None else max_log_cost - t.least_log_cost
    if budget is not None and budget < 0:
        return replace(t, arrivals=())
    invitation = {}
    for key, entry in t.invitation.items():
        pr = earliest_pr(key[1] + entry.wait + t.prep_months)
        if pr is not None and pr <= horizon and (budget is None or entry.log_cost <= budget):
            invitation[key] = entry
    nomination = {}
    for (arrival, month), entry in t.nomination.items():
        nominee = month + entry.months
        if tpl.invitation is not None:
            if (arrival, nominee) in invitation:
                nomination[(arrival, month)] = entry
        else:
            pr = earliest_pr(nominee + t.prep_months)
            if pr is not None and pr <= horizon:
                nomination[(arrival, month)] = entry
    pool = set()
    for arrival, month in t.pool:
        if tpl.nomination is not None:
            if any(a == arrival and s >= month for a, s in nomination):
                pool.add((arrival, month))
        elif tpl.invitation is not None:
            if (arrival, month) in invitation:
                pool.add((arrival, month))
        else:
            pool.add((arrival, month))
    return replace(t, invitation=invitation, nomination=nomination, pool=frozenset(pool))


class RouteModel:
    """Chooses the best route over a set of templates; :meth:`solve` may be called repeatedly with exclusions.

    Templates are taken in order of a lower bound on their objective read off their fixed
    steps alone (:func:`static_bound`: earliest arrival, least processing, least fees and
    probability costs); once the best route found so far is no worse than the next bound,
    no remaining template can beat it and the search stops.  A template's months are
    evaluated (``evaluate``, when given) only when it is reached, and it is solved only if
    the tighter bound read off its tables (:func:`objective_bound`) can still beat the best.
    The answer is the one solving every template would give, since a template's optimum is
    never below either bound and no two templates share a composite objective (the rank term).
    """

    def __init__(
        self,
        tables: list[StepTables],
        horizon: int,
        objective: str,
        max_log_cost: int | None = None,
        evaluate: Callable[[StepTables], StepTables] | None = None,
        known: dict[int, Timing] | None = None,
    ):
        if objective not in OBJECTIVES:
            raise ValueError(objective)
        self.tables = list(tables)
        self.horizon = horizon
        self.objective = objective
        self.max_log_cost = max_log_cost
        self._evaluate = evaluate
        self._excluded: set[int] = set()
        self._optimum: dict[int, Timing | None] = {}
        self._pruned: dict[int, StepTables] = {}
        self._bounds: dict[int, int | None] = {}
        count = len(self.tables)
        self._static = [static_bound(t, i, count, horizon, objective, max_log_cost) for i, t in enumerate(self.tables)]
        for index, timing in (known or {}).items():
            if objective != "fastest" or timing.pr > horizon:
                raise ValueError("only a fastest optimum found within a shorter horizon carries over")
            optimum = replace(timing, objective=composite(timing.pr, 0, index, _earliness(timing), horizon, count))
            self._optimum[index] = optimum
            self._bounds[index] = optimum.objective

    def optima(self) -> dict[int, Timing]:
        """The templates solved so far that have a route, with their optimum (see ``known`` in :meth:`__init__`).

        For ``fastest``, a template's optimum within a horizon stays its optimum within any
        longer one: the longer horizon only adds routes ending later.  A search that
        lengthens its horizon passes these on as ``known``, so those templates are neither
        evaluated further nor solved again.
        """
        return {index: timing for index, timing in self._optimum.items() if timing is not None}

    def possible_program_sets(self, wanted: int) -> int:
        """How many program sets (up to ``wanted``) the templates not excluded may have a route with.

        Counts first by the static bounds, and evaluates templates for their table bounds
        only while the count might reach ``wanted``.
        """
        candidates = self._candidates()
        program_sets = {self.tables[i].template.programs for i in candidates}
        if len(program_sets) < wanted:
            return len(program_sets)
        possible = set()
        for index in candidates:
            programs = self.tables[index].template.programs
            if programs not in possible and self._table_bound(index) is not None:
                possible.add(programs)
                if len(possible) >= wanted:
                    break
        return len(possible)

    def solve_possible(self, time_limit_s: float = 10.0) -> None:
        """Solve every template not excluded whose tables allow a route (for :meth:`optima`), choosing none."""
        for index in self._candidates():
            if index not in self._optimum and self._table_bound(index) is not None:
                self._optimum[index] = self._template_optimum(index, time_limit_s)

    def _candidates(self) -> list[int]:
        """The templates not excluded and not ruled out by their static bound, in order of that bound."""
        return sorted(
            (i for i, bound in enumerate(self._static) if bound is not None and i not in self._excluded),
            key=lambda i: self._static[i],
        )

    def _template_optimum(self, index: int, time_limit_s: float) -> Timing | None:
        return TemplateModel(
            self._pruned[index], index, len(self.tables), self.horizon, self.objective, self.max_log_cost
        ).solve(time_limit_s)

    def exclude(self, template_indexes: list[int]) -> None:
        """Forbid these templates in later solves (used to find genuinely different alternatives)."""
        self._excluded.update(template_indexes)

    def _table_bound(self, index: int) -> int | None:
        """The template's bound from its (evaluated, pruned) tables, computed once."""
        if index not in self._bounds:
            table = self.tables[index]
            if self._evaluate is not None:
                table = self.tables[index] = self._evaluate(table)
            self._pruned[index] = prune_unreachable(table, self.horizon, self.max_log_cost)
            self._bounds[index] = objective_bound(
                self._pruned[index], index, len(self.tables), self.horizon, self.objective
            )
        return self._bounds[index]

    def solve(self, time_limit_s: float = 10.0) -> Timing | None:
        """The timing of the best allowed template, or None when no route exists."""
        best = None
        for index in self._candidates():
            if best is not None and self._static[index] >= best.objective:
                break
            bound = self._table_bound(index)
            if bound is None or best is not None and bound >= best.objective:
                continue
            if index not in self._optimum:
                self._optimum[index] = self._template_optimum(index, time_limit_s)
            found = self._optimum[index]
            if found is not None and (best is None or found.objective < best.objective):
                best = found
        return best


def _earliness(timing: Timing) -> int:
    """The earliness tie-break of a solved timing: its pool and nomination months (see :meth:`TemplateModel._objective`)."""
    return sum(month for month in (timing.pool, timing.nomination) if month is not None)


def _objective_weights(horizon: int, count: int) -> tuple[int, int, int]:
    """(PR-month scale, time weight, rank weight) of the composite objective (see :meth:`TemplateModel._objective`)."""
    pr_scale = 22 * horizon + 1
    rank_weight = 4 * (horizon + 1)
    return pr_scale, (count + 1) * rank_weight, rank_weight


def composite(primary: int, secondary: int, index: int, tie: int, horizon: int, count: int) -> int:
    """The single integer every template model minimises: primary, then secondary, then rank, then earliness."""
    pr_scale, time_weight, rank_weight = _objective_weights(horizon, count)
    return (primary * pr_scale + secondary) * time_weight + index * rank_weight + tie


def static_bound(
    t: StepTables, index: int, count: int, horizon: int, objective: str, max_log_cost: int | None = None
) -> int | None:
    """A lower bound on the template's composite objective from its fixed steps alone (no month evaluated).

    The PR month is at least :attr:`StepTables.earliest_pr`; the probability cost and fees
    at least the least of the fixed steps'.  None when that already rules the template out.
    """
    if t.notes or not t.arrivals or t.invitation_impossible or t.earliest_pr is None or t.earliest_pr > horizon:
        return None
    if max_log_cost is not None and t.least_log_cost > max_log_cost:
        return None
    primary = {"fastest": t.earliest_pr, "probable": t.least_log_cost, "cheapest": t.least_cost}[objective]
    return composite(primary, 0 if objective == "fastest" else t.earliest_pr, index, 0, horizon, count)


def objective_bound(t: StepTables, index: int, count: int, horizon: int, objective: str) -> int | None:
    """A lower bound on the template's composite objective from its pruned tables; None if it has no route.

    The PR month is at least the earliest PR any single table entry of its last step
    allows; the probability cost at least the fixed steps' plus the cheapest invitation;
    the fees at least the fixed fees.  Earliness counts as zero.
    """
    tpl = t.template
    if (
        not t.arrivals
        or t.notes
        or tpl.pool is not None
        and not t.pool
        or tpl.nomination is not None
        and not t.nomination
        or tpl.invitation is not None
        and not t.invitation
    ):
        return None
    if tpl.invitation is not None:
        ready = [month + entry.wait for (_, month), entry in t.invitation.items()]
    elif tpl.nomination is not None:
        ready = [month + entry.months for (_, month), entry in t.nomination.items()]
    elif tpl.pool is not None:
        ready = [month for _, month in t.pool]
    else:
        ready = [max(arrival, 0) for arrival in t.arrivals]
    prs = [sub + t.decision[sub].median for sub in (r + t.prep_months for r in ready) if sub in t.decision]
    if not prs or min(prs) > horizon:
        return None
    pr = min(prs)
    invitation_cost = min((entry.log_cost for entry in t.invitation.values()), default=0)
    nomination_cost = min((entry.log_cost for entry in t.nomination.values()), default=0)
    primary = {
        "fastest": pr,
        "probable": t.least_log_cost + invitation_cost + nomination_cost,
        "cheapest": t.least_cost,
    }[objective]
    return composite(primary, 0 if objective == "fastest" else pr, index, 0, horizon, count)


class TemplateModel:
    """The CP-SAT model of one route template (at position ``index`` of ``count`` templates).

    ``table`` is expected pruned by :func:`prune_unreachable` (the model is the same either way, only smaller).
    """

    def __init__(
        self, table: StepTables, index: int, count: int, horizon: int, objective: str, max_log_cost: int | None = None
    ):
        self.horizon = horizon
        self.objective = objective
        self.max_log_cost = max_log_cost
        self.index = index
        self.n = count
        self.model = cpsat.Model()
        self._language_expiry, self._retake_months = table.language_expiry, table.retake_months
        self._retake_validity = table.retake_validity
        self._permit_language = table.temp_months if table.permit_language and table.template.temp is not None else None
        self._v: dict = {}
        self.feasible = self._build_template(index, table)
        if self.feasible:
            self._objective()

    # -- one template --------------------------------------------------------------------
    def _build_template(self, index: int, t: StepTables) -> bool:
        """Add the template's variables and constraints; False when its tables already rule it out."""
        tpl = t.template
        if (
            not t.arrivals
            or t.notes
            or tpl.pool is not None
            and not t.pool
            or tpl.nomination is not None
            and not t.nomination
            or tpl.invitation is not None
            and not t.invitation
        ):
            return False
        # `use` is fixed true: constraints keep their "only when this route is used" form from the route's logic.
        use = self.model.bool_var(f"use[{index}]")
        self.model.equal(use, 1)
        months = self._step_months(index, t, use)
        status_fee = self._status(index, t, use)
        retake_used = self._language(index, t, use)
        self._charges(index, t, use, months, status_fee, retake_used)
        return True

    def _step_months(self, index: int, t: StepTables, use) -> dict:
        """The months of the route's steps, one after another, each allowed by its table; the PR month within the horizon."""
        m, H, tpl, v = self.model, self.horizon, t.template, self._v
        a = m.int_var_in(t.arrivals, f"arrival[{index}]")
        start_floor = m.int_var(0, H, f"in_canada_from[{index}]")
        m.max_equality(start_floor, [a, m.constant(0)])
        last_ready = start_floor  # the month the next step may start
        pool = nom = nominee = wait_start = None
        v["logc_nom"] = v["logc_inv"] = m.constant(0)
        if tpl.pool is not None:
            pool = m.int_var(0, H, f"pool[{index}]")
            m.at_least(pool, last_ready, only_if=[use])
            m.allowed([a, pool], sorted(t.pool), only_if=[use])
            last_ready = pool
        if tpl.nomination is not None:
            nom, nominee = self._nomination(index, t, use, a, last_ready)
            last_ready = nominee
        if tpl.invitation is not None:
            wait_start, ita = self._invitation(index, t, use, a, last_ready)
        else:
            ita = m.int_var(0, 11 * H, f"ready_to_apply[{index}]")
            m.equal(ita, last_ready)
        sub = m.int_var(0, 12 * H, f"submission[{index}]")
        m.equal(sub, ita + t.prep_months)
        decision = m.int_var(0, 10 * H, f"decision_months[{index}]")
        m.allowed([sub, decision], sorted((s, d.median) for s, d in t.decision.items()), only_if=[use])
        pr = m.int_var(0, 22 * H, f"pr[{index}]")
        m.equal(pr, sub + decision)
        m.at_most(pr, H, only_if=[use])
        v.update(a=a, pool=pool, nom=nom, nominee=nominee, wait_start=wait_start, ita=ita, sub=sub, pr=pr)
        return {"arrival": a, "pool": pool, "nomination": nom, "submission": sub}

    def _nomination(self, index: int, t: StepTables, use, a, ready):
        """The nomination's month (from ``ready``) and the month the person becomes a nominee, with its cost."""
        m, H = self.model, self.horizon
        nom = m.int_var(0, H, f"nomination[{index}]")
        duration = m.int_var(0, 10 * H, f"nomination_months[{index}]")
        logc_nom = m.int_var(0, 10**5, f"nomination_cost[{index}]")
        m.at_least(nom, ready, only_if=[use])
        m.allowed(
            [a, nom, duration, logc_nom],
            sorted((arr, s, e.months, e.log_cost) for (arr, s), e in t.nomination.items()),
            only_if=[use],
        )
        nominee = m.int_var(0, 2 * H, f"nominee[{index}]")
        m.equal(nominee, nom + duration)
        self._v["logc_nom"] = logc_nom
        return nom, nominee

    def _invitation(self, index: int, t: StepTables, use, a, ready):
        """The wait for an invitation, starting at ``ready``: its start and the invitation's month, with its cost."""
        m, H = self.model, self.horizon
        wait_start = m.int_var(0, H, f"wait_start[{index}]")
        m.equal(wait_start, ready, only_if=[use])
        wait = m.int_var(0, 10 * H, f"wait[{index}]")
        logc_inv = m.int_var(0, 10**5, f"invitation_cost[{index}]")
        m.allowed(
            [a, wait_start, wait, logc_inv],
            sorted((arr, s, e.wait, e.log_cost) for (arr, s), e in t.invitation.items()),
            only_if=[use],
        )
        ita = m.int_var(0, 11 * H, f"invitation[{index}]")
        m.equal(ita, wait_start + wait)
        self._v["logc_inv"] = logc_inv
        return wait_start, ita

    def _status(self, index: int, t: StepTables, use):
        """Someone in Canada submits the PR application while their permit (renewed as needed) is valid, and a
        bridging permit covers a later decision; the table holds the pairs that do, with their fees (None: no stay)."""
        if t.status_fees is None:
            return None
        m, v = self.model, self._v
        status_fee = m.int_var_in(set(t.status_fees.values()) or {0}, f"status_fees[{index}]")
        m.allowed(
            [v["a"], v["sub"], status_fee],
            sorted((arr, s, fee) for (arr, s), fee in t.status_fees.items()),
            only_if=[use],
        )
        return status_fee

    def _language(self, index: int, t: StepTables, use):
        """Language results must be valid at each step that needs them; one retake may renew them."""
        m, H, v = self.model, self.horizon, self._v
        retake_used = m.bool_var(f"retake_used[{index}]")
        retake = m.int_var(0, H, f"retake[{index}]")
        m.equal(retake, 0, only_if=[retake_used.negated()])
        v.update(retake_used=retake_used, retake=retake)
        needing = [x for x in (v["pool"], v["nom"], v["sub"]) if x is not None]
        steps_needing = list(needing)
        if t.permit_language and t.template.temp is not None:  # the permit's own language requirement, when applied for
            applied = m.int_var(-t.temp_months, H, f"permit_applied[{index}]")
            m.equal(applied, v["a"] - t.temp_months)
            steps_needing.append(applied)
        if t.language_expiry is None:
            m.equal(retake_used, 0)
            return retake_used
        invalid_somewhere, valid_at = [], []
        for k, when in enumerate(steps_needing):
            valid = m.bool_var(f"original_test_valid[{index},{k}]")
            m.at_most(when, t.language_expiry - 1, only_if=[valid])
            m.at_least(when, t.language_expiry, only_if=[valid.negated()])
            m.implication(valid.negated(), retake_used)
            m.at_most(retake + t.retake_months, when, only_if=[valid.negated(), use])
            m.at_most(when, retake + t.retake_months + t.retake_validity - 1, only_if=[valid.negated(), use])
            invalid_somewhere.append(valid.negated())
            valid_at.append(valid)
        m.any_true(invalid_somewhere, only_if=[retake_used])  # retake only when a step needs it
        if v["pool"] is not None:
            # In the pool the results must stay valid (a profile whose results expire is removed;
            # canada.ca .../express-entry/submit-profile/waiting-pool.html, and IRCC as quoted by
            # bcimmigration.com/expiration-language-test-results-express-entry-processing/): if they
            # expire between entering the pool and applying, the retake is in hand before.
            m.at_most(
                retake + t.retake_months,
                t.language_expiry - 1,
                only_if=[valid_at[0], valid_at[len(needing) - 1].negated(), use],
            )
        return retake_used

    def _charges(self, index: int, t: StepTables, use, months: dict, status_fee, retake_used) -> None:
        """Fees and probabilities: fixed, or read at the month of the step when a dated rule changes them."""
        m, v = self.model, self._v
        fees, logs = t.fixed_cost + t.retake_cost * retake_used, t.fixed_log_cost + v["logc_inv"] + v["logc_nom"]
        if status_fee is not None:
            fees = fees + status_fee
        for role, by_month in t.fees_by_month.items():
            fees = fees + self._read_at(months[role], by_month, f"fees_{role}[{index}]")
        for role, by_month in t.log_costs_by_month.items():
            logs = logs + self._read_at(months[role], by_month, f"log_cost_{role}[{index}]")
        cost = m.int_var(0, 10**7, f"cost[{index}]")
        m.equal(cost, fees)
        logc = m.int_var(0, 10**6, f"log_cost[{index}]")
        m.equal(logc, logs)
        if self.max_log_cost is not None:
            m.at_most(logc, self.max_log_cost, only_if=[use])
        v.update(cost=cost, logc=logc)

    def _read_at(self, month, by_month: dict[int, int], name: str):
        """A variable equal to ``by_month[month]`` (a table constraint; ``month`` must be a key)."""
        value = self.model.int_var_in(by_month.values(), name)
        self.model.allowed([month, value], sorted(by_month.items()))
        return value

    # -- objective ----------------------------------------------------------------------
    def _objective(self) -> None:
        """Minimise one composite integer: primary objective, then PR month, then template rank, then earliness.

        The rank term uses the template's position among all ``count`` templates, so composites
        of different templates compare exactly as one joint model would compare them.
        """
        v = self._v
        tie = sum(x for x in (v["pool"], v["nom"]) if x is not None)  # as _earliness reads it off a Timing
        primary = {"fastest": v["pr"], "probable": v["logc"], "cheapest": v["cost"]}[self.objective]
        secondary = 0 if self.objective == "fastest" else v["pr"]
        self.model.minimize(composite(primary, secondary, self.index, tie, self.horizon, self.n))

    def solve(self, time_limit_s: float = 10.0) -> Timing | None:
        """Solve; return the chosen route's timing, or None when no route exists."""
        if not self.feasible:
            return None
        solution = self.model.solve(time_limit_s, **SMALL_MODEL_SETTINGS)
        if solution is None:
            return None
        v, index = self._v, self.index

        def value(x):
            return None if x is None else solution.value(x)

        pool, nomination, submission = value(v["pool"]), value(v["nom"]), value(v["sub"])
        retake = None
        if value(v["retake_used"]):
            months = [m for m in (pool, nomination, submission) if m is not None]
            if self._permit_language is not None:
                months.append(value(v["a"]) - self._permit_language)
            retake = self._retake_month(months)
        return Timing(
            template_index=index,
            arrival=value(v["a"]),
            pool=pool,
            nomination=nomination,
            nominee=value(v["nominee"]),
            wait_start=value(v["wait_start"]),
            invitation=value(v["ita"]),
            submission=submission,
            pr=value(v["pr"]),
            retake=retake,
            cost=value(v["cost"]),
            log_cost=value(v["logc"]),
            objective=int(round(solution.objective)),
        )

    def _retake_month(self, step_months: list[int]) -> int:
        """The month to retake the language test(s): new results in hand before the original ones expire.

        The objective does not price the retake's month, so any month the model allows is
        optimal.  This one keeps the results valid without a gap where it can (an Express
        Entry profile whose results expire is removed from the pool): the new results come
        in the last month the originals are still valid, ``language_expiry - 1``.  If a
        retake that early would lapse before the last step needing it, the earliest month
        that still covers that step is taken instead.  Both lie within the model's bounds:
        its own month ``r`` met ``m - retake_months - validity + 1 <= r <= m - retake_months``
        for every step month ``m`` the originals miss, and each such ``m`` is at or after
        ``language_expiry``.
        """
        missed = [m for m in step_months if m >= self._language_expiry]
        covers_last = max(missed) - self._retake_months - self._retake_validity + 1
        return max(0, covers_last, self._language_expiry - 1 - self._retake_months)

"""An exhaustive search over the same month tables, used only by tests to check the CP-SAT model.

It tries every template, arrival month, pool month, nomination month and retake month
and returns the least composite objective, computed exactly as the model defines it.
Slow (it loops in Python) but obviously correct.
"""

from __future__ import annotations

from planner.planning.tables import StepTables


def _retake_ok(
    t: StepTables, times: list[int], horizon: int, in_pool: bool, permit: int | None = None
) -> tuple[bool, int]:
    """Whether one retake can make language valid at every time in ``times`` (and ``permit``); and the extra cost.

    ``in_pool``: the person is in the Express Entry pool from the first time to the last, so
    results that expire in between must be renewed before they expire. ``permit``: the month a
    permit with a language requirement is applied for.
    """
    if t.language_expiry is None:
        return True, 0
    late = [x for x in times + ([permit] if permit is not None else []) if x >= t.language_expiry]
    if not late:
        return True, 0
    expires_in_pool = in_pool and times[0] < t.language_expiry
    for retake in range(0, horizon + 1):
        ready = retake + t.retake_months
        if expires_in_pool and ready > t.language_expiry - 1:
            continue
        if all(ready <= x <= ready + t.retake_validity - 1 for x in late):
            return True, t.retake_cost
    return False, 0


def best_objective(
    tables: list[StepTables], horizon: int, objective: str, max_log_cost: int | None = None
) -> tuple[int, int] | None:
    """(primary, composite) of the best route, or None when no route exists."""
    n = len(tables)
    pr_max = 22 * horizon
    rank_weight = 4 * (horizon + 1)
    time_weight = (n + 1) * rank_weight
    best = None
    for index, t in enumerate(tables):
        template = t.template
        if not t.arrivals or t.notes:
            continue
        for arrival in t.arrivals:
            floor = max(arrival, 0)
            pools = [s for s in range(floor, horizon + 1) if (arrival, s) in t.pool] if template.pool else [None]
            for pool in pools:
                ready = pool if pool is not None else floor
                noms = (
                    [s for s in range(ready, horizon + 1) if (arrival, s) in t.nomination]
                    if template.nomination
                    else [None]
                )
                for nom in noms:
                    nominee = nom + t.nomination[(arrival, nom)].months if nom is not None else None
                    log_nom = t.nomination[(arrival, nom)].log_cost if nom is not None else 0
                    start = nominee if nominee is not None else ready
                    if template.invitation is not None:
                        entry = t.invitation.get((arrival, start))
                        if entry is None:
                            continue
                        wait, log_inv = entry.wait, entry.log_cost
                        ita = start + wait
                    else:
                        log_inv, ita = 0, start
                    sub = ita + t.prep_months
                    if sub not in t.decision:
                        continue
                    pr = sub + t.decision[sub].median
                    if pr > horizon:
                        continue
                    status_fee = 0
                    if t.status_fees is not None:  # in status until the decision, or no route
                        if (arrival, sub) not in t.status_fees:
                            continue
                        status_fee = t.status_fees[(arrival, sub)]
                    permit = arrival - t.temp_months if t.permit_language and template.temp is not None else None
                    ok, retake_cost = _retake_ok(
                        t,
                        [x for x in (pool, nom, sub) if x is not None],
                        horizon,
                        in_pool=pool is not None,
                        permit=permit,
                    )
                    if not ok:
                        continue
                    fees, logs = t.charges_at({"arrival": arrival, "pool": pool, "nomination": nom, "submission": sub})
                    cost = fees + retake_cost + status_fee
                    logc = logs + log_inv + log_nom
                    if max_log_cost is not None and logc > max_log_cost:
                        continue
                    primary = {"fastest": pr, "probable": logc, "cheapest": cost}[objective]
                    secondary = 0 if objective == "fastest" else pr
                    tie = (pool or 0) + (nom or 0)
                    composite = (primary * (pr_max + 1) + secondary) * time_weight + index * rank_weight + tie
                    if best is None or composite < best[1]:
                        best = (primary, composite)
    return best

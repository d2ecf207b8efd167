"""The small CP-SAT writer (planner.planning.solver.cpsat) writes what OR-Tools' own builder writes, and solves it the same.

Each statement is written twice, with ``cp_model.CpModel`` and with :class:`planner.planning.solver.cpsat.Model`,
and the two model messages must be identical; so the route models are the ones ``cp_model`` would build.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model

from planner.planning.solver import cpsat


def _pair():
    reference, ours = cp_model.CpModel(), cpsat.Model()
    ref_vars = [reference.new_int_var(-5, 40, f"x{i}") for i in range(3)] + [reference.new_bool_var("b")]
    our_vars = [ours.int_var(-5, 40, f"x{i}") for i in range(3)] + [ours.bool_var("b")]
    return reference, ref_vars, ours, our_vars


def _same(reference: cp_model.CpModel, ours: cpsat.Model) -> None:
    assert str(ours.proto) == str(reference.proto)


coefficients = st.lists(st.integers(-3, 3), min_size=3, max_size=3)


@settings(max_examples=200, deadline=None)
@given(
    left=coefficients,
    right=coefficients,
    left_constant=st.integers(-9, 9),
    right_constant=st.integers(-9, 9),
    relation=st.sampled_from(["equal", "at_most", "at_least"]),
    enforced=st.sampled_from([None, True, False]),
)
def test_linear_relations_are_written_as_cp_model_writes_them(
    left, right, left_constant, right_constant, relation, enforced
):
    reference, (rx, ry, rz, rb), ours, (ox, oy, oz, ob) = _pair()
    ref_left = left[0] * rx + left[1] * ry + left[2] * rz + left_constant
    ref_right = right[0] * rx + right[1] * ry + right[2] * rz + right_constant
    our_left = left[0] * ox + left[1] * oy + left[2] * oz + left_constant
    our_right = right[0] * ox + right[1] * oy + right[2] * oz + right_constant
    if not any(a - b for a, b in zip(left, right, strict=True)):
        return  # cp_model turns a constant comparison into True/False, which the planner never writes
    constraint = {"equal": ref_left == ref_right, "at_most": ref_left <= ref_right, "at_least": ref_left >= ref_right}[
        relation
    ]
    added = reference.add(constraint)
    only_if = []
    if enforced is not None:
        added.only_enforce_if(rb if enforced else rb.Not())
        only_if = [ob if enforced else ob.negated()]
    getattr(ours, relation)(our_left, our_right, only_if=only_if)
    _same(reference, ours)


def test_tables_domains_constants_max_and_boolean_constraints_match():
    reference, (rx, ry, rz, rb), ours, (ox, oy, oz, ob) = _pair()
    ref_d = reference.new_int_var_from_domain(cp_model.Domain.FromValues([7, 3, 4, 5, 9, 12, 11]), "d")
    our_d = ours.int_var_in([7, 3, 4, 5, 9, 12, 11, 4], "d")
    reference.add_max_equality(rx, [ry, reference.new_constant(0)])
    ours.max_equality(ox, [oy, ours.constant(0)])
    reference.add_allowed_assignments([ry, rz, ref_d], [(1, 2, 3), (4, 5, 7)]).only_enforce_if(rb)
    ours.allowed([oy, oz, our_d], [(1, 2, 3), (4, 5, 7)], only_if=[ob])
    reference.add(ry == reference.new_constant(0) + rz)  # the constant variable is reused
    ours.equal(oy, ours.constant(0) + oz)
    ref_c = reference.new_bool_var("c")
    our_c = ours.bool_var("c")
    reference.add_implication(rb.Not(), ref_c)
    ours.implication(ob.negated(), our_c)
    reference.add_bool_or([rb.Not(), ref_c.Not()]).only_enforce_if(ref_c)
    ours.any_true([ob.negated(), our_c.negated()], only_if=[our_c])
    reference.add(rx <= 4).only_enforce_if([rb.Not(), ref_c])
    ours.at_most(ox, 4, only_if=[ob.negated(), our_c])
    reference.minimize(3 * (rz * 5 + ry) * 2 + 17 + rx + ry + 0 * rb)
    ours.minimize(3 * (oz * 5 + oy) * 2 + 17 + ox + oy + 0 * ob)
    _same(reference, ours)


def test_solutions_match_cp_solver():
    reference, (rx, ry, rz, rb), ours, (ox, oy, oz, ob) = _pair()
    for model, (x, y, z, b) in ((reference, (rx, ry, rz, rb)), (ours, (ox, oy, oz, ob))):
        if model is reference:
            model.add(x + y >= 7)
            model.add(z == x - y).only_enforce_if(b)
            model.add_allowed_assignments([x, y], [(1, 9), (3, 4), (6, 2)])
            model.minimize(2 * x + 3 * z + 5 * y)
        else:
            model.at_least(x + y, 7)
            model.equal(z, x - y, only_if=[b])
            model.allowed([x, y], [(1, 9), (3, 4), (6, 2)])
            model.minimize(2 * x + 3 * z + 5 * y)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = 0
    assert solver.solve(reference) == cp_model.OPTIMAL
    solution = ours.solve(time_limit_s=10)
    assert solution is not None
    assert solution.objective == solver.objective_value == 2 * 6 + 3 * -5 + 5 * 2  # x=6, y=2, z free at its lower bound
    assert [solution.value(v) for v in (ox, oy, oz, ob)] == [solver.value(v) for v in (rx, ry, rz, rb)]


def test_an_infeasible_model_has_no_solution():
    ours = cpsat.Model()
    x = ours.int_var(0, 3, "x")
    ours.at_least(x, 4)
    ours.minimize(x + 0)
    assert ours.solve(time_limit_s=10) is None


def test_planning_a_route_imports_neither_pandas_nor_numpy():
    example = Path(__file__).resolve().parents[2] / "examples" / "profiles" / "us-software-engineer.json"
    code = (
        "import sys, datetime; from planner import load_profile, plan; "
        f"found = plan(load_profile({str(example)!r}), as_of=datetime.date(2026, 11, 25)).found; "
        "heavy = [m for m in ('pandas', 'numpy', 'ortools.sat.python.cp_model') if m in sys.modules]; "
        "print(found, heavy); sys.exit(0 if found and not heavy else 1)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr

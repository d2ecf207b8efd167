"""A small writer of CP-SAT models: integer variables, linear, table, max and Boolean constraints.

It fills OR-Tools' own model message (``CpModelProto``, the documented CP-SAT model
format) through ``ortools.sat.python.cp_model_helper`` and solves it with the same
``SolveWrapper`` that ``cp_model.CpSolver`` uses.  It exists for start-up time only:
importing ``ortools.sat.python.cp_model`` also imports pandas and numpy (0.4-0.6 s of a
cold ``planner route`` on a 2-core machine), which the planner never needs.

The encoding is the one ``cp_model.CpModel`` writes for the same statements: terms
merged per variable, zero coefficients dropped, variables in index order, the constant
moved into the domain, unbounded sides as the 64-bit limits, one variable per distinct
constant.  ``tests/solver/test_cpsat.py`` checks that statement by statement against
``cp_model``, so a model written here is solved exactly as the OR-Tools builder's would be.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model_helper as helper

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1


class Linear:
    """An integer linear expression: coefficients by variable index, plus a constant."""

    __slots__ = ("terms", "constant")

    def __init__(self, terms: dict[int, int] | None = None, constant: int = 0):
        self.terms = terms or {}
        self.constant = constant

    def _combined(self, other: Linear | int, sign: int) -> Linear:
        if isinstance(other, int):
            return Linear(dict(self.terms), self.constant + sign * other)
        terms = dict(self.terms)
        for index, coeff in other.terms.items():
            terms[index] = terms.get(index, 0) + sign * coeff
        return Linear(terms, self.constant + sign * other.constant)

    def __add__(self, other: Linear | int) -> Linear:
        return self._combined(other, 1)

    __radd__ = __add__

    def __sub__(self, other: Linear | int) -> Linear:
        return self._combined(other, -1)

    def __rsub__(self, other: int) -> Linear:
        return (self * -1) + other

    def __mul__(self, factor: int) -> Linear:
        return Linear({index: coeff * factor for index, coeff in self.terms.items()}, self.constant * factor)

    __rmul__ = __mul__


class IntVar(Linear):
    """A model variable; ``index`` is its position in the model."""

    __slots__ = ("index",)

    def __init__(self, index: int):
        super().__init__({index: 1})
        self.index = index


class BoolVar(IntVar):
    """A 0-1 variable, usable as a literal; :meth:`negated` is the literal "this variable is false"."""

    __slots__ = ()

    @property
    def literal(self) -> int:
        return self.index

    def negated(self) -> int:
        return -self.index - 1


Literal = BoolVar | int  # a Boolean variable, or a negated literal from BoolVar.negated()


def _literal(literal: Literal) -> int:
    return literal.literal if isinstance(literal, BoolVar) else literal


def _canonical(expression: Linear | int) -> tuple[list[int], list[int], int]:
    """(variables in index order, their non-zero coefficients, the constant) of an expression."""
    if isinstance(expression, int):
        return [], [], expression
    items = sorted((index, coeff) for index, coeff in expression.terms.items() if coeff != 0)
    return [index for index, _ in items], [coeff for _, coeff in items], expression.constant


@dataclass(frozen=True)
class Solution:
    """A solved model's variable values and objective value."""

    values: Sequence[int]
    objective: float

    def value(self, variable: IntVar) -> int:
        return int(self.values[variable.index])


class Model:
    """A CP-SAT model under construction; :meth:`solve` solves it."""

    def __init__(self):
        self.proto = helper.CpModelProto()
        self._constants: dict[int, IntVar] = {}

    # -- variables ---------------------------------------------------------------------
    def _variable(self, domain: list[int], name: str | None) -> int:
        variable = self.proto.variables.add()
        if name is not None:
            variable.name = name
        variable.domain.extend(domain)
        return len(self.proto.variables) - 1

    def int_var(self, lower: int, upper: int, name: str) -> IntVar:
        return IntVar(self._variable([lower, upper], name))

    def int_var_in(self, values: Iterable[int], name: str) -> IntVar:
        """A variable whose domain is exactly ``values`` (written as sorted disjoint intervals)."""
        domain: list[int] = []
        for value in sorted(set(values)):
            if domain and domain[-1] == value - 1:
                domain[-1] = value
            else:
                domain.extend([value, value])
        return IntVar(self._variable(domain, name))

    def bool_var(self, name: str) -> BoolVar:
        return BoolVar(self._variable([0, 1], name))

    def constant(self, value: int) -> IntVar:
        """A variable fixed to ``value``; one per distinct value, as ``cp_model`` does."""
        if value not in self._constants:
            self._constants[value] = IntVar(self._variable([value, value], None))
        return self._constants[value]

    # -- constraints -------------------------------------------------------------------
    def _constraint(self, only_if: Sequence[Literal]):
        constraint = self.proto.constraints.add()
        constraint.enforcement_literal.extend(_literal(lit) for lit in only_if)
        return constraint

    def _linear(self, expression: Linear, lower: int, upper: int, only_if: Sequence[Literal]) -> None:
        variables, coeffs, constant = _canonical(expression)
        constraint = self._constraint(only_if).linear
        constraint.vars.extend(variables)
        constraint.coeffs.extend(coeffs)
        constraint.domain.extend(
            [lower if lower == INT64_MIN else lower - constant, upper if upper == INT64_MAX else upper - constant]
        )

    def equal(self, left: Linear, right: Linear | int, only_if: Sequence[Literal] = ()) -> None:
        """left = right (when every literal of ``only_if`` is true)."""
        self._linear(left - right, 0, 0, only_if)

    def at_most(self, left: Linear, right: Linear | int, only_if: Sequence[Literal] = ()) -> None:
        """left ≤ right (when every literal of ``only_if`` is true)."""
        self._linear(left - right, INT64_MIN, 0, only_if)

    def at_least(self, left: Linear, right: Linear | int, only_if: Sequence[Literal] = ()) -> None:
        """left ≥ right (when every literal of ``only_if`` is true)."""
        self._linear(left - right, 0, INT64_MAX, only_if)

    def allowed(
        self, variables: Sequence[IntVar], rows: Iterable[Sequence[int]], only_if: Sequence[Literal] = ()
    ) -> None:
        """The variables take the values of one of ``rows`` (a table constraint)."""
        table = self._constraint(only_if).table
        for variable in variables:
            expression = table.exprs.add()
            expression.vars.append(variable.index)
            expression.coeffs.append(1)
        for row in rows:
            table.values.extend(row)

    def max_equality(self, target: IntVar, variables: Sequence[IntVar]) -> None:
        """target = max(variables)."""
        lin_max = self._constraint(()).lin_max
        lin_max.target.vars.append(target.index)
        lin_max.target.coeffs.append(1)
        for variable in variables:
            expression = lin_max.exprs.add()
            expression.vars.append(variable.index)
            expression.coeffs.append(1)

    def implication(self, premise: Literal, conclusion: Literal) -> None:
        """premise ⇒ conclusion."""
        self._constraint([premise]).bool_and.literals.append(_literal(conclusion))

    def any_true(self, literals: Sequence[Literal], only_if: Sequence[Literal] = ()) -> None:
        """At least one of ``literals`` is true (when every literal of ``only_if`` is true)."""
        self._constraint(only_if).bool_or.literals.extend(_literal(lit) for lit in literals)

    def minimize(self, expression: Linear) -> None:
        variables, coeffs, constant = _canonical(expression)
        objective = self.proto.objective
        objective.vars.extend(variables)
        objective.coeffs.extend(coeffs)
        objective.offset = constant
        objective.scaling_factor = 1.0

    # -- solving -----------------------------------------------------------------------
    def solve(self, time_limit_s: float, workers: int = 1, seed: int = 0, **settings: int | bool) -> Solution | None:
        """Solve deterministically (one worker, fixed seed); None when no solution was found.

        ``settings`` are further CP-SAT parameters by name (``SatParameters`` fields).
        """
        parameters = helper.SatParameters()
        parameters.num_workers = workers
        parameters.random_seed = seed
        parameters.max_time_in_seconds = time_limit_s
        for name, value in settings.items():
            setattr(parameters, name, value)
        solver = helper.SolveWrapper()
        solver.set_parameters(parameters)
        response = solver.solve(self.proto)
        if response.status not in (helper.CpSolverStatus.OPTIMAL, helper.CpSolverStatus.FEASIBLE):
            return None
        return Solution(values=list(response.solution), objective=response.objective_value)

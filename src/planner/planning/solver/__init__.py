"""The CP-SAT layer: the route model (:mod:`.model`) over a thin typed wrapper of OR-Tools'
CP-SAT (:mod:`.cpsat`), and an exhaustive search used only by tests to check it (:mod:`.reference`).

It reads the month tables of :mod:`planner.planning.tables` and evaluates no rule itself.
"""

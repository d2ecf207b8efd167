"""Route planning: route templates from the graph, month tables from the rules, and a CP-SAT model.

Layers: :mod:`.templates` (paths through the pruned graph, a program per edge),
:mod:`.tables` (what each step needs and gives, month by month, from the rules),
:mod:`.model` (the CP-SAT model choosing a route and its timing), :mod:`.reference`
(an exhaustive search used only by tests to check the model).
"""

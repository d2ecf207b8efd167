"""The facts layer: a person's profile and what follows from it under the rules.

Owns the profile contract (:mod:`.profile`), reading and checking a profile
(:mod:`.inputs`), derived facts such as months of skilled work and education tiers
(:mod:`.derived`), language results in CLB (:mod:`.language`) and the person projected
month by month (:mod:`.timeline`).  Imports only the rules layer and the base modules.
"""

"""The planning layer: routes to permanent residence and their timing.

The pathway graph (:mod:`.graph`), route templates through it (:mod:`.templates`), the
states and month tables that evaluate every rule a route needs (:mod:`.states`,
:mod:`.tables`), the CP-SAT model that times and chooses routes (:mod:`.solver`), the
search over horizons and alternatives (:mod:`.search`), the explained result
(:mod:`.explain`, :mod:`.result`), status and permits on a route (:mod:`.status`,
:mod:`.permits`) and an independent validator (:mod:`.validate`).
"""

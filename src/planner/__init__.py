"""planner: plans immigration routes to Canadian permanent residence from dated, cited rules.

The library API is small: load a profile, then ask for CRS, eligibility or a route plan.
"""

__version__ = "0.1.0"

"""Express Entry rounds: the imported history and invitation-probability estimates.

The public API the route planner uses:

- :data:`ROUND_TYPES`, the stable round-type ids a person's eligibility is expressed in;
- :func:`load_history`, every round IRCC has published, normalized, oldest first;
- :func:`estimate_invitation`, P(invited within W months | CRS, round types, as-of date),
  returning an :class:`InvitationEstimate`.

Importing this package is light (pydantic and PyYAML only); the history is read on first use.
"""

from planner.rounds.estimator import InvitationEstimate, TypeContribution, estimate_invitation
from planner.rounds.history import PoolDistribution, Round, load_history
from planner.rounds.types import ROUND_TYPES

__all__ = [
    "ROUND_TYPES",
    "InvitationEstimate",
    "PoolDistribution",
    "Round",
    "TypeContribution",
    "estimate_invitation",
    "load_history",
]

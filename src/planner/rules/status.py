"""Rules of staying in status: the bridging permit's program and how early a renewal is applied for
(``models/federal/status.yaml``); :mod:`planner.planning.status` applies them to a route."""

from __future__ import annotations

from planner.rules.book import rule_file
from planner.rules.schema import Count, Dated, ModelFile


class StatusRulesFile(ModelFile):
    """Schema of ``models/federal/status.yaml``."""

    bridging_permit: Dated[str]
    renewal_lead_months: Dated[Count]


def status_rules() -> StatusRulesFile:
    return rule_file("federal/status.yaml", StatusRulesFile)

"""Helpers for the rounds tests: write small feeds in IRCC's format."""

from __future__ import annotations

import json
from pathlib import Path

SHARED_FEED = Path(__file__).parents[2].parent / "shared/data/ee-rounds-feed.json"


def feed_round(
    number: str,
    draw_date: str,
    name: str = "Canadian Experience Class",
    size: str = "1,000",
    crs: str = "500",
    **extra: str,
) -> dict:
    """Return one round in IRCC's feed format (every value a string, no distribution published)."""
    entry = {
        "drawNumber": number,
        "drawNumberURL": f"<a href='/en/express-entry-rounds/invitations.html?q={number}'>{number}</a>",
        "drawDate": draw_date,
        "drawName": name,
        "drawSize": size,
        "drawCRS": crs,
        "drawCutOff": "January 05, 2026 at 10:11:12 UTC",
        "drawDistributionAsOn": "",
    }
    entry.update({f"dd{k}": "0" for k in (1, 2, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 15, 16, 17, 18)})
    entry.update(extra)
    return entry


def write_feed(path: Path, rounds: list[dict], **top: object) -> Path:
    """Write a feed file with ``rounds`` listed newest first, as IRCC does."""
    path.write_text(json.dumps({"rounds": list(reversed(rounds)), **top}), encoding="utf-8")
    return path

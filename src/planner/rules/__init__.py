"""Rule files under ``models/``: their schema, a strict loader, and dated lookups."""

"""Fixtures for the rounds tests: the shared feed snapshot, a scratch models/ directory, small feeds."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rounds_helpers import SHARED_FEED

from planner.rules.loader import models_dir


@pytest.fixture
def shared_feed() -> Path:
    """IRCC's feed snapshot kept beside the repository; tests using it skip when it is absent."""
    if not SHARED_FEED.exists():
        pytest.skip(f"shared feed snapshot not found at {SHARED_FEED}")
    return SHARED_FEED


@pytest.fixture
def scratch_models(tmp_path: Path) -> Path:
    """Give a models/ directory holding only the round-name table, for imports that must not touch the repo."""
    root = tmp_path / "models"
    (root / "rounds").mkdir(parents=True)
    shutil.copy(models_dir() / "rounds/round_names.yaml", root / "rounds/round_names.yaml")
    return root

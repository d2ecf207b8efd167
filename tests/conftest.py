"""Test session set-up: rule-file parses are cached, and rounds imported, in a temporary directory, never the user's."""

from __future__ import annotations

import os
import shutil
import tempfile

from planner.rounds.history import DATA_ENV
from planner.rules.parse_cache import CACHE_ENV

_session_cache: str | None = None


def pytest_configure(config):
    global _session_cache
    _session_cache = tempfile.mkdtemp(prefix="planner-test-cache-")
    os.environ[CACHE_ENV] = _session_cache  # inherited by the CLI subprocesses the tests start
    os.environ[DATA_ENV] = os.path.join(_session_cache, "data")  # imports never touch the user's own data


def pytest_unconfigure(config):
    if _session_cache is not None:
        shutil.rmtree(_session_cache, ignore_errors=True)

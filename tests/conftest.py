"""Fixtures: the demo mirror on a real loopback server, its manifest; the test environment (no
operator settings, fixed Hypothesis examples). Helpers live in tests/support/."""
from __future__ import annotations

import json
import os
from typing import Iterator

import pytest
from hypothesis import settings

# The tests set every policywatch setting they rely on; an operator's exported POLICYWATCH_* (SMTP login,
# database, ops address…) must not leak into them or into the commands they start.
for _name in [name for name in os.environ if name.startswith("POLICYWATCH_")]:
    del os.environ[_name]

# The same Hypothesis examples on every run, so a run's result never depends on luck;
# `HYPOTHESIS_PROFILE=explore` draws new random examples (run it to hunt, then pin finds with @example).
settings.register_profile("fixed", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "fixed"))

from demo.server import MirrorServer  # noqa: E402  (after the environment is set)
from tests.support.mirror import MIRROR  # noqa: E402


@pytest.fixture()
def mirror() -> Iterator[MirrorServer]:
    """The demo mirror on 127.0.0.1 (a fresh server, log and faults per test)."""
    with MirrorServer(MIRROR) as server:
        yield server


@pytest.fixture(scope="session")
def manifest() -> dict:
    """The demo mirror's manifest (every detail document with its site and labels)."""
    return json.loads((MIRROR / "manifest.json").read_text(encoding="utf-8"))

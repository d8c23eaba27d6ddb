"""One page through every processing stage that exists: the single entry point that the
crawler's store step, `policywatch extract` and re-processing all call."""
from __future__ import annotations

from typing import Any

from pipelines.extract import PageInput, extract_record


def process_page(page: PageInput) -> dict[str, Any]:
    """The full record for one page (clean → extract)."""
    return extract_record(page)

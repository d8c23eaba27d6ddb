"""Revisions of one URL: what changed and whether it is material."""
from __future__ import annotations

from typing import Any, Mapping

from pipelines.dedup.diff import text_differences
from pipelines.dedup.normalise import normalised_lines, prepare_text, sentence_units


def revision_summary(old_text: str | None, new_text: str) -> dict[str, Any]:
    """A short diff of two versions of one page: paragraphs added/removed, changed dates/amounts, material or not."""
    new_prepared = prepare_text(new_text)
    new_lines = normalised_lines(new_prepared, prepared=True)
    if old_text is None:
        return {"previous_known": False, "paragraphs_added": len(new_lines), "paragraphs_removed": 0,
                "changed": [], "material": True}
    old_prepared = prepare_text(old_text)
    old_lines = normalised_lines(old_prepared, prepared=True)
    old_set, new_set = set(old_lines), set(new_lines)
    added = [line for line in new_lines if line not in old_set]
    removed = [line for line in old_lines if line not in new_set]
    diff = text_differences(sentence_units(old_prepared), sentence_units(new_prepared))
    substantive = [piece for piece in diff.added + diff.removed if len(piece) >= 10]
    return {
        "previous_known": True,
        "paragraphs_added": len(added), "paragraphs_removed": len(removed),
        "added_text": [piece[:60] for piece in diff.added[:3]],
        "removed_text": [piece[:60] for piece in diff.removed[:3]],
        "changed": [{"kind": c.kind, "old": c.old, "new": c.new} for c in diff.changed[:10]],
        "material": bool(diff.changed or substantive),
    }


def describe_revision(summary: Mapping[str, Any]) -> str:
    """One line for a revision summary: paragraphs +N -M; changed dates/amounts."""
    if not summary.get("previous_known", True):
        return "previous text not kept"
    parts = [f"paragraphs +{summary.get('paragraphs_added', 0)} -{summary.get('paragraphs_removed', 0)}"]
    changed = summary.get("changed") or []
    if changed:
        parts.append("changed " + ", ".join(f"{c['kind']} {c['old']}→{c['new']}" for c in changed[:4]))
    if not summary.get("material"):
        parts.append("not material")
    return "; ".join(parts)

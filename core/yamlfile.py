"""Strict YAML for the config files (sources, feeds, subscriptions): a key given twice is an error.

PyYAML keeps the last of two equal keys in a mapping without a word, so a source with two
``schedule:`` lines would run on whichever came second. Here the second one fails loading, and
every config reader reports it the same way, as one line naming the file, the key and both lines::

    config/sources.yaml: not valid YAML at line 12: duplicate key 'schedule' (first at line 9)

A merge key (``<<: *defaults``) may still be overridden by the mapping that merges it.
"""
from __future__ import annotations

from typing import Any

import yaml
from yaml.constructor import ConstructorError

MERGE_TAG = "tag:yaml.org,2002:merge"


class DuplicateKeyError(ConstructorError):
    """A mapping names one key twice; `problem_mark` is the second occurrence."""


class StrictLoader(yaml.SafeLoader):
    """The safe loader, refusing a mapping that repeats a key."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        first_lines: dict[Any, int] = {}
        for key_node, _value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == MERGE_TAG:
                continue  # unhashable keys fail in the safe loader itself; merged keys may be overridden
            key = self.construct_object(key_node)
            line = key_node.start_mark.line + 1
            if key in first_lines:
                raise DuplicateKeyError(None, None, f"duplicate key {key!r} (first at line {first_lines[key]})",
                                        key_node.start_mark)
            first_lines[key] = line
        return super().construct_mapping(node, deep=deep)


def load_yaml(text: str) -> Any:
    """The data of a YAML document, read safely; raises yaml.YAMLError, also for a duplicate key."""
    return yaml.load(text, Loader=StrictLoader)  # noqa: S506 - StrictLoader is a SafeLoader


def yaml_error_message(label: str, exc: yaml.YAMLError) -> str:
    """One line for a file that failed to load: '<label>: not valid YAML at line N: <problem>'."""
    mark = getattr(exc, "problem_mark", None)
    where = f" at line {mark.line + 1}" if mark is not None else ""
    problem = getattr(exc, "problem", None) or str(exc)
    return f"{label}: not valid YAML{where}: {' '.join(str(problem).split())}"

"""Map a validation error's location (``("rules", 3, "then", "lead")``) to a YAML line.

Uses the node tree of ``yaml.compose``; parts of a location that are not in the document
(pydantic's union tags such as ``str`` or ``function-before``) are skipped.
"""

from __future__ import annotations

from collections.abc import Sequence

import yaml


def line_of(root: yaml.Node | None, location: Sequence[object]) -> int | None:
    """The 1-based line of the deepest node of ``location`` found in the document."""
    node = root
    line: int | None = None
    for part in location:
        if node is None:
            break
        child: yaml.Node | None = None
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value == str(part):
                    line = key.start_mark.line + 1
                    child = value
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            child = node.value[part] if 0 <= part < len(node.value) else None
            line = child.start_mark.line + 1 if child is not None else line
        if child is not None:
            node = child
    return line

"""Dotted paths into a scenario's data: ``channels.phone.aht``, ``agents.voice.staff``.

A part names a mapping key, or, in a list of agent groups, a group by its name (or an
index). Used by :meth:`Scenario.get`, :meth:`Scenario.with_values`,
:meth:`Scenario.scaled`, sweeps and the app.

Examples
--------
>>> data = {"channels": {"phone": {"aht": 300}}, "agents": [{"group": "voice", "staff": 10}]}
>>> get_path(data, "agents.voice.staff")
10
>>> set_path(data, "channels.phone.aht", 240); data["channels"]["phone"]["aht"]
240
>>> scale_value([10, 11], 1.5, whole=True, path="agents.voice.staff")
[15, 16]
"""

from __future__ import annotations

import copy
import math
from typing import Any

from wfm.checks import short_repr
from wfm.errors import ScenarioError

__all__ = ["get_path", "scale_value", "set_path", "split_path", "tidy"]


def split_path(path: str) -> list[str]:
    """The parts of a dotted path; ``ScenarioError`` for an empty one."""
    parts = [p for p in str(path).split(".") if p]
    if not parts:
        raise ScenarioError([(str(path), "empty path")])
    return parts


def _child(node: Any, part: str, path: str) -> Any:
    if isinstance(node, list):
        for item in node:
            if isinstance(item, dict) and item.get("group") == part:
                return item
        if part.isdigit() and int(part) < len(node):
            return node[int(part)]
        raise ScenarioError([(path, f"no entry {part!r} here")])
    if isinstance(node, dict) and part in node:
        return node[part]
    raise ScenarioError([(path, f"no key {part!r} here")])


def get_path(data: Any, path: str) -> Any:
    """The value at ``path`` in plain scenario data."""
    node = data
    for part in split_path(path):
        node = _child(node, part, path)
    return node


def set_path(data: dict[str, Any], path: str, value: Any) -> None:
    """Replace (or add, as the last part) the value at ``path``, in place."""
    parts = split_path(path)
    node: Any = data
    for part in parts[:-1]:
        node = _child(node, part, path)
    if not isinstance(node, dict):
        raise ScenarioError([(path, "cannot set a value here")])
    node[parts[-1]] = copy.deepcopy(value)


def scale_value(old: Any, factor: float, *, whole: bool, path: str) -> Any:
    """``old`` (a number or a list of numbers) times ``factor``; rounded if ``whole``."""
    if not math.isfinite(factor) or factor < 0:
        raise ScenarioError([(path, f"scale factor must be a finite number >= 0 (got {factor})")])
    if isinstance(old, list):
        return [scale_value(v, factor, whole=whole, path=path) for v in old]
    if isinstance(old, bool) or not isinstance(old, int | float):
        raise ScenarioError([(path, f"cannot scale a non-number ({short_repr(old)})")])
    scaled = old * factor
    if whole:
        if not math.isfinite(scaled):
            raise ScenarioError([(path, f"{old} x {factor} is not a finite number")])
        return int(round(scaled))
    return scaled


def tidy(value: Any) -> Any:
    """Floats that are whole numbers become ints (``40`` rather than ``40.0``)."""
    if isinstance(value, dict):
        return {k: tidy(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [tidy(v) for v in value]
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value

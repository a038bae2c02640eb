"""Turning validation failures into ``(field path, reason)`` pairs people can act on.

Pydantic's errors are rewritten to short reasons (``must be >= 0 (got -5)``) with the
path written as in the file (``channels.phone.volume[3]``); values are shown shortened
and never for unknown keys (an unknown key's value may be anything, a secret included).
Cross-field rules raise :class:`Problems`, a ``ValueError`` carrying every pair, from a
pydantic model validator, so every constructed :class:`~wfm.scenario.Scenario` is
checked whatever the entry point.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from wfm.checks import short_repr

__all__ = ["Problems", "pydantic_problems"]


class Problems(ValueError):
    """Several ``(field path, reason)`` problems found by a cross-field check.

    ``limit`` is True when the problems are sizes beyond :mod:`wfm.limits` (the loader
    then raises :class:`~wfm.errors.LimitError`).
    """

    def __init__(self, problems: list[tuple[str, str]], limit: bool = False) -> None:
        self.problems = problems
        self.limit = limit
        super().__init__("; ".join(f"{p}: {r}" if p else r for p, r in problems))


_MESSAGES = {
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "bool_type": "must be true or false",
    "string_type": "must be text",
    "dict_type": "must be a mapping",
    "model_type": "must be a mapping",
    "tuple_type": "must be a list",
    "list_type": "must be a list",
    "missing": "is required",
    "finite_number": "must be a finite number",
}

_BOUNDS = {
    "greater_than_equal": (">=", "ge"),
    "greater_than": (">", "gt"),
    "less_than": ("<", "lt"),
    "less_than_equal": ("<=", "le"),
}


_MISSING = object()


def _parts(loc: tuple[Any, ...], data: Any) -> list[Any]:
    """The parts of a pydantic error location that are keys or indices of the input.

    Pydantic's locations also name the branches of a union (``tuple[float, ...]``,
    ``function-after[...]``): walking the input tells them from user keys that happen
    to look alike. Without the input, parts that look like branches are left out."""
    if data is _MISSING:
        return [p for p in loc
                if not (isinstance(p, str) and ("[" in p or p.startswith("function-")))]
    out: list[Any] = []
    node = data
    for part in loc:
        if isinstance(node, list | tuple) and isinstance(part, int) and 0 <= part < len(node):
            out.append(part)
            node = node[part]
        elif isinstance(node, Mapping) and part in node:
            out.append(part)
            node = node[part]
        elif isinstance(node, Mapping) and part == "break_" and "break" in node:
            out.append("break")
            node = node["break"]
        elif isinstance(part, str) and ("[" in part or part.startswith(("function-", "constrained-"))
                                        or part in ("int", "float", "str", "bool", "list", "tuple",
                                                    "dict", "none")):
            continue  # a union branch: not in the input
        else:
            out.append(part)  # a missing key or a model field absent from the input
            node = None
    return out


def _path(loc: tuple[Any, ...], data: Any = _MISSING) -> str:
    parts = _parts(loc, data)
    path = ""
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += ("." if path else "") + ("break" if part == "break_" else str(part))
    return path


def pydantic_problems(exc: ValidationError, data: Any = _MISSING
                      ) -> tuple[list[tuple[str, str]], bool]:
    """The ``(path, reason)`` pairs of a pydantic error, and whether they are limits.

    ``data``, the validated input, makes the paths exact (see :func:`_parts`)."""
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    limit = False
    errors = exc.errors()
    located = [_path(err["loc"], data) for err in errors]
    for err, path in zip(errors, located, strict=True):
        # "too short" of a list whose item is itself wrong says the same thing twice
        if err["type"] == "too_short" and any(p != path and p.startswith(path) for p in located):
            continue
        kind = err["type"]
        original = (err.get("ctx") or {}).get("error")
        if isinstance(original, Problems):
            limit = limit or original.limit
            for p, reason in original.problems:
                full = f"{path}.{p}" if path and p else (p or path)
                out.append((full, reason))
            continue
        if kind == "extra_forbidden":
            reason = "is not a known key"  # never echo the value: it may be anything
        elif kind in ("value_error", "assertion_error"):
            reason = str(err["msg"]).removeprefix("Value error, ")
        elif kind in _MESSAGES:
            reason = _MESSAGES[kind]
            if "input" in err and kind != "missing":
                reason += f" (got {short_repr(err['input'])})"
        elif kind in _BOUNDS:
            op, key = _BOUNDS[kind]
            reason = f"must be {op} {err.get('ctx', {}).get(key)} (got {short_repr(err['input'])})"
        elif kind == "literal_error":
            reason = (
                str(err["msg"]).replace("Input should be", "must be")
                + f" (got {short_repr(err['input'])})"
            )
        else:
            reason = str(err["msg"]).replace("Input should", "must")
        # a union (int | list) reports one error per branch; keep the first per path
        if path in seen:
            continue
        seen.add(path)
        out.append((path, reason))
    return out, limit

"""Argument checks at the public boundary: one clear ``ValueError`` per bad value.

Each check names the argument, shows the value (shortened when long) and says what is
wrong, e.g. ``replications must be a whole number >= 1 (got 0)``.

Examples
--------
>>> whole_number("replications", 3, minimum=1)
3
>>> whole_number("replications", 2.0, minimum=1)
2
>>> whole_number("seed", -1, minimum=0)
Traceback (most recent call last):
...
ValueError: seed must be a whole number >= 0 (got -1)
>>> finite_number("time_limit", float("nan"), minimum=0, strict=True)
Traceback (most recent call last):
...
ValueError: time_limit must be a finite number > 0 (got nan)
"""

from __future__ import annotations

import math
import numbers
from typing import Any

__all__ = ["finite_number", "short_repr", "whole_number"]


def short_repr(value: Any, limit: int = 60) -> str:
    """``repr(value)`` cut to ``limit`` characters (never expands a huge structure)."""
    if isinstance(value, list | tuple | dict | set) and len(value) > 20:
        return f"<{type(value).__name__} of {len(value)} items>"
    try:
        text = repr(value)
    except Exception:  # noqa: BLE001 - a repr that fails is shown by its type
        return f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _bounds(minimum: float | None, maximum: float | None, strict: bool) -> str:
    parts = []
    if minimum is not None:
        parts.append(f"{'>' if strict else '>='} {minimum:g}")
    if maximum is not None:
        parts.append(f"<= {maximum:g}")
    return (" " + " and ".join(parts)) if parts else ""


def whole_number(
    name: str, value: Any, *, minimum: int | None = None, maximum: int | None = None
) -> int:
    """``value`` as an int, or ``ValueError`` naming ``name``.

    Accepts ints, numpy integers and floats with no fractional part; refuses booleans,
    NaN, infinities and anything outside ``[minimum, maximum]``.
    """
    ok = False
    as_int = 0
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        as_int, ok = int(value), True
    elif isinstance(value, numbers.Real) and not isinstance(value, bool):
        f = float(value)
        if math.isfinite(f) and f.is_integer():
            as_int, ok = int(f), True
    if ok and (minimum is None or as_int >= minimum) and (maximum is None or as_int <= maximum):
        return as_int
    raise ValueError(
        f"{name} must be a whole number{_bounds(minimum, maximum, False)} (got {short_repr(value)})"
    )


def finite_number(
    name: str,
    value: Any,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    strict: bool = False,
) -> float:
    """``value`` as a finite float, or ``ValueError`` naming ``name``.

    ``strict`` makes the minimum exclusive (``> minimum``).
    """
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        f = float(value)
        if (
            math.isfinite(f)
            and (minimum is None or (f > minimum if strict else f >= minimum))
            and (maximum is None or f <= maximum)
        ):
            return f
    raise ValueError(
        f"{name} must be a finite number{_bounds(minimum, maximum, strict)} (got {short_repr(value)})"
    )

"""Argument checks, broadcasting and the documented input limits of :mod:`wfm.erlang`.

Every public function validates its arguments here before doing any work: each bad value
raises one ``ValueError`` that starts with the argument's name, shows the value and says
what is wrong, e.g. ``volume must be >= 0 (got -3.0)``.

The limits (see "Limits" in :mod:`wfm.erlang` for the reasons) are refused the same way:
``MAX_TRAFFIC`` Erlangs of offered traffic, ``MAX_VOLUME`` contacts per interval,
``MAX_AGENTS`` agents (or chat session slots), ``MAX_SECONDS`` for a handle time,
patience or interval, and a patience of at most ``MAX_PATIENCE_RATIO`` handle times.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, TypeVar, cast

import numpy as np
import numpy.typing as npt

ArrayLike = npt.ArrayLike
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
IndexArray = npt.NDArray[np.intp]
FloatResult = FloatArray | np.float64
IntResult = IntArray | np.int64

_S = TypeVar("_S", bound=np.generic)

MAX_TRAFFIC = 1e6  # Erlangs of offered traffic (volume * aht / interval)
MAX_VOLUME = 1e12  # contacts per interval (and contacts in a backlog)
MAX_AGENTS = 1e7  # agents, chat session slots, or traffic / max_occupancy
MAX_SECONDS = 1e9  # aht, patience and interval, seconds (about 32 years)
MAX_PATIENCE_RATIO = 1e8  # patience / aht
_LIMIT = "the limit of wfm.erlang"


def fmt(value: float) -> str:
    """A value as it appears in an error message."""
    return repr(float(value))


def check(
    name: str,
    value: ArrayLike,
    *,
    low: float | None = None,
    low_strict: bool = False,
    high: float | None = None,
    integer: bool = False,
    limit: float | None = None,
    unit: str = "",
) -> FloatArray:
    """Return ``value`` as a float array, or raise ``ValueError`` naming ``name``.

    NaN and infinities are always refused; ``low`` (``>= low``, or ``> low`` with
    ``low_strict``), ``high`` (``<= high``) and ``integer`` (whole numbers) add bounds,
    and ``limit`` one of the documented limits (in ``unit``).
    """
    if type(value) is float or type(value) is int:  # a plain number passing every test: quick
        x = float(value) if abs(value) < 1e308 else math.inf
        if (x < math.inf and (low is None or (x > low if low_strict else x >= low))
                and (high is None or x <= high) and (not integer or x == math.floor(x))
                and (limit is None or x <= limit)):
            return np.asarray(x)
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number or an array of numbers (got {value!r})") from None
    except OverflowError:  # an int beyond the range of floats
        what = f"an integer of {len(str(abs(value)))} digits" if isinstance(value, int) else "an integer beyond floats"
        raise ValueError(f"{name} must be finite (got {what})") from None
    ok = arr < np.inf
    if low is not None:
        ok &= (arr > low) if low_strict else (arr >= low)
    if high is not None:
        ok &= arr <= high
    if integer:
        ok &= arr == np.floor(arr)
    if limit is not None:
        ok &= arr <= limit
    if ok.all():
        return arr
    bad = float(arr[~ok].flat[0] if arr.ndim else arr[()])
    if np.isnan(bad):
        raise ValueError(f"{name} must not be NaN (got nan)")
    if not np.isfinite(bad):
        raise ValueError(f"{name} must be finite (got {fmt(bad)})")
    if low is not None and ((bad <= low) if low_strict else (bad < low)):
        raise ValueError(f"{name} must be {'>' if low_strict else '>='} {low:g} (got {fmt(bad)})")
    if high is not None and bad > high:
        raise ValueError(f"{name} must be <= {high:g} (got {fmt(bad)})")
    if integer and bad != np.floor(bad):
        raise ValueError(f"{name} must be a whole number (got {fmt(bad)})")
    raise ValueError(f"{name} must be at most {limit:g}{unit}, {_LIMIT} (got {fmt(bad)})")


def check_optional(
    name: str,
    value: ArrayLike | None,
    *,
    low: float | None = None,
    low_strict: bool = False,
    high: float | None = None,
    limit: float | None = None,
    unit: str = "",
) -> FloatArray | None:
    """:func:`check`, passing ``None`` through."""
    if value is None:
        return None
    return check(name, value, low=low, low_strict=low_strict, high=high, limit=limit, unit=unit)


def out(arr: np.ndarray[Any, np.dtype[_S]]) -> np.ndarray[Any, np.dtype[_S]] | _S:
    """Numpy scalar for 0-d results, the array otherwise."""
    if arr.ndim == 0:
        return cast(_S, arr[()])
    return arr


def flat(
    required: Sequence[FloatArray], optional: Sequence[FloatArray | None] = ()
) -> tuple[tuple[int, ...], list[FloatArray], list[FloatArray | None]]:
    """Broadcast the arrays (``None`` passes through) and flatten them to 1-d.

    Returns the broadcast shape, the flattened ``required`` arrays and the flattened
    ``optional`` ones (``None`` where ``None`` was given).
    """
    present = [*required, *(a for a in optional if a is not None)]
    shape = np.broadcast_shapes(*(a.shape for a in present))
    req = [np.broadcast_to(a, shape).ravel() for a in required]
    opt = [None if a is None else np.broadcast_to(a, shape).ravel() for a in optional]
    return shape, req, opt


def check_traffic(volume: FloatArray, aht: FloatArray, interval: FloatArray, traffic: FloatArray) -> None:
    """Refuse offered traffic (``volume * aht / interval``, flat arrays) above ``MAX_TRAFFIC``."""
    if (traffic <= MAX_TRAFFIC).all():
        return
    i = int(np.flatnonzero(~(traffic <= MAX_TRAFFIC))[0])
    raise ValueError(
        f"volume * aht / interval (the offered traffic) must be at most {MAX_TRAFFIC:g} Erlangs, {_LIMIT}"
        f" (got volume={fmt(volume[i])}, aht={fmt(aht[i])} s, interval={fmt(interval[i])} s:"
        f" {fmt(traffic[i])} Erlangs)"
    )


def check_patience(patience: FloatArray, aht: FloatArray) -> None:
    """Refuse a mean patience above ``MAX_PATIENCE_RATIO`` mean handle times (flat arrays)."""
    ok = patience <= MAX_PATIENCE_RATIO * aht
    if ok.all():
        return
    i = int(np.flatnonzero(~ok)[0])
    raise ValueError(
        f"patience must be at most {MAX_PATIENCE_RATIO:g} * aht, {_LIMIT} (got patience={fmt(patience[i])} s"
        f" with aht={fmt(aht[i])} s); for callers who never abandon pass patience=None"
    )


def check_agents_for_occupancy(traffic: FloatArray, max_occupancy: FloatArray) -> None:
    """Refuse a ``max_occupancy`` that would need more than ``MAX_AGENTS`` agents (flat arrays)."""
    ok = traffic <= MAX_AGENTS * max_occupancy
    if ok.all():
        return
    i = int(np.flatnonzero(~ok)[0])
    raise ValueError(
        f"max_occupancy must be at least traffic / {MAX_AGENTS:g} agents, {_LIMIT}"
        f" (got {fmt(max_occupancy[i])} with {fmt(traffic[i])} Erlangs of traffic)"
    )

"""Reading the columns the figures need out of wfm results (internal)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from wfm.report.style import REALTIME_KINDS

#: Kinds whose work waits in a backlog (drawn in the backlog figure).
DEFERRED_KINDS = ("deferred", "social")

if TYPE_CHECKING:  # pragma: no cover
    from wfm.sim.engine import SimulationResult


# ---------------------------------------------------------------------- frame helpers
def _labels(result: SimulationResult) -> list[str]:
    """Clock label of every interval, from ``result.intervals["start"]``."""
    iv = result.intervals.drop_duplicates("interval").sort_values("interval")
    return [str(s) for s in iv["start"]]


def _channels(result: SimulationResult) -> list[str]:
    sc = getattr(result, "scenario", None)
    if sc is not None:
        return list(sc.channel_names)
    return list(dict.fromkeys(result.intervals["channel"]))


def _kinds(result: SimulationResult) -> dict[str, str]:
    iv = result.intervals.drop_duplicates("channel")
    return dict(zip(iv["channel"].astype(str), iv["kind"].astype(str), strict=True))


def _groups(result: SimulationResult) -> list[str]:
    return list(dict.fromkeys(str(g) for g in result.groups["group"]))


def _wide(
    frame: pd.DataFrame, key: str, value: str, names: Sequence[str], horizon: int
) -> dict[str, np.ndarray]:
    """``{name: float array of length horizon}`` of ``value`` by ``interval`` (NaN if absent)."""
    if frame.empty:
        return {n: np.full(horizon, np.nan) for n in names}
    wide = frame.pivot_table(
        index="interval", columns=key, values=value, aggfunc="first", dropna=False
    )
    wide = wide.reindex(index=range(horizon), columns=list(names))
    return {n: wide[n].to_numpy(dtype=float, na_value=np.nan) for n in names}

def _realtime_channels(result: SimulationResult) -> list[str]:
    kinds = _kinds(result)
    return [c for c in _channels(result) if kinds.get(c) in REALTIME_KINDS]


def _deferred_channels(result: SimulationResult) -> list[str]:
    kinds = _kinds(result)
    return [c for c in _channels(result) if kinds.get(c) in DEFERRED_KINDS]

def _summary_of(x: Any) -> pd.DataFrame:
    summary = getattr(x, "summary", x)
    if not isinstance(summary, pd.DataFrame):
        raise TypeError(
            f"expected a SimulationResult or its summary DataFrame, not {type(x).__name__}"
        )
    return summary

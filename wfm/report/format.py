"""Numbers for people: the one set of formatters for tables, cards, reports and the CLI.

Rates are shown as percentages, times in seconds below a minute and in minutes or
hours above (``20 s``, ``5 min``, ``24 h``), counts with thousands separators; a
missing value (None or NaN) is ``-``.

Examples
--------
>>> pct(0.8134), seconds(12.345), duration(86400), count(1234.0), count(float("nan"))
('81.3%', '12.3 s', '24 h', '1,234', '-')
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "cell",
    "count",
    "duration",
    "is_missing",
    "number",
    "pct",
    "points",
    "seconds",
    "summary_display",
]


def is_missing(value: Any) -> bool:
    """True for None, NaN and pandas' NA (and nothing else)."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def pct(value: Any, digits: int = 1) -> str:
    """A fraction as a percentage: ``0.8134`` -> ``81.3%``."""
    if is_missing(value) or not math.isfinite(float(value)):
        return "-"
    return f"{100 * float(value):.{digits}f}%"


def points(value: Any, digits: int = 1) -> str:
    """A difference of fractions in percentage points: ``0.012`` -> ``1.2``."""
    if is_missing(value) or not math.isfinite(float(value)):
        return "-"
    return f"{100 * float(value):.{digits}f}"


def seconds(value: Any) -> str:
    """A time in seconds with one decimal: ``12.345`` -> ``12.3 s``."""
    if is_missing(value) or not math.isfinite(float(value)):
        return "-"
    return f"{float(value):,.1f} s"


def duration(value: Any) -> str:
    """A time target in its natural unit: ``20 s``, ``5 min``, ``24 h``."""
    if is_missing(value) or not math.isfinite(float(value)):
        return "-"
    v = float(value)
    if v >= 3600 and v % 3600 == 0:
        return f"{v / 3600:g} h"
    if v >= 60 and v % 60 == 0:
        return f"{v / 60:g} min"
    return f"{v:g} s"


def count(value: Any) -> str:
    """A count with thousands separators, no decimals: ``1234.4`` -> ``1,234``."""
    if is_missing(value) or not math.isfinite(float(value)):
        return "-"
    return f"{float(value):,.0f}"


def number(value: Any) -> str:
    """A count, or a mean count over replications with one decimal: ``12``, ``12.5``."""
    if is_missing(value) or not math.isfinite(float(value)):
        return "-"
    v = float(value)
    return f"{v:,.0f}" if v.is_integer() else f"{v:,.1f}"


def cell(value: Any) -> str:
    """Any table cell as text: yes/no, counts with separators, floats to 4 significant
    digits below 1 and 2 decimals above, ``-`` for NaN, empty for None."""
    if value is None:
        return ""
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, float | np.floating):
        v = float(value)
        if math.isnan(v):
            return "-"
        if v.is_integer() and abs(v) < 1e15:
            return f"{v:,.0f}"
        return f"{v:,.4g}" if abs(v) < 1 else f"{v:,.2f}"
    if isinstance(value, int | np.integer):
        return f"{value:,d}"
    return str(value)


def _sort_key(v: Any) -> tuple[int, Any]:
    if isinstance(v, int | float | np.integer | np.floating) and not isinstance(v, bool):
        return (0, float(v))
    return (1, str(v))


def summary_display(summary: pd.DataFrame) -> pd.DataFrame:
    """A simulation summary formatted for reading (strings with units), one row per channel.

    Parameters
    ----------
    summary : pandas.DataFrame
        ``SimulationResult.summary``.

    Returns
    -------
    pandas.DataFrame
        Columns ``channel``, ``kind``, ``offered``, ``answered``, ``abandoned``,
        ``service level`` (with its 95% half-width after several replications),
        ``target``, ``ASA``, ``p90 wait``, ``abandonment``, ``backlog``, ``pending``,
        ``met`` (bool).
    """

    s = summary
    sl = [pct(v) for v in s["service_level"]]
    if "service_level_ci" in s.columns:
        sl = [
            t if is_missing(ci) else f"{t} ± {100 * ci:.1f}"
            for t, ci in zip(sl, s["service_level_ci"], strict=True)
        ]
    return pd.DataFrame(
        {
            "channel": s["channel"].astype(str).to_numpy(),
            "kind": s["kind"].astype(str).to_numpy(),
            "offered": [number(v) for v in s["offered"]],
            "answered": [number(v) for v in s["answered"]],
            "abandoned": [number(v) for v in s["abandoned"]],
            "service level": sl,
            "target": [
                f"{100 * t:g}% in {duration(float(w))}"
                for t, w in zip(s["target_service_level"], s["answer_within"], strict=True)
            ],
            "ASA": [seconds(v) for v in s["asa"]],
            "p90 wait": [seconds(v) for v in s["wait_p90"]],
            "abandonment": [pct(v) for v in s["abandonment"]],
            "backlog": [number(v) for v in s["backlog"]],
            "pending": [
                number(v) for v in (s["pending"] if "pending" in s.columns else [np.nan] * len(s))
            ],
            "met": s["met"].astype(bool).to_numpy(),
        }
    )

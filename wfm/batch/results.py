"""What a sweep returns: the rows, their summary and what happened.

Results (one row per point x replication x channel)
    the varied parameters (a column each, named by its key, e.g.
    ``channels.phone.volume`` or ``surge.peak``), ``point`` (index in the grid),
    ``point_id``, ``seed`` (the point's root seed), ``replication``, ``channel``,
    ``offered``, ``answered``, ``abandoned`` (contacts), ``service_level`` (fraction),
    ``asa`` (s), ``wait_p90`` (s), ``abandonment`` (fraction), ``backlog`` (contacts
    waiting at the horizon's end), ``backlog_peak`` (the most waiting at an interval's
    end), ``exposure`` (people who saw a social post unanswered past its target),
    ``error`` (null when the point ran; otherwise the
    message, with one row for the point and null measures).

Summary (one row per point x channel)
    ``point``, the varied parameters, ``channel``, ``n`` (replications), and for each
    of ``service_level``, ``asa``, ``abandonment``, ``backlog``, ``backlog_peak``,
    ``exposure``: the mean over
    replications and ``<m>_lo``, ``<m>_hi``, its 95% Student-t interval (NaN with one
    replication; clipped to [0, 1] for rates and at 0 below).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from wfm.batch.spec import MEASURES
from wfm.stats import halfwidth_from

__all__ = ["SweepResult", "summarize"]

_RATES = ("service_level", "abandonment")


@dataclass
class SweepResult:
    """What :func:`wfm.sweep` returns.

    Attributes
    ----------
    results : pandas.DataFrame
        One row per point x replication x channel (see the module docstring); a point
        that failed has one row with its ``error``.
    summary : pandas.DataFrame
        Means and 95% intervals per point x channel (:func:`summarize`).
    name : str
        The spec's name.
    params : list of str
        The varied parameters (result columns).
    points : int
        Points in the grid.
    ran : int
        Points run now.
    resumed : int
        Points found done in the output directory.
    failed : int
        Points with an error (invalid scenario, simulation error, time limit, worker
        death).
    elapsed : float
        Wall time, seconds.
    timings : dict of str to float
        Seconds spent preparing, running the points and writing the results.
    out : Path or None
        The output directory, if any.
    targets : dict of str to float
        Each channel's target service level (for the figures' target lines).
    """

    results: pd.DataFrame
    summary: pd.DataFrame
    name: str
    params: list[str]
    points: int
    ran: int
    resumed: int
    failed: int
    elapsed: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)
    out: Path | None = None
    targets: dict[str, float] = field(default_factory=dict)

    @property
    def failures(self) -> pd.DataFrame:
        """One row per failed point: ``point``, ``point_id``, ``error``."""
        bad = self.results[self.results["error"].notna()]
        return bad.drop_duplicates("point")[["point", "point_id", "error"]].reset_index(drop=True)

    @property
    def ok(self) -> bool:
        """True when every point ran."""
        return self.failed == 0


def summarize(results: pd.DataFrame, params: Sequence[str] | None = None) -> pd.DataFrame:
    """Means and 95% intervals over replications, per point x channel.

    Parameters
    ----------
    results : pandas.DataFrame
        :attr:`SweepResult.results` (or ``results.parquet`` read back).
    params : sequence of str, optional
        The varied parameters (default: every column before ``point``).

    Returns
    -------
    pandas.DataFrame
        ``point``, the parameters, ``channel``, ``n`` (replications), and for each of
        ``service_level``, ``asa``, ``abandonment``, ``backlog``, ``backlog_peak``,
        ``exposure``: ``<m>`` (mean over
        replications, ignoring NaN), ``<m>_lo`` and ``<m>_hi`` (95% Student-t interval;
        NaN with fewer than two values; rates clipped to [0, 1], others at 0 below).
        Failed points are left out.
    """
    if params is None:
        cols = list(results.columns)
        params = cols[: cols.index("point")] if "point" in cols else []
    params = list(params)
    ok = results[results["error"].isna()]
    keys = ["point", "channel"]
    grouped = ok.groupby(keys, sort=False)
    out = grouped[params].first() if params else grouped.size().to_frame().iloc[:, :0]
    out["n"] = grouped.size().astype("int64")
    measures = [m for m in MEASURES if m in results.columns]  # older results lack some
    for m in measures:
        g = grouped[m]
        mean = g.mean().to_numpy(dtype=float)
        hw = halfwidth_from(g.std(ddof=1).to_numpy(dtype=float), g.count().to_numpy())
        lo, hi = mean - hw, mean + hw
        lo = np.where(np.isnan(lo), lo, np.maximum(lo, 0.0))
        if m in _RATES:
            hi = np.where(np.isnan(hi), hi, np.minimum(hi, 1.0))
        out[m], out[f"{m}_lo"], out[f"{m}_hi"] = mean, lo, hi
    summary = out.reset_index()
    summary = summary[["point", *params, "channel", "n",
                       *(c for m in measures for c in (m, f"{m}_lo", f"{m}_hi"))]]
    summary["point"] = summary["point"].astype("int64")
    order = {c: i for i, c in enumerate(pd.unique(ok["channel"]))}
    if len(summary):
        summary = summary.sort_values(["point", "channel"], key=lambda s: s.map(order)
                                      if s.name == "channel" else s, kind="stable")
    return summary.reset_index(drop=True)

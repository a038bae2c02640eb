"""Streaming per-interval KPI accumulators and the DataFrames built from them.

Nothing is kept per contact: counts and sums go into arrays indexed by (arrival
interval, channel), waits into a fixed log-spaced histogram (for the 90th percentile,
exact to within the 5% bin width), busy and on-duty agent-seconds into arrays indexed
by (interval, group).

The service level follows each channel's ``target.definition``:

* ``offered``: answered within T / (offered - pending);
* ``answered_and_late_abandoned``: answered within T / (answered + abandoned after T);
* ``answered``: answered within T / answered;

``service_level_first`` is the same over first attempts only (without retrials,
transfers and callbacks): what customers saw rather than what the switch counted.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from wfm.stats import t_halfwidth

# wait histogram: bin 0 is "no wait"; bin 1 is (0, EDGES[0]); bin j >= 2 is
# [EDGES[j-2], EDGES[j-1]); the last bin is open-ended.
EDGES: list[float] = [0.1 * 1.05**k for k in range(380)]
N_BINS = len(EDGES) + 2

#: Counts per (interval of arrival, channel); with several replications, means.
COUNTS = (
    "offered",
    "deflected",
    "answered",
    "abandoned",
    "answered_in_target",
    "unanswered",
    "pending",
    "short_abandoned",
    "blocked",
    "balked",
    "retrials",
    "customers",
    "transferred_in",
    "transferred_out",
    "rerouted",
    "connected",
    "mentions",
    "actionable",
    "viral",
    "community_deflected",
    "reply_resolved",
)
#: Counts over first attempts only (internal: for ``service_level_first``).
FIRST = ("answered_first", "in_target_first", "abandoned_first", "short_first")

SL_OFFERED, SL_LATE, SL_ANSWERED = 0, 1, 2


@dataclass
class Accumulator:
    """KPI sums of one replication.

    Arrays of shape ``(horizon, channels)`` (by interval of arrival) unless noted.
    """

    horizon: int
    n_channels: int
    n_groups: int
    arrays: dict[str, np.ndarray] = field(init=False)
    wait_sum: np.ndarray = field(init=False)
    backlog: np.ndarray = field(init=False)  # waiting at the interval's end, by channel
    hist: np.ndarray = field(init=False)  # (horizon, channels, N_BINS)
    busy: np.ndarray = field(init=False)  # (horizon, groups) agent-seconds
    present: np.ndarray = field(init=False)  # (horizon, groups) agent-seconds on duty
    exposure: np.ndarray = field(init=False)  # people who saw a post unanswered past target
    fired: list[tuple[str, int, str]] = field(default_factory=list)  # playbook, interval, action

    def __post_init__(self) -> None:
        shape = (self.horizon, self.n_channels)
        self.arrays = {name: np.zeros(shape, np.int64) for name in (*COUNTS, *FIRST)}
        self.wait_sum = np.zeros(shape)
        self.backlog = np.zeros(shape, np.int64)
        self.hist = np.zeros((*shape, N_BINS), np.int64)
        self.busy = np.zeros((self.horizon, self.n_groups))
        self.present = np.zeros((self.horizon, self.n_groups))
        self.exposure = np.zeros(shape)

    def add(self, other: Accumulator) -> None:
        """Add another replication's sums (results keep the sum, not every replication:
        memory does not grow with the replications)."""
        for name, arr in other.arrays.items():
            self.arrays[name] += arr
        for name in ("wait_sum", "backlog", "hist", "busy", "present", "exposure"):
            getattr(self, name).__iadd__(getattr(other, name))

    def __getattr__(self, name: str) -> np.ndarray:
        arrays = self.__dict__.get("arrays")
        if arrays is not None and name in arrays:
            return arrays[name]
        raise AttributeError(name)


def wait_quantile(hist: np.ndarray, q: float) -> np.ndarray:
    """The ``q`` quantile of waits from histograms along the last axis (seconds).

    NaN where the histogram is empty. Linear interpolation inside the log-spaced bin.
    """
    hist = np.asarray(hist, float)
    total = hist.sum(axis=-1)
    cum = np.cumsum(hist, axis=-1)
    target = q * total
    idx = np.minimum((cum < target[..., None]).sum(axis=-1), N_BINS - 1)
    lo = np.concatenate(([0.0, 0.0], EDGES))
    hi = np.concatenate(([0.0], EDGES, [EDGES[-1] * 1.05]))
    before = np.take_along_axis(cum, np.maximum(idx - 1, 0)[..., None], -1)[..., 0]
    before = np.where(idx == 0, 0.0, before)
    inbin = np.take_along_axis(hist, idx[..., None], -1)[..., 0]
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = np.clip(np.where(inbin > 0, (target - before) / inbin, 0.0), 0, 1)
        out = lo[idx] + frac * (hi[idx] - lo[idx])
    return np.asarray(np.where(total > 0, out, np.nan), float)


def ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """num / den, NaN where den is 0."""
    num = np.asarray(num, float)
    den = np.asarray(den, float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(np.where(den > 0, num / np.where(den > 0, den, 1), np.nan), float)


def service_levels(s: dict[str, np.ndarray], definitions: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """(service level, first-attempt service level) of summed counts ``s`` (arrays whose
    last axis is the channel), each channel by its definition."""
    d = np.asarray(definitions)
    den_all = np.select(
        [d == SL_OFFERED, d == SL_LATE],
        [s["offered"] - s["pending"], s["answered"] + s["abandoned"] - s["short_abandoned"]],
        s["answered"],
    )
    den_first = np.select(
        [d == SL_OFFERED, d == SL_LATE],
        [s["customers"] - s["pending"],
         s["answered_first"] + s["abandoned_first"] - s["short_first"]],
        s["answered_first"],
    )
    return ratio(s["answered_in_target"], den_all), ratio(s["in_target_first"], den_first)


def interval_frame(
    accs: list[Accumulator],
    channels: list[str],
    kinds: list[str],
    labels: list[str],
    targets: list[tuple[float, float]],
    definitions: Sequence[int] | None = None,
    replications: int | None = None,
) -> pd.DataFrame:
    """One row per interval x channel; counts are means per replication, rates pooled.

    ``accs`` are replications, or their sum with ``replications`` saying how many."""
    h, c = accs[0].horizon, len(channels)
    r = replications or len(accs)
    definitions = definitions if definitions is not None else [SL_OFFERED] * c
    sums = {name: np.sum([a.arrays[name] for a in accs], axis=0) for name in (*COUNTS, *FIRST)}
    wait_sum = np.sum([a.wait_sum for a in accs], axis=0)
    exposure = np.sum([a.exposure for a in accs], axis=0)
    backlog = np.sum([a.backlog for a in accs], axis=0)
    hist: np.ndarray = np.sum([a.hist for a in accs], axis=0)
    within = np.array([t[0] for t in targets])
    slt = np.array([t[1] for t in targets])
    sl, sl_first = service_levels(sums, definitions)
    judged = ~np.isnan(slt)  # channels without a target (outbound, triage) have none
    sl = np.where(judged, sl, np.nan)
    sl_first = np.where(judged, sl_first, np.nan)
    df = pd.DataFrame(
        {
            "interval": np.repeat(np.arange(h), c),
            "start": np.repeat(labels, c),
            "channel": np.tile(channels, h),
            "kind": np.tile(kinds, h),
            **{name: (sums[name] / r).ravel() for name in COUNTS},
            "service_level": sl.ravel(),
            "service_level_first": sl_first.ravel(),
            "asa": ratio(wait_sum, sums["answered"]).ravel(),
            "wait_p90": wait_quantile(hist, 0.9).ravel(),
            "abandonment": ratio(sums["abandoned"], sums["offered"]).ravel(),
            "backlog": (backlog / r).ravel(),
            "exposure": (exposure / r).ravel(),
            "target_service_level": np.tile(slt, h),
            "answer_within": np.tile(within, h),
        }
    )
    if r == 1:
        for name in (*COUNTS, "backlog"):
            df[name] = df[name].astype(np.int64)
    return df


def group_frame(
    accs: list[Accumulator], groups: list[str], labels: list[str], staff: np.ndarray,
    replications: int | None = None,
) -> pd.DataFrame:
    """One row per interval x group: scheduled staff, busy agent-seconds, occupancy."""
    h, g = accs[0].horizon, len(groups)
    r = replications or len(accs)
    busy: np.ndarray = np.sum([a.busy for a in accs], axis=0) / r
    present: np.ndarray = np.sum([a.present for a in accs], axis=0) / r
    return pd.DataFrame(
        {
            "interval": np.repeat(np.arange(h), g),
            "start": np.repeat(labels, g),
            "group": np.tile(groups, h),
            "staff": staff.ravel(),
            "busy": busy.ravel(),
            "on_duty": present.ravel(),
            "occupancy": ratio(busy, present).ravel(),
        }
    )


def channel_totals(acc: Accumulator, definitions: Sequence[int] | None = None) -> dict[str, np.ndarray]:
    """Per-channel measures of one replication over the horizon."""
    tot = {name: acc.arrays[name].sum(axis=0) for name in (*COUNTS, *FIRST)}
    definitions = definitions if definitions is not None else [SL_OFFERED] * acc.n_channels
    out = {name: tot[name] for name in COUNTS}
    out["service_level"], out["service_level_first"] = service_levels(tot, definitions)
    out["asa"] = ratio(acc.wait_sum.sum(axis=0), tot["answered"])
    out["wait_p90"] = wait_quantile(acc.hist.sum(axis=0), 0.9)
    out["abandonment"] = ratio(tot["abandoned"], tot["offered"])
    out["backlog"] = acc.backlog[-1].astype(float)
    out["backlog_peak"] = acc.backlog.max(axis=0).astype(float)
    out["exposure"] = acc.exposure.sum(axis=0)
    return out


SUMMARY_MEASURES = ("service_level", "service_level_first", "asa", "wait_p90", "abandonment",
                    "backlog", "backlog_peak", "exposure")


def summary_frames(
    accs: list[Accumulator],
    channels: list[str],
    kinds: list[str],
    targets: list[tuple[float, float]],
    definitions: Sequence[int] | None = None,
    totals: list[dict[str, np.ndarray]] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(summary, per-replication) frames, one row per channel (x replication); ``totals``
    are the replications' :func:`channel_totals` when the accumulators are gone."""
    per = totals if totals is not None else [channel_totals(a, definitions) for a in accs]
    judged = ~np.isnan(np.array([t[1] for t in targets], float))
    for tot in per:
        tot["service_level"] = np.where(judged, tot["service_level"], np.nan)
        tot["service_level_first"] = np.where(judged, tot["service_level_first"], np.nan)
    rows = []
    for rep, tot in enumerate(per):
        for ci, ch in enumerate(channels):
            rows.append(
                {"replication": rep, "channel": ch, **{k: float(v[ci]) for k, v in tot.items()}}
            )
    reps = pd.DataFrame(rows)
    cols: dict[str, object] = {"channel": channels, "kind": kinds}
    for name in COUNTS:
        cols[name] = np.mean([t[name] for t in per], axis=0)
    for name in SUMMARY_MEASURES:
        vals = np.array([t[name] for t in per], float)
        with np.errstate(invalid="ignore"), warnings.catch_warnings():
            # a channel without a target has no service level in any replication
            warnings.simplefilter("ignore", RuntimeWarning)
            cols[name] = (
                (
                    np.nanmean(vals, axis=0)
                    if not np.all(np.isnan(vals))
                    else np.full(len(channels), np.nan)
                )
                if len(per) > 1
                else vals[0]
            )
        if len(per) > 1:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                cols[f"{name}_ci"] = t_halfwidth(vals, axis=0)
    cols["target_service_level"] = [t[1] for t in targets]
    cols["answer_within"] = [t[0] for t in targets]
    summary = pd.DataFrame(cols)
    sl = summary["service_level"].to_numpy()
    summary["met"] = [
        bool(s >= t - 1e-12) if not (math.isnan(s) or math.isnan(t)) else True
        for s, t in zip(sl, summary["target_service_level"], strict=True)
    ]
    return summary, reps


def risk_frame(replications: pd.DataFrame, summary: pd.DataFrame) -> pd.DataFrame:
    """The day's risk per channel over replications: the chance of missing the target,
    and quantiles of the peak backlog and of the exposure.

    Columns: ``channel``, ``replications``, ``miss_probability`` (share of replications
    whose day service level is below the target; NaN without a target),
    ``backlog_peak_p50``, ``backlog_peak_p90``, ``backlog_peak_max`` (contacts waiting at
    an interval's end), ``exposure_mean``, ``exposure_p50``, ``exposure_p90`` (people who
    saw a post unanswered past its target).
    """
    rows = []
    targets = summary.set_index("channel")["target_service_level"]
    for ch, part in replications.groupby("channel", sort=False):
        sl = part["service_level"].to_numpy(float)
        target = float(targets.get(ch, np.nan))
        judged = ~np.isnan(sl)
        miss = float(np.mean(sl[judged] < target - 1e-12)) if judged.any() and not math.isnan(target) \
            else np.nan
        peak = part["backlog_peak"].to_numpy(float)
        exp = part["exposure"].to_numpy(float)
        rows.append({
            "channel": ch,
            "replications": len(part),
            "miss_probability": miss,
            "backlog_peak_p50": float(np.quantile(peak, 0.5)),
            "backlog_peak_p90": float(np.quantile(peak, 0.9)),
            "backlog_peak_max": float(peak.max()),
            "exposure_mean": float(exp.mean()),
            "exposure_p50": float(np.quantile(exp, 0.5)),
            "exposure_p90": float(np.quantile(exp, 0.9)),
        })
    return pd.DataFrame(rows)


def playbook_frame(fired: list[list[tuple[str, int, str]]], labels: list[str]) -> pd.DataFrame:
    """When each playbook fired: ``replication``, ``playbook``, ``interval``, ``start``,
    ``action`` (one row per replication x interval it was on); ``fired`` per replication."""
    rows = [
        {"replication": r, "playbook": name, "interval": i, "start": labels[i], "action": action}
        for r, events in enumerate(fired) for name, i, action in events
    ]
    return pd.DataFrame(rows, columns=["replication", "playbook", "interval", "start", "action"])

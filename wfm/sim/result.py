"""What :func:`wfm.simulate` returns: KPI DataFrames per interval, group and channel."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from wfm.atomic import atomic_write
from wfm.scenario import Scenario

__all__ = ["SimulationResult"]


@dataclass
class SimulationResult:
    """What :func:`simulate` returns.

    Attributes
    ----------
    intervals : pandas.DataFrame
        One row per interval x channel. Columns: ``interval`` (0-based index), ``start``
        (clock label), ``channel``, ``kind``; counts of contacts: ``offered`` (attempts
        that reached the channel after deflection, retrials, transfers and callbacks
        included; outbound: attempts to dial), ``deflected``, ``answered`` (voice/chat:
        picked up; deferred: started; outbound: dialled), ``abandoned``,
        ``answered_in_target``, ``unanswered`` (still waiting when the run ended),
        ``pending`` (the unanswered deferred ones whose ``answer_within`` had not run
        out), ``short_abandoned`` (abandoned within ``answer_within``), ``blocked`` (no
        free line, or the queue full), ``balked`` (hung up at once rather than wait),
        ``retrials`` (offered attempts that are calls again), ``customers`` (first
        attempts: each caller once), ``transferred_in``, ``transferred_out``,
        ``rerouted`` (moved to the ``max_wait`` channel), ``connected`` (outbound
        attempts that reached someone); measures: ``service_level`` (by the channel's
        ``target.definition``; NaN where undefined), ``service_level_first`` (the same
        over first attempts only), ``asa`` (mean wait of the answered, s), ``wait_p90``
        (90th percentile wait of the answered, s), ``abandonment`` (abandoned /
        offered), ``backlog`` (contacts of the channel waiting at the interval's end),
        ``target_service_level``, ``answer_within`` (s). Counts are by interval of
        arrival. With several replications counts are means per replication and rates
        are pooled over replications.
    groups : pandas.DataFrame
        One row per interval x group: ``staff`` (scheduled agents), ``busy`` (agent-
        seconds working; a chat session counts 1/concurrency), ``on_duty`` (agent-
        seconds present, including agents finishing work after their staff dropped),
        ``occupancy`` (busy / on_duty).
    summary : pandas.DataFrame
        One row per channel over the horizon: the counts (means per replication), the
        measures ``service_level``, ``asa``, ``wait_p90``, ``abandonment``, ``backlog``
        (at the end of the horizon), with ``<measure>_ci`` 95% confidence half-widths
        when ``replications > 1``, the target and ``met`` (service level >= target;
        true when nothing could be judged yet).
    replications : pandas.DataFrame
        The summary measures of each replication (one row per replication x channel),
        with ``backlog_peak`` (the most contacts waiting at an interval's end) and
        ``exposure``.
    risk : pandas.DataFrame
        The day's risk per channel over the replications: chance of missing the target,
        quantiles of the peak backlog and of the exposure (see
        :func:`wfm.sim.metrics.risk_frame`).
    playbooks : pandas.DataFrame
        When each surge playbook fired: ``replication``, ``playbook``, ``interval``,
        ``start``, ``action``.
    scenario : Scenario
    seed : int
    n_replications : int
    elapsed : float
        Wall time of the run, seconds.
    """

    intervals: pd.DataFrame
    groups: pd.DataFrame
    summary: pd.DataFrame
    replications: pd.DataFrame
    scenario: Scenario
    seed: int
    n_replications: int
    elapsed: float = field(default=0.0)
    risk: pd.DataFrame = field(default_factory=pd.DataFrame)
    playbooks: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def daily(self) -> pd.DataFrame:
        """One row per day x channel: the counts (means per replication), ``service_level``
        (by the channel's definition), ``backlog`` at the day's close, and ``date`` and
        ``weekday`` with a ``start_date``."""
        return self._by_period("day")

    @property
    def weekly(self) -> pd.DataFrame:
        """One row per week (of 7 days from the first) x channel, as :attr:`daily`."""
        return self._by_period("week")

    def _by_period(self, period: str) -> pd.DataFrame:
        sc = self.scenario
        iv = self.intervals.copy()
        day = sc.day_index()
        iv["day"] = np.repeat(day, len(iv) // max(len(day), 1))
        iv["week"] = iv["day"] // 7
        counts = ["offered", "answered", "abandoned", "short_abandoned", "answered_in_target",
                  "unanswered", "pending", "blocked", "balked"]
        g = iv.groupby([period, "channel"], sort=False)
        out = g[counts].sum()
        out["backlog"] = g["backlog"].last()
        out = out.reset_index()
        definition = {n: (ch.target.definition if ch.target else "offered")
                      for n, ch in sc.channels.items()}
        has_target = {n: ch.target is not None for n, ch in sc.channels.items()}
        sl = []
        for r in out.itertuples(index=False):
            d = definition.get(r.channel, "offered")
            den = (r.offered - r.pending if d == "offered" else
                   r.answered + r.abandoned - r.short_abandoned if d == "answered_and_late_abandoned"
                   else r.answered)
            ok = has_target.get(r.channel, False) and den > 0
            sl.append(r.answered_in_target / den if ok else np.nan)
        out["service_level"] = sl
        if sc.date is not None and period == "day":
            dates = [sc.date + dt.timedelta(days=int(k)) for k in out["day"]]
            out["date"] = [d.isoformat() for d in dates]
            out["weekday"] = [d.strftime("%a") for d in dates]
        return out

    @property
    def funnel(self) -> pd.DataFrame:
        """Social channels' funnel over the horizon (means per replication): ``channel``,
        ``mentions`` (what monitoring saw, follow-ups included), ``viral`` (follow-up
        mentions), ``triaged`` (read and classified by an agent), ``actionable`` (needed a
        reply), ``community_deflected`` (a peer answered first), ``reply_resolved``
        (resolved by an incident's public reply), ``answered`` (replied by an agent),
        ``moved_private`` (then moved to a private conversation), ``unanswered``,
        ``service_level``, ``exposure`` (people who saw a post unanswered past target)."""
        s = self.summary.set_index("channel")
        rows = []
        for name, ch in self.scenario.channels.items():
            if ch.kind != "social":
                continue
            r = s.loc[name]
            triage = f"{name}/triage"
            rows.append({
                "channel": name,
                "mentions": r["mentions"],
                "viral": r["viral"],
                "triaged": s.loc[triage, "answered"] if triage in s.index else r["mentions"],
                "actionable": r["actionable"],
                "community_deflected": r["community_deflected"],
                "reply_resolved": r["reply_resolved"],
                "answered": r["answered"],
                "moved_private": r["transferred_out"],
                "unanswered": r["unanswered"],
                "service_level": r["service_level"],
                "exposure": r["exposure"],
            })
        return pd.DataFrame(rows)

    @property
    def met(self) -> bool:
        """True when every channel meets its service-level target over the horizon."""
        return bool(self.summary["met"].all())

    def to_csv(self, directory: str | Path) -> list[Path]:
        """Write ``intervals.csv``, ``groups.csv`` and ``summary.csv`` (atomically)."""
        out = Path(directory)
        written = []
        for name in ("intervals", "groups", "summary"):
            written.append(_write_csv(getattr(self, name), out / f"{name}.csv"))
        return written


def _write_csv(frame: pd.DataFrame, path: Path) -> Path:
    return atomic_write(path, lambda fh: frame.to_csv(fh, index=False))

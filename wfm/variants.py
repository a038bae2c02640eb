"""What-ifs in one move, the difference they make to a scenario, and comparing variants.

Moves (each returns a new, validated :class:`~wfm.scenario.Scenario`; the one given is
never changed):

* :func:`add_agents` — add (or remove) agents of a group over a time range;
* :func:`scale_staff` — scale a group's staff (rounded to whole agents);
* :func:`scale_volume` — scale a channel's volume;
* :func:`shift_volume` — move a share of one channel's volume to another
  (:func:`wfm.forecast.mix_shift`).

:class:`Move` holds one move as data (what the app's "one move" form builds) with its
sentence for people. :func:`diff` lists what differs between two scenarios (the loaded
one and a variant) in planner units; :func:`staffing_cost` gives the agent-hours and
their cost. :func:`compare` sets the runs of two or more variants side by side against
a reference: per channel the service level, the work left at close and their
differences, each flagged when it is within the replications' noise (a paired
comparison when the runs share the seed and replications, as they do in the app).

Time ranges are interval indices or clock labels (``"10:00"``, ``"d2 10:00"``), the end
excluded; ``None`` is the horizon's start or end.

Examples
--------
>>> import wfm
>>> from wfm import variants
>>> sc = wfm.load_scenario("scenarios/baseline.yaml")
>>> more = variants.add_agents(sc, "voice", 2, "10:00", "12:00")
>>> variants.diff(sc, more)[["what", "intervals", "change"]].values.tolist()
[['voice staff', '10:00-12:00', '+2 agents at 10:00-12:00 (+4.0 agent-hours)']]
>>> variants.Move("add_agents", group="voice", agents=2, start="10:00", end="12:00").text
'+2 voice agents 10:00-12:00'
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from wfm.errors import ScenarioError
from wfm.report.format import duration, interval_ranges, pct, signed_points
from wfm.stats import t_quantile

if TYPE_CHECKING:  # pragma: no cover
    from wfm.scenario import Scenario
    from wfm.sim.engine import SimulationResult

__all__ = [
    "MOVES",
    "Move",
    "Variant",
    "add_agents",
    "compare",
    "diff",
    "interval_index",
    "scale_staff",
    "scale_volume",
    "shift_volume",
    "staffing_cost",
]

Time = int | str | None


# ---------------------------------------------------------------------- time ranges
def interval_index(scenario: Scenario, at: Time, *, end: bool = False) -> int:
    """An interval index from an index or a clock label (``None``: the horizon's start,
    or its end with ``end=True``). A label after the last interval's start (the
    horizon's end, e.g. ``"20:00"`` for a day 08:00-20:00) is ``horizon``.

    Examples
    --------
    >>> import wfm
    >>> sc = wfm.load_scenario("scenarios/baseline.yaml")
    >>> interval_index(sc, "10:00"), interval_index(sc, "20:00"), interval_index(sc, None, end=True)
    (4, 24, 24)
    """
    h = scenario.horizon
    if at is None or (isinstance(at, str) and not at.strip()):
        return h if end else 0
    if isinstance(at, int | np.integer) and not isinstance(at, bool):
        i = int(at)
    else:
        labels = scenario.interval_labels()
        text = str(at).strip()
        if text in labels:
            i = labels.index(text)
        else:
            after = interval_ranges([h - 1], labels, scenario.interval_minutes).split("-", 1)[1]
            if text != after:
                raise ScenarioError([("time", f"{text!r} is not an interval's start (from"
                                      f" {labels[0]} to {after} every"
                                      f" {scenario.interval_minutes} min)")])
            i = h
    if not 0 <= i <= h:
        raise ScenarioError([("time", f"interval {i} is outside the horizon (0-{h})")])
    return i


def _range(scenario: Scenario, start: Time, end: Time) -> tuple[int, int]:
    a, b = interval_index(scenario, start), interval_index(scenario, end, end=True)
    if b <= a:
        raise ScenarioError([("time", "the range is empty: its end must come after its start")])
    return a, b


def _group(scenario: Scenario, group: str) -> None:
    if group not in scenario.group_names:
        raise ScenarioError([("group", f"no agent group {group!r} (groups:"
                              f" {', '.join(scenario.group_names)})")])


def _staffed(scenario: Scenario, group: str) -> None:
    """A move on a group's staff needs the group to be given by staff, not a roster."""
    _group(scenario, group)
    if scenario.group(group).roster is not None:
        raise ScenarioError([("group", f"{group!r} is given as a roster of agents, not staff per interval:"
                              " change its agents' shifts in agents[].roster (or plan it anew)"
                              " instead of its staff")])


def _channel(scenario: Scenario, channel: str) -> None:
    if channel not in scenario.channels:
        raise ScenarioError([("channel", f"no channel {channel!r} (channels:"
                              f" {', '.join(scenario.channel_names)})")])


# ---------------------------------------------------------------------- moves
def add_agents(scenario: Scenario, group: str, agents: int, start: Time = None,
               end: Time = None) -> Scenario:
    """Add ``agents`` (negative: remove) to a group's staff from ``start`` to ``end``
    (never below 0).

    Examples
    --------
    >>> import wfm
    >>> sc = wfm.load_scenario("scenarios/baseline.yaml")
    >>> add_agents(sc, "blended", -5, "08:00", "09:00").staff()["blended"][:3].tolist()
    [0, 0, 5]
    """
    _staffed(scenario, group)
    if not float(agents).is_integer():
        raise ScenarioError([("agents", f"must be a whole number (got {agents!r})")])
    a, b = _range(scenario, start, end)
    staff = scenario.staff()[group].astype(np.int64)
    staff[a:b] = np.maximum(staff[a:b] + int(agents), 0)
    return scenario.with_values({f"agents.{group}.staff": [int(v) for v in staff]})


def scale_staff(scenario: Scenario, group: str, factor: float, start: Time = None,
                end: Time = None) -> Scenario:
    """Multiply a group's staff by ``factor`` from ``start`` to ``end`` (rounded to the
    nearest whole agent).

    Examples
    --------
    >>> import wfm
    >>> sc = wfm.load_scenario("scenarios/baseline.yaml")
    >>> scale_staff(sc, "voice", 1.1).staff()["voice"][:3].tolist()
    [15, 20, 26]
    """
    _staffed(scenario, group)
    if not (math.isfinite(float(factor)) and factor >= 0):
        raise ScenarioError([("factor", f"must be a finite number >= 0 (got {factor!r})")])
    a, b = _range(scenario, start, end)
    staff = scenario.staff()[group].astype(float)
    staff[a:b] = np.floor(staff[a:b] * float(factor) + 0.5)
    return scenario.with_values({f"agents.{group}.staff": [int(v) for v in staff]})


def scale_volume(scenario: Scenario, channel: str, factor: float, start: Time = None,
                 end: Time = None) -> Scenario:
    """Multiply a channel's volume by ``factor`` from ``start`` to ``end``.

    Examples
    --------
    >>> import wfm
    >>> sc = wfm.load_scenario("scenarios/baseline.yaml")
    >>> scale_volume(sc, "phone", 2, "08:00", "08:30").channels["phone"].volume[:2]
    (140.0, 95.0)
    """
    _channel(scenario, channel)
    if not (math.isfinite(float(factor)) and factor >= 0):
        raise ScenarioError([("factor", f"must be a finite number >= 0 (got {factor!r})")])
    a, b = _range(scenario, start, end)
    vol = np.asarray(scenario.channels[channel].volume, float)
    vol[a:b] = vol[a:b] * float(factor)
    return scenario.with_values({f"channels.{channel}.volume": [float(v) for v in vol]})


def shift_volume(scenario: Scenario, source: str, dest: str, share: float,
                 aht: float | None = None) -> Scenario:
    """Move ``share`` of ``source``'s volume to ``dest`` in every interval (the moved
    contacts take ``aht`` seconds there): :func:`wfm.forecast.mix_shift`.

    Examples
    --------
    >>> import wfm
    >>> sc = wfm.load_scenario("scenarios/baseline.yaml")
    >>> moved = shift_volume(sc, "phone", "messaging", 0.1)
    >>> round(sum(moved.channels["phone"].volume)), round(sum(moved.channels["messaging"].volume))
    (2606, 1424)
    """
    from wfm.forecast import mix_shift

    return mix_shift(scenario, source, dest, share, aht=aht)


#: The kinds of :class:`Move` and their parameters.
MOVES: dict[str, tuple[str, ...]] = {
    "add_agents": ("group", "agents", "start", "end"),
    "scale_staff": ("group", "factor", "start", "end"),
    "scale_volume": ("channel", "factor", "start", "end"),
    "shift_volume": ("source", "dest", "share", "aht"),
}


@dataclass(frozen=True)
class Move:
    """One what-if move as data: its ``kind`` (a key of :data:`MOVES`) and parameters.

    Examples
    --------
    >>> Move("shift_volume", source="phone", dest="messaging", share=0.2).text
    'move 20% of phone volume to messaging'
    >>> Move("scale_staff", group="digital", factor=1.15).text
    'digital staff x1.15'
    """

    kind: str
    group: str | None = None
    channel: str | None = None
    agents: int = 0
    factor: float = 1.0
    start: Time = None
    end: Time = None
    source: str | None = None
    dest: str | None = None
    share: float = 0.0
    aht: float | None = None

    def __post_init__(self) -> None:
        if self.kind not in MOVES:
            raise ValueError(f"unknown move {self.kind!r} (one of {', '.join(MOVES)})")

    def _when(self) -> str:
        if self.start is None and self.end is None:
            return ""
        a = "start" if self.start is None else str(self.start)
        b = "end" if self.end is None else str(self.end)
        return f" {a}-{b}"

    @property
    def text(self) -> str:
        """The move in one short sentence."""
        if self.kind == "add_agents":
            return f"{int(self.agents):+d} {self.group} agents{self._when()}"
        if self.kind == "scale_staff":
            return f"{self.group} staff x{self.factor:g}{self._when()}"
        if self.kind == "scale_volume":
            return f"{self.channel} volume x{self.factor:g}{self._when()}"
        tail = f" (handled in {self.aht:g} s)" if self.aht else ""
        return f"move {pct(self.share, 0)} of {self.source} volume to {self.dest}{tail}"

    def apply(self, scenario: Scenario) -> Scenario:
        """The scenario after the move (a new one; raises ScenarioError when invalid)."""
        if self.kind == "add_agents":
            return add_agents(scenario, str(self.group), int(self.agents), self.start, self.end)
        if self.kind == "scale_staff":
            return scale_staff(scenario, str(self.group), self.factor, self.start, self.end)
        if self.kind == "scale_volume":
            return scale_volume(scenario, str(self.channel), self.factor, self.start, self.end)
        return shift_volume(scenario, str(self.source), str(self.dest), self.share, self.aht)


@dataclass
class Variant:
    """A named scenario of a session: its name, the scenario and the moves that made it."""

    name: str
    scenario: Scenario
    moves: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------- diff
_FIELD_NAMES = {
    "aht": "AHT", "handle_cv": "handle time CV", "patience": "patience",
    "concurrency": "concurrency", "deflection": "deflection", "kind": "kind",
    "target.answer_within": "answer within", "target.service_level": "target service level",
    "skills": "skills", "staff": "staff", "volume": "volume",
}


def _flat(data: Any, prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    if isinstance(data, Mapping):
        for k, v in data.items():
            out.update(_flat(v, f"{prefix}{k}."))
    else:
        out[prefix[:-1]] = data
    return out


_CURVES = ("aht", "handle_cv", "patience")


def _curve(v: Any, horizon: int) -> np.ndarray:
    """A per-interval value as an array over the horizon (a number repeated)."""
    return np.asarray(v, float) if isinstance(v, list) else np.full(horizon, float(v))


def _value(field_name: str, v: Any) -> str:
    if v is None:
        return "-"
    if field_name in ("aht", "patience"):
        if isinstance(v, int | float):
            return f"{float(v):g} s"
        if isinstance(v, list | tuple):  # per interval
            vals = [float(x) for x in v]
            return f"per interval, {min(vals):g}-{max(vals):g} s" if vals else "-"
        if isinstance(v, Mapping):  # a distribution
            return ", ".join(f"{k} {x}" for k, x in v.items())
    if field_name == "target.answer_within":
        return duration(v)
    if field_name in ("target.service_level", "deflection"):
        return pct(v, 1)
    if isinstance(v, list | tuple):
        return ", ".join(str(x) for x in v)
    return str(v)


def _runs_of(delta: np.ndarray) -> list[tuple[list[int], float]]:
    runs: list[tuple[list[int], float]] = []
    for i in np.flatnonzero(np.abs(delta) > 1e-9):
        d = float(delta[i])
        if runs and runs[-1][0][-1] == i - 1 and abs(runs[-1][1] - d) < 1e-9:
            runs[-1][0].append(int(i))
        else:
            runs.append(([int(i)], d))
    return runs


def diff(before: Scenario, after: Scenario) -> pd.DataFrame:
    """What differs between two scenarios, in planner units.

    Parameters
    ----------
    before : Scenario
        The reference (e.g. the scenario as loaded).
    after : Scenario
        The variant.

    Returns
    -------
    pandas.DataFrame
        One row per changed setting: ``what`` (``"voice staff"``, ``"phone AHT"``,
        ``"name"``), ``path`` (its dotted path in the scenario file), ``intervals``
        (clock ranges where a per-interval list changed; ``-`` otherwise), ``before``,
        ``after`` (day totals for lists: agent-hours, contacts) and ``change`` (one
        phrase). Empty when they are the same.

    Examples
    --------
    >>> import wfm
    >>> sc = wfm.load_scenario("scenarios/baseline.yaml")
    >>> d = diff(sc, sc.with_values({"channels.phone.aht": 280}).scaled(
    ...     {"channels.social.volume": 1.5}))
    >>> d[["what", "before", "after", "change"]].values.tolist()  # doctest: +NORMALIZE_WHITESPACE
    [['phone AHT', '300 s', '280 s', '-20 s'],
     ['social volume', '385 contacts', '578 contacts', 'x1.5 (+192 contacts)']]
    """
    rows: list[dict[str, str]] = []
    labels = after.interval_labels() if after.horizon >= before.horizon else before.interval_labels()
    minutes = after.interval_minutes

    def add(what: str, path: str, intervals: str, b: str, a: str, change: str) -> None:
        rows.append({"what": what, "path": path, "intervals": intervals, "before": b,
                     "after": a, "change": change})

    for key in ("name", "interval_minutes", "start"):
        vb, va = getattr(before, key), getattr(after, key)
        if vb != va:
            add(key.replace("_", " "), key, "-", str(vb), str(va), f"{vb} -> {va}")
    step_h = after.interval_minutes / 60.0
    for c in dict.fromkeys([*before.channel_names, *after.channel_names]):
        if c not in after.channels:
            add(f"{c} channel", f"channels.{c}", "-", "present", "removed", "removed")
            continue
        if c not in before.channels:
            add(f"{c} channel", f"channels.{c}", "-", "absent", "added", "added")
            continue
        fb = _flat(before.channels[c].model_dump(mode="json", exclude_none=False))
        fa = _flat(after.channels[c].model_dump(mode="json", exclude_none=False))
        for k in dict.fromkeys([*fb, *fa]):
            vb, va = fb.get(k), fa.get(k)
            if vb == va:
                continue
            name = f"{c} {_FIELD_NAMES.get(k, k.replace('_', ' '))}"
            path = f"channels.{c}.{k}"
            if k == "volume":
                b = np.asarray(vb or [], float)
                a = np.asarray(va or [], float)
                if a.shape != b.shape:
                    add(name, path, "-", f"{b.sum():,.0f} contacts", f"{a.sum():,.0f} contacts",
                        "new volume curve")
                    continue
                delta = a - b
                where = np.flatnonzero(np.abs(delta) > 1e-9)
                nz = where[b[where] > 0]
                ratio = a[nz] / b[nz] if nz.size else np.array([])
                if ratio.size and np.allclose(ratio, ratio[0], rtol=1e-6) and np.all(
                        np.abs(delta[b == 0]) < 1e-9):
                    span = "" if where.size == a.size else f" at {interval_ranges(where, labels, minutes)}"
                    change = f"x{ratio[0]:.3g}{span} ({delta.sum():+,.0f} contacts)"
                else:
                    change = f"{delta.sum():+,.0f} contacts"
                add(name, path, interval_ranges(where, labels, minutes),
                    f"{b.sum():,.0f} contacts", f"{a.sum():,.0f} contacts", change)
            elif k in _CURVES and (isinstance(vb, list) or isinstance(va, list)) and all(
                    isinstance(v, int | float | list) for v in (vb, va)):
                # a per-interval aht, handle_cv or patience: the mean and where it changed
                b, a = _curve(vb, before.horizon), _curve(va, after.horizon)
                unit = "" if k == "handle_cv" else " s"
                if a.shape != b.shape:
                    add(name, path, "-", _value(k, vb), _value(k, va), "changed")
                    continue
                where = np.flatnonzero(np.abs(a - b) > 1e-9)
                add(name, path, interval_ranges(where, labels, minutes), f"mean {b.mean():.3g}{unit}",
                    f"mean {a.mean():.3g}{unit}", f"{(a - b)[where].mean():+.3g}{unit} where changed")
            elif isinstance(vb, int | float) and isinstance(va, int | float) and k != "kind":
                unit = " s" if k in ("aht", "patience") else ""
                d = float(va) - float(vb)
                change = (signed_points(d) if k in ("target.service_level", "deflection")
                          else f"{d:+g}{unit}")
                add(name, path, "-", _value(k, vb), _value(k, va), change)
            else:
                add(name, path, "-", _value(k, vb), _value(k, va), "changed")
    sb = {g.group: g for g in before.agents}
    sa = {g.group: g for g in after.agents}
    staff_b, staff_a = before.staff(), after.staff()
    for g in dict.fromkeys([*sb, *sa]):
        if g not in sa:
            add(f"{g} group", f"agents.{g}", "-", "present", "removed", "removed")
            continue
        if g not in sb:
            add(f"{g} group", f"agents.{g}", "-", "absent", "added", "added")
            continue
        if tuple(sb[g].skills) != tuple(sa[g].skills):
            add(f"{g} skills", f"agents.{g}.skills", "-", ", ".join(sb[g].skills),
                ", ".join(sa[g].skills), "changed")
        b = staff_b[g].astype(float)
        a = staff_a[g].astype(float)
        if a.shape != b.shape:
            add(f"{g} staff", f"agents.{g}.staff", "-", f"{b.sum() * step_h:,.1f} agent-hours",
                f"{a.sum() * step_h:,.1f} agent-hours", "new staff curve")
            continue
        delta = a - b
        if not np.any(np.abs(delta) > 1e-9):
            continue
        runs = _runs_of(delta)
        parts = [f"{d:+.0f} agents at {interval_ranges(r, labels, minutes)}" for r, d in runs[:4]]
        if len(runs) > 4:
            parts.append(f"... {len(runs) - 4} more changes")
        change = "; ".join(parts) + f" ({delta.sum() * step_h:+,.1f} agent-hours)"
        add(f"{g} staff", f"agents.{g}.staff",
            interval_ranges(np.flatnonzero(np.abs(delta) > 1e-9), labels, minutes),
            f"{b.sum() * step_h:,.1f} agent-hours", f"{a.sum() * step_h:,.1f} agent-hours", change)
    if before.shifts != after.shifts:
        add("shifts", "shifts", "-", f"{len(before.shifts)} rules", f"{len(after.shifts)} rules",
            "changed")
    return pd.DataFrame(rows, columns=["what", "path", "intervals", "before", "after", "change"])


# ---------------------------------------------------------------------- cost
def _cost_per_hour(scenario: Scenario, group: str) -> float:
    rule = scenario.shifts.get(group) if scenario.shifts else None
    return float(getattr(rule, "cost_per_hour", 1.0) or 1.0)


def staffing_cost(scenario: Scenario) -> pd.DataFrame:
    """Agent-hours on duty and their cost, per group.

    Returns
    -------
    pandas.DataFrame
        One row per group: ``group``, ``agent_hours`` (staff per interval x interval
        length, hours), ``cost_per_hour`` (the group's ``shifts:`` rule's, else 1),
        ``cost``.

    Examples
    --------
    >>> import wfm
    >>> staffing_cost(wfm.load_scenario("scenarios/baseline.yaml"))["agent_hours"].tolist()
    [275.0, 66.5, 145.0]
    """
    step_h = scenario.interval_minutes / 60.0
    rows = []
    for g, staff in scenario.staff().items():
        hours = float(staff.sum()) * step_h
        rate = _cost_per_hour(scenario, g)
        rows.append({"group": g, "agent_hours": hours, "cost_per_hour": rate, "cost": hours * rate})
    return pd.DataFrame(rows, columns=["group", "agent_hours", "cost_per_hour", "cost"])


# ---------------------------------------------------------------------- compare
def _difference(a: np.ndarray, b: np.ndarray, paired: bool) -> tuple[float, float]:
    """Mean of b - a and its 95% half-width (paired or Welch); NaN half-width when it
    cannot be estimated (one replication)."""
    a = a[np.isfinite(a)]
    b = b[np.isfinite(b)]
    if a.size == 0 or b.size == 0:
        return math.nan, math.nan
    if paired and a.size == b.size and a.size >= 2:
        d = b - a
        sd = float(d.std(ddof=1))
        return float(d.mean()), float(t_quantile(0.975, d.size - 1)) * sd / math.sqrt(d.size)
    delta = float(b.mean() - a.mean())
    if a.size < 2 or b.size < 2:
        return delta, math.nan
    va, vb = float(a.var(ddof=1)) / a.size, float(b.var(ddof=1)) / b.size
    se = math.sqrt(va + vb)
    if se == 0:
        return delta, 0.0
    dof = (va + vb) ** 2 / ((va**2 / (a.size - 1) if va else 0) + (vb**2 / (b.size - 1) if vb else 0))
    return delta, float(t_quantile(0.975, dof)) * se


def _noise(delta: float, half: float) -> str:
    if math.isnan(delta):
        return "-"
    if math.isnan(half):
        return "unknown (1 replication)"
    return "within noise" if abs(delta) <= half + 1e-12 else "real"


@dataclass
class Comparison:
    """What :func:`compare` returns.

    Attributes
    ----------
    reference : str
        The variant the others are compared with.
    channels : pandas.DataFrame
        One row per variant x channel: ``variant``, ``channel``, ``service_level``,
        ``ci`` (95% half-width), ``verdict`` (:func:`wfm.diagnosis.verdicts`),
        ``delta`` (service level minus the reference's), ``delta_ci`` (its 95%
        half-width: paired over replications when the runs share seed and
        replications, else Welch), ``noise`` (``"within noise"`` when the difference's
        interval holds 0, ``"real"`` otherwise, ``"unknown (1 replication)"``),
        ``backlog`` (contacts left at close), ``backlog_hours``, ``not_in_time``,
        ``delta_backlog``, ``delta_backlog_ci``, ``backlog_noise``. The reference's
        deltas are 0.
    costs : pandas.DataFrame
        One row per variant: ``variant``, ``agent_hours`` (on duty), ``cost``,
        ``backlog_hours`` (work left at close, every channel), ``delta_agent_hours``,
        ``delta_cost``, ``delta_backlog_hours`` (against the reference).
    paired : bool
        True when every run shares the reference's seed and replications.
    """

    reference: str
    channels: pd.DataFrame
    costs: pd.DataFrame
    paired: bool

    def statements(self) -> list[str]:
        """One sentence per variant other than the reference: its differences."""
        out = []
        for v, part in self.channels.groupby("variant", sort=False):
            if v == self.reference:
                continue
            bits = []
            for r in part.itertuples(index=False):
                if math.isnan(r.delta):
                    continue
                tag = "" if r.noise == "real" else f" ({r.noise})"
                bits.append(f"{r.channel} {signed_points(r.delta)}{tag}")
            cost = self.costs.set_index("variant").loc[v]
            out.append(f"{v} against {self.reference}: " + ", ".join(bits)
                       + f"; cost {float(cost['delta_cost']):+,.0f}, work left at close"
                       f" {float(cost['delta_backlog_hours']):+,.1f} agent-hours")
        return out


def compare(results: Mapping[str, SimulationResult], reference: str | None = None) -> Comparison:
    """Two or more runs side by side against a reference.

    Parameters
    ----------
    results : mapping of str to SimulationResult
        The runs by variant name (two or more).
    reference : str, optional
        The variant the others are compared with (default: the first).

    Returns
    -------
    Comparison

    Examples
    --------
    >>> import wfm
    >>> sc = wfm.load_scenario("scenarios/baseline.yaml")
    >>> runs = {"as is": wfm.simulate(sc, seed=0, replications=5),
    ...         "+3 voice": wfm.simulate(add_agents(sc, "voice", 3), seed=0, replications=5),
    ...         "same": wfm.simulate(sc, seed=0, replications=5)}
    >>> c = compare(runs)
    >>> c.channels.query("channel == 'phone'")[["variant", "noise"]].values.tolist()
    [['as is', 'within noise'], ['+3 voice', 'real'], ['same', 'within noise']]
    >>> c.costs["delta_agent_hours"].tolist()
    [0.0, 36.0, 0.0]
    """
    from wfm.diagnosis import verdicts

    names = list(results)
    if len(names) < 2:
        raise ValueError(f"compare needs two or more runs (got {len(names)})")
    ref = names[0] if reference is None else reference
    if ref not in results:
        raise ValueError(f"reference {ref!r} is not one of the runs ({', '.join(names)})")
    r0 = results[ref]
    paired = all(r.seed == r0.seed and r.n_replications == r0.n_replications
                 for r in results.values())
    ref_reps = r0.replications
    rows = []
    costs = []
    ref_cost = staffing_cost(r0.scenario)
    for name in names:
        res = results[name]
        v = verdicts(res).set_index("channel")
        reps = res.replications
        for c in v.index:
            def per(frame: pd.DataFrame, col: str, c: str = c) -> np.ndarray:
                if col not in frame.columns:
                    return np.array([])
                return frame.loc[frame["channel"] == c].sort_values("replication")[col].to_numpy(float)

            if c in set(ref_reps["channel"]):
                d, dci = _difference(per(ref_reps, "service_level"), per(reps, "service_level"),
                                     paired)
                db, dbci = _difference(per(ref_reps, "backlog"), per(reps, "backlog"), paired)
            else:
                d = dci = db = dbci = math.nan
            if name == ref:
                d, dci, db, dbci = 0.0, 0.0, 0.0, 0.0
            rows.append({
                "variant": name, "channel": c,
                "service_level": float(v.at[c, "service_level"]), "ci": float(v.at[c, "ci"]),
                "verdict": str(v.at[c, "verdict"]), "delta": d, "delta_ci": dci,
                "noise": _noise(d, dci), "backlog": float(v.at[c, "backlog"]),
                "backlog_hours": float(v.at[c, "backlog_hours"]),
                "not_in_time": float(v.at[c, "not_in_time"]),
                "delta_backlog": db, "delta_backlog_ci": dbci, "backlog_noise": _noise(db, dbci),
            })
        cost = staffing_cost(res.scenario)
        costs.append({"variant": name, "agent_hours": float(cost["agent_hours"].sum()),
                      "cost": float(cost["cost"].sum()),
                      "backlog_hours": float(v["backlog_hours"].sum())})
    cost_df = pd.DataFrame(costs)
    base = cost_df.set_index("variant").loc[ref]
    cost_df["delta_agent_hours"] = cost_df["agent_hours"] - float(ref_cost["agent_hours"].sum())
    cost_df["delta_cost"] = cost_df["cost"] - float(base["cost"])
    cost_df["delta_backlog_hours"] = cost_df["backlog_hours"] - float(base["backlog_hours"])
    return Comparison(ref, pd.DataFrame(rows), cost_df, paired)


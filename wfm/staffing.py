"""Staffing requirements: the agents each channel needs per interval to meet its
target, and the staff each agent group needs to cover the channels it serves.

Channel rules
-------------
The offered volume is the scenario's volume after deflection
(``volume * (1 - deflection)``).

* **voice**: :func:`wfm.erlang.required_agents`: Erlang A when the channel has a
  ``patience`` (abandoned calls count as misses), else Erlang C.
* **chat**: :func:`wfm.erlang.chat_required_agents`: sessions are servers, an agent holds
  up to ``concurrency`` of them; Erlang A with ``patience``, else Erlang C.
* **deferred**: the larger, interval by interval, of two curves:

  - the *latest* curve, :func:`wfm.erlang.deferred_required_agents`: the fewest agents
    that finish every item within ``answer_within`` of its arrival when the deadline
    falls inside the horizon (fluid model);
  - the *level* curve, ``ceil`` of the workload spread evenly over the item's window:
    with ``k = ceil(answer_within / interval)`` intervals in the window, the mean workload
    of the ``k`` intervals up to and including this one (fewer at the start of the
    horizon). When the window is at least the whole horizon (email with a 24 h
    turnaround on a 12 h day) the level curve is the horizon's mean workload: the day's
    work done at an even pace through the day.

  The latest curve alone asks for almost nobody when the turnaround is longer than the
  horizon (all deadlines fall after it); planners expect such work to be worked during
  the day, at the pace it arrives. The simulation treats deferred work still waiting at
  the end, with time left on its turnaround, as pending rather than missed. The fluid
  model judges an item on time when it is *finished* within the turnaround; for a
  channel whose ``target.judged_on`` is ``started`` (the default, as the simulation
  judges it) the deadline is the turnaround plus the mean handle time. Closed
  intervals (``opening_hours``, ``closed_dates``) are left out: the work waits for the
  next open one.
* **outbound**: no requirement of its own (idle agents of its groups dial).
* **social**: as deferred work, on the expected work of :func:`social_volume` (triage
  of every mention, the follow-ups of virality and the incidents' posts included).

Per-interval ``aht``, ``handle_cv`` and ``patience`` are used interval by interval; a
patience distribution other than exponential enters Erlang A by its mean, and handle
times by their mean (Erlang C and A do not depend on the handle-time shape); a
group's ``handle_factor`` is not in the analytic requirement (the simulation has it).

Group rule
----------
A channel served by one group is that group's. A channel served by several groups is
shared among them in proportion to their staff in that interval in the scenario (the
``staff`` curves of ``agents:`` say how the centre is organised); when they all have
nobody in that interval, in proportion to their staff over the whole horizon, and when
that is zero too, evenly. The share is apportioned in whole agents by largest
remainders, so the groups' shares of a channel add up to exactly its requirement. A
group's requirement is the sum of its shares of every channel it serves: agents of a
group serving several channels are counted once per channel, with no pooling economy
(conservative).

Pooled group rule
-----------------
``group_requirements(..., pooled=True)`` (what :func:`wfm.plan` uses by default) gives a
group serving several channels the **pooling economy**: one agent free for any of its
channels waits for the first contact of any of them, so the pool needs fewer agents than
the sum of what each channel would need on its own. For group ``g`` in interval ``t``:

* **voice and chat** (immediate) channels: the economy ratio ``rho = combined /
  standalone``, with ``standalone`` the sum over the group's immediate channels of the
  Erlang requirement of the group's share of each channel's traffic on its own, and
  ``combined`` the Erlang requirement of the combined traffic of those shares served
  first come, first served by one pool: the fewest agents with which *every* channel's
  target is met (``P(wait <= answer_within_c) >= service_level_c``), a chat session
  counting as a contact of ``aht / concurrency`` seconds, the mean handle time the
  contact-weighted mean, Erlang A on the contact-weighted mean patience when every
  channel has a patience (else Erlang C). The group's whole-agent shares of these
  channels are multiplied by ``rho <= 1``. Two voice channels with the same target give
  exactly Erlang on their combined traffic.
* **deferred and social** channels add their share of the requirement less the rounding
  of their analytic curve (the level curve is worked at an even pace in the idle time
  of the pool: no whole agent per channel).
* the result is rounded up, then bounded below by the largest whole-agent share of any
  one channel (each channel's own requirement is still covered) and above by the summed
  rule.

Assumptions: the group's agents take whichever of its channels comes (the routing's skill
order may favour one; the simulation checks what that does), arrivals of different
channels are independent Poisson streams, handle times enter by their means (as in the
channel rules). A group serving a single channel is unchanged. Tested against the
simulation in ``tests/test_staffing.py`` (two voice channels pooled in one group meet
their targets with the pooled staff, which is below the sum of their requirements).

Examples
--------
>>> import wfm
>>> sc = wfm.load_scenario("scenarios/baseline.yaml")
>>> req = wfm.staffing.requirements(sc)
>>> groups = req[req.level == "group"]
>>> groups.pivot(index="start", columns="name", values="required").head(3)
name   blended  digital  voice
start
08:00        4       11     11
08:30        4       13     16
09:00        6       13     20
>>> pooled = wfm.staffing.group_requirements(sc, pooled=True)
>>> summed = wfm.staffing.group_requirements(sc)
>>> {g: int(summed[g].sum() - pooled[g].sum()) for g in summed}   # agent-intervals saved
{'voice': 0, 'blended': 0, 'digital': 18}
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from wfm import erlang
from wfm.errors import ScenarioError
from wfm.scenario import Channel, Scenario
from wfm.scenario.roster import parse_day_clock

__all__ = [
    "channel_load",
    "channel_requirements",
    "channel_workload",
    "deferred_requirement",
    "group_requirements",
    "paid_agents",
    "requirements",
    "split_weights",
]

COLUMNS = ["level", "name", "interval", "start", "required", "required_paid", "kind", "volume",
           "workload"]


def paid_agents(net: Any, shrinkage: Any) -> np.ndarray:
    """Paid agents (gross) for ``net`` agents on the phones: ``ceil(net / (1 - shrinkage))``
    per interval, ``shrinkage`` the total share (planned + unplanned).

    Examples
    --------
    >>> paid_agents([10, 20, 0], 0.23).tolist()
    [13, 26, 0]
    """
    net_arr = np.asarray(net, float)
    keep = 1 - np.asarray(shrinkage, float)
    gross = net_arr / keep
    return np.asarray(np.ceil(gross - 1e-9 * np.maximum(gross, 1.0)), np.int64)


def channel_workload(channel: Channel, interval: float) -> np.ndarray:
    """Offered work per interval in agents (Erlangs): ``volume * (1 - deflection) * aht /
    interval``, divided by ``concurrency`` for chat (an agent holds that many sessions)."""
    work = channel.workload / interval
    return work / channel.concurrency if channel.kind == "chat" else work


def deferred_requirement(
    volume: Any, aht: Any, answer_within: float, interval: float = 1800
) -> np.ndarray:
    """Agents per interval for deferred work: the larger of the latest-policy curve and
    the level curve (see the module docstring).

    Parameters
    ----------
    volume : array_like, 1-d
        Contacts offered per interval (after deflection).
    aht : float or array_like
        Mean handle time, seconds (one, or one per interval).
    answer_within : float
        Turnaround target, seconds: an item is on time when it is *finished* within it
        (for a channel judged on *started* items, :func:`channel_requirements` passes
        ``answer_within`` plus the mean handle time).
    interval : float, default 1800
        Interval length, seconds.

    Returns
    -------
    numpy.ndarray
        Agents (int64) per interval.

    Examples
    --------
    >>> deferred_requirement([60, 60, 60, 60], 300, answer_within=1800)
    array([10, 10, 10, 10])
    >>> deferred_requirement([90, 30, 0, 0], 300, answer_within=86400)
    array([5, 5, 5, 5])
    """
    v = np.asarray(volume, float)
    latest = np.asarray(erlang.deferred_required_agents(v, aht, answer_within, interval=interval))
    if v.size == 0:
        return latest.astype(np.int64)
    level = _level_curve(v, aht, answer_within, interval)
    level_agents = np.ceil(level - 1e-9 * np.maximum(1.0, level)).astype(np.int64)
    return np.maximum(latest, np.maximum(level_agents, 0)).astype(np.int64)


def _level_curve(v: np.ndarray, aht: Any, answer_within: float, interval: float) -> np.ndarray:
    """The level curve of deferred work, in agents (float): the mean workload of the
    ``ceil(answer_within / interval)`` intervals up to and including each one (the
    horizon's mean when that window is the whole horizon or more)."""
    work = v * np.asarray(aht, float) / interval
    h = v.size
    k = max(1, math.ceil(answer_within / interval - 1e-9))
    if k >= h:
        return np.full(h, work.mean())
    csum = np.concatenate(([0.0], np.cumsum(work)))
    idx = np.arange(h)
    lo = np.maximum(idx - k + 1, 0)
    return np.asarray((csum[idx + 1] - csum[lo]) / (idx + 1 - lo), float)


def channel_load(scenario: Scenario) -> dict[str, np.ndarray]:
    """Agents each channel's work keeps busy per interval, with no queueing margin:
    ``{channel: float array of length horizon}``.

    The load of voice is its offered work (:func:`channel_workload`: volume after
    deflection x aht / interval), of chat the same divided by ``concurrency``, of
    deferred and social work its level curve (the work spread evenly over its window, as
    the requirement works it; social on :func:`social_volume`), of outbound 0. Closed
    intervals have none. The pooled group rule (module docstring) pools what the
    requirement adds above this load; the planner's lower bound covers it.

    Examples
    --------
    >>> import wfm
    >>> sc = wfm.load_scenario("scenarios/baseline.yaml")
    >>> load = channel_load(sc)
    >>> round(float(load["phone"][0]), 2), round(float(load["messaging"][0]), 2)
    (11.67, 2.22)
    >>> bool((load["email"] == load["email"][0]).all())   # worked at an even pace
    True
    """
    iv = scenario.interval_seconds
    h = scenario.horizon
    is_open = scenario.open_mask()
    out: dict[str, np.ndarray] = {}
    for name, ch in scenario.channels.items():
        t = ch.target
        v = np.asarray(ch.volume, float) * (1 - ch.deflection) * is_open
        aht = ch.aht_curve(h)
        if t is None:
            load = np.zeros(h)
        elif ch.kind in ("voice", "chat"):
            load = v * aht / iv / (ch.concurrency if ch.kind == "chat" else 1)
        else:
            within = t.answer_within + (ch.mean_aht if t.judged_on == "started" else 0.0)
            if ch.social is not None:
                v = social_volume(scenario, name) * is_open
            load = np.zeros(h)
            if is_open.any():
                load[is_open] = _level_curve(v[is_open], aht[is_open], within, iv)
        out[name] = np.asarray(load, float).reshape(h)
    return out


def channel_requirements(scenario: Scenario) -> dict[str, np.ndarray]:
    """Agents each channel needs per interval to meet its target on its own:
    ``{channel: int array of length horizon}`` (rules in the module docstring)."""
    iv = scenario.interval_seconds
    h = scenario.horizon
    out: dict[str, np.ndarray] = {}
    is_open = scenario.open_mask()  # a closed interval needs nobody
    for name, ch in scenario.channels.items():
        try:
            out[name] = _channel_requirement(scenario, ch, name, is_open, iv, h)
        except ValueError as exc:  # outside what the closed forms handle (wfm.erlang's limits)
            raise ScenarioError([(f"channels.{name}", "its analytic requirement is outside the"
                                  f" range of wfm.erlang: {exc}")]) from None
    return out


def _channel_requirement(scenario: Scenario, ch: Channel, name: str, is_open: np.ndarray,
                         iv: float, h: int) -> np.ndarray:
    """One channel's requirement per interval (see :func:`channel_requirements`)."""
    v = np.asarray(ch.volume, float) * (1 - ch.deflection) * is_open
    t = ch.target
    aht = ch.aht_curve(h)
    patience = ch.patience_curve(h)
    n: Any
    if t is None:  # outbound: dialled by idle agents, no requirement of its own
        n = np.zeros(h, dtype=np.int64)
    elif ch.kind == "voice":
        n = erlang.required_agents(v, aht, t.answer_within, t.service_level, interval=iv,
                                   patience=patience)
    elif ch.kind == "chat":
        n = erlang.chat_required_agents(v, aht, t.answer_within, t.service_level,
                                        ch.concurrency, interval=iv, patience=patience)
    else:
        # the fluid model judges finished items; a channel judged on started items
        # may finish them one handle time later
        within = t.answer_within + (ch.mean_aht if t.judged_on == "started" else 0.0)
        if ch.social is not None:  # mentions -> triage and replies, in units of aht
            v = social_volume(scenario, name) * is_open
        # over the open intervals only (closed ones need nobody; the backlog waits)
        n = np.zeros(h, dtype=np.int64)
        if is_open.any():
            n[is_open] = deferred_requirement(v[is_open], aht[is_open], within, interval=iv)
    return np.asarray(n, dtype=np.int64).reshape(h)


def social_volume(scenario: Scenario, channel: str) -> np.ndarray:
    """A social channel's work per interval in contacts of its ``aht``: the expected
    mentions (the base rate over ``1 - branching`` for the follow-ups a Hawkes process
    adds, plus the incidents' posts as they are expected to spread) each read for
    ``triage_time``, and the ``actionable`` share of them (every incident post) replied
    to. Peers answering first and posts resolved by a public reply are not counted
    (conservative: both depend on how fast agents are).

    Examples
    --------
    >>> import wfm
    >>> data = wfm.load_scenario("scenarios/baseline.yaml").to_dict()
    >>> data["channels"]["social"].update(kind="social", social={"actionable": 0.5,
    ...     "triage_time": 24, "virality": {"branching": 0.2}})
    >>> sc = wfm.Scenario.from_dict(data)
    >>> base = sc.channels["social"].volume[0] * 0.9            # after deflection
    >>> round(float(social_volume(sc, "social")[0]) / base, 4)   # (0.5 + 24/240) / 0.8
    0.75
    """
    ch = scenario.channels[channel]
    soc = ch.social
    h = scenario.horizon
    base = np.asarray(ch.volume, float) * (1 - ch.deflection)
    if soc is None:
        return base
    mentions = base * soc.expected_mentions_factor()
    incident_posts = np.zeros(h)
    iv = scenario.interval_seconds
    edges = np.arange(h + 1) * iv
    for inc in soc.incidents:
        start = parse_day_clock(inc.start) * 60 - scenario.start_seconds
        spread = inc.spread_minutes * 60
        cdf = 1 - np.exp(-np.clip(edges - start, 0, None) / spread)
        incident_posts += inc.posts * np.diff(cdf) * soc.expected_mentions_factor()
    aht = ch.aht_curve(h)
    triage = (mentions + incident_posts) * soc.triage_time / aht
    return mentions * soc.actionable + incident_posts + triage


def split_weights(scenario: Scenario) -> dict[str, dict[str, np.ndarray]]:
    """Per channel and serving group, the share of the channel's requirement that group
    takes in each interval: ``{channel: {group: float array of length horizon}}``; the
    shares of a channel add up to 1 in every interval (the group rule in the module
    docstring)."""
    staff = scenario.staff()
    h = scenario.horizon
    out: dict[str, dict[str, np.ndarray]] = {}
    for c in scenario.channel_names:
        groups = scenario.groups_serving(c)
        s = np.array([staff[g] for g in groups], dtype=float)  # groups x horizon
        totals = s.sum(axis=1)
        if totals.sum() > 0:
            fallback = totals / totals.sum()
        else:
            fallback = np.full(len(groups), 1 / len(groups))
        col = s.sum(axis=0)
        w = np.where(col > 0, s / np.where(col > 0, col, 1.0), fallback[:, None])
        out[c] = {g: w[k].reshape(h) for k, g in enumerate(groups)}
    return out


def _apportion(total: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Split whole numbers ``total`` (per interval) over rows of ``weights`` (groups x
    intervals, columns adding to 1) by largest remainders."""
    exact = weights * total[None, :]
    base = np.floor(exact + 1e-9)
    left = (total - base.sum(axis=0)).astype(np.int64)
    rem = exact - base
    out = base.astype(np.int64)
    for i in np.flatnonzero(left > 0):
        order = np.argsort(-rem[:, i], kind="stable")
        out[order[: left[i]], i] += 1
    return out


def _immediate_economy(scenario: Scenario, weights: Mapping[str, Mapping[str, np.ndarray]]
                       ) -> dict[str, np.ndarray]:
    """Per group, the economy ratio ``rho`` of its immediate (voice, chat) channels per
    interval (the pooled group rule of the module docstring); 1 with fewer than two."""
    h = scenario.horizon
    iv = scenario.interval_seconds
    is_open = scenario.open_mask()
    out: dict[str, np.ndarray] = {}
    for g in scenario.group_names:
        chans = [c for c in scenario.group(g).skills
                 if c in scenario.channels and scenario.channels[c].kind in ("voice", "chat")
                 and scenario.channels[c].target is not None]
        rho = np.ones(h)
        if len(chans) < 2:
            out[g] = rho
            continue
        standalone = np.zeros(h)
        lam = np.zeros(h)
        work = np.zeros(h)
        pat = np.zeros(h)
        all_patient = True
        targets = []
        for c in chans:
            ch = scenario.channels[c]
            t = ch.target
            assert t is not None
            v = np.asarray(ch.volume, float) * (1 - ch.deflection) * is_open * weights[c][g]
            aht = ch.aht_curve(h)
            p = ch.patience_curve(h)
            if ch.kind == "chat":
                standalone += erlang.chat_required_agents(v, aht, t.answer_within, t.service_level,
                                                          ch.concurrency, interval=iv, patience=p)
            else:
                standalone += erlang.required_agents(v, aht, t.answer_within, t.service_level,
                                                     interval=iv, patience=p)
            lam += v
            work += v * aht / ch.concurrency
            if p is None:
                all_patient = False
            else:
                pat += v * np.asarray(p, float)
            targets.append((t.answer_within, t.service_level))
        busy = lam > 0
        hbar = np.where(busy, work / np.where(busy, lam, 1.0), 1.0)
        pbar = np.where(busy, pat / np.where(busy, lam, 1.0), 1.0) if all_patient else None
        combined = np.zeros(h)
        for within, level in targets:
            combined = np.maximum(combined, erlang.required_agents(
                lam, hbar, within, level, interval=iv, patience=pbar))
        ok = standalone > 0
        rho[ok] = np.minimum(combined[ok] / standalone[ok], 1.0)
        out[g] = rho
    return out


def _deferred_rounding(scenario: Scenario) -> dict[str, np.ndarray]:
    """Per deferred or social channel, what its analytic requirement adds above its
    fractional curve by rounding up (0 where the deadline curve rules), agents."""
    base = channel_requirements(scenario)
    load = channel_load(scenario)
    out: dict[str, np.ndarray] = {}
    for c, ch in scenario.channels.items():
        if ch.kind in ("deferred", "social") and ch.target is not None:
            level = load[c]
            up = np.ceil(level - 1e-9 * np.maximum(level, 1.0))
            out[c] = np.where(base[c] <= up, np.clip(base[c] - level, 0.0, 1.0), 0.0)
    return out


def group_requirements(
    scenario: Scenario,
    channel_required: Mapping[str, Any] | None = None,
    *,
    pooled: bool = False,
) -> dict[str, np.ndarray]:
    """Agents each group needs per interval to cover its share of every channel it serves.

    Parameters
    ----------
    scenario : Scenario
    channel_required : mapping of channel to per-interval agents, optional
        Default: :func:`channel_requirements`. Whole numbers (rounded up otherwise).
    pooled : bool, default False
        False: the sum of the group's whole-agent shares (the group rule). True: the
        pooled group rule (module docstring): never more than the sum, never less than
        the largest share of one channel.

    Returns
    -------
    dict of str to numpy.ndarray
        ``{group: int array of length horizon}``.

    Examples
    --------
    Two voice channels of 10 Erlangs each, one group: 14 agents each on their own, 24
    pooled (Erlang C on the combined 20 Erlangs).

    >>> import wfm
    >>> phone = {"kind": "voice", "aht": 180, "volume": [100],
    ...          "target": {"answer_within": 20, "service_level": 0.8}}
    >>> sc = wfm.Scenario.from_dict({"interval_minutes": 30, "channels": {"a": phone,
    ...     "b": phone}, "agents": [{"group": "g", "skills": ["a", "b"], "staff": 1}]})
    >>> int(group_requirements(sc)["g"][0]), int(group_requirements(sc, pooled=True)["g"][0])
    (28, 24)
    >>> int(wfm.erlang.required_agents(200, 180, 20, 0.8))
    24
    """
    if channel_required is None:
        channel_required = channel_requirements(scenario)
    h = scenario.horizon
    weights = split_weights(scenario)
    out = {g: np.zeros(h, dtype=np.int64) for g in scenario.group_names}
    largest = {g: np.zeros(h, dtype=np.int64) for g in scenario.group_names}
    need = {g: np.zeros(h) for g in scenario.group_names}
    rho = _immediate_economy(scenario, weights) if pooled else {}
    rounding = _deferred_rounding(scenario) if pooled else {}
    for c, w in weights.items():
        req = np.ceil(np.asarray(channel_required.get(c, np.zeros(h)), float) - 1e-9)
        req = np.maximum(req, 0).astype(np.int64).reshape(h)
        groups = list(w)
        parts = _apportion(req, np.array([w[g] for g in groups]))
        kind = scenario.channels[c].kind
        for k, g in enumerate(groups):
            out[g] += parts[k]
            if not pooled:
                continue
            largest[g] = np.maximum(largest[g], parts[k])
            if kind in ("voice", "chat"):
                need[g] += parts[k] * rho[g]
            elif c in rounding:
                need[g] += np.maximum(parts[k] - w[g] * rounding[c], 0.0)
            else:
                need[g] += parts[k]
    if not pooled:
        return out
    for g in out:
        pool = np.ceil(need[g] - 1e-9 * np.maximum(need[g], 1.0)).astype(np.int64)
        out[g] = np.minimum(np.maximum(pool, largest[g]), out[g])
    return out


def requirements(scenario: Scenario, *, pooled: bool = False) -> pd.DataFrame:
    """Agents needed per interval x channel, and per interval x group.

    Parameters
    ----------
    scenario : Scenario
    pooled : bool, default False
        Group rows by the pooled group rule instead of the sum of shares (see the module
        docstring).

    Returns
    -------
    pandas.DataFrame
        Long format, one row per interval x channel (``level == "channel"``) then per
        interval x group (``level == "group"``). Columns: ``level``, ``name`` (channel or
        group), ``interval`` (0-based), ``start`` (clock label), ``required`` (agents on
        the phones, net, int), ``required_paid`` (paid agents, gross of the group's
        ``shrinkage``; channel rows repeat ``required``), and for channel rows ``kind``,
        ``volume`` (contacts offered after deflection) and ``workload`` (offered work in agents, i.e. agent-seconds per
        interval / interval seconds; chat divided by its concurrency); NaN/None for
        group rows.

    Examples
    --------
    >>> import wfm
    >>> sc = wfm.load_scenario("scenarios/baseline.yaml")
    >>> req = wfm.staffing.requirements(sc)
    >>> sorted(req["level"].unique()), int(req.query("level == 'group'")["required"].max())
    (['channel', 'group'], 28)
    """
    if not isinstance(scenario, Scenario):
        raise TypeError(f"scenario must be a wfm.Scenario, not {type(scenario).__name__}")
    h = scenario.horizon
    labels = scenario.interval_labels()
    iv = scenario.interval_seconds
    chan = channel_requirements(scenario)
    frames = []
    for name, ch in scenario.channels.items():
        frames.append(pd.DataFrame({
            "level": "channel",
            "name": name,
            "interval": np.arange(h),
            "start": labels,
            "required": chan[name],
            "required_paid": chan[name],
            "kind": ch.kind,
            "volume": np.asarray(ch.volume, float) * (1 - ch.deflection),
            "workload": channel_workload(ch, iv),
        }))
    for g, req in group_requirements(scenario, chan, pooled=pooled).items():
        shrink = scenario.group(g).shrinkage
        frames.append(pd.DataFrame({
            "level": "group",
            "name": g,
            "interval": np.arange(h),
            "start": labels,
            "required": req,
            "required_paid": paid_agents(req, shrink.total(h)) if shrink else req,
            "kind": None,
            "volume": np.nan,
            "workload": np.nan,
        }))
    df = pd.concat(frames, ignore_index=True)[COLUMNS]
    return df.astype({"interval": "int64", "required": "int64", "required_paid": "int64"})

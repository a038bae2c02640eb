"""The discrete-event engine on simpy: arrivals, routing, service, staffing changes.

Design (see ``docs/design.md``, "Engine design notes"):

* Random numbers are drawn in bulk with numpy, per replication and channel
  (``SeedSequence.spawn``), one interval at a time: the Poisson count, uniform arrival
  times, deflection, handle times and patience of every contact of the interval.
* There is no simpy process per contact. Service completions and interval boundaries
  are simpy events (``simpy.Environment`` drives them); arrivals are not events: the
  run loop hands every arrival earlier than the next scheduled event to the router,
  then steps simpy. Waiting lines are deques per channel.
* Abandonment needs no timer: a waiting contact carries its give-up time; whenever an
  agent takes the next contact of a real-time queue it drops (and counts as abandoned)
  every contact at the head whose give-up time has passed. This is exact for FIFO.
* KPIs accumulate into numpy arrays indexed by (arrival interval, channel); nothing per
  contact is kept, so memory does not grow with the number of contacts.

Semantics (the scenario format's, ``docs/guides/scenario-format.md``):

* Voice: one contact per agent; FIFO; exponential patience with mean ``patience``.
* Chat: an agent holds up to ``concurrency`` sessions; while it holds any chat it takes
  no voice or deferred work.
* Deferred: no abandonment; oldest first; taken only when the agent's higher-priority
  queues are empty; backlog carries across intervals; no deferred work starts after the
  horizon.
* Routing: an arriving contact goes to an available agent of the least occupied group
  with its skill (within a group: an idle agent, for chat the least loaded agent with
  room); a freed agent takes the next contact of its skills in the group's order.
* Staffing: when staff drops, agents leave at once if idle, else when they have finished
  what they hold (idle ones first, then the least loaded); when it rises, new agents
  start at once.
* End: arrivals stop at the horizon; the engine drains real-time queues with the last
  interval's staff (abandonment still happens); contacts left in a real-time queue with
  nobody to serve them count as abandoned (with patience) or unanswered (without);
  deferred contacts left are unanswered, and *pending* when their ``answer_within`` has
  not run out at the horizon's end.
"""

from __future__ import annotations

import math
import time
from bisect import bisect_right
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from heapq import heappush
from pathlib import Path

import numpy as np
import pandas as pd
import simpy
from simpy.core import EmptySchedule
from simpy.events import NORMAL, URGENT, Event

from wfm import limits
from wfm.atomic import atomic_write
from wfm.checks import finite_number, whole_number
from wfm.scenario import Scenario
from wfm.sim.metrics import (
    EDGES,
    N_BINS,
    Accumulator,
    group_frame,
    interval_frame,
    summary_frames,
)
from wfm.sim.routing import CHAT, DEFERRED, VOICE, Routing, build_routing

__all__ = ["SimulationResult", "simulate"]

ProgressCallback = Callable[[int, int], None]


@dataclass
class SimulationResult:
    """What :func:`simulate` returns.

    Attributes
    ----------
    intervals : pandas.DataFrame
        One row per interval x channel. Columns: ``interval`` (0-based index), ``start``
        (clock label), ``channel``, ``kind``, ``offered`` (contacts that reached agents'
        queues, after deflection), ``deflected``, ``answered`` (voice/chat: picked up;
        deferred: started), ``abandoned``, ``answered_in_target``, ``unanswered``
        (still waiting when the run ended), ``pending`` (the unanswered deferred ones
        whose ``answer_within`` had not run out), ``service_level``
        (answered_in_target / (offered - pending); NaN where that is 0), ``asa`` (mean
        wait of the answered, s), ``wait_p90`` (90th percentile wait of the answered,
        s), ``abandonment`` (abandoned / offered), ``backlog`` (contacts of the channel
        waiting at the interval's end), ``target_service_level``, ``answer_within`` (s).
        Counts are by interval of arrival. With several replications counts are means
        per replication and rates are pooled over replications.
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
        The summary measures of each replication (one row per replication x channel).
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


def simulate(
    scenario: Scenario,
    *,
    seed: int = 0,
    replications: int = 1,
    progress: ProgressCallback | None = None,
    time_limit: float | None = None,
) -> SimulationResult:
    """Simulate the scenario's horizon on every channel.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario (see :func:`wfm.load_scenario`).
    seed : int, default 0
        Root seed; replication ``r`` uses ``SeedSequence(seed).spawn(replications)[r]``,
        one child stream per channel. Same scenario and seed, same result.
    replications : int, default 1
        Independent replications of the horizon.
    progress : callable, optional
        Called as ``progress(done, total)`` after each replication (the CLI and the app
        draw their progress bars with it; the library itself prints nothing).
    time_limit : float, optional
        Wall-clock seconds the whole run may take; beyond it the run stops with a
        ``TimeoutError`` (checked at every interval boundary). Sweeps use it for their
        ``point_timeout``; the app for its runs.

    Returns
    -------
    SimulationResult

    Examples
    --------
    >>> import wfm
    >>> res = wfm.simulate(wfm.load_scenario("scenarios/baseline.yaml"), seed=1)
    >>> res.summary[["channel", "kind"]].values.tolist()
    [['phone', 'voice'], ['messaging', 'chat'], ['social', 'deferred'], ['email', 'deferred']]
    >>> int(res.summary["offered"].sum()) > 0, res.n_replications
    (True, 1)
    """
    if not isinstance(scenario, Scenario):
        raise TypeError(f"scenario must be a wfm.Scenario, not {type(scenario).__name__}")
    seed = whole_number("seed", seed, minimum=0)
    replications = whole_number("replications", replications, minimum=1)
    if progress is not None and not callable(progress):
        raise TypeError(f"progress must be a callable progress(done, total) (got {progress!r})")
    if time_limit is not None:
        time_limit = finite_number("time_limit", time_limit, minimum=0, strict=True)
    limits.check("replications", replications, "max_replications")
    t0 = time.perf_counter()
    deadline = math.inf if time_limit is None else t0 + time_limit
    routing = build_routing(scenario)
    streams = np.random.SeedSequence(int(seed)).spawn(int(replications))
    accs: list[Accumulator] = []
    for r, ss in enumerate(streams):
        accs.append(_Run(scenario, routing, ss, deadline, time_limit).run())
        if progress is not None:
            progress(r + 1, replications)
    kinds: list[str] = [ch.kind for ch in scenario.channels.values()]
    targets = [
        (ch.target.answer_within, ch.target.service_level) for ch in scenario.channels.values()
    ]
    labels = scenario.interval_labels()
    staff = np.column_stack([scenario.staff()[g] for g in routing.groups])
    summary, reps = summary_frames(accs, routing.channels, kinds, targets)
    return SimulationResult(
        intervals=interval_frame(accs, routing.channels, kinds, labels, targets),
        groups=group_frame(accs, routing.groups, labels, staff),
        summary=summary,
        replications=reps,
        scenario=scenario,
        seed=int(seed),
        n_replications=int(replications),
        elapsed=time.perf_counter() - t0,
    )


class _Completion(Event):
    """A service completion at absolute time ``at``; its value is (agent, group, channel,
    units).

    Scheduled like ``simpy.Timeout`` (whose ``__init__`` inlines ``Event.__init__`` the
    same way), but by absolute time: arrivals are routed between simpy steps, when the
    clock still shows the last event's time.
    """

    __slots__ = ()

    def __init__(self, env: simpy.Environment, at: float, value: tuple, callback: Callable) -> None:
        self.env = env
        self.callbacks = [callback]
        self._value = value
        self._ok = True
        heappush(env._queue, (at, NORMAL, next(env._eid), self))


class _Run:
    """One replication of one scenario."""

    def __init__(
        self,
        scenario: Scenario,
        routing: Routing,
        seed: np.random.SeedSequence,
        deadline: float = math.inf,
        time_limit: float | None = None,
    ) -> None:
        self.sc = scenario
        self.deadline = deadline
        self.time_limit = time_limit
        self.rt = routing
        self.L = float(scenario.interval_seconds)
        self.H = scenario.horizon
        self.t_end = self.H * self.L
        chans = list(scenario.channels.values())
        self.C = len(chans)
        self.G = len(routing.groups)
        self.rngs = [np.random.default_rng(s) for s in seed.spawn(self.C)]
        self.volume = [np.asarray(ch.volume, float) for ch in chans]
        self.aht = [ch.aht for ch in chans]
        self.cv = [ch.handle_cv for ch in chans]
        self.patience = [ch.patience for ch in chans]
        self.deflection = [ch.deflection for ch in chans]
        self.within = [ch.target.answer_within for ch in chans]
        self.staff_plan = [g.staff_curve(self.H) for g in scenario.agents]
        self.acc = Accumulator(self.H, self.C, self.G)
        self.env = simpy.Environment()
        # agents: parallel lists indexed by agent id
        self.a_load: list[int] = []
        self.a_group: list[int] = []
        self.a_leaving: list[int] = []  # 0 staying, 1 leaving when done, 2 gone
        self.idle: list[list[int]] = [[] for _ in range(self.G)]  # load 0, staying
        self.partial: list[set[int]] = [set() for _ in range(self.G)]  # 0 < load < U, staying
        self.staying = [0] * self.G  # agents not marked to leave
        self.present = [0] * self.G  # agents present (staying + leaving)
        self.g_load = [0] * self.G  # units in use per group
        self.queues: list[deque] = [deque() for _ in range(self.C)]
        self.arrivals: list[tuple] = []
        self.has_chat_skill = [any(routing.kinds[c] == CHAT for c in sk) for sk in routing.skills]
        self.is_chat = [k == CHAT for k in routing.kinds]
        # the group of a non-chat channel served by one group only (else -1)
        self.single = [
            sv[0] if len(sv) == 1 and k != CHAT else -1
            for sv, k in zip(routing.serving, routing.kinds, strict=True)
        ]
        # groups without chat skills: an agent holds one contact at a time
        self.simple = [not h for h in self.has_chat_skill]
        self.is_deferred = [k == DEFERRED for k in routing.kinds]
        self.f_abandoned = [0] * (self.H * self.C)
        self.cost = list(routing.cost)
        self.skills = routing.skills
        self.units = routing.units
        self.share = [k / routing.units for k in routing.cost]  # busy share of one contact
        # hot-path accumulators as flat Python lists (index interval * C + channel);
        # moved into the numpy Accumulator when the run ends
        n = self.H * self.C
        self.f_in_target = [0] * n
        self.f_wait = [0.0] * n
        self.f_hist = [0] * (n * N_BINS)
        self.f_busy = [0.0] * (self.H * self.G)

    # ------------------------------------------------------------------ run loop
    def run(self) -> Accumulator:
        env = self.env
        for i in range(self.H + 1):
            ev = Event(env)
            ev._ok = True
            ev._value = i
            ev.callbacks.append(self._boundary)
            env.schedule(ev, URGENT, i * self.L)
        step = env.step
        peek = env.peek
        arrive = self._arrive
        arrivals, ptr, n = self.arrivals, 0, 0
        while True:
            nxt = peek()
            while ptr < n and arrivals[ptr][0] < nxt:
                end = arrive(arrivals[ptr])
                ptr += 1
                if end < nxt:
                    nxt = end
            try:
                step()
            except EmptySchedule:
                break
            if self.arrivals is not arrivals:  # an interval boundary drew new arrivals
                arrivals, ptr, n = self.arrivals, 0, len(self.arrivals)
        self._finish()
        return self.acc

    # ------------------------------------------------------------------ intervals
    def _boundary(self, ev: Event) -> None:
        i = ev._value
        t = i * self.L
        acc = self.acc
        if i > 0:  # close interval i-1
            for c in range(self.C):
                acc.backlog[i - 1, c] = self._waiting(c, t)
        if i == self.H:
            return
        if self.deadline < math.inf and time.perf_counter() > self.deadline:
            raise TimeoutError(
                f"the simulation took longer than its time limit of {self.time_limit:g} s"
                f" (stopped at interval {i} of {self.H})"
            )
        self._draw(i)
        for g in range(self.G):
            self._set_staff(g, int(self.staff_plan[g][i]), t)
            acc.present[i, g] += self.present[g] * self.L

    def _draw(self, i: int) -> None:
        """Draw interval i's arrivals on every channel, merged in time order."""
        L = self.L
        t0 = i * L
        times, chans, handles, giveups = [], [], [], []
        for c in range(self.C):
            rng = self.rngs[c]
            n = int(rng.poisson(self.volume[c][i]))
            if n == 0:
                continue
            t = t0 + np.sort(rng.random(n)) * L
            if self.deflection[c] > 0:
                keep = rng.random(n) >= self.deflection[c]
                self.acc.deflected[i, c] += n - int(keep.sum())
                t = t[keep]
                n = t.size
                if n == 0:
                    continue
            self.acc.offered[i, c] += n
            handles.append(_handle_times(rng, self.aht[c], self.cv[c], n))
            p = self.patience[c]
            giveups.append(t + rng.exponential(p, n) if p is not None else np.full(n, math.inf))
            times.append(t)
            chans.append(np.full(n, c))
        if not times:
            self.arrivals = []
            return
        t = np.concatenate(times)
        order = np.argsort(t, kind="stable")
        self.arrivals = list(
            zip(
                t[order].tolist(),
                np.concatenate(chans)[order].tolist(),
                np.concatenate(handles)[order].tolist(),
                np.concatenate(giveups)[order].tolist(),
                [i] * t.size,
                strict=True,
            )
        )

    def _set_staff(self, g: int, target: int, t: float) -> None:
        # rising: first keep agents that were about to leave, then hire
        if target > self.staying[g]:
            for aid in range(len(self.a_group)):
                if self.staying[g] >= target:
                    break
                if self.a_group[aid] == g and self.a_leaving[aid] == 1:
                    self.a_leaving[aid] = 0
                    self.staying[g] += 1
                    self._refill(aid, t)
            while self.staying[g] < target:
                aid = len(self.a_load)
                self.a_load.append(0)
                self.a_group.append(g)
                self.a_leaving.append(0)
                self.staying[g] += 1
                self.present[g] += 1
                self._refill(aid, t)
        # falling: idle agents leave now, then the least loaded leave when done
        while self.staying[g] > target:
            if self.idle[g]:
                aid = self.idle[g].pop()
                self.a_leaving[aid] = 2
                self.staying[g] -= 1
                self.present[g] -= 1
                continue
            cand = [
                a
                for a in range(len(self.a_group))
                if self.a_group[a] == g and not self.a_leaving[a] and self.a_load[a] > 0
            ]
            aid = min(cand, key=self.a_load.__getitem__)
            self.a_leaving[aid] = 1
            self.partial[g].discard(aid)
            self.staying[g] -= 1

    # ------------------------------------------------------------------ routing
    def _arrive(self, contact: tuple) -> float:
        """Route an arriving contact; returns the completion time it scheduled (inf if none)."""
        c = contact[1]
        g = self.single[c]
        if g >= 0:  # fast path: one group, one contact per agent
            idle = self.idle[g]
            if idle:
                return self._start(idle.pop(), g, c, contact, contact[0])
            self.queues[c].append(contact)
            return math.inf
        t = contact[0]
        rt = self.rt
        kind = rt.kinds[c]
        best = -1
        best_occ = 2.0
        for g in rt.serving[c]:
            if self.idle[g] or (kind == CHAT and self._room(g, c) >= 0):
                occ = self.g_load[g] / (self.present[g] * rt.units)
                if occ < best_occ:
                    best, best_occ = g, occ
        if best < 0:
            self.queues[c].append(contact)
            return math.inf
        # spread: an idle agent first; for chat, else the least loaded with room
        aid = self.idle[best].pop() if self.idle[best] else self._room(best, c)
        return self._start(aid, best, c, contact, t)

    def _room(self, g: int, c: int) -> int:
        """The least-loaded agent of group g holding chats with room for channel c, or -1."""
        cost = self.rt.cost[c]
        units = self.rt.units
        best, best_load = -1, units
        for aid in self.partial[g]:
            load = self.a_load[aid]
            if load + cost <= units and load < best_load:
                best, best_load = aid, load
        return best

    def _start(self, aid: int, g: int, c: int, contact: tuple, t: float) -> float:
        """Agent aid of group g starts contact of channel c at time t; returns its end."""
        arr_t, _, handle, _, i = contact
        k = i * self.C + c
        wait = t - arr_t
        if wait > 0:
            self.f_wait[k] += wait
            self.f_hist[k * N_BINS + bisect_right(EDGES, wait) + 1] += 1
            if wait <= self.within[c]:
                self.f_in_target[k] += 1
        else:  # answered at once (the histogram's bin 0 also counts the answered)
            self.f_hist[k * N_BINS] += 1
            self.f_in_target[k] += 1
        cost = self.cost[c]
        self.a_load[aid] += cost
        self.g_load[g] += cost
        if self.is_chat[c]:
            if self.a_load[aid] < self.units:
                self.partial[g].add(aid)
            else:
                self.partial[g].discard(aid)
        end = t + handle
        # busy agent-seconds, split over the intervals the service spans
        L, share = self.L, self.share[c]
        j = int(t // L)
        stop = (j + 1) * L
        if end <= stop:
            if j < self.H:
                self.f_busy[j * self.G + g] += handle * share
        else:
            while j < self.H and t < end:
                self.f_busy[j * self.G + g] += (min(stop, end) - t) * share
                t = stop
                j += 1
                stop += L
        _Completion(self.env, end, (aid, g, c, cost), self._complete)
        return end

    def _complete(self, ev: Event) -> None:
        aid, g, c, cost = ev._value
        t = self.env._now
        self.a_load[aid] -= cost
        self.g_load[g] -= cost
        if self.a_leaving[aid]:
            if self.a_load[aid] == 0:
                self.a_leaving[aid] = 2
                self.present[g] -= 1
                if t < self.t_end:
                    i = int(t // self.L)
                    self.acc.present[i, g] -= (i + 1) * self.L - t
            return
        if self.simple[g]:  # fast path: the agent is free; next contact by priority
            for c2 in self.skills[g]:
                if self.is_deferred[c2] and t >= self.t_end:
                    continue
                contact = self._next(c2, t)
                if contact is not None:
                    self._start(aid, g, c2, contact, t)
                    return
            self.idle[g].append(aid)
            return
        if self.is_chat[c] and self.a_load[aid] > 0:
            self.partial[g].add(aid)
        self._refill(aid, t)

    def _refill(self, aid: int, t: float) -> None:
        """A staying agent with free capacity takes work in its group's priority order."""
        g = self.a_group[aid]
        rt = self.rt
        units = rt.units
        for c in rt.skills[g]:
            kind = rt.kinds[c]
            load = self.a_load[aid]
            if kind == CHAT:
                cost = rt.cost[c]
                while load + cost <= units:
                    contact = self._next(c, t)
                    if contact is None:
                        break
                    self._start(aid, g, c, contact, t)
                    load = self.a_load[aid]
            elif load == 0 and (kind == VOICE or t < self.t_end):
                contact = self._next(c, t)
                if contact is not None:
                    self.partial[g].discard(aid)
                    self._start(aid, g, c, contact, t)
                    return
        load = self.a_load[aid]
        if load == 0:
            self.partial[g].discard(aid)
            self.idle[g].append(aid)
        elif load < units and self.has_chat_skill[g]:
            self.partial[g].add(aid)

    def _next(self, c: int, t: float) -> tuple | None:
        """Pop the next live contact of channel c; count the abandoned ones passed over."""
        q = self.queues[c]
        while q:
            contact = q.popleft()
            if contact[3] > t:
                return contact
            self.f_abandoned[contact[4] * self.C + c] += 1
        return None

    def _waiting(self, c: int, t: float) -> int:
        q = self.queues[c]
        if self.rt.kinds[c] == DEFERRED:
            return len(q)
        return sum(1 for x in q if x[3] > t)

    # ------------------------------------------------------------------ end
    def _finish(self) -> None:
        acc = self.acc
        shape = (self.H, self.C)
        acc.abandoned += np.asarray(self.f_abandoned, np.int64).reshape(shape)
        acc.answered_in_target += np.asarray(self.f_in_target, np.int64).reshape(shape)
        acc.wait_sum += np.asarray(self.f_wait).reshape(shape)
        acc.hist += np.asarray(self.f_hist, np.int64).reshape((*shape, N_BINS))
        acc.answered += acc.hist.sum(axis=-1)
        acc.busy += np.asarray(self.f_busy).reshape((self.H, self.G))
        for c in range(self.C):
            for contact in self.queues[c]:
                i = contact[4]
                if self.rt.kinds[c] == DEFERRED:
                    acc.unanswered[i, c] += 1
                    if contact[0] + self.within[c] > self.t_end:
                        acc.pending[i, c] += 1
                elif math.isfinite(contact[3]):
                    acc.abandoned[i, c] += 1
                else:
                    acc.unanswered[i, c] += 1
            self.queues[c].clear()


def _handle_times(rng: np.random.Generator, mean: float, cv: float, n: int) -> np.ndarray:
    """Handle times with the given mean and coefficient of variation, seconds.

    cv = 0: constant; cv = 1: exponential; otherwise lognormal.
    """
    if cv == 0:
        return np.full(n, float(mean))
    if cv == 1:
        return rng.exponential(mean, n)
    s2 = math.log1p(cv * cv)
    return rng.lognormal(math.log(mean) - s2 / 2, math.sqrt(s2), n)

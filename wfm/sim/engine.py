"""The discrete-event engine on simpy: arrivals, routing, service, staffing, rosters.

Design (see ``docs/design.md``, "Engine design notes"):

* Random numbers are drawn in bulk with numpy, per replication and channel
  (``SeedSequence.spawn``), one interval at a time: the Poisson count, uniform arrival
  times, deflection, handle times and patience of every contact of the interval. The
  rarer per-contact draws (balking, transfers, retrials, outbound connects) use a
  second stream per channel, so a scenario without them draws exactly what it drew
  before they existed.
* There is no simpy process per contact. Service completions and interval boundaries
  are simpy events (:mod:`wfm.sim._simpy` is the one place touching simpy's
  internals); arrivals and timers are not: the run loop hands every arrival and every
  due timer (a give-up, a ``max_wait``, an overflow delay running out, a retrial, a
  rostered agent's shift or break) earlier than the next simpy event to the router,
  in time order, then steps simpy. Timers live in one heap.
* At the same instant, events run in this order: an interval boundary; the timers due,
  in the order they were set (a rostered agent's shift start or end and breaks are set
  first, when the run starts); service completions; arrivals. So a break or shift end
  due at t wins over starting a new contact at t, and the contact in hand is always
  finished first: an agent whose call ends exactly when its break starts is already
  leaving when the call ends, and goes on break instead of taking the next contact (a
  chat agent takes no new session and goes when its last one ends). Likewise a
  contact whose patience runs out at t has gone before an agent freed at t looks at
  its queue (as lazy abandonment, below, counts it), and an agent whose shift starts
  at t is there for a contact arriving at t.
* Waiting lines are deques per channel; a contact that gave up or moved stays in the
  deque, marked, and is skipped; the number really waiting is kept per channel.
* Routing rules are policy objects (:mod:`wfm.sim.policies`).
* KPIs accumulate into flat per-(interval, channel) lists moved into numpy arrays at
  the end; nothing per contact is kept, so memory does not grow with the contacts.

Semantics (the scenario format's, ``docs/guides/scenario-format.md``):

* Voice: one contact per agent; FIFO; patience as given (exponential by default).
* Chat: an agent holds up to ``concurrency`` sessions; while it holds any chat it takes
  no voice or deferred work (unless its group's ``deferred_with_chats``: then a
  deferred item takes the room of one session).
* Deferred: no abandonment; oldest first; taken only when the agent's higher-priority
  queues are empty; backlog carries across intervals; no deferred work starts after the
  horizon.
* Outbound: attempts wait in a list; an idle agent dials one when its inbound queues
  are empty and at least ``reserve`` other agents of its group stay idle; an attempt
  connects with ``connect_rate`` (talk = handle time) or costs ``dial_time``.
* Routing: see :mod:`wfm.scenario.routing` (today's rules by default: the least
  occupied group on arrival, a freed agent takes its skills in priority order).
* A contact that would wait may balk; it is blocked when its line pool has no free
  line or its queue is at ``queue_capacity``; it holds a line while waiting and in
  service; after ``max_wait`` it moves to the callback channel; after service a share
  transfers to another channel; after-contact work keeps the agent busy ``wrap_up``
  seconds; lost callers may retry.
* Staffing: staff per interval (when it drops, idle agents leave at once, busy ones when
  they have finished what they hold; see ``routing.staff_rise``/``staff_drop``), or a
  roster of agents with shifts and breaks to the minute (an agent finishes the contact
  in hand before a break or the end of its shift).
* End: arrivals stop at the horizon; the engine drains real-time queues with the last
  interval's staff (abandonment still happens); contacts left in a real-time queue
  with nobody to serve them and no patience count as unanswered; deferred contacts
  left are unanswered, and *pending* when their ``answer_within`` has not run out at
  the horizon's end.
"""

from __future__ import annotations

import copy
import gc
import math
import time
from bisect import bisect_right
from collections import deque
from collections.abc import Callable, Iterator
from heapq import heappop, heappush
from itertools import count

import numpy as np
import simpy

from wfm import limits
from wfm.checks import finite_number, whole_number
from wfm.scenario import Scenario
from wfm.sim import _simpy
from wfm.sim.agents import ON_DUTY, Staffing
from wfm.sim.metrics import (
    EDGES,
    N_BINS,
    Accumulator,
    channel_totals,
    group_frame,
    interval_frame,
    playbook_frame,
    risk_frame,
    summary_frames,
)
from wfm.sim.model import Model, compile_model
from wfm.sim.policies import ARRIVAL_POLICIES, NEXT_POLICIES
from wfm.sim.records import (
    ABANDONED,
    DONE,
    REROUTED,
    SERVED,
    STAYING,
    WAITING,
    Agent,
    Contact,
)
from wfm.sim.result import SimulationResult
from wfm.sim.routing import CHAT, DEFERRED, OUTBOUND
from wfm.sim.sampling import handle_times, patience_times
from wfm.sim.social import MENTION, SocialCare

__all__ = ["Replications", "SimulationResult", "simulate"]

ProgressCallback = Callable[[int, int], None]
INF = math.inf

# timer kinds
_GIVEUP, _MAXWAIT, _ELIGIBLE, _RETRIAL = range(4)


def simulate(
    scenario: Scenario,
    *,
    seed: int = 0,
    replications: int = 1,
    progress: ProgressCallback | None = None,
    time_limit: float | None = None,
    workers: int = 1,
) -> SimulationResult:
    """Simulate the scenario's horizon on every channel.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario (see :func:`wfm.load_scenario`).
    seed : int, default 0
        Root seed; replication ``r`` uses ``SeedSequence(seed).spawn(replications)[r]``,
        child streams per channel. Same scenario and seed, same result.
    replications : int, default 1
        Independent replications of the horizon.
    progress : callable, optional
        Called as ``progress(done, total)`` after each replication (the CLI and the app
        draw their progress bars with it; the library itself prints nothing).
    time_limit : float, optional
        Wall-clock seconds the whole run may take; beyond it the run stops with a
        ``TimeoutError`` (checked at every interval boundary). Sweeps use it for their
        ``point_timeout``; the app for its runs.
    workers : int, default 1
        Processes that run the replications at once (:mod:`wfm.sim.parallel`). The
        result is the same to the last bit as with one; worth it when a replication
        takes seconds (a large centre's week). From a script, call it under ``if
        __name__ == "__main__":`` (the processes start by ``forkserver``, as
        :func:`wfm.sweep`'s by ``spawn``).

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
    with Replications(scenario, seed=seed, replications=replications, progress=progress,
                      time_limit=time_limit, workers=workers) as runs:
        return runs.result()


class Replications:
    """The replications of one simulation, run as they are asked for.

    :func:`simulate` is ``Replications(...).result()``. Asked first for the result of its
    first ``n`` replications, then for all of them, it runs each replication once: the
    planning loop's sequential check (:func:`wfm.plan`) judges the first replication
    alone and goes on to the others only when that verdict is not clear. Replication
    ``r`` runs on ``SeedSequence(seed).spawn(replications)[r]``, which does not depend on
    ``replications`` (``spawn(R)[r] == spawn(r + 1)[r]``), so ``result(n)`` is
    ``simulate(..., replications=n)`` to the last bit, with or without ``workers``.
    With ``workers`` the processes start on the first ``result`` and run every
    replication without waiting to be asked; :meth:`close` (or leaving the ``with``
    block) cancels those not started.

    Parameters
    ----------
    scenario, seed, replications, progress, time_limit, workers
        As :func:`simulate`; the time limit counts from the first ``result``.

    Examples
    --------
    >>> import wfm
    >>> sc = wfm.load_scenario("scenarios/baseline.yaml")
    >>> with Replications(sc, seed=1, replications=3) as runs:
    ...     first = runs.result(1)
    ...     every = runs.result()
    >>> first.n_replications, every.n_replications, runs.done
    (1, 3, 3)
    >>> first.summary.equals(wfm.simulate(sc, seed=1).summary)
    True
    """

    def __init__(
        self,
        scenario: Scenario,
        *,
        seed: int = 0,
        replications: int = 1,
        progress: ProgressCallback | None = None,
        time_limit: float | None = None,
        workers: int = 1,
    ) -> None:
        if not isinstance(scenario, Scenario):
            raise TypeError(f"scenario must be a wfm.Scenario, not {type(scenario).__name__}")
        self.seed = whole_number("seed", seed, minimum=0)
        self.replications = whole_number("replications", replications, minimum=1)
        if progress is not None and not callable(progress):
            raise TypeError(f"progress must be a callable progress(done, total) (got {progress!r})")
        if time_limit is not None:
            time_limit = finite_number("time_limit", time_limit, minimum=0, strict=True)
        limits.check("replications", self.replications, "max_replications")
        self.workers = whole_number("workers", workers, minimum=1, maximum=256)
        self.scenario = scenario
        self.progress = progress
        self.time_limit = time_limit
        self.model = compile_model(scenario)
        self._definitions = [c.sl_definition for c in self.model.channels]
        self._total: Accumulator | None = None  # the replications' sums so far
        self._totals: list[dict[str, np.ndarray]] = []  # each replication's day totals
        self._fired: list[list[tuple[str, int, str]]] = []
        self._runs: Iterator[Accumulator] | None = None
        self._t0: float | None = None
        self._closed = False

    @property
    def done(self) -> int:
        """Replications run so far."""
        return len(self._totals)

    def _start(self) -> Iterator[Accumulator]:
        self._t0 = time.perf_counter()
        if self.workers > 1 and self.replications > 1:
            from wfm.sim.parallel import replications_in_processes

            return replications_in_processes(self.scenario, self.seed, self.replications,
                                             self.workers, self.time_limit)
        deadline = INF if self.time_limit is None else self._t0 + self.time_limit
        streams = np.random.SeedSequence(self.seed).spawn(self.replications)
        return (_Run(self.model, self.scenario, ss, deadline, self.time_limit).run()
                for ss in streams)

    def result(self, n: int | None = None) -> SimulationResult:
        """The result of the first ``n`` replications (default: all), running those not
        run yet.

        Parameters
        ----------
        n : int, optional
            1 to ``replications``.

        Returns
        -------
        SimulationResult
        """
        n = self.replications if n is None else whole_number(
            "n", n, minimum=1, maximum=self.replications)
        if n < self.done:
            raise ValueError(f"n: the first {n} replications' sums are gone ({self.done} run);"
                             " ask for fewer first")
        if self.done < n and self._runs is None:
            if self._closed:
                raise ValueError("these replications were closed: ask for their results before"
                                 " closing them")
            self._runs = self._start()
        # the run makes no reference cycles (everything it drops is freed by reference
        # counting), so the cycle collector, which would scan every waiting contact and
        # agent again and again, is paused for the run (about 10% of its time)
        paused = gc.isenabled()
        gc.disable()
        try:
            while self.done < n:
                assert self._runs is not None
                acc = next(self._runs)
                self._totals.append(channel_totals(acc, self._definitions))
                self._fired.append(list(acc.fired))
                if self._total is None:
                    self._total = acc
                else:
                    self._total.add(acc)
                if self.progress is not None:
                    self.progress(self.done, self.replications)
        finally:
            if paused:
                gc.enable()
        if n == self.replications:
            self.close()
        assert self._total is not None and self._t0 is not None
        # frames of some replications while more may be added: from a copy of the sums
        total = self._total if n == self.replications else copy.deepcopy(self._total)
        return self._frames(total, n, time.perf_counter() - self._t0)

    def _frames(self, total: Accumulator, n: int, elapsed: float) -> SimulationResult:
        model, scenario = self.model, self.scenario
        kinds: list[str] = list(model.kind_names)
        definitions = self._definitions
        targets = [(c.within, c.target) for c in model.channels]
        labels = scenario.interval_labels()
        staff = np.column_stack(model.staff_plans)
        rt = model.routing
        summary, reps = summary_frames([], rt.channels, kinds, targets, definitions,
                                       totals=self._totals[:n])
        return SimulationResult(
            risk=risk_frame(reps, summary),
            playbooks=playbook_frame(self._fired[:n], labels),
            intervals=interval_frame([total], rt.channels, kinds, labels, targets, definitions,
                                     replications=n),
            groups=group_frame([total], rt.groups, labels, staff, replications=n),
            summary=summary,
            replications=reps,
            scenario=scenario,
            seed=self.seed,
            n_replications=n,
            elapsed=elapsed,
        )

    def close(self) -> None:
        """Stop: replications not started are cancelled (with ``workers``, one running
        finishes in its process and is dropped)."""
        runs, self._runs = self._runs, None
        self._closed = True
        if runs is not None and hasattr(runs, "close"):
            runs.close()

    def __enter__(self) -> Replications:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Run(Staffing):
    """One replication of one scenario."""

    def __init__(self, model: Model, scenario: Scenario, seed: np.random.SeedSequence,
                 deadline: float = INF, time_limit: float | None = None) -> None:
        self.m = model
        self.deadline = deadline
        self.time_limit = time_limit
        rt = model.routing
        self.L = float(scenario.interval_seconds)
        self.H = H = scenario.horizon
        self.t_end = H * self.L
        chans = model.channels
        self.C = C = len(chans)
        self.G = G = len(rt.groups)
        # random streams: today's per channel, then per-contact ones, then the day factors
        # and the random router
        self.rngs = [np.random.default_rng(s) for s in seed.spawn(C)]
        self.erngs = [np.random.default_rng(s) for s in seed.spawn(C)]
        misc = [np.random.default_rng(s) for s in seed.spawn(2)]
        self.route_rng = misc[1]
        self.rate = self._rate_factors(misc[0])
        self.acc = Accumulator(H, C, G)
        self.env = simpy.Environment()
        # channels, read in the hot path
        self.kinds = rt.kinds
        self.units = rt.units
        self.skills = rt.skills
        self.within = [c.within for c in chans]
        self.judged_finished = [c.judged_finished for c in chans]
        self.first_only = [c.first_only for c in chans]
        self.pool = [c.pool for c in chans]
        self.pool_cap = list(model.pools)
        self.pool_used = [0] * len(model.pools)
        # a contact in service frees its line when its service ends: the end times, per
        # pool, in a heap, read when a contact next asks for a line of the pool (lines
        # of waiting contacts are freed as they leave the queue)
        self.line_ends: list[list[float]] = [[] for _ in model.pools]
        self.wrap = [c.wrap for c in chans]
        self.queues: list[deque[Contact]] = [deque() for _ in range(C)]
        self.live = [0] * C  # contacts really waiting per channel
        # groups and agents
        self.factor = model.factor
        self.delay = model.delay
        self.order = model.order
        # an arriving contact may go straight to the groups without a delay for it
        self.arrival_groups = [[g for g in rt.serving[c] if self.delay[g][c] <= 0]
                               for c in range(C)]
        self.delayed = [[g for g in rt.serving[c] if self.delay[g][c] > 0] for c in range(C)]
        # units one contact of channel c takes at an agent of group g
        self.cost = [[rt.cost[c] for c in range(C)] for _ in range(G)]
        chat_cost = [min((rt.cost[c] for c in sk if rt.kinds[c] == CHAT), default=rt.units)
                     for sk in rt.skills]
        for g in range(G):
            if model.deferred_with_chats[g]:
                for c in rt.skills[g]:
                    if rt.kinds[c] == DEFERRED:
                        self.cost[g][c] = chat_cost[g]
        self.has_chat_skill = [any(rt.kinds[c] == CHAT for c in sk) for sk in rt.skills]
        self.out_skills = [[c for c in sk if rt.kinds[c] == OUTBOUND] for sk in rt.skills]
        self.inbound_skills = [[c for c in sk if rt.kinds[c] != OUTBOUND] for sk in rt.skills]
        self.delayed_group = [any(d > 0 for d in self.delay[g]) for g in range(G)]
        self.reserve = [ob.reserve if (ob := chans[c].outbound) is not None else 0 for c in range(C)]
        self.agents: list[Agent] = []
        self.members: list[list[Agent]] = [[] for _ in range(G)]
        self.off_duty: list[list[Agent]] = [[] for _ in range(G)]  # gone, may come back
        self.idle: list[deque[Agent]] = [deque() for _ in range(G)]  # longest idle first
        self.partial: list[dict[int, Agent]] = [{} for _ in range(G)]  # chat room left
        # the same agents filed by load, for room(): per group and load a heap of
        # (since, agent id), stale entries dropped when they come to the top
        self.rooms: list[list[list[tuple[int, int]]]] = [
            [[] for _ in range(rt.units + 1)] for _ in range(G)]
        self.since = count()
        self.staying = [0] * G
        self.present = [0] * G
        self.g_load = [0] * G
        self.rostered = [r is not None for r in model.rosters]
        self.staff_plan = [p.tolist() for p in model.staff_plans]
        # policies
        self.choose = [ARRIVAL_POLICIES[model.arrival_rule[c]]().choose for c in range(C)]
        self.pick = [NEXT_POLICIES[model.next_rule[g]]().pick for g in range(G)]
        # fast paths: a plain channel served by one group that holds one contact at a time
        self.plain = [
            c_.pool < 0 and c_.balking == 0 and c_.queue_cap < 0 and c_.max_wait == INF
            and not self.delayed[c] and c_.kind != OUTBOUND
            for c, c_ in enumerate(chans)
        ]
        self.single = [
            sv[0] if len(sv) == 1 and k != CHAT and model.arrival_rule[c] != "random"
            and self.plain[c] else -1
            for c, (sv, k) in enumerate(zip(rt.serving, rt.kinds, strict=True))
        ]
        self.simple = [
            not self.has_chat_skill[g] and not self.out_skills[g] and model.next_rule[g] == "priority"
            and not any(self.delay[g]) and all(self.cost[g][c] == rt.units for c in rt.skills[g])
            for g in range(G)
        ]
        self.share = [[self.cost[g][c] / rt.units for c in range(C)] for g in range(G)]
        # lazy abandonment: on a channel without retrials a waiting contact needs no
        # timer; whoever looks at the queue drops (and counts) those whose give-up time
        # has passed. Exact for FIFO. Channels with lines, a queue cap, retrials or
        # max_wait keep a timer per waiting contact (they need the exact count, or the
        # give-up's own time for the retrial); balking and overflow delays do not.
        self.lazy = [
            c_.pool < 0 and c_.queue_cap < 0 and c_.max_wait == INF and c_.kind != OUTBOUND
            and c_.retrial is None and c_.patience is not None
            for c_ in chans
        ]
        # channels whose contacts end with nothing to do but free the agent (no transfer,
        # no social care): their wrap-up is folded into the completion, one event at the
        # end of the wrap-up (nothing observes the gap: the line is freed at the end of
        # the service through line_ends), and (group, channel) pairs with nothing special
        # about starting or ending a contact
        self.plain_end = [chans[c].transfer_to < 0 for c in range(C)]
        self.plain_gc = [[
            self.factor[g][c] == 1.0 and rt.kinds[c] != OUTBOUND and not chans[c].judged_finished
            and not chans[c].first_only and self.cost[g][c] == rt.units and self.plain_end[c]
            and chans[c].pool < 0
            for c in range(C)] for g in range(G)]
        # pairs plain but for first-attempt counts or a line (_start_voice)
        self.voice_gc = [[
            self.factor[g][c] == 1.0 and rt.kinds[c] != OUTBOUND and not chans[c].judged_finished
            and self.cost[g][c] == rt.units and self.plain_end[c]
            for c in range(C)] for g in range(G)]
        # social care: mentions, triage, posts (wfm.sim.social)
        self.social = SocialCare(self) if any(ch.social for ch in chans) else None
        self.unusual = [rt.kinds[c] == OUTBOUND or (self.social is not None and chans[c].social is not None)
                        for c in range(C)]
        if self.social is not None:
            for c in range(C):
                if self.social.mention_of[c] >= 0 or chans[c].social is not None:
                    self.single[c] = -1
                    self.plain_end[c] = False
                    for g in range(G):
                        self.plain_gc[g][c] = False
                        self.voice_gc[g][c] = False
        self.timers: list[tuple] = []
        self.seq = count()
        self.arrivals: list[tuple[float, int, float, float, int]] = []
        # hot-path accumulators as flat lists (index interval * C + channel), moved into
        # the numpy Accumulator when the run ends
        n = H * C
        self.f_in_target = [0] * n
        self.f_wait = [0.0] * n
        self.f_hist = [0] * (n * N_BINS)
        self.f_busy = [0.0] * (H * G)
        self.f = {name: [0] * n for name in (
            "abandoned", "short_abandoned", "blocked", "balked", "retrials", "extra",
            "transferred_in", "transferred_out", "rerouted", "connected", "answered_first",
            "in_target_first", "abandoned_first", "short_first")}
        self.f_abandoned = self.f["abandoned"]
        self.f_answered_first = self.f["answered_first"]
        self.f_in_target_first = self.f["in_target_first"]

    # ------------------------------------------------------------------ run loop
    def run(self) -> Accumulator:
        env = self.env
        for i in range(self.H + 1):
            _simpy.boundary(env, i * self.L, i, self._boundary)
        self._schedule_rosters()
        if self.social is not None:
            self.social.schedule_incidents()
        step, peek, boundary_next = env.step, env.peek, _simpy.boundary_next
        arrive, fire = self._arrive, self._timer
        timers = self.timers
        arrivals, ptr, n = self.arrivals, 0, 0
        while True:
            nxt = peek()  # the next simpy event: a completion or an interval boundary
            while True:
                # arrivals before it and before the next timer (see "at the same instant"
                # in the module's docstring); routing one may schedule an earlier
                # completion or push a timer
                tt = timers[0][0] if timers else INF
                while ptr < n:
                    x = arrivals[ptr]
                    ta = x[0]
                    if ta >= nxt or ta >= tt:
                        break
                    ptr += 1
                    end = arrive(x)
                    if end < nxt:
                        nxt = end
                    if timers:
                        tt = timers[0][0]
                # a timer before the next simpy event, or at the same time unless that
                # event is an interval boundary
                if tt < nxt or (tt == nxt < INF and not boundary_next(env)):
                    entry = heappop(timers)
                    if entry[2] == _GIVEUP and entry[3].state != WAITING:
                        continue  # the contact was served (or left) before its give-up
                    end = fire(entry)
                    if end < nxt:
                        nxt = end
                    continue
                break
            if nxt == INF:
                break
            step()
            if self.arrivals is not arrivals:  # an interval boundary drew new arrivals
                arrivals, ptr, n = self.arrivals, 0, len(self.arrivals)
        self._finish()
        return self.acc

    # ------------------------------------------------------------------ intervals
    def _rate_factors(self, rng: np.random.Generator) -> np.ndarray | None:
        """Arrival-rate multipliers (interval, channel): the day's busyness factor times
        the interval's overdispersion factor (gamma, mean 1); None when both are off."""
        m = self.m
        if m.busyness_cv <= 0 and m.interval_cv <= 0:
            return None
        days = -(-self.H // m.intervals_per_day)
        out = np.ones((self.H, self.C))
        if m.busyness_cv > 0:
            k = 1 / m.busyness_cv**2
            shape = (days, self.C) if m.busyness_per_channel else (days, 1)
            day = rng.gamma(k, 1 / k, shape)
            out *= np.repeat(day, m.intervals_per_day, axis=0)[: self.H]
        if m.interval_cv > 0:
            k = 1 / m.interval_cv**2
            out *= rng.gamma(k, 1 / k, (self.H, self.C))
        return out

    def _boundary(self, ev: simpy.events.Event) -> None:
        i = ev._value
        t = i * self.L
        acc = self.acc
        if i > 0:  # close interval i-1
            for c in range(self.C):
                acc.backlog[i - 1, c] = self._waiting(c, t)
        if i == self.H:
            return
        if self.deadline < INF and time.perf_counter() > self.deadline:
            raise TimeoutError(
                f"the simulation took longer than its time limit of {self.time_limit:g} s"
                f" (stopped at interval {i} of {self.H})"
            )
        self._draw(i)
        overtime = [0] * self.G
        if self.social is not None and self.m.playbooks:
            self.social.boundary(i, t)
            overtime = self.social.overtime
        for g in range(self.G):
            if not self.rostered[g]:
                self._set_staff(g, int(self.staff_plan[g][i]) + overtime[g], t)
            acc.present[i, g] += self.present[g] * self.L

    def _draw(self, i: int) -> None:
        """Draw interval i's arrivals on every channel, merged in time order."""
        L = self.L
        t0 = i * L
        parts = []
        acc = self.acc
        for c, ch in enumerate(self.m.channels):
            rng = self.rngs[c]
            lam = ch.volume[i] if self.rate is None else ch.volume[i] * self.rate[i, c]
            n = int(rng.poisson(lam))
            if n == 0:
                continue
            t = t0 + np.sort(rng.random(n)) * L
            if ch.deflection > 0:
                keep = rng.random(n) >= ch.deflection
                acc.deflected[i, c] += n - int(keep.sum())
                t = t[keep]
                n = t.size
                if n == 0:
                    continue
            handles = handle_times(rng, ch.handle_dist, ch.aht[i], ch.cv[i], n)
            if ch.patience is not None:
                giveups = t + patience_times(rng, ch.patience_dist, ch.patience[i], n)
            else:
                giveups = np.full(n, INF)
            dest = c
            if ch.social is not None:  # mentions: posts are counted as offered when posted
                if ch.social.triage < 0:
                    parts.append((t, np.full(n, c), handles, giveups))
                    continue
                dest = ch.social.triage
                handles = np.full(n, float(self.m.channels[dest].aht[i]))
            acc.offered[i, dest] += n
            parts.append((t, np.full(n, dest), handles, giveups))
        if not parts:
            self.arrivals = []
            return
        t = np.concatenate([p[0] for p in parts])
        order = np.argsort(t, kind="stable")
        # (arrival, channel, handle, giveup, interval): a Contact record is made only for
        # a contact that cannot start at once (most start at once)
        self.arrivals = list(zip(
            t[order].tolist(),
            np.concatenate([p[1] for p in parts])[order].tolist(),
            np.concatenate([p[2] for p in parts])[order].tolist(),
            np.concatenate([p[3] for p in parts])[order].tolist(),
            [i] * t.size,
            strict=True,
        ))

    # ------------------------------------------------------------------ arrivals
    def _arrive(self, arrival: tuple[float, int, float, float, int]) -> float:
        """Route an arriving contact; the completion time it scheduled (inf if none)."""
        t, c, handle, giveup, i = arrival
        g = self.single[c]
        if g >= 0:  # fast path: one group, one contact per agent, no limits
            idle = self.idle[g]
            if idle:
                a = idle.popleft()
                if self.plain_gc[g][c]:  # answered at once: in target, no wait
                    k = i * self.C + c
                    self.f_hist[k * N_BINS] += 1
                    self.f_in_target[k] += 1
                    # _begin, written out (this runs for most contacts)
                    units = self.units
                    a.load += units
                    self.g_load[g] += units
                    L = self.L
                    end = t + handle
                    stop_at = end + self.wrap[c]  # the wrap-up folded in (plain_end)
                    j = int(t // L)
                    if stop_at <= (j + 1) * L:
                        if j < self.H:
                            self.f_busy[j * self.G + g] += stop_at - t
                    else:
                        self._busy(g, c, t, stop_at)
                    _simpy.Completion(self.env, stop_at, (a, c, units, stop_at, None), self._complete)
                    return stop_at
                return self._start_special(a, g, c, Contact(t, c, handle, giveup, i), t)
            self._enqueue(Contact(t, c, handle, giveup, i), c, t)
            return INF
        x = Contact(t, c, handle, giveup, i)
        if self.social is not None and self.social.mention_of[c] >= 0:
            return self.social.mention(x, t)
        if self.kinds[c] == OUTBOUND:
            self.queues[c].append(x)
            self.live[c] += 1
            return self._dial_idle(c, t)
        return self._offer(x, t)

    def _offer(self, x: Contact, t: float) -> float:
        """A contact reaches channel x.channel at t: served, queued, or lost."""
        c = x.channel
        pool = self.pool[c]
        if pool >= 0:
            ends = self.line_ends[pool]
            while ends and ends[0] <= t:  # lines freed by services ended by t
                heappop(ends)
                self.pool_used[pool] -= 1
            if self.pool_used[pool] >= self.pool_cap[pool]:
                self._lost(x, t, "blocked")
                return INF
        g = self.choose[c](self, c, t)
        if g >= 0:
            if pool >= 0:
                self.pool_used[pool] += 1
                x.line = pool
            return self._start(self._agent_for(g, c), g, c, x, t)
        ch = self.m.channels[c]
        if ch.balking > 0 and self.erngs[c].random() < ch.balking:
            self._lost(x, t, "balked")
            return INF
        if 0 <= ch.queue_cap <= self.live[c]:
            self._lost(x, t, "blocked")
            return INF
        if pool >= 0:
            self.pool_used[pool] += 1
            x.line = pool
        self._enqueue(x, c, t)
        if ch.max_wait < INF:
            heappush(self.timers, (t + ch.max_wait, next(self.seq), _MAXWAIT, x, None))
        for g2 in self.delayed[c]:
            heappush(self.timers, (t + self.delay[g2][c], next(self.seq), _ELIGIBLE, g2, c))
        return INF

    def _enqueue(self, x: Contact, c: int, t: float) -> None:
        self.queues[c].append(x)
        self.live[c] += 1
        if x.giveup < INF and not self.lazy[c]:
            heappush(self.timers, (x.giveup, next(self.seq), _GIVEUP, x, None))

    def _agent_for(self, g: int, c: int) -> Agent:
        """The agent of group g that takes a contact of c: the longest idle, else (chat)
        the least loaded with room."""
        if self.idle[g]:
            return self.idle[g].popleft()
        a = self.room(g, c)
        assert a is not None
        return a

    def room(self, g: int, c: int) -> Agent | None:
        """The least-loaded agent of group g holding chats with room for channel c (of
        equally loaded ones, the one that has had room longest: the first in
        ``partial``'s order)."""
        rooms = self.rooms[g]
        agents = self.agents
        for load in range(1, self.units - self.cost[g][c] + 1):
            h = rooms[load]
            while h:
                since, aid = h[0]
                a = agents[aid]
                if a.since == since:
                    if a.load == load:
                        return a
                    if a.bucket == load:  # (filed under a load it has left: file anew)
                        a.bucket = -1
                heappop(h)  # stale: the agent's load changed or it has no room now
        return None

    def _room(self, a: Agent, g: int) -> None:
        """Agent a of group g holds chats and has room left: file it (again) by load."""
        if a.since < 0:
            self.partial[g][a.id] = a
            a.since = next(self.since)
        elif a.bucket == a.load:
            return
        a.bucket = a.load
        heappush(self.rooms[g][a.load], (a.since, a.id))

    def _no_room(self, a: Agent, g: int) -> None:
        """Agent a of group g has no room left (or holds no chat, or goes off duty)."""
        if a.since >= 0:
            del self.partial[g][a.id]
            a.since = -1
            a.bucket = -1

    # ------------------------------------------------------------------ service
    def _start(self, a: Agent, g: int, c: int, x: Contact, t: float) -> float:
        """Agent a of group g starts contact x of channel c at t; returns its end (the
        time of its completion event)."""
        if not self.plain_gc[g][c]:
            if self.voice_gc[g][c]:
                return self._start_voice(a, g, c, x, t)
            return self._start_special(a, g, c, x, t)
        # the common case, written out: it runs once per contact
        k = x.interval * self.C + c
        wait = t - x.arrival
        x.state = SERVED
        if wait > 0:
            self.f_wait[k] += wait
            self.f_hist[k * N_BINS + bisect_right(EDGES, wait) + 1] += 1
            if wait <= self.within[c]:
                self.f_in_target[k] += 1
        else:  # answered at once (the histogram's bin 0 also counts the answered)
            self.f_hist[k * N_BINS] += 1
            self.f_in_target[k] += 1
        return self._begin(a, g, c, t, t + x.handle, x)

    def _start_voice(self, a: Agent, g: int, c: int, x: Contact, t: float) -> float:
        """:meth:`_start` for a pair that is plain but for first-attempt counts (the
        channel has retrials) or a line."""
        k = x.interval * self.C + c
        wait = t - x.arrival
        x.state = SERVED
        if wait > 0:
            self.f_wait[k] += wait
            self.f_hist[k * N_BINS + bisect_right(EDGES, wait) + 1] += 1
            on_time = wait <= self.within[c]
        else:  # answered at once (the histogram's bin 0 also counts the answered)
            self.f_hist[k * N_BINS] += 1
            on_time = True
        if on_time:
            self.f_in_target[k] += 1
        if x.first and self.first_only[c]:
            self.f_answered_first[k] += 1
            if on_time:
                self.f_in_target_first[k] += 1
        end = t + x.handle
        if x.line >= 0:  # its line is freed when the service ends
            heappush(self.line_ends[x.line], end)
            x.line = -1
        # _begin, written out
        cost = self.units
        a.load += cost
        self.g_load[g] += cost
        L = self.L
        stop_at = end + self.wrap[c]  # the wrap-up folded in (plain_end)
        j = int(t // L)
        if stop_at <= (j + 1) * L:
            if j < self.H:
                self.f_busy[j * self.G + g] += stop_at - t
        else:
            self._busy(g, c, t, stop_at)
        _simpy.Completion(self.env, stop_at, (a, c, cost, stop_at, x), self._complete)
        return stop_at

    def _begin(self, a: Agent, g: int, c: int, t: float, end: float, x: Contact | None) -> float:
        """Agent a of group g (plain for channel c) is busy from t to end: count the busy
        time and schedule the completion."""
        cost = self.units
        a.load += cost
        self.g_load[g] += cost
        # busy agent-seconds, split over the intervals the service (and wrap-up) spans
        L = self.L
        stop_at = end + self.wrap[c]  # the wrap-up folded in (plain_end)
        j = int(t // L)
        stop = (j + 1) * L
        if stop_at <= stop:
            if j < self.H:
                self.f_busy[j * self.G + g] += stop_at - t
        else:
            self._busy(g, c, t, stop_at)
        _simpy.Completion(self.env, stop_at, (a, c, cost, stop_at, x), self._complete)
        return stop_at

    def _start_special(self, a: Agent, g: int, c: int, x: Contact, t: float) -> float:
        """:meth:`_start` with handle factors, outbound, social care, finished-judged or
        first-attempt counts, a line, or partial capacity."""
        k = x.interval * self.C + c
        wait = t - x.arrival
        handle = x.handle * self.factor[g][c]
        if self.unusual[c]:  # social care or outbound
            if self.social is not None and self.m.channels[c].social is not None:
                handle = self.social.handle(x, handle)
            if self.kinds[c] == OUTBOUND:
                ob = self.m.channels[c].outbound
                if ob is not None and self.erngs[c].random() < ob.connect_rate:
                    self.f["connected"][k] += 1
                elif ob is not None:
                    handle = ob.dial_time
        x.state = SERVED
        if wait > 0:
            self.f_wait[k] += wait
            self.f_hist[k * N_BINS + bisect_right(EDGES, wait) + 1] += 1
        else:  # answered at once (the histogram's bin 0 also counts the answered)
            self.f_hist[k * N_BINS] += 1
        if self.judged_finished[c]:
            on_time = wait + handle <= self.within[c]
        else:
            on_time = wait <= self.within[c]
        if on_time:
            self.f_in_target[k] += 1
        if self.first_only[c] and x.first:
            self.f_answered_first[k] += 1
            if on_time:
                self.f_in_target_first[k] += 1
        cost = self.cost[g][c]
        a.load += cost
        self.g_load[g] += cost
        if cost < self.units:  # a chat session (or deferred work beside chats)
            if a.load < self.units:
                self._room(a, g)
            else:
                self._no_room(a, g)
        end = t + handle
        if x.line >= 0:  # its line is freed when the service ends
            heappush(self.line_ends[x.line], end)
            x.line = -1
        stop_at = end + self.wrap[c]
        # busy agent-seconds (_busy, its common case written out)
        L = self.L
        j = int(t // L)
        if stop_at <= (j + 1) * L:
            if j < self.H:
                self.f_busy[j * self.G + g] += (stop_at - t) * self.share[g][c]
        else:
            self._busy(g, c, t, stop_at)
        if self.plain_end[c]:  # the wrap-up folded in
            end = stop_at
        _simpy.Completion(self.env, end, (a, c, cost, end, x), self._complete)
        return end

    def _busy(self, g: int, c: int, t: float, end: float) -> None:
        """Busy agent-seconds from t to end, split over the intervals they span."""
        L, share, G = self.L, self.share[g][c], self.G
        j = int(t // L)
        stop = (j + 1) * L
        if end <= stop:
            if j < self.H:
                self.f_busy[j * G + g] += (end - t) * share
            return
        while j < self.H and t < end:
            self.f_busy[j * G + g] += (min(stop, end) - t) * share
            t = stop
            j += 1
            stop += L

    def _complete(self, ev: simpy.events.Event) -> None:
        a, c, cost, t, x = ev._value
        if self.plain_end[c]:  # the common case: free the agent and take the next contact
            g = a.group
            a.load -= cost
            self.g_load[g] -= cost
            if a.state == STAYING and self.simple[g]:
                for c2 in self.skills[g]:
                    if self.kinds[c2] == DEFERRED and t >= self.t_end:
                        continue
                    q = self.queues[c2]
                    while q:  # head() and _take() written out
                        y = q.popleft()
                        if y.state != WAITING:
                            continue
                        if y.giveup <= t and self.lazy[c2]:
                            self._abandoned(y, y.giveup)
                            continue
                        self.live[c2] -= 1
                        self._start(a, g, c2, y, t)
                        return
                a.idle_since = t
                self.idle[g].append(a)
                return
            self._freed(a, t)
            return
        if self.social is not None:
            self.social.done(x, t)
        ch = self.m.channels[c]
        if ch.transfer_to >= 0 and self.erngs[c].random() < ch.transfer_share:
            self._transfer(x, ch.transfer_to, t)
        if self.wrap[c] > 0:  # after-contact work: the contact is done, the agent is not
            end = t + self.wrap[c]
            _simpy.Completion(self.env, end, (a, c, cost, end, None), self._wrapped)
            return
        a.load -= cost
        self.g_load[a.group] -= cost
        self._freed(a, t)

    def _wrapped(self, ev: simpy.events.Event) -> None:
        a, _, cost, t, _ = ev._value
        a.load -= cost
        self.g_load[a.group] -= cost
        self._freed(a, t)

    def _freed(self, a: Agent, t: float) -> None:
        """Agent a has freed capacity at t: it leaves if it was leaving and holds
        nothing more, else it takes work."""
        if a.state != STAYING:
            if a.load == 0:
                self._leave(a, t)
            return
        self._refill(a, t)

    def _refill(self, a: Agent, t: float) -> float:
        """A staying agent with free capacity takes work by its group's next-contact
        rule; the earliest completion scheduled (inf if none)."""
        g = a.group
        end = INF
        pick = self.pick[g]
        units = self.units
        while a.load < units:
            c = pick(self, a, t)
            if c < 0:
                break
            x = self.head(c, t)
            assert x is not None
            self._take(c)
            end = min(end, self._start(a, g, c, x, t))
            if self.kinds[c] != CHAT and self.cost[g][c] == units:
                break
        if a.load == 0:
            self._no_room(a, g)
            if self.out_skills[g]:
                e = self._dial(a, g, t)
                if e < INF:
                    return min(end, e)
            a.idle_since = t
            self.idle[g].append(a)
        elif a.load < units and self.has_chat_skill[g]:
            self._room(a, g)
        else:
            self._no_room(a, g)
        return end

    def can_take(self, a: Agent, g: int, c: int, t: float) -> bool:
        """Whether agent a of group g may start a contact of channel c at t."""
        kind = self.kinds[c]
        if kind == OUTBOUND or (kind == DEFERRED and t >= self.t_end):
            return False
        if a.load == 0:
            return True
        cost = self.cost[g][c]
        if kind == CHAT or (kind == DEFERRED and cost < self.units):
            return a.load + cost <= self.units
        return False

    def eligible(self, g: int, c: int, x: Contact, t: float) -> bool:
        """Whether group g may take x yet (its overflow delay for c has run out)."""
        # the same sum as the timer's time (set when x was offered at x.arrival), so the
        # timer's own instant is always eligible (``t - x.arrival >= delay`` can round
        # below the delay)
        return t >= x.arrival + self.delay[g][c]

    def head(self, c: int, t: float) -> Contact | None:
        """The oldest contact still waiting on channel c at t (dropping the gone ones; on
        a lazy channel also those whose give-up time has passed, counted abandoned)."""
        q = self.queues[c]
        while q:
            x = q[0]
            if x.state == WAITING:
                if x.giveup > t or not self.lazy[c]:
                    return x
                self._abandoned(x, x.giveup)
            q.popleft()
        return None

    def _abandoned(self, x: Contact, t: float) -> None:
        """Waiting contact x gives up at t."""
        c = x.channel
        x.state = ABANDONED
        self.live[c] -= 1
        if x.line >= 0:
            self.pool_used[x.line] -= 1
            x.line = -1
        k = x.interval * self.C + c
        short = t - x.arrival <= self.within[c]
        self.f_abandoned[k] += 1
        if short:
            self.f["short_abandoned"][k] += 1
        if self.first_only[c] and x.first:
            self.f["abandoned_first"][k] += 1
            if short:
                self.f["short_first"][k] += 1
        self._retry(x, t, "abandoned")

    def _waiting(self, c: int, t: float) -> int:
        """Contacts really waiting on channel c at t."""
        if not self.lazy[c]:
            return self.live[c]
        return sum(1 for x in self.queues[c] if x.state == WAITING and x.giveup > t)

    def _take(self, c: int) -> None:
        """Remove the head of channel c's queue (just returned by :meth:`head`)."""
        self.queues[c].popleft()
        self.live[c] -= 1

    # ------------------------------------------------------------------ outbound
    def _dial(self, a: Agent, g: int, t: float) -> float:
        """An agent just free dials an attempt if its group keeps its reserve idle."""
        if t >= self.t_end:
            return INF
        for c in self.out_skills[g]:
            if self.live[c] and len(self.idle[g]) >= self.reserve[c]:
                x = self.head(c, t)
                if x is not None:
                    self._take(c)
                    return self._start(a, g, c, x, t)
        return INF

    def _dial_idle(self, c: int, t: float) -> float:
        """New attempts on outbound channel c: idle agents beyond the reserve dial."""
        end = INF
        for g in self.m.routing.serving[c]:
            idle = self.idle[g]
            while self.live[c] and len(idle) > self.reserve[c]:
                x = self.head(c, t)
                if x is None:
                    break
                self._take(c)
                end = min(end, self._start(idle.popleft(), g, c, x, t))
        return end

    # ------------------------------------------------------------------ lost contacts
    def _lost(self, x: Contact, t: float, why: str) -> None:
        """A contact leaves without service (blocked or balked); it may call again."""
        x.state = DONE
        self.f[why][x.interval * self.C + x.channel] += 1
        self._retry(x, t, why)

    def _retry(self, x: Contact, t: float, why: str) -> None:
        r = self.m.channels[x.channel].retrial
        if r is None or why not in r.on or x.attempt >= r.max_attempts:
            return
        rng = self.erngs[x.channel]
        if rng.random() >= r.probability:
            return
        delay = r.delay if r.dist == "constant" else float(rng.exponential(r.delay))
        heappush(self.timers, (t + delay, next(self.seq), _RETRIAL, x, None))

    def _new_contact(self, c: int, t: float, attempt: int = 1, first: bool = False) -> Contact:
        """A contact created during the run (a retrial, a transfer, a callback) at t."""
        ch = self.m.channels[c]
        i = min(int(t // self.L), self.H - 1)
        rng = self.erngs[c]
        handle = float(handle_times(rng, ch.handle_dist, ch.aht[i], ch.cv[i], 1)[0])
        giveup = INF
        if ch.patience is not None:
            giveup = t + float(patience_times(rng, ch.patience_dist, ch.patience[i], 1)[0])
        return Contact(t, c, handle, giveup, i, attempt, first)

    def _transfer(self, x: Contact, d: int, t: float) -> None:
        y = self._new_contact(d, t)
        self.f["transferred_out"][x.interval * self.C + x.channel] += 1
        k = y.interval * self.C + d
        self.f["transferred_in"][k] += 1
        self.f["extra"][k] += 1
        self._offer(y, t)

    # ------------------------------------------------------------------ timers
    def _timer(self, entry: tuple) -> float:
        t, _, kind, obj, extra = entry
        if kind == _GIVEUP:
            if obj.state == WAITING:
                self._abandoned(obj, t)
            return INF
        if kind == _MAXWAIT:
            x = obj
            if x.state != WAITING:
                return INF
            c = x.channel
            x.state = REROUTED
            self.live[c] -= 1
            if x.line >= 0:
                self.pool_used[x.line] -= 1
                x.line = -1
            self.f["rerouted"][x.interval * self.C + c] += 1
            d = self.m.channels[c].max_wait_to
            y = self._new_contact(d, t)
            self.f["extra"][y.interval * self.C + d] += 1
            return self._offer(y, t)
        if kind == _ELIGIBLE:
            return self._wake(obj, t)
        if kind == _RETRIAL:
            if t >= self.t_end:  # arrivals stop at the horizon
                return INF
            x = obj
            y = self._new_contact(x.channel, t, x.attempt + 1, first=False)
            k = y.interval * self.C + x.channel
            self.f["retrials"][k] += 1
            self.f["extra"][k] += 1
            return self._offer(y, t)
        if kind >= MENTION:
            assert self.social is not None
            return self.social.timer(kind, obj, extra, t)
        if kind == ON_DUTY:
            return self._join(obj, t)
        self._off(obj, t)  # OFF_DUTY
        return INF

    def _wake(self, g: int, t: float) -> float:
        """An overflow delay ran out: free agents of group g look for work."""
        end = INF
        idle = self.idle[g]
        while idle:
            a = idle[0]
            if self.pick[g](self, a, t) < 0:
                break
            idle.popleft()
            end = min(end, self._refill(a, t))
        for a in list(self.partial[g].values()):
            end = min(end, self._refill(a, t))
        return end

    # ------------------------------------------------------------------ end
    def _finish(self) -> None:
        acc = self.acc
        shape = (self.H, self.C)

        def arr(values: list) -> np.ndarray:
            return np.asarray(values, np.int64).reshape(shape)

        a = acc.arrays
        a["answered_in_target"] += arr(self.f_in_target)
        acc.wait_sum += np.asarray(self.f_wait).reshape(shape)
        acc.hist += np.asarray(self.f_hist, np.int64).reshape((*shape, N_BINS))
        a["answered"] += acc.hist.sum(axis=-1)
        acc.busy += np.asarray(self.f_busy).reshape((self.H, self.G))
        for name in ("abandoned", "short_abandoned", "blocked", "balked", "retrials",
                     "transferred_in", "transferred_out", "rerouted", "connected",
                     "answered_first", "in_target_first", "abandoned_first", "short_first"):
            a[name] += arr(self.f[name])
        a["customers"] += a["offered"]  # the drawn arrivals: first attempts
        a["offered"] += arr(self.f["extra"])  # retrials, transfers, callbacks
        if self.social is not None:
            self.social.finish()
        for c in range(self.C):
            for x in self.queues[c]:
                if x.state != WAITING:
                    continue
                i = x.interval
                if x.giveup < INF:  # a lazy channel's caller nobody came to serve
                    a["abandoned"][i, c] += 1
                    if x.giveup - x.arrival <= self.within[c]:
                        a["short_abandoned"][i, c] += 1
                    continue
                a["unanswered"][i, c] += 1
                if self.kinds[c] == DEFERRED and x.arrival + self.within[c] > self.t_end:
                    a["pending"][i, c] += 1
            self.queues[c].clear()
            if not self.first_only[c]:  # first attempts are all attempts
                a["answered_first"][:, c] = a["answered"][:, c]
                a["in_target_first"][:, c] = a["answered_in_target"][:, c]
                a["abandoned_first"][:, c] = a["abandoned"][:, c]
                a["short_first"][:, c] = a["short_abandoned"][:, c]

"""Social care in the engine: mentions and triage, the community race, one public reply
for many, virality, exposure and surge playbooks.

One :class:`SocialCare` per run, called by the engine at a few hooks:

* a drawn arrival on a social channel is a **mention** (:meth:`mention`): counted, it
  may set off follow-up mentions (a Hawkes process: ``Poisson(branching)`` children
  after exponential delays), and goes to the channel's triage queue, or straight to
  :meth:`post` without triage;
* a triaged mention becomes a **post** needing a public reply with the ``actionable``
  share (:meth:`post`): it gets a reach, may be answered by a peer first (a timer at
  its peer's time: still waiting then, it leaves as deflected), is checked at its
  target time (still waiting: its reach counts as exposure, and it excites more
  follow-ups), and joins the channel's queue;
* an **incident**'s posts arrive from its start; the first agent to take one writes the
  public reply (``reply_time``); when it is out, each of the incident's waiting and
  later posts is resolved by it with ``resolves`` (counted apart);
* **playbooks** are checked at every interval boundary and act for that interval.

Every mention ends in exactly one state: not actionable, deflected by the community,
resolved by a public reply, answered by an agent (a share of which then moves to a
private conversation), or still waiting at the end.
"""

from __future__ import annotations

import math
from heapq import heappush
from typing import TYPE_CHECKING

import numpy as np

from wfm.sim.records import WAITING, Contact
from wfm.sim.sampling import draw

if TYPE_CHECKING:  # pragma: no cover
    from wfm.sim.engine import _Run
    from wfm.sim.model import PlaybookRule, SocialParams

__all__ = ["MENTION", "PEER", "RESOLVED", "DEFLECTED", "TARGET", "SocialCare"]

#: timer kinds (the engine's own use lower numbers)
MENTION, PEER, TARGET = 200, 201, 202
#: contact states beyond the engine's
DEFLECTED, RESOLVED = 10, 11


class _Incident:
    __slots__ = ("arrived", "channel", "replied", "reply_time", "resolves", "taken")

    def __init__(self, channel: int, reply_time: float, resolves: float) -> None:
        self.channel = channel
        self.reply_time = reply_time
        self.resolves = resolves
        self.arrived = False
        self.taken = False
        self.replied = False


class SocialCare:
    """The social state of one run (see the module docstring)."""

    def __init__(self, run: _Run) -> None:
        self.run = run
        m = run.m
        self.params: list[SocialParams | None] = [c.social for c in m.channels]
        # mention_of[c]: the social channel whose mentions arrive on channel c (itself,
        # or the channel its triage queue reads for), -1 for other channels
        self.mention_of = [-1] * run.C
        for c, ch in enumerate(m.channels):
            if ch.social is not None:
                self.mention_of[ch.social.triage if ch.social.triage >= 0 else c] = c
        self.active = any(p is not None for p in self.params)
        self.incidents: list[_Incident] = []
        self.post_incident: dict[Contact, int] = {}  # a post or mention of an incident
        self.reach: dict[Contact, float] = {}
        self.replying: dict[Contact, int] = {}  # a post being answered with the reply
        self.status: list[float] = [0.0] * run.C  # a status message's share, by channel
        self.fired: list[tuple[str, int, str]] = []  # playbook, interval, action
        self.added_skills: list[tuple[int, int]] = []
        self.overtime: list[int] = [0] * run.G
        n = run.H * run.C
        self.counts = {name: [0] * n for name in (
            "mentions", "actionable", "viral", "community_deflected", "reply_resolved", "posted",
            "new_triage")}
        self.exposure = [0.0] * n

    # ------------------------------------------------------------------ setup
    def schedule_incidents(self) -> None:
        """Every incident post's arrival, as a timer (drawn from its channel's stream)."""
        run = self.run
        for c, p in enumerate(self.params):
            if p is None:
                continue
            rng = run.erngs[c]
            for start, posts, spread, reply, resolves in p.incidents:
                k = len(self.incidents)
                self.incidents.append(_Incident(c, reply, resolves))
                for t in start + np.sort(rng.exponential(spread, posts)):
                    if 0 <= t < run.t_end:
                        heappush(run.timers, (float(t), next(run.seq), MENTION, c, k))

    # ------------------------------------------------------------------ mentions
    def _k(self, c: int, interval: int) -> int:
        return interval * self.run.C + c

    def mention(self, x: Contact, t: float, incident: int = -1, child: bool = False) -> float:
        """A mention x (on the social channel, or on its triage queue) arrives at t."""
        run = self.run
        s = self.mention_of[x.channel]
        p = self.params[s]
        assert p is not None
        k = self._k(s, x.interval)
        self.counts["mentions"][k] += 1
        if child:
            self.counts["viral"][k] += 1
        if incident >= 0:
            self.post_incident[x] = incident
            inc = self.incidents[incident]
            if not inc.arrived:
                inc.arrived = True
                self._incident_started(s, t)
        if p.branching > 0:
            self._excite(s, t, p.branching)
        if p.triage >= 0:  # read and classified first: a task of the triage queue
            return run._offer(x, t)
        return self.post(x, t)

    def _excite(self, s: int, t: float, rate: float) -> None:
        """Follow-up mentions of channel s set off at t: Poisson(rate) children."""
        run = self.run
        p = self.params[s]
        assert p is not None
        rng = run.erngs[s]
        for _ in range(int(rng.poisson(rate))):
            tc = t + float(rng.exponential(p.viral_delay))
            if tc < run.t_end:
                heappush(run.timers, (tc, next(run.seq), MENTION, s, -2))

    def new_mention(self, s: int, t: float, incident: int) -> float:
        """A mention created during the run (a follow-up, or an incident's post)."""
        run = self.run
        p = self.params[s]
        assert p is not None
        c = p.triage if p.triage >= 0 else s
        x = run._new_contact(c, t, first=True)
        if p.triage >= 0:
            k = x.interval * run.C + c
            run.f["extra"][k] += 1  # offered on the triage queue
            self.counts["new_triage"][k] += 1  # a new customer's post, not a repeat
        return self.mention(x, t, incident=max(incident, -1), child=incident == -2)

    # ------------------------------------------------------------------ posts
    def post(self, x: Contact, t: float) -> float:
        """Mention x (triaged at t, or just arrived) may need a public reply."""
        run = self.run
        s = self.mention_of[x.channel]
        p = self.params[s]
        assert p is not None
        rng = run.erngs[s]
        incident = self.post_incident.pop(x, -1)
        if incident < 0 and rng.random() >= p.actionable:
            return math.inf  # read, no reply needed
        k = self._k(s, x.interval)
        self.counts["actionable"][k] += 1
        self.counts["posted"][k] += 1
        if x.channel == s:
            y = x
        else:  # the post keeps the mention's arrival: its turnaround runs from then
            y = run._new_contact(s, t, first=True)
            y.arrival, y.interval = x.arrival, x.interval
        self.reach[y] = float(rng.lognormal(math.log(p.reach_median), p.reach_sigma))
        if incident >= 0:
            self.post_incident[y] = incident
            inc = self.incidents[incident]
            share = max(inc.resolves if inc.replied else 0.0, self.status[s])
            if share > 0 and rng.random() < share:
                self._resolve(y)
                return math.inf
        within = run.within[s]
        if math.isfinite(within):
            heappush(run.timers, (max(y.arrival + within, t), next(run.seq), TARGET, y, None))
        if p.community_share > 0 and rng.random() < p.community_share:
            assert p.community_time is not None
            peer = y.arrival + float(draw(rng, p.community_time, 0.0, 1)[0])
            if peer <= t:
                self._deflect(y)
                return math.inf
            heappush(run.timers, (peer, next(run.seq), PEER, y, None))
        return run._offer(y, t)

    def _deflect(self, y: Contact) -> None:
        y.state = DEFLECTED
        self.counts["community_deflected"][self._k(y.channel, y.interval)] += 1
        self.reach.pop(y, None)

    def _resolve(self, y: Contact) -> None:
        y.state = RESOLVED
        self.counts["reply_resolved"][self._k(y.channel, y.interval)] += 1
        self.reach.pop(y, None)
        self.post_incident.pop(y, None)

    def _leave_queue(self, y: Contact) -> None:
        self.run.live[y.channel] -= 1

    # ------------------------------------------------------------------ service hooks
    def handle(self, x: Contact, handle: float) -> float:
        """The handle time of post x as an agent starts it: the incident's public reply
        when x is the first of its incident taken."""
        incident = self.post_incident.get(x, -1)
        if incident < 0:
            return handle
        inc = self.incidents[incident]
        if inc.taken:
            return handle
        inc.taken = True
        self.replying[x] = incident
        return inc.reply_time

    def done(self, x: Contact, t: float) -> None:
        """Contact x finished at t: a triaged mention becomes a post; a public reply is
        out: the incident's waiting posts may be resolved by it."""
        run = self.run
        c = x.channel
        if self.mention_of[c] >= 0 and c != self.mention_of[c]:  # a triage task
            self.post(x, t)
            return
        self.reach.pop(x, None)
        incident = self.replying.pop(x, -1)
        self.post_incident.pop(x, None)
        if incident < 0:
            return
        inc = self.incidents[incident]
        inc.replied = True
        rng = run.erngs[c]
        for y in run.queues[c]:
            if y.state == WAITING and self.post_incident.get(y) == incident:
                if rng.random() < inc.resolves:
                    self._leave_queue(y)
                    self._resolve(y)

    # ------------------------------------------------------------------ timers
    def timer(self, kind: int, obj: object, extra: object, t: float) -> float:
        if kind == MENTION:
            assert isinstance(obj, int) and isinstance(extra, int)
            return self.new_mention(obj, t, extra)
        y = obj
        assert isinstance(y, Contact)
        if y.state != WAITING:
            return math.inf
        if kind == PEER:
            self._leave_queue(y)
            self._deflect(y)
            return math.inf
        # TARGET: still unanswered when its turnaround ran out (within the horizon: a post
        # whose time runs out after it is pending, not missed)
        if t > self.run.t_end:
            return math.inf
        s = y.channel
        self.exposure[self._k(s, y.interval)] += self.reach.get(y, 0.0)
        p = self.params[s]
        if p is not None and p.branching > 0 and p.unanswered_factor > 1:
            self._excite(s, t, p.branching * (p.unanswered_factor - 1))
        return math.inf

    # ------------------------------------------------------------------ playbooks
    def _incident_started(self, s: int, t: float) -> None:
        """An incident's first post: its playbooks fire now (overtime comes at the next
        interval), not at the next boundary."""
        run = self.run
        i = min(int(t // run.L), run.H - 1)
        for pb in run.m.playbooks:
            if pb.incident and pb.channel == s and (pb.name, i, pb.action) not in self.fired:
                self.fired.append((pb.name, i, pb.action))
                self._apply(pb)

    def _apply(self, pb: PlaybookRule) -> None:
        run = self.run
        if pb.action == "add_skill":
            g, c = pb.group, pb.target
            if c not in run.skills[g]:
                run.skills[g].append(c)
                run.arrival_groups[c].append(g)
                run.order[c].append(g)
                run.simple[g] = False
                self.added_skills.append((g, c))
        elif pb.action == "add_agents":
            self.overtime[pb.group] += pb.agents
        else:  # status_message
            self.status[pb.target] = max(self.status[pb.target], pb.resolves)

    def boundary(self, i: int, t: float) -> None:
        """Check every playbook at the start of interval i and apply the firing ones."""
        run = self.run
        m = run.m
        for g, c in self.added_skills:  # undo last interval's added skills
            run.skills[g].remove(c)
            run.arrival_groups[c].remove(g)
            run.order[c].remove(g)
        self.added_skills = []
        self.overtime = [0] * run.G
        self.status = [0.0] * run.C
        for pb in m.playbooks:
            if pb.incident:
                on = any(inc.channel == pb.channel and inc.arrived and not inc.replied
                         for inc in self.incidents)
            else:
                on = run._waiting(pb.channel, t) > (pb.backlog_above or 0)
            if not on:
                continue
            self.fired.append((pb.name, i, pb.action))
            self._apply(pb)

    # ------------------------------------------------------------------ end
    def finish(self) -> None:
        """Move the counts into the run's accumulator (posts are what was offered)."""
        run = self.run
        acc = run.acc
        shape = (run.H, run.C)
        for name, values in self.counts.items():
            arr = np.asarray(values, np.int64).reshape(shape)
            if name == "posted":
                acc.arrays["offered"] += arr
                acc.arrays["customers"] += arr
            elif name == "new_triage":  # follow-ups and incident posts: customers too
                acc.arrays["customers"] += arr
            else:
                acc.arrays[name] += arr
        # deflected or resolved posts were not offered to an agent
        for name in ("community_deflected", "reply_resolved"):
            acc.arrays["offered"] -= acc.arrays[name]
            acc.arrays["customers"] -= acc.arrays[name]
        acc.exposure += np.asarray(self.exposure).reshape(shape)
        acc.fired.extend(self.fired)

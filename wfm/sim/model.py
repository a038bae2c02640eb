"""A scenario compiled for the engine: every channel's and group's parameters as plain
numbers and arrays indexed by position, read in the hot path without lookups.

Examples
--------
>>> import wfm
>>> m = compile_model(wfm.load_scenario("scenarios/baseline.yaml"))
>>> [c.name for c in m.channels], m.channels[0].kind, m.channels[1].kind
(['phone', 'messaging', 'social', 'email'], 0, 1)
>>> m.channels[0].aht[:3].tolist(), m.pools
([300.0, 300.0, 300.0], [])
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from wfm.scenario import Scenario
from wfm.scenario.behaviour import Distribution, Outbound, Retrial
from wfm.scenario.roster import parse_day_clock
from wfm.scenario.social import Social
from wfm.sim.routing import CHAT, DEFERRED, KIND_CODES, OUTBOUND, VOICE, Routing, build_routing

__all__ = ["SL_ANSWERED", "SL_LATE", "SL_OFFERED", "ChannelParams", "Model", "compile_model"]

SL_OFFERED, SL_LATE, SL_ANSWERED = 0, 1, 2
_SL_CODES = {"offered": SL_OFFERED, "answered_and_late_abandoned": SL_LATE, "answered": SL_ANSWERED}


@dataclass
class ChannelParams:
    """One channel's parameters (seconds, shares, indices)."""

    name: str
    kind: int
    volume: np.ndarray
    aht: np.ndarray
    cv: np.ndarray
    handle_dist: Distribution | None
    patience: np.ndarray | None
    patience_dist: Distribution | None
    deflection: float
    balking: float
    wrap: float
    retrial: Retrial | None
    pool: int  # line pool index, -1 without lines
    queue_cap: int  # -1 without a cap
    max_wait: float  # inf without
    max_wait_to: int
    transfer_share: float
    transfer_to: int
    within: float
    target: float
    sl_definition: int
    judged_finished: bool
    outbound: Outbound | None
    first_only: bool = field(default=False)  # counts first attempts apart (has retrials)
    social: SocialParams | None = None  # a social channel's posts
    triage_of: int = -1  # a triage queue: the social channel it reads mentions for

    @property
    def realtime(self) -> bool:
        return self.kind in (VOICE, CHAT)


@dataclass
class SocialParams:
    """A social channel's parameters (see :mod:`wfm.scenario.social`)."""

    triage: int  # index of its triage queue, -1 without triage
    actionable: float
    community_share: float
    community_time: Distribution | None
    reach_median: float
    reach_sigma: float
    branching: float
    viral_delay: float
    unanswered_factor: float
    incidents: list[tuple[float, int, float, float, float]]  # start s, posts, spread s, reply s, resolves


@dataclass
class PlaybookRule:
    """A compiled surge playbook."""

    name: str
    channel: int
    backlog_above: int | None
    incident: bool
    action: str
    group: int
    target: int  # the action's channel
    agents: int
    resolves: float


@dataclass
class Model:
    """The compiled scenario (see the module docstring)."""

    routing: Routing
    channels: list[ChannelParams]
    pools: list[int]  # lines per pool
    pool_names: list[str]
    factor: list[list[float]]  # [group][channel] handle time multiplier
    delay: list[list[float]]  # [group][channel] seconds before the group takes it
    has_delays: bool
    next_rule: list[str]  # per group
    arrival_rule: list[str]  # per channel
    order: list[list[int]]  # per channel: its groups in preference order
    deferred_with_chats: list[bool]
    staff_rise: str
    staff_drop: str
    staff_plans: list[np.ndarray]  # per group (for rostered groups: on duty at boundaries)
    rosters: list[list[tuple[float, float, tuple[tuple[float, float], ...]]] | None]
    busyness_cv: float
    busyness_per_channel: bool
    interval_cv: float
    intervals_per_day: int
    kind_names: list[str] = field(default_factory=list)  # per channel, for the results
    playbooks: list[PlaybookRule] = field(default_factory=list)


def compile_model(scenario: Scenario) -> Model:
    """Compile a validated scenario for the engine."""
    rt = build_routing(scenario)
    h = scenario.horizon
    names = scenario.channel_names
    index = {n: i for i, n in enumerate(names)}
    pool_names: list[str] = []
    pools: list[int] = []
    pool_of: dict[str, int] = {}
    for tname, lines in scenario.trunks.items():
        pool_of[f"trunk:{tname}"] = len(pools)
        pool_names.append(tname)
        pools.append(int(lines))
    channels = []
    social_of: dict[int, Social] = {}
    is_open = scenario.open_mask()  # a closed interval takes no arrivals
    for name, ch in scenario.channels.items():
        pool = -1
        if ch.lines is not None:
            pool = len(pools)
            pool_names.append(name)
            pools.append(int(ch.lines))
        elif ch.trunk is not None:
            pool = pool_of[f"trunk:{ch.trunk}"]
        patience = ch.patience_curve(h)
        target = ch.target
        channels.append(ChannelParams(
            name=name,
            kind=KIND_CODES[ch.kind],
            volume=np.asarray(ch.volume, float) * is_open,
            aht=ch.aht_curve(h),
            cv=ch.cv_curve(h),
            handle_dist=ch.handle_time,
            patience=patience,
            patience_dist=ch.patience if isinstance(ch.patience, Distribution) else None,
            deflection=float(ch.deflection),
            balking=float(ch.balking),
            wrap=float(ch.wrap_up),
            retrial=ch.retrial,
            pool=pool,
            queue_cap=-1 if ch.queue_capacity is None else int(ch.queue_capacity),
            max_wait=math.inf if ch.max_wait is None else float(ch.max_wait.seconds),
            max_wait_to=-1 if ch.max_wait is None else index[ch.max_wait.to],
            transfer_share=0.0 if ch.transfer is None else float(ch.transfer.share),
            transfer_to=-1 if ch.transfer is None else index[ch.transfer.to],
            within=float(target.answer_within) if target else math.inf,
            target=float(target.service_level) if target else math.nan,
            sl_definition=_SL_CODES[target.definition] if target else SL_OFFERED,
            judged_finished=bool(target and target.judged_on == "finished"),
            outbound=ch.outbound,
            first_only=ch.retrial is not None,
        ))
        if ch.social is not None:
            social_of[len(channels) - 1] = ch.social
            if ch.social.private is not None:
                channels[-1].transfer_share = float(ch.social.private.share)
                channels[-1].transfer_to = index[ch.social.private.to]
    groups = scenario.agents
    factor = [[float(g.handle_factor.get(n, 1.0)) for n in names] for g in groups]
    routing = scenario.routing
    delay = [[float(routing.groups[g.group].delays.get(n, 0.0)) if g.group in routing.groups
              else 0.0 for n in names] for g in groups]
    next_rule: list[str] = [
        (routing.groups[g.group].next_contact if g.group in routing.groups else None)
        or routing.next_contact
        for g in groups
    ]
    gindex = {g.group: k for k, g in enumerate(groups)}
    arrival_rule: list[str] = []
    order: list[list[int]] = []
    for c, n in enumerate(names):
        rule = routing.channels.get(n)
        arrival_rule.append((rule.arrival if rule else None) or routing.arrival)
        listed = [gindex[g] for g in (rule.groups or ())] if rule else []
        order.append(listed + [g for g in rt.serving[c] if g not in listed])
    start_min = scenario.start_seconds // 60
    rosters: list[list[tuple[float, float, tuple[tuple[float, float], ...]]] | None] = []
    for g in groups:
        if g.roster is None:
            rosters.append(None)
            continue
        agents = []
        for a in g.roster:
            s, e, breaks = a.minutes(start_min)
            entry = (60.0 * s, 60.0 * e, tuple((60.0 * bs, 60.0 * be) for bs, be in breaks))
            agents.extend([entry] * a.count)
        rosters.append(agents)
    kind_names: list[str] = [ch.kind for ch in scenario.channels.values()]
    start_s = scenario.start_seconds
    for c, soc in social_of.items():
        triage = -1
        if soc.triage_time > 0:  # a triage queue of its own, before the channel in every group
            triage = len(channels)
            rt = _with_triage(rt, c, f"{names[c]}/triage")
            channels.append(ChannelParams(
                name=f"{names[c]}/triage", kind=DEFERRED, volume=np.zeros(h),
                aht=np.full(h, float(soc.triage_time)), cv=np.zeros(h), handle_dist=None,
                patience=None, patience_dist=None, deflection=0.0, balking=0.0, wrap=0.0,
                retrial=None, pool=-1, queue_cap=-1, max_wait=math.inf, max_wait_to=-1,
                transfer_share=0.0, transfer_to=-1, within=math.inf, target=math.nan,
                sl_definition=SL_OFFERED, judged_finished=False, outbound=None, triage_of=c))
            kind_names.append("triage")
            for gi in range(len(groups)):
                factor[gi].append(factor[gi][c])
                delay[gi].append(0.0)
            arrival_rule.append(arrival_rule[c])
            order.append(list(order[c]))
        v = soc.virality
        channels[c].social = SocialParams(
            triage=triage,
            actionable=float(soc.actionable),
            community_share=float(soc.community.share) if soc.community else 0.0,
            community_time=soc.community.time if soc.community else None,
            reach_median=float(soc.reach.median),
            reach_sigma=float(soc.reach.sigma),
            branching=float(v.branching) if v else 0.0,
            viral_delay=float(v.delay) if v else 1.0,
            unanswered_factor=float(v.unanswered_factor) if v else 1.0,
            incidents=[(60.0 * parse_day_clock(i.start) - start_s, int(i.posts),
                        60.0 * float(i.spread_minutes), float(i.reply_time), float(i.resolves))
                       for i in soc.incidents],
        )
    for cp in list(channels):  # a channel receiving transfers or overflow counts first attempts apart
        for d in (cp.transfer_to, cp.max_wait_to):
            if d >= 0:
                channels[d].first_only = True
    cindex = {n: i for i, n in enumerate(rt.channels)}
    playbooks = [
        PlaybookRule(
            name=pb.name, channel=cindex[pb.when.channel], backlog_above=pb.when.backlog_above,
            incident=pb.when.incident, action=pb.then.kind,
            group=gindex[pb.then.group] if pb.then.group else -1,
            target=cindex[pb.then.channel] if pb.then.channel else -1,
            agents=int(pb.then.agents or 0), resolves=float(pb.then.resolves or 0.0))
        for pb in scenario.playbooks
    ]
    staff = scenario.staff()
    return Model(
        routing=rt,
        channels=channels,
        pools=pools,
        pool_names=pool_names,
        factor=factor,
        delay=delay,
        has_delays=any(d > 0 for row in delay for d in row),
        next_rule=next_rule,
        arrival_rule=arrival_rule,
        order=order,
        deferred_with_chats=[bool(routing.groups[g.group].deferred_with_chats)
                             if g.group in routing.groups else False for g in groups],
        staff_rise=routing.staff_rise,
        staff_drop=routing.staff_drop,
        staff_plans=[staff[g.group] for g in groups],
        rosters=rosters,
        busyness_cv=float(scenario.uncertainty.busyness_cv),
        busyness_per_channel=bool(scenario.uncertainty.per_channel),
        interval_cv=float(scenario.uncertainty.interval_cv),
        intervals_per_day=max(1, 1440 // scenario.interval_minutes),
        kind_names=kind_names,
        playbooks=playbooks,
    )


def _with_triage(rt: Routing, c: int, name: str) -> Routing:
    """The routing tables with a triage queue for channel c, taken just before it."""
    t = len(rt.channels)
    skills = [sk[: sk.index(c)] + [t] + sk[sk.index(c):] if c in sk else list(sk)
              for sk in rt.skills]
    return Routing(
        channels=[*rt.channels, name],
        kinds=[*rt.kinds, DEFERRED],
        units=rt.units,
        cost=[*rt.cost, rt.units],
        serving=[*rt.serving, list(rt.serving[c])],
        skills=skills,
        groups=rt.groups,
    )


__all__ += ["CHAT", "DEFERRED", "OUTBOUND", "VOICE"]

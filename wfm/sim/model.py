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

    @property
    def realtime(self) -> bool:
        return self.kind in (VOICE, CHAT)


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
            volume=np.asarray(ch.volume, float),
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
    groups = scenario.agents
    factor = [[float(g.handle_factor.get(n, 1.0)) for n in names] for g in groups]
    routing = scenario.routing
    delay = [[float(routing.groups[g.group].delays.get(n, 0.0)) if g.group in routing.groups
              else 0.0 for n in names] for g in groups]
    next_rule = [
        (routing.groups[g.group].next_contact if g.group in routing.groups else None)
        or routing.next_contact
        for g in groups
    ]
    gindex = {g.group: k for k, g in enumerate(groups)}
    arrival_rule, order = [], []
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
    )


__all__ += ["CHAT", "DEFERRED", "OUTBOUND", "VOICE"]

"""The rules a scenario must follow across fields, and its size limits.

Each rule returns ``(field path, reason)`` pairs; :class:`~wfm.scenario.Scenario`'s
model validator raises them all at once, so a file with several mistakes gets one
message listing every one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from wfm import limits
from wfm.scenario.clock import parse_clock
from wfm.scenario.roster import parse_day_clock

if TYPE_CHECKING:  # pragma: no cover
    from wfm.scenario.models import AgentGroup, Scenario, ShiftRule
    from wfm.scenario.social import Social

__all__ = ["check_names", "limit_problems", "scenario_problems", "shift_rule_problems"]


def check_names(kind: str, name: str) -> str | None:
    """Why ``name`` cannot name a channel or group, or None when it can."""
    if not name.strip():
        return f"a {kind} name must not be empty"
    if "." in name:
        return (
            f"{kind} name {name!r} contains '.', which separates the parts of a dotted path"
            " (channels.NAME.volume); use another character such as '-' or '_'"
        )
    if name != name.strip():
        return f"{kind} name {name!r} starts or ends with a space"
    return None


def limit_problems(sc: Scenario) -> list[tuple[str, str]]:
    """Sizes beyond :mod:`wfm.limits`, checked before anything is built from them."""
    lim = limits.current()
    out: list[tuple[str, str]] = []

    def over(path: str, value: float, name: str) -> None:
        try:
            limits.check(path, value, name)
        except limits.LimitError as exc:
            out.extend(exc.errors)

    horizon = max((len(ch.volume) for ch in sc.channels.values()), default=0)
    over("horizon (length of the volume lists)", horizon, "max_intervals")
    over("channels", len(sc.channels), "max_channels")
    over("horizon x channels", horizon * len(sc.channels), "max_interval_channels")
    over("agents", len(sc.agents), "max_groups")
    total = 0.0
    for name, ch in sc.channels.items():
        peak = max(ch.volume, default=0.0)
        if peak > lim.max_volume_per_interval:
            k = ch.volume.index(peak)
            over(f"channels.{name}.volume[{k}]", peak, "max_volume_per_interval")
        total += sum(ch.volume)
    if out:  # one value too large: say that, not also what it does to the totals
        return out
    over("channels (total volume over the horizon)", total, "max_contacts")
    lengths = {len(ch.volume) for ch in sc.channels.values()}
    if not out and len(lengths) == 1 and horizon:
        # the engine holds one interval's arrivals of every channel at once
        per_interval = np.sum([ch.volume for ch in sc.channels.values()], axis=0)
        k = int(np.argmax(per_interval))
        over(f"channels (all channels, interval {k})", float(per_interval[k]),
             "max_volume_per_interval")
    on_duty = [0] * max(horizon, 1)
    for i, g in enumerate(sc.agents):
        if g.staff is None:  # a roster: its agents, counted all at once
            n = sum(a.count for a in g.roster or ())
            if n > lim.max_agents:
                over(f"agents[{i}].roster", n, "max_agents")
            continue
        if isinstance(g.staff, int):
            if g.staff > lim.max_agents:
                over(f"agents[{i}].staff", g.staff, "max_agents")
                continue
            on_duty = [x + g.staff for x in on_duty]
        else:
            peak_staff = max(g.staff, default=0)
            if peak_staff > lim.max_agents:
                over(f"agents[{i}].staff[{g.staff.index(peak_staff)}]", peak_staff, "max_agents")
                continue
            on_duty = [x + s for x, s in zip(on_duty, g.staff, strict=False)]
    if not out and max(on_duty) > lim.max_agents:
        k = on_duty.index(max(on_duty))
        over(f"agents (all groups, interval {k})", max(on_duty), "max_agents")
    return out


def scenario_problems(sc: Scenario) -> list[tuple[str, str]]:
    """Every cross-field rule the scenario breaks (empty when it is valid)."""
    problems: list[tuple[str, str]] = []
    for name in sc.channels:
        why = check_names("channel", name)
        if why:
            problems.append((f"channels.{name}" if name.strip() else "channels", why))
    lengths = {name: len(ch.volume) for name, ch in sc.channels.items()}
    first = next(iter(lengths))
    horizon = lengths[first]
    if horizon == 0:
        problems.append((f"channels.{first}.volume", "must not be empty"))
    for name, n in lengths.items():
        if n != horizon:
            problems.append(
                (
                    f"channels.{name}.volume",
                    f"has {n} intervals but channels.{first}.volume has {horizon};"
                    " every volume list must cover the same horizon",
                )
            )
    seen: set[str] = set()
    for i, g in enumerate(sc.agents):
        why = check_names("group", g.group)
        if why:
            problems.append((f"agents[{i}].group", why))
        if g.group in seen:
            problems.append((f"agents[{i}].group", f"group name {g.group!r} used twice"))
        seen.add(g.group)
        for j, skill in enumerate(g.skills):
            if skill not in sc.channels:
                problems.append(
                    (
                        f"agents[{i}].skills[{j}]",
                        f"group {g.group!r} has skill {skill!r}, which names no channel"
                        f" (channels: {', '.join(sc.channels)})",
                    )
                )
        for ch_name in g.handle_factor:
            if ch_name not in g.skills:
                problems.append((f"agents[{i}].handle_factor.{ch_name}",
                                 f"{ch_name!r} is not a skill of group {g.group!r}"))
        if g.roster is not None:
            problems.extend(_roster_problems(g, i, sc))
        if isinstance(g.staff, tuple) and len(g.staff) != horizon:
            problems.append(
                (
                    f"agents[{i}].staff",
                    f"has {len(g.staff)} intervals but the horizon is {horizon}"
                    " (length of the volume lists)",
                )
            )
    for name in sc.channels:
        if not any(name in g.skills for g in sc.agents):
            problems.append((f"channels.{name}", "no agent group has this channel as a skill"))
    problems.extend(_channel_problems(sc, horizon))
    if sc.start_date is None and (sc.opening_hours is not None or sc.closed_dates):
        problems.append(("start_date", "is required with opening_hours or closed_dates (the"
                         " weekday of each interval comes from it)"))
    for i, g in enumerate(sc.agents):
        if g.shrinkage is None:
            continue
        bad = [key for key in ("planned", "unplanned")
               if isinstance(getattr(g.shrinkage, key), tuple)
               and len(getattr(g.shrinkage, key)) != horizon]
        for key in bad:
            problems.append((f"agents[{i}].shrinkage.{key}", f"has {len(getattr(g.shrinkage, key))}"
                             f" intervals but the horizon is {horizon}"))
        if not bad and float(g.shrinkage.total(horizon).max()) >= 1:
            problems.append((f"agents[{i}].shrinkage", "planned + unplanned must stay below 1"))
    problems.extend(_routing_problems(sc))
    for gname, rule in sc.shifts.items():
        if gname not in seen:
            problems.append(
                (f"shifts.{gname}", f"names no agent group (groups: {', '.join(seen)})")
            )
        problems.extend(shift_rule_problems(rule, f"shifts.{gname}", sc.interval_minutes))
    return problems


def shift_rule_problems(rule: ShiftRule, path: str, interval_minutes: int) -> list[tuple[str, str]]:
    """The rules of one group's shift templates on ``interval_minutes`` intervals."""
    problems = []
    for k, hours in enumerate(rule.lengths_hours):
        minutes = hours * 60
        if abs(minutes / interval_minutes - round(minutes / interval_minutes)) > 1e-9:
            problems.append(
                (
                    f"{path}.lengths_hours[{k}]",
                    f"{hours:g} h is not a whole number of {interval_minutes}-minute intervals",
                )
            )
    b = rule.break_
    if b.minutes % interval_minutes:
        problems.append(
            (
                f"{path}.break.minutes",
                f"{b.minutes} is not a multiple of the {interval_minutes}-minute interval",
            )
        )
    elif b.minutes:
        # the scheduler's rule: the break starts on an interval boundary at least one
        # interval after the shift's start, within [earliest, latest] minutes, and ends
        # at least one interval before the shift ends
        m = b.minutes // interval_minutes
        lo = max(1, -(-b.earliest // interval_minutes))
        for k, hours in enumerate(rule.lengths_hours):
            if hours < b.min_shift_hours - 1e-9:
                continue
            length = round(hours * 60 / interval_minutes)
            hi = min(b.latest // interval_minutes, length - m - 1)
            if hi < lo:
                problems.append(
                    (
                        f"{path}.lengths_hours[{k}]",
                        f"a {hours:g} h shift has no room for its {b.minutes}-minute break"
                        f" starting {b.earliest}-{b.latest} minutes after the shift's start"
                        f" (the break must start on a {interval_minutes}-minute boundary"
                        " after the start and end before the shift ends); widen"
                        " break.earliest/latest or raise break.min_shift_hours",
                    )
                )
    if rule.starts is not None and (rule.earliest_start or rule.latest_start or rule.every_minutes):
        problems.append(
            (
                f"{path}.starts",
                "give either starts or earliest_start/latest_start/every_minutes, not both",
            )
        )
    if rule.every_minutes is not None and rule.every_minutes % interval_minutes:
        problems.append(
            (
                f"{path}.every_minutes",
                f"{rule.every_minutes} is not a multiple of the {interval_minutes}-minute interval",
            )
        )
    for key in ("earliest_start", "latest_start"):
        v = getattr(rule, key)
        if v is not None and parse_clock(v) % interval_minutes:
            problems.append((f"{path}.{key}", f"{v} does not fall on an interval boundary"))
    for k, s in enumerate(rule.starts or ()):
        if parse_clock(s) % interval_minutes:
            problems.append((f"{path}.starts[{k}]", f"{s} does not fall on an interval boundary"))
    if (
        rule.earliest_start
        and rule.latest_start
        and parse_clock(rule.latest_start) < parse_clock(rule.earliest_start)
    ):
        problems.append((f"{path}.latest_start", "is before earliest_start"))
    return problems


def _channel_problems(sc: Scenario, horizon: int) -> list[tuple[str, str]]:
    """Per-interval lists, and the channels a channel names (callback, transfer, trunk)."""
    out: list[tuple[str, str]] = []
    for name, ch in sc.channels.items():
        path = f"channels.{name}"
        for key in ("aht", "handle_cv", "patience"):
            value = getattr(ch, key)
            if isinstance(value, tuple) and len(value) != horizon:
                out.append((f"{path}.{key}", f"has {len(value)} intervals but the horizon is"
                            f" {horizon}; give one number or one per interval"))
        if ch.max_wait is not None:
            to = sc.channels.get(ch.max_wait.to)
            if to is None or ch.max_wait.to == name:
                out.append((f"{path}.max_wait.to", f"{ch.max_wait.to!r} names no other channel"))
            elif to.kind != "deferred":
                out.append((f"{path}.max_wait.to", f"{ch.max_wait.to!r} is {to.kind}; callers who"
                            " waited too long go to a deferred (callback) channel"))
        if ch.transfer is not None:
            to = sc.channels.get(ch.transfer.to)
            if to is None or ch.transfer.to == name:
                out.append((f"{path}.transfer.to", f"{ch.transfer.to!r} names no other channel"))
            elif to.kind == "outbound":
                out.append((f"{path}.transfer.to", "a transfer goes to an inbound channel"))
        if ch.social is not None:
            out.extend(_social_problems(sc, name, ch.social, horizon))
        if ch.trunk is not None and ch.trunk not in sc.trunks:
            known = ", ".join(sc.trunks) or "none"
            out.append((f"{path}.trunk", f"{ch.trunk!r} names no trunk (trunks: {known})"))
    return out


def _social_problems(sc: Scenario, name: str, social: Social, horizon: int) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    path = f"channels.{name}.social"
    if social.private is not None:
        to = sc.channels.get(social.private.to)
        if to is None or social.private.to == name or to.kind not in ("voice", "chat", "deferred"):
            out.append((f"{path}.private.to", f"{social.private.to!r} names no voice, chat or"
                        " deferred channel (a private conversation goes there)"))
    end = sc.start_seconds // 60 + horizon * sc.interval_minutes
    for k, inc in enumerate(social.incidents):
        try:
            minute = parse_day_clock(inc.start)
        except ValueError as exc:
            out.append((f"{path}.incidents[{k}].start", str(exc)))
            continue
        if not sc.start_seconds // 60 <= minute < end:
            out.append((f"{path}.incidents[{k}].start", f"{inc.start} is outside the horizon"))
    return out


def _playbook_problems(sc: Scenario) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    groups = set(sc.group_names)
    for k, pb in enumerate(sc.playbooks):
        path = f"playbooks[{k}]"
        if pb.when.channel not in sc.channels:
            out.append((f"{path}.when.channel", f"{pb.when.channel!r} names no channel"))
        elif pb.when.incident and sc.channels[pb.when.channel].kind != "social":
            out.append((f"{path}.when.incident", "incidents happen on social channels"))
        act = pb.then
        if act.group is not None and act.group not in groups:
            out.append((f"{path}.then.group", f"{act.group!r} names no agent group"))
        if act.channel is not None and act.channel not in sc.channels:
            out.append((f"{path}.then.channel", f"{act.channel!r} names no channel"))
        elif act.kind == "status_message" and act.channel is not None and \
                sc.channels[act.channel].kind != "social":
            out.append((f"{path}.then.channel", "a status message answers a social channel"))
        if act.kind == "add_agents" and act.group is not None and act.group in groups:
            if sc.group(act.group).roster is not None:
                out.append((f"{path}.then.group", "overtime goes to a group with staff, not a roster"))
    return out


def _routing_problems(sc: Scenario) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = _playbook_problems(sc)
    groups = {g.group: g for g in sc.agents}
    for name, rule in sc.routing.channels.items():
        if name not in sc.channels:
            out.append((f"routing.channels.{name}", "names no channel"))
            continue
        for k, g in enumerate(rule.groups or ()):
            if g not in groups or name not in groups[g].skills:
                out.append((f"routing.channels.{name}.groups[{k}]",
                            f"{g!r} is not a group serving {name!r}"))
    for gname, grule in sc.routing.groups.items():
        if gname not in groups:
            out.append((f"routing.groups.{gname}", "names no agent group"))
            continue
        for ch_name in grule.delays:
            if ch_name not in groups[gname].skills:
                out.append((f"routing.groups.{gname}.delays.{ch_name}",
                            f"{ch_name!r} is not a skill of group {gname!r}"))
    return out


def _roster_problems(g: AgentGroup, i: int, sc: Scenario) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for k, agent in enumerate(g.roster or ()):
        s, e, breaks = agent.minutes(sc.start_seconds // 60)
        if e - s > 24 * 60:
            out.append((f"agents[{i}].roster[{k}]", f"a shift of {(e - s) / 60:g} h is longer than"
                        " 24 h"))
        for j, (bs, be) in enumerate(breaks):
            if not (s <= bs < be <= e):
                out.append((f"agents[{i}].roster[{k}].breaks[{j}]",
                            "must lie within the shift"))
    return out

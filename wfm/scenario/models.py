"""The scenario's pydantic models: channels, targets, agent groups, shift rules.

Every model is immutable (frozen) and strict; a :class:`Scenario` is checked field by
field and then across fields (:mod:`wfm.scenario.rules`) whatever the entry point:
:func:`wfm.load_scenario`, :meth:`Scenario.from_yaml`, :meth:`Scenario.from_dict` or
pydantic's own ``Scenario.model_validate``.

All times are in seconds (unless a key says minutes or hours), volumes in contacts
offered per interval, rates in [0, 1].
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import (
    BeforeValidator,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from wfm.atomic import atomic_write
from wfm.errors import LimitError, ScenarioError
from wfm.scenario import paths
from wfm.scenario.behaviour import MEAN_BASED, Distribution, MaxWait, Outbound, Retrial, Transfer
from wfm.scenario.calendar import OpeningHours, Shrinkage, calendar_labels, open_mask, parse_date
from wfm.scenario.clock import Clock, clock_value, parse_clock
from wfm.scenario.fields import (
    MAX_AHT,
    MAX_CONCURRENCY,
    MAX_CV,
    MAX_SECONDS,
    Minutes,
    NonNegFloat,
    NonNegInt,
    PosFloat,
    Share,
    StrictModel,
    integral,
    number,
    to_tuple,
)
from wfm.scenario.problems import Problems, pydantic_problems
from wfm.scenario.roster import RosterAgent
from wfm.scenario.routing import Routing
from wfm.scenario.rules import limit_problems, scenario_problems
from wfm.scenario.social import Playbook, Social
from wfm.yamlio import dump_yaml, load_yaml

__all__ = [
    "CHANNEL_KINDS",
    "INTERVAL_MINUTES",
    "SL_DEFINITIONS",
    "AgentGroup",
    "BreakRule",
    "Channel",
    "Scenario",
    "ShiftRule",
    "Target",
    "Uncertainty",
]

CHANNEL_KINDS = ("voice", "chat", "deferred", "outbound", "social")
INTERVAL_MINUTES = (15, 30, 60)
SL_DEFINITIONS = ("offered", "answered_and_late_abandoned", "answered")

# names used by the modules written before the field types moved to wfm.scenario.fields
_Model = StrictModel
_integral = integral
_tuple = to_tuple
_number = number

#: A time that may change per interval: one number, or one per interval of the horizon.
PerInterval = Annotated[tuple[PosFloat, ...], BeforeValidator(to_tuple), Field(min_length=1)]


class Target(_Model):
    """A channel's turnaround target: ``service_level`` of contacts answered within
    ``answer_within`` seconds of arrival.

    ``definition`` says what the service level counts, to match what the centre's switch
    reports: ``offered`` (the default: answered within T / offered),
    ``answered_and_late_abandoned`` (answered within T / (answered + abandoned after T):
    short abandons left out), ``answered`` (answered within T / answered). ``judged_on``
    (deferred work): an item is on time when it is ``started`` (the default) or
    ``finished`` within T; the simulation and the analytic requirement honour it alike.
    """

    answer_within: Annotated[NonNegFloat, Field(le=MAX_SECONDS)] = Field(description="seconds")
    service_level: float = Field(description="share in (0, 1]")
    definition: Literal["offered", "answered_and_late_abandoned", "answered"] = "offered"
    judged_on: Literal["started", "finished"] = "started"

    @field_validator("service_level", mode="before")
    @classmethod
    def _sl(cls, v: Any) -> Any:
        v = _number(v)
        if isinstance(v, int | float) and not isinstance(v, bool) and not 0 < v <= 1:
            raise ValueError(f"must be in (0, 1] (got {v})")
        return v


class Channel(_Model):
    """One channel: what arrives per interval, how long it takes, the target.

    ``aht``, ``handle_cv`` and ``patience`` take one number or one per interval (a
    contact takes the values of its arrival interval). See the scenario-format guide for
    every key.
    """

    kind: Literal["voice", "chat", "deferred", "outbound", "social"]
    volume: Annotated[tuple[NonNegFloat, ...], BeforeValidator(_tuple)] = Field(
        description="contacts offered per interval (outbound: attempts to dial)"
    )
    aht: Annotated[PosFloat, Field(le=MAX_AHT)] | Annotated[
        tuple[Annotated[PosFloat, Field(le=MAX_AHT)], ...], BeforeValidator(to_tuple),
        Field(min_length=1),
    ] | None = Field(default=None, description="mean handle (session) time, seconds")
    handle_cv: Annotated[NonNegFloat, Field(le=MAX_CV)] | Annotated[
        tuple[Annotated[NonNegFloat, Field(le=MAX_CV)], ...], BeforeValidator(to_tuple),
        Field(min_length=1),
    ] = 1.0
    handle_time: Distribution | None = None
    patience: Annotated[PosFloat, Field(le=MAX_SECONDS)] | Annotated[
        tuple[Annotated[PosFloat, Field(le=MAX_SECONDS)], ...], BeforeValidator(to_tuple),
        Field(min_length=1),
    ] | Distribution | None = Field(default=None, description="mean patience, seconds")
    concurrency: Annotated[int, BeforeValidator(_integral), Field(ge=1, le=MAX_CONCURRENCY)] = 1
    deflection: float = 0.0
    balking: Share = 0.0
    wrap_up: Annotated[NonNegFloat, Field(le=MAX_AHT)] = 0.0
    retrial: Retrial | None = None
    lines: Annotated[int, BeforeValidator(integral), Field(ge=1, le=10_000_000)] | None = None
    trunk: str | None = None
    queue_capacity: NonNegInt | None = None
    max_wait: MaxWait | None = None
    transfer: Transfer | None = None
    outbound: Outbound | None = None
    social: Social | None = None
    target: Target | None = None

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, v: Any) -> Any:
        if isinstance(v, str) and v not in CHANNEL_KINDS:
            raise ValueError(
                f"unknown channel kind {v[:40]!r}; expected one of {', '.join(CHANNEL_KINDS)}"
            )
        return v

    @field_validator("deflection", mode="before")
    @classmethod
    def _deflection(cls, v: Any) -> Any:
        v = _number(v)
        if isinstance(v, int | float) and not isinstance(v, bool) and not 0 <= v < 1:
            raise ValueError(f"must be in [0, 1) (got {v})")
        return v

    @field_validator("balking")
    @classmethod
    def _balking(cls, v: float) -> float:
        if not v < 1:
            raise ValueError(f"must be below 1 (got {v}): at 1 nobody would ever wait")
        return v

    @model_validator(mode="after")
    def _kind_rules(self) -> Channel:
        k = self.kind
        realtime = k in ("voice", "chat")
        if self.concurrency > 1 and k != "chat":
            raise ValueError(f"concurrency applies to chat channels only (kind is {k})")
        if self.patience is not None and not realtime:
            raise ValueError(f"patience applies to voice and chat only ({k} work never abandons)")
        for key in ("balking", "retrial", "lines", "trunk", "queue_capacity", "max_wait"):
            value = getattr(self, key)
            if value not in (None, 0, 0.0) and not realtime:
                raise ValueError(f"{key} applies to voice and chat channels only (kind is {k})")
        if self.lines is not None and self.trunk is not None:
            raise ValueError("give either lines (the channel's own) or trunk (shared), not both")
        if (self.outbound is not None) != (k == "outbound"):
            raise ValueError("outbound: settings go with kind outbound, and only there")
        if self.social is not None and k != "social":
            raise ValueError("social: settings go with kind social only")
        if k == "social" and self.transfer is not None:
            raise ValueError("a social channel moves posts to private with social.private, not transfer")
        if self.target is None and k != "outbound":
            raise ValueError("target is required (answer_within and service_level)")
        if k == "outbound" and self.transfer is not None:
            raise ValueError("an outbound channel does not transfer")
        if self.handle_time is not None:
            implied = self.handle_time.implied_mean()
            if self.handle_cv != 1.0:
                raise ValueError("give either handle_cv or handle_time, not both")
            if self.handle_time.dist not in MEAN_BASED:
                if isinstance(self.aht, tuple):
                    raise ValueError(
                        f"a per-interval aht needs a distribution given by its mean"
                        f" (exponential, lognormal, gamma, constant), not {self.handle_time.dist}"
                    )
                if self.aht is not None and implied is not None and abs(self.aht - implied) > 1e-6 * implied:
                    raise ValueError(
                        f"aht {self.aht:g} s differs from the mean of handle_time ({implied:g} s);"
                        " give one of them"
                    )
            elif self.handle_time.mean is not None:
                raise ValueError("handle_time takes its mean from aht; give aht instead of mean")
        if self.aht is None and (self.handle_time is None or self.handle_time.implied_mean() is None):
            raise ValueError("aht is required (mean handle time, seconds)")
        if isinstance(self.patience, Distribution):
            if self.patience.dist in MEAN_BASED and self.patience.mean is None:
                raise ValueError("a patience distribution needs its mean (patience: {dist: ..., mean: ...})")
        return self

    # ------------------------------------------------------------------ derived
    @property
    def mean_aht(self) -> float:
        """Mean handle time over the horizon, seconds (volume-weighted when per interval)."""
        a = self.aht_curve(len(self.volume))
        v = np.asarray(self.volume, float)
        return float((a * v).sum() / v.sum()) if v.sum() > 0 else float(a.mean())

    def aht_curve(self, horizon: int) -> np.ndarray:
        """Mean handle time per interval, seconds."""
        if self.aht is None:
            implied = self.handle_time.implied_mean() if self.handle_time else None
            return np.full(horizon, float(implied or 0.0))
        if isinstance(self.aht, tuple):
            return np.asarray(self.aht, float)
        return np.full(horizon, float(self.aht))

    def cv_curve(self, horizon: int) -> np.ndarray:
        """Coefficient of variation of handle time per interval."""
        if self.handle_time is not None:
            return np.full(horizon, self.handle_time.implied_cv())
        if isinstance(self.handle_cv, tuple):
            return np.asarray(self.handle_cv, float)
        return np.full(horizon, float(self.handle_cv))

    def patience_curve(self, horizon: int) -> np.ndarray | None:
        """Mean patience per interval, seconds (None when nobody abandons)."""
        if self.patience is None:
            return None
        if isinstance(self.patience, Distribution):
            return np.full(horizon, float(self.patience.implied_mean() or 0.0))
        if isinstance(self.patience, tuple):
            return np.asarray(self.patience, float)
        return np.full(horizon, float(self.patience))

    @property
    def workload(self) -> np.ndarray:
        """Offered work per interval after deflection, agent-seconds."""
        v = np.asarray(self.volume, float)
        return v * (1 - self.deflection) * self.aht_curve(len(v))


class AgentGroup(_Model):
    """A group of agents with the same skills: staff per interval, or a roster of
    individual agents with their shifts and breaks."""

    group: str = Field(min_length=1)
    skills: Annotated[tuple[str, ...], BeforeValidator(_tuple)] = Field(
        min_length=1, description="channel names, in priority order"
    )
    staff: NonNegInt | Annotated[tuple[NonNegInt, ...], BeforeValidator(_tuple)] | None = Field(
        default=None,
        description="agents on duty per interval (after shrinkage), or one number for all",
    )
    roster: Annotated[tuple[RosterAgent, ...], BeforeValidator(to_tuple), Field(min_length=1)] | None = None
    handle_factor: dict[str, Annotated[PosFloat, Field(le=100)]] = Field(default_factory=dict)
    shrinkage: Shrinkage | None = None

    @field_validator("skills")
    @classmethod
    def _unique(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        dup = sorted({s for s in v if v.count(s) > 1})
        if dup:
            raise ValueError(f"skill listed twice: {', '.join(dup)}")
        return v

    @model_validator(mode="after")
    def _staff_or_roster(self) -> AgentGroup:
        if self.staff is None and self.roster is None:
            raise ValueError("give staff (agents per interval) or a roster")
        if self.staff is not None and self.roster is not None:
            raise ValueError("give either staff or a roster, not both")
        return self

    def staff_curve(self, horizon: int, interval_minutes: int = 30, start_minutes: int = 0) -> np.ndarray:
        """Staff per interval as an int array of length ``horizon``; for a roster, the
        agents on duty (shift started, not on a break) at the start of each interval."""
        if isinstance(self.staff, int):
            return np.full(horizon, self.staff, dtype=np.int64)
        if self.staff is not None:
            return np.asarray(self.staff, dtype=np.int64)
        out = np.zeros(horizon, dtype=np.int64)
        starts = np.arange(horizon) * interval_minutes
        for agent in self.roster or ():
            s, e, breaks = agent.minutes(start_minutes)
            on = (starts >= s) & (starts < e)
            for bs, be in breaks:
                on &= ~((starts >= bs) & (starts < be))
            out += on.astype(np.int64) * agent.count
        return out


class Uncertainty(_Model):
    """Forecast risk in the simulation: a day-level random busyness factor (gamma, mean
    1, coefficient of variation ``busyness_cv``) multiplying the day's arrival rates, the
    same for every channel or drawn ``per_channel``; and ``interval_cv``, an extra
    gamma factor per interval and channel (overdispersion)."""

    busyness_cv: Annotated[NonNegFloat, Field(le=5)] = 0.0
    per_channel: bool = False
    interval_cv: Annotated[NonNegFloat, Field(le=5)] = 0.0


def default_break_minutes(interval_minutes: int) -> int:
    """The default break: 30 minutes, rounded up to whole intervals (60 on 60-minute ones)."""
    return -(-30 // interval_minutes) * interval_minutes


class BreakRule(_Model):
    """The break of a shift: its length, whether it is paid and when it may start.

    ``earliest`` and ``latest`` are minutes after the shift's start. Shifts shorter
    than ``min_shift_hours`` have no break. ``minutes`` must be a multiple of the
    scenario's interval (a break takes whole intervals off the floor); 0 = no break;
    when omitted, 30 minutes rounded up to whole intervals.
    """

    minutes: Minutes = 30
    paid: bool = False
    earliest: Minutes = 120
    latest: Minutes = 300
    min_shift_hours: Annotated[NonNegFloat, Field(le=24)] = 6.0

    @model_validator(mode="after")
    def _window(self) -> BreakRule:
        if self.latest < self.earliest:
            raise ValueError(
                f"break window ends before it starts (earliest {self.earliest} > latest {self.latest})"
            )
        return self


class ShiftRule(_Model):
    """The shift templates of one group: start times, lengths, break, cost.

    Start times are clock times ``"HH:MM"`` repeated every day of the horizon:
    either listed in ``starts`` or every ``every_minutes`` from ``earliest_start``
    to ``latest_start``; omitted, every interval of the horizon may start a shift.
    A shift that would run past the horizon's end is not offered. Lengths are at most
    24 hours.
    """

    starts: Annotated[tuple[Clock, ...], BeforeValidator(clock_value)] | None = None
    earliest_start: Clock | None = None
    latest_start: Clock | None = None
    every_minutes: Annotated[int, BeforeValidator(_integral), Field(gt=0, le=24 * 60)] | None = None
    lengths_hours: Annotated[
        tuple[Annotated[PosFloat, Field(le=24)], ...], BeforeValidator(_tuple)
    ] = Field(default=(4.0, 6.0, 8.0), min_length=1)
    break_: BreakRule = Field(default_factory=BreakRule, alias="break")
    cost_per_hour: Annotated[PosFloat, Field(le=1e6)] = 1.0
    max_agents: NonNegInt | None = None

    @field_validator("starts")
    @classmethod
    def _clock_list(cls, v: tuple[str, ...] | None) -> tuple[str, ...] | None:
        for s in v or ():
            parse_clock(s)
        return v

    @field_validator("earliest_start", "latest_start")
    @classmethod
    def _clock(cls, v: str | None) -> str | None:
        if v is not None:
            parse_clock(v)
        return v


class Scenario(_Model):
    """A validated, immutable scenario.

    Attributes
    ----------
    name : str
    interval_minutes : {15, 30, 60}
    start : str
        Clock time ``"HH:MM"`` of the first interval.
    channels : dict of str to Channel
        In file order; the key is the channel's name.
    agents : tuple of AgentGroup
    shifts : dict of str to ShiftRule
        Shift templates per group name (optional; see :mod:`wfm.scheduling`).
    currency : str or None
        ISO 4217 code (three capitals, e.g. ``"EUR"``) of every money amount of the
        scenario (``shifts.<group>.cost_per_hour``, roster wages) and of the plans made
        from it; None (the default) when not stated: amounts are then in the unit of
        ``cost_per_hour`` (whose default, 1 per paid hour, makes cost = paid hours).

    Examples
    --------
    >>> import wfm
    >>> sc = wfm.load_scenario("scenarios/baseline.yaml")
    >>> sc.horizon, sc.interval_seconds, sc.channel_names
    (24, 1800, ['phone', 'messaging', 'social', 'email'])
    >>> wfm.Scenario.from_yaml(sc.to_yaml()) == sc
    True
    >>> sc.with_values({"channels.phone.aht": 240}).channels["phone"].aht
    240.0
    """

    name: str = "scenario"
    interval_minutes: Annotated[int, BeforeValidator(_integral)] = 30
    start: Clock = "00:00"
    channels: dict[str, Channel] = Field(min_length=1)
    agents: Annotated[tuple[AgentGroup, ...], BeforeValidator(_tuple)] = Field(min_length=1)
    shifts: dict[str, ShiftRule] = Field(default_factory=dict)
    routing: Routing = Field(default_factory=Routing)
    trunks: dict[str, Annotated[int, BeforeValidator(integral), Field(ge=1, le=10_000_000)]] = Field(
        default_factory=dict, description="shared trunk lines by name"
    )
    uncertainty: Uncertainty = Field(default_factory=Uncertainty)
    playbooks: Annotated[tuple[Playbook, ...], BeforeValidator(to_tuple)] = ()
    start_date: str | None = None
    opening_hours: OpeningHours | None = None
    closed_dates: Annotated[tuple[str, ...], BeforeValidator(to_tuple)] = ()
    currency: str | None = Field(
        default=None, description="ISO 4217 code of the money amounts (cost_per_hour, wages)")

    @field_validator("currency")
    @classmethod
    def _currency(cls, v: str | None) -> str | None:
        if v is not None and re.fullmatch(r"[A-Z]{3}", v) is None:
            raise ValueError(f"must be a 3-letter ISO 4217 currency code in capitals, such as"
                             f" EUR, USD or GBP (got {v!r})")
        return v

    @field_validator("start_date")
    @classmethod
    def _date(cls, v: str | None) -> str | None:
        if v is not None:
            parse_date(v)
        return v

    @field_validator("closed_dates")
    @classmethod
    def _dates(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for d in v:
            parse_date(d)
        return v

    @field_validator("interval_minutes")
    @classmethod
    def _interval(cls, v: int) -> int:
        if v not in INTERVAL_MINUTES:
            raise ValueError(f"must be 15, 30 or 60 (got {v})")
        return v

    @field_validator("start")
    @classmethod
    def _start(cls, v: str) -> str:
        parse_clock(v)
        return v

    @model_validator(mode="before")
    @classmethod
    def _default_break(cls, data: Any) -> Any:
        """An omitted ``break.minutes`` is 30 minutes rounded up to whole intervals."""
        if not isinstance(data, Mapping) or not isinstance(data.get("shifts"), Mapping):
            return data
        interval = _integral(data.get("interval_minutes", 30))
        if interval not in INTERVAL_MINUTES or default_break_minutes(interval) == 30:
            return data
        shifts = {}
        for group, rule in data["shifts"].items():
            if isinstance(rule, Mapping):
                brk = rule.get("break", {})
                if isinstance(brk, Mapping) and "minutes" not in brk:
                    rule = {**rule, "break": {**brk, "minutes": default_break_minutes(interval)}}
            shifts[group] = rule
        return {**data, "shifts": shifts}

    @model_validator(mode="after")
    def _cross_field(self) -> Scenario:
        too_big = limit_problems(self)
        if too_big:
            raise Problems(too_big, limit=True)
        problems = scenario_problems(self)
        if problems:
            raise Problems(problems)
        return self

    # ------------------------------------------------------------------ derived
    @property
    def horizon(self) -> int:
        """Number of intervals (the length of every volume list)."""
        return len(next(iter(self.channels.values())).volume)

    @property
    def interval_seconds(self) -> int:
        """Interval length in seconds."""
        return self.interval_minutes * 60

    @property
    def start_seconds(self) -> int:
        """Clock time of the first interval, seconds after midnight."""
        return parse_clock(self.start) * 60

    @property
    def channel_names(self) -> list[str]:
        """Channel names in file order."""
        return list(self.channels)

    @property
    def group_names(self) -> list[str]:
        """Agent group names in file order."""
        return [g.group for g in self.agents]

    def group(self, name: str) -> AgentGroup:
        """The agent group called ``name`` (KeyError if none)."""
        for g in self.agents:
            if g.group == name:
                return g
        raise KeyError(f"no agent group named {name!r}; groups are {', '.join(self.group_names)}")

    def groups_serving(self, channel: str) -> list[str]:
        """Names of the groups that have ``channel`` among their skills."""
        return [g.group for g in self.agents if channel in g.skills]

    def staff(self) -> dict[str, np.ndarray]:
        """Staff per interval per group: ``{group: int array of length horizon}`` (for a
        rostered group, the agents on duty at the start of each interval)."""
        return {
            g.group: g.staff_curve(self.horizon, self.interval_minutes, self.start_seconds // 60)
            for g in self.agents
        }

    @property
    def date(self) -> dt.date | None:
        """The first day's date (None without ``start_date``)."""
        return parse_date(self.start_date) if self.start_date else None

    def day_index(self) -> np.ndarray:
        """The day (0 = the first) of every interval."""
        minutes = self.start_seconds // 60 + np.arange(self.horizon) * self.interval_minutes
        return np.asarray(minutes // 1440, np.int64)

    def open_mask(self) -> np.ndarray:
        """Whether each interval is open (``opening_hours``, ``closed_dates``); a closed
        interval takes no arrivals and needs no staff."""
        return open_mask(self.date, self.start_seconds // 60, self.interval_minutes,
                         self.horizon, self.opening_hours,
                         tuple(parse_date(d) for d in self.closed_dates))

    def interval_labels(self) -> list[str]:
        """Label of each interval's start: ``"08:30"``, or ``"d2 08:30"`` from day 2; with
        a ``start_date``, ``"Mon 30 Nov 08:30"``."""
        if self.date is not None:
            return calendar_labels(self.date, self.start_seconds // 60, self.interval_minutes,
                                   self.horizon)
        out = []
        for i in range(self.horizon):
            minutes = self.start_seconds // 60 + i * self.interval_minutes
            day, rem = divmod(minutes, 24 * 60)
            label = f"{rem // 60:02d}:{rem % 60:02d}"
            out.append(label if day == 0 else f"d{day + 1} {label}")
        return out

    # ------------------------------------------------------------------ I/O
    @classmethod
    def from_dict(cls, data: Any, source: str | None = None) -> Scenario:
        """Validate a mapping (as read from YAML).

        Raises
        ------
        ScenarioError
            Any field or cross-field rule is broken; the message lists every problem
            with its field path.
        LimitError
            The scenario is larger than a limit of :mod:`wfm.limits`.
        """
        if not isinstance(data, Mapping):
            raise ScenarioError(
                f"a scenario must be a YAML mapping of keys to values, not {type(data).__name__}",
                source,
            )
        try:
            return cls.model_validate(dict(data))
        except ValidationError as exc:
            problems, limit = pydantic_problems(exc, dict(data))
            raise (LimitError if limit else ScenarioError)(problems, source) from None
        except RecursionError:
            raise ScenarioError("the scenario is nested too deeply", source) from None

    @classmethod
    def from_yaml(cls, text: str | Path, source: str | None = None) -> Scenario:
        """Parse and validate YAML text with the safe loader of :mod:`wfm.yamlio`.

        A :class:`pathlib.Path` is read as a file (the same as :func:`wfm.load_scenario`).
        """
        if isinstance(text, Path):
            from wfm.scenario import load_scenario

            return load_scenario(text)
        return cls.from_dict(load_yaml(text, source), source)

    def to_dict(self) -> dict[str, Any]:
        """A plain mapping in the file's layout (omitted optional keys stay omitted)."""
        data = self.model_dump(mode="json", by_alias=True, exclude_none=True)
        for ch in data["channels"].values():
            defaults: tuple[tuple[str, object], ...] = (
                ("handle_cv", 1.0), ("concurrency", 1), ("deflection", 0.0), ("balking", 0.0),
                ("wrap_up", 0.0))
            for key, default in defaults:
                if ch.get(key) == default:
                    del ch[key]
            target = ch.get("target", {})
            for key, value in (("definition", "offered"), ("judged_on", "started")):
                if target.get(key) == value:
                    del target[key]
        for g in data["agents"]:
            if not g.get("handle_factor"):
                g.pop("handle_factor", None)
        for key in ("shifts", "trunks", "playbooks", "closed_dates"):
            if not data[key]:
                del data[key]
        if self.routing.is_default():
            del data["routing"]
        if self.uncertainty == Uncertainty():
            del data["uncertainty"]
        result: dict[str, Any] = paths.tidy(data)
        return result

    def to_yaml(self, path: str | Path | None = None) -> str:
        """YAML text of the scenario; written atomically to ``path`` if given.

        ``Scenario.from_yaml(sc.to_yaml()) == sc`` holds exactly.
        """
        text = dump_yaml(self.to_dict())
        if path is not None:
            atomic_write(Path(path), text)
        return text

    # ------------------------------------------------------------------ changes
    def get(self, path: str) -> Any:
        """The value at a dotted path, e.g. ``"channels.phone.aht"`` or
        ``"agents.voice.staff"`` (a group by its name)."""
        return paths.get_path(self.to_dict(), path)

    def with_values(self, changes: Mapping[str, Any]) -> Scenario:
        """A new, revalidated scenario with the values at dotted paths replaced."""
        data = self.to_dict()
        for path, value in changes.items():
            paths.set_path(data, path, value)
        return Scenario.from_dict(data)

    def scaled(self, factors: Mapping[str, float]) -> Scenario:
        """A new scenario with the number (or every number of the list) at each dotted
        path multiplied by its factor. Staff is rounded to the nearest whole agent."""
        data = self.to_dict()
        for path, factor in factors.items():
            old = paths.get_path(data, path)
            whole = paths.split_path(path)[-1] == "staff" or (
                isinstance(old, int) and not isinstance(old, bool)
            )
            paths.set_path(data, path, paths.scale_value(old, float(factor), whole=whole, path=path))
        return Scenario.from_dict(data)

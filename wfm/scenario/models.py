"""The scenario's pydantic models: channels, targets, agent groups, shift rules.

Every model is immutable (frozen) and strict; a :class:`Scenario` is checked field by
field and then across fields (:mod:`wfm.scenario.rules`) whatever the entry point:
:func:`wfm.load_scenario`, :meth:`Scenario.from_yaml`, :meth:`Scenario.from_dict` or
pydantic's own ``Scenario.model_validate``.

All times are in seconds (unless a key says minutes or hours), volumes in contacts
offered per interval, rates in [0, 1].
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from wfm.atomic import atomic_write
from wfm.errors import LimitError, ScenarioError
from wfm.scenario import paths
from wfm.scenario.clock import Clock, clock_value, parse_clock
from wfm.scenario.problems import Problems, pydantic_problems
from wfm.scenario.rules import limit_problems, scenario_problems
from wfm.yamlio import dump_yaml, load_yaml

__all__ = [
    "CHANNEL_KINDS",
    "INTERVAL_MINUTES",
    "AgentGroup",
    "BreakRule",
    "Channel",
    "Scenario",
    "ShiftRule",
    "Target",
]

CHANNEL_KINDS = ("voice", "chat", "deferred")
INTERVAL_MINUTES = (15, 30, 60)
#: Upper bounds of single values (seconds unless noted); beyond them a value is a typo.
MAX_SECONDS = 366 * 86400  # answer_within, patience: a year
MAX_AHT = 30 * 86400  # a month
MAX_CV = 20.0
MAX_CONCURRENCY = 100


def _integral(value: Any) -> Any:
    """Accept 12.0 for an integer field (YAML writers and spreadsheets emit it)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, np.integer):
        return int(value)
    return value


def _tuple(value: Any) -> Any:
    """YAML gives lists; the immutable model keeps tuples."""
    if isinstance(value, list):
        return tuple(value)
    if isinstance(value, np.ndarray):
        return tuple(value.tolist())
    return value


def _number(value: Any) -> Any:
    if isinstance(value, np.generic) and not isinstance(value, np.bool_):
        return value.item()
    return value


NonNegInt = Annotated[int, BeforeValidator(_integral), Field(ge=0)]
NonNegFloat = Annotated[float, BeforeValidator(_number), Field(ge=0, allow_inf_nan=False)]
PosFloat = Annotated[float, BeforeValidator(_number), Field(gt=0, allow_inf_nan=False)]
Minutes = Annotated[int, BeforeValidator(_integral), Field(ge=0, le=24 * 60)]


class _Model(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True, populate_by_name=True)


class Target(_Model):
    """A channel's turnaround target: ``service_level`` of contacts answered within
    ``answer_within`` seconds of arrival."""

    answer_within: Annotated[NonNegFloat, Field(le=MAX_SECONDS)] = Field(description="seconds")
    service_level: float = Field(description="share in (0, 1]")

    @field_validator("service_level", mode="before")
    @classmethod
    def _sl(cls, v: Any) -> Any:
        v = _number(v)
        if isinstance(v, int | float) and not isinstance(v, bool) and not 0 < v <= 1:
            raise ValueError(f"must be in (0, 1] (got {v})")
        return v


class Channel(_Model):
    """One channel: what arrives per interval, how long it takes, the target."""

    kind: Literal["voice", "chat", "deferred"]
    volume: Annotated[tuple[NonNegFloat, ...], BeforeValidator(_tuple)] = Field(
        description="contacts offered per interval"
    )
    aht: Annotated[PosFloat, Field(le=MAX_AHT)] = Field(
        description="mean handle (session) time, seconds"
    )
    handle_cv: Annotated[NonNegFloat, Field(le=MAX_CV)] = 1.0
    patience: Annotated[PosFloat, Field(le=MAX_SECONDS)] | None = Field(
        default=None, description="mean patience, seconds"
    )
    concurrency: Annotated[int, BeforeValidator(_integral), Field(ge=1, le=MAX_CONCURRENCY)] = 1
    deflection: float = 0.0
    target: Target

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

    @model_validator(mode="after")
    def _kind_rules(self) -> Channel:
        if self.concurrency > 1 and self.kind != "chat":
            raise ValueError(f"concurrency applies to chat channels only (kind is {self.kind})")
        if self.patience is not None and self.kind == "deferred":
            raise ValueError(
                "patience applies to voice and chat only; deferred work never abandons"
            )
        return self

    @property
    def workload(self) -> np.ndarray:
        """Offered work per interval after deflection, agent-seconds."""
        return np.asarray(self.volume, float) * (1 - self.deflection) * self.aht


class AgentGroup(_Model):
    """A group of agents with the same skills and staff."""

    group: str = Field(min_length=1)
    skills: Annotated[tuple[str, ...], BeforeValidator(_tuple)] = Field(
        min_length=1, description="channel names, in priority order"
    )
    staff: NonNegInt | Annotated[tuple[NonNegInt, ...], BeforeValidator(_tuple)] = Field(
        description="agents on duty per interval (after shrinkage), or one number for all"
    )

    @field_validator("skills")
    @classmethod
    def _unique(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        dup = sorted({s for s in v if v.count(s) > 1})
        if dup:
            raise ValueError(f"skill listed twice: {', '.join(dup)}")
        return v

    def staff_curve(self, horizon: int) -> np.ndarray:
        """Staff per interval as an int array of length ``horizon``."""
        if isinstance(self.staff, int):
            return np.full(horizon, self.staff, dtype=np.int64)
        return np.asarray(self.staff, dtype=np.int64)


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
        """Staff per interval per group: ``{group: int array of length horizon}``."""
        return {g.group: g.staff_curve(self.horizon) for g in self.agents}

    def interval_labels(self) -> list[str]:
        """Clock label of each interval's start: ``"08:30"``, or ``"d2 08:30"`` from day 2."""
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
            problems, limit = pydantic_problems(exc)
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
            for key, default in (("handle_cv", 1.0), ("concurrency", 1), ("deflection", 0.0)):
                if ch.get(key) == default:
                    del ch[key]
        if not data["shifts"]:
            del data["shifts"]
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

"""The scenario file: pydantic models, YAML load/save and clear errors.

A scenario says what arrives (channels and their volume per interval), how long it
takes (AHT), what the targets are and who is on duty (agent groups and their staff per
interval). The file contract is ``shared/scenario-format.md`` (version 1); this module
adds one optional section, ``shifts:`` (shift templates per group, used by
:mod:`wfm.scheduling`).

All times are in seconds, volumes in contacts offered per interval, rates in [0, 1].

Examples
--------
>>> import wfm
>>> sc = wfm.load_scenario("scenarios/baseline.yaml")       # doctest: +SKIP
>>> sc.horizon, sc.interval_seconds                           # doctest: +SKIP
(24, 1800)
>>> wfm.Scenario.from_yaml(sc.to_yaml()) == sc                # doctest: +SKIP
True
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

__all__ = [
    "AgentGroup",
    "BreakRule",
    "Channel",
    "Scenario",
    "ScenarioError",
    "ShiftRule",
    "Target",
    "load_scenario",
]

CHANNEL_KINDS = ("voice", "chat", "deferred")
INTERVAL_MINUTES = (15, 30, 60)
_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


class ScenarioError(ValueError):
    """An invalid scenario; the message names the field path and the reason.

    Attributes
    ----------
    errors : list of (str, str)
        ``(field path, reason)`` for every problem found, e.g.
        ``("channels.phone.volume[3]", "must be >= 0 (got -5)")``.
    """

    def __init__(self, errors: list[tuple[str, str]] | str, source: str | None = None):
        if isinstance(errors, str):
            errors = [("", errors)]
        self.errors = errors
        self.source = source
        lines = [f"{path}: {reason}" if path else reason for path, reason in errors]
        if len(lines) > 10:
            lines = lines[:10] + [f"... and {len(lines) - 10} more"]
        head = f"invalid scenario {source}" if source else "invalid scenario"
        if len(lines) == 1:
            msg = f"{head}: {lines[0]}"
        else:
            msg = head + f" ({len(lines)} problems):\n" + "\n".join(f"  - {x}" for x in lines)
        super().__init__(msg)


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


def _clock_value(value: Any) -> Any:
    """YAML 1.1 reads an unquoted ``10:00`` as the sexagesimal integer 600; take it back."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 24 * 60:
        return f"{value // 60:02d}:{value % 60:02d}"
    if isinstance(value, list):
        return tuple(_clock_value(v) for v in value)
    return value


Clock = Annotated[str, BeforeValidator(_clock_value)]


def _number(value: Any) -> Any:
    if isinstance(value, np.generic) and not isinstance(value, np.bool_):
        return value.item()
    return value


NonNegInt = Annotated[int, BeforeValidator(_integral), Field(ge=0)]
NonNegFloat = Annotated[float, BeforeValidator(_number), Field(ge=0, allow_inf_nan=False)]
PosFloat = Annotated[float, BeforeValidator(_number), Field(gt=0, allow_inf_nan=False)]


class _Model(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True, populate_by_name=True)


class Target(_Model):
    """A channel's turnaround target: ``service_level`` of contacts answered within
    ``answer_within`` seconds of arrival."""

    answer_within: NonNegFloat = Field(description="seconds")
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
    aht: PosFloat = Field(description="mean handle (session) time, seconds")
    handle_cv: NonNegFloat = 1.0
    patience: PosFloat | None = Field(default=None, description="mean patience, seconds")
    concurrency: Annotated[int, BeforeValidator(_integral), Field(ge=1)] = 1
    deflection: float = 0.0
    target: Target

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, v: Any) -> Any:
        if isinstance(v, str) and v not in CHANNEL_KINDS:
            raise ValueError(
                f"unknown channel kind {v!r}; expected one of {', '.join(CHANNEL_KINDS)}"
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


class BreakRule(_Model):
    """The break of a shift: its length, whether it is paid and when it may start.

    ``earliest`` and ``latest`` are minutes after the shift's start. Shifts shorter
    than ``min_shift_hours`` have no break. ``minutes`` must be a multiple of the
    scenario's interval (a break takes whole intervals off the floor); 0 = no break.
    """

    minutes: NonNegInt = 30
    paid: bool = False
    earliest: NonNegInt = 120
    latest: NonNegInt = 300
    min_shift_hours: NonNegFloat = 6.0

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
    A shift that would run past the horizon's end is not offered.
    """

    starts: Annotated[tuple[Clock, ...], BeforeValidator(_clock_value)] | None = None
    earliest_start: Clock | None = None
    latest_start: Clock | None = None
    every_minutes: Annotated[int, BeforeValidator(_integral), Field(gt=0)] | None = None
    lengths_hours: Annotated[tuple[PosFloat, ...], BeforeValidator(_tuple)] = (4.0, 6.0, 8.0)
    break_: BreakRule = Field(default_factory=BreakRule, alias="break")
    cost_per_hour: PosFloat = 1.0
    max_agents: NonNegInt | None = None

    @field_validator("starts")
    @classmethod
    def _clock_list(cls, v: tuple[str, ...] | None) -> tuple[str, ...] | None:
        for s in v or ():
            _parse_clock(s)
        return v

    @field_validator("earliest_start", "latest_start")
    @classmethod
    def _clock(cls, v: str | None) -> str | None:
        if v is not None:
            _parse_clock(v)
        return v


def _parse_clock(value: str) -> int:
    """``"HH:MM"`` -> minutes after midnight."""
    m = _CLOCK.match(value)
    if not m:
        raise ValueError(f"expected a clock time HH:MM (got {value!r})")
    return int(m.group(1)) * 60 + int(m.group(2))


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
        _parse_clock(v)
        return v

    # cross-field rules are checked in _check() so that every problem gets its path

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
        return _parse_clock(self.start) * 60

    @property
    def channel_names(self) -> list[str]:
        return list(self.channels)

    @property
    def group_names(self) -> list[str]:
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
        """Validate a mapping (as read from YAML); raises :class:`ScenarioError`."""
        if not isinstance(data, Mapping):
            raise ScenarioError(
                f"a scenario must be a YAML mapping of keys to values, not {type(data).__name__}",
                source,
            )
        try:
            sc = cls.model_validate(dict(data))
        except ValidationError as exc:
            raise ScenarioError(_pydantic_errors(exc), source) from None
        problems = sc._check()
        if problems:
            raise ScenarioError(problems, source)
        return sc

    @classmethod
    def from_yaml(cls, text: str | Path, source: str | None = None) -> Scenario:
        """Parse and validate YAML text (safe loading: no Python object tags).

        A :class:`pathlib.Path` is read as a file (the same as :func:`load_scenario`).
        """
        if isinstance(text, Path):
            return load_scenario(text)
        return cls.from_dict(_safe_yaml(text, source), source)

    def to_dict(self) -> dict[str, Any]:
        """A plain mapping in the file's layout (omitted optional keys stay omitted)."""
        data = self.model_dump(mode="json", by_alias=True, exclude_none=True)
        for ch in data["channels"].values():
            for key, default in (("handle_cv", 1.0), ("concurrency", 1), ("deflection", 0.0)):
                if ch.get(key) == default:
                    del ch[key]
        if not data["shifts"]:
            del data["shifts"]
        return _tidy(data)

    def to_yaml(self, path: str | Path | None = None) -> str:
        """YAML text of the scenario; written atomically to ``path`` if given.

        ``Scenario.from_yaml(sc.to_yaml()) == sc`` holds exactly.
        """
        text = yaml.dump(
            self.to_dict(), Dumper=_Dumper, sort_keys=False, default_flow_style=None, width=4096
        )
        if path is not None:
            _atomic_write(Path(path), text)
        return text

    # ------------------------------------------------------------------ changes
    def get(self, path: str) -> Any:
        """The value at a dotted path, e.g. ``"channels.phone.aht"`` or
        ``"agents.voice.staff"`` (a group by its name)."""
        node: Any = self.to_dict()
        for part in _split(path):
            node = _child(node, part, path)
        return node

    def with_values(self, changes: Mapping[str, Any]) -> Scenario:
        """A new, revalidated scenario with the values at dotted paths replaced."""
        data = self.to_dict()
        for path, value in changes.items():
            _set(data, path, value)
        return Scenario.from_dict(data)

    def scaled(self, factors: Mapping[str, float]) -> Scenario:
        """A new scenario with the number (or every number of the list) at each dotted
        path multiplied by its factor. Staff is rounded to the nearest whole agent."""
        data = self.to_dict()
        for path, factor in factors.items():
            old = _get_from(data, path)
            whole = (
                _split(path)[-1] == "staff" or isinstance(old, int) and not isinstance(old, bool)
            )
            _set(data, path, _scale(old, float(factor), whole, path))
        return Scenario.from_dict(data)

    # ------------------------------------------------------------------ checks
    def _check(self) -> list[tuple[str, str]]:
        problems: list[tuple[str, str]] = []
        lengths = {name: len(ch.volume) for name, ch in self.channels.items()}
        horizon = next(iter(lengths.values()))
        if horizon == 0:
            problems.append((f"channels.{next(iter(lengths))}.volume", "must not be empty"))
        for name, n in lengths.items():
            if n != horizon:
                first = next(iter(lengths))
                problems.append(
                    (
                        f"channels.{name}.volume",
                        f"has {n} intervals but channels.{first}.volume has {horizon};"
                        " every volume list must cover the same horizon",
                    )
                )
        seen: set[str] = set()
        for i, g in enumerate(self.agents):
            if g.group in seen:
                problems.append((f"agents[{i}].group", f"group name {g.group!r} used twice"))
            seen.add(g.group)
            for j, skill in enumerate(g.skills):
                if skill not in self.channels:
                    problems.append(
                        (
                            f"agents[{i}].skills[{j}]",
                            f"group {g.group!r} has skill {skill!r}, which names no channel"
                            f" (channels: {', '.join(self.channels)})",
                        )
                    )
            if not isinstance(g.staff, int) and len(g.staff) != horizon:
                problems.append(
                    (
                        f"agents[{i}].staff",
                        f"has {len(g.staff)} intervals but the horizon is {horizon}"
                        " (length of the volume lists)",
                    )
                )
        for name in self.channels:
            if not self.groups_serving(name):
                problems.append((f"channels.{name}", "no agent group has this channel as a skill"))
        for gname, rule in self.shifts.items():
            if gname not in seen:
                problems.append(
                    (f"shifts.{gname}", f"names no agent group (groups: {', '.join(seen)})")
                )
            problems.extend(_check_shift(rule, f"shifts.{gname}", self.interval_minutes))
        return problems


def _check_shift(rule: ShiftRule, path: str, interval_minutes: int) -> list[tuple[str, str]]:
    problems = []
    for k, hours in enumerate(rule.lengths_hours):
        minutes = hours * 60
        if abs(minutes / interval_minutes - round(minutes / interval_minutes)) > 1e-9:
            problems.append(
                (
                    f"{path}.lengths_hours[{k}]",
                    f"{hours} h is not a whole number of {interval_minutes}-minute intervals",
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
    longest = max(rule.lengths_hours) * 60
    if (
        b.minutes
        and max(rule.lengths_hours) >= b.min_shift_hours
        and b.earliest + b.minutes > longest
    ):
        problems.append(
            (
                f"{path}.break.earliest",
                f"a break at {b.earliest} min would end after the longest shift ({longest:g} min)",
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
        if v is not None and _parse_clock(v) % interval_minutes:
            problems.append((f"{path}.{key}", f"{v} does not fall on an interval boundary"))
    for k, s in enumerate(rule.starts or ()):
        if _parse_clock(s) % interval_minutes:
            problems.append((f"{path}.starts[{k}]", f"{s} does not fall on an interval boundary"))
    if (
        rule.earliest_start
        and rule.latest_start
        and _parse_clock(rule.latest_start) < _parse_clock(rule.earliest_start)
    ):
        problems.append((f"{path}.latest_start", "is before earliest_start"))
    return problems


# ---------------------------------------------------------------------- helpers
def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario YAML file.

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        If the file cannot be read or parsed, or any field is invalid; the message
        names the field path and the reason.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(f"cannot read the file: {exc.strerror or exc}", str(p)) from None
    except UnicodeDecodeError:
        raise ScenarioError("the file is not UTF-8 text", str(p)) from None
    return Scenario.from_yaml(text, source=str(p))


def _safe_yaml(text: str, source: str | None) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.constructor.ConstructorError as exc:
        where = _mark(exc.problem_mark)
        raise ScenarioError(
            f"YAML{where}: tag not allowed ({exc.problem}); scenario files hold plain data only",
            source,
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise ScenarioError(f"YAML{_mark(mark)} cannot be parsed: {problem}", source) from None


def _mark(mark: Any) -> str:
    return f" line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""


_MESSAGES = {
    "float_type": "must be a number",
    "int_type": "must be a whole number",
    "bool_type": "must be true or false",
    "string_type": "must be text",
    "dict_type": "must be a mapping",
    "tuple_type": "must be a list",
    "list_type": "must be a list",
    "missing": "is required",
    "extra_forbidden": "is not a known key",
    "finite_number": "must be a finite number",
}


_BOUNDS = {
    "greater_than_equal": (">=", "ge"),
    "greater_than": (">", "gt"),
    "less_than": ("<", "lt"),
    "less_than_equal": ("<=", "le"),
}


def _pydantic_errors(exc: ValidationError) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for err in exc.errors():
        loc = [
            p
            for p in err["loc"]
            if not (isinstance(p, str) and ("[" in p or p.startswith("function-")))
        ]
        path = ""
        for part in loc:
            if isinstance(part, int):
                path += f"[{part}]"
            else:
                path += ("." if path else "") + ("break" if part == "break_" else str(part))
        kind = err["type"]
        if kind in ("value_error", "assertion_error"):
            reason = str(err["msg"]).removeprefix("Value error, ")
        elif kind in _MESSAGES:
            reason = _MESSAGES[kind]
            if "input" in err and kind not in ("missing",):
                reason += f" (got {err['input']!r})"
        elif kind in _BOUNDS:
            op, key = _BOUNDS[kind]
            reason = f"must be {op} {err.get('ctx', {}).get(key)} (got {err['input']!r})"
        elif kind == "literal_error":
            reason = (
                str(err["msg"]).replace("Input should be", "must be") + f" (got {err['input']!r})"
            )
        else:
            reason = str(err["msg"]).replace("Input should", "must")
        # a union (int | list) reports one error per branch; keep the first per path
        if path in seen:
            continue
        seen.add(path)
        out.append((path, reason))
    return out


def _split(path: str) -> list[str]:
    parts = [p for p in path.split(".") if p]
    if not parts:
        raise ScenarioError([(path, "empty path")])
    return parts


def _child(node: Any, part: str, path: str) -> Any:
    if isinstance(node, list):
        for item in node:
            if isinstance(item, dict) and item.get("group") == part:
                return item
        if part.isdigit() and int(part) < len(node):
            return node[int(part)]
        raise ScenarioError([(path, f"no entry {part!r} here")])
    if isinstance(node, dict) and part in node:
        return node[part]
    raise ScenarioError([(path, f"no key {part!r} here")])


def _get_from(data: dict[str, Any], path: str) -> Any:
    node: Any = data
    for part in _split(path):
        node = _child(node, part, path)
    return node


def _set(data: dict[str, Any], path: str, value: Any) -> None:
    parts = _split(path)
    node: Any = data
    for part in parts[:-1]:
        node = _child(node, part, path)
    last = parts[-1]
    if isinstance(node, dict):
        node[last] = copy.deepcopy(value)
    else:
        raise ScenarioError([(path, "cannot set a value here")])


def _scale(old: Any, factor: float, whole: bool, path: str) -> Any:
    if not math.isfinite(factor) or factor < 0:
        raise ScenarioError([(path, f"scale factor must be a finite number >= 0 (got {factor})")])
    if isinstance(old, list):
        return [_scale(v, factor, whole, path) for v in old]
    if isinstance(old, bool) or not isinstance(old, int | float):
        raise ScenarioError([(path, f"cannot scale a non-number ({old!r})")])
    return int(round(old * factor)) if whole else old * factor


def _tidy(value: Any) -> Any:
    """Floats that are whole numbers become ints (``40`` rather than ``40.0``)."""
    if isinstance(value, dict):
        return {k: _tidy(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_tidy(v) for v in value]
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


class _Dumper(yaml.SafeDumper):
    """Block style for mappings, flow style for lists of numbers."""


def _represent_list(dumper: yaml.SafeDumper, data: list) -> yaml.Node:
    flow = all(isinstance(x, int | float | str) for x in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


def _represent_dict(dumper: yaml.SafeDumper, data: dict) -> yaml.Node:
    flow = bool(data) and len(data) <= 2 and all(isinstance(v, int | float) for v in data.values())
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=flow)


_Dumper.add_representer(list, _represent_list)
_Dumper.add_representer(dict, _represent_dict)


def _atomic_write(path: Path, text: str) -> None:
    """Write via a temporary file and rename, so a crash never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)

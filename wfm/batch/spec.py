"""The sweep spec: a YAML file that varies a base scenario over a grid of points.

A sweep spec (see ``simulations/`` and ``docs/guides/sweeps.md``)::

    name: phone-growth
    scenario: ../scenarios/baseline.yaml   # relative to the spec file, or absolute
    replications: 3
    seed: 1
    point_timeout: 600                      # seconds one point may take (default 1800)
    scale:                                  # multiply a number, or every number of a list
      channels.phone.volume: [0.9, 1.0, 1.1, 1.2]
      agents.voice.staff: [1.0, 1.1]        # a group by its name; staff rounds to whole agents
    set:                                    # replace a value
      channels.messaging.concurrency: [2, 3]
    mix_shift: {from: phone, to: messaging, share: [0, 0.2], aht: 540}
    surge: {channel: social, start: "13:00", peak: [3, 6], half_life_minutes: 60}

Every list is a grid dimension; a single value is applied to every point. Under
``set`` a list is a list of alternatives, so a list-valued field (a volume profile)
is given as a list of lists. ``mix_shift`` and ``surge`` (a mapping, or a list of
mappings for several) take the arguments of :func:`wfm.forecast.mix_shift` and
:func:`wfm.forecast.surge` (``from``, ``to``, ``share``, ``aht`` seconds; ``channel``,
``start`` interval index or clock label, ``peak``, ``half_life_minutes`` or
``half_life`` seconds). A point's scenario is built as: the forecast (when the spec starts
from history), then ``set``, then ``scale``, then each ``mix_shift``, then each
``surge``.

A spec may start from the centre's history instead of a scenario::

    forecast:
      history: ../data/history.csv          # interval history (see wfm.history)
      template: ../scenarios/baseline.yaml  # its channels' parameters and groups
      days: 5                               # open days to forecast
      growth: [1.0, 1.05, 1.1]              # volume what-ifs
      quantile: [mean, 0.8, 0.9]            # plan for the mean or a quantile

Every combination of the lists is one point. A point is identified by a stable hash
of its values, the spec seed and the replications (``point_id``), and simulated as
``wfm.simulate(scenario, seed=derived_seed(spec_seed, values), replications=R)``:
the numbers do not depend on the number of workers, the backend or the order in
which points finish.

Examples
--------
>>> spec = load_spec("simulations/phone_growth.yaml")
>>> spec.name, spec.params, len(spec.points()), spec.replications
('phone-growth', ['channels.phone.volume', 'agents.voice.staff', 'channels.messaging.concurrency'], 16, 3)
>>> spec.points()[0].values["channels.phone.volume"]
0.9
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
from pydantic import BaseModel

from wfm import forecast, limits
from wfm.checks import finite_number, short_repr, whole_number
from wfm.scenario import (
    AgentGroup,
    Channel,
    Scenario,
    ScenarioError,
    ShiftRule,
    Target,
    load_scenario,
)
from wfm.yamlio import load_yaml, read_text

__all__ = [
    "DEFAULT_POINT_TIMEOUT",
    "MEASURES",
    "ROW_MEASURES",
    "Dim",
    "Point",
    "SweepSpec",
    "derived_seed",
    "load_spec",
]

FORMAT = 1
SPEC_KEYS = ("name", "description", "scenario", "forecast", "replications", "seed", "point_timeout",
             "scale", "set", "surge", "mix_shift")
FORECAST_KEYS = ("history", "template", "days", "interval", "start", "country", "subdiv",
                 "growth", "quantile")
#: Seconds one point may take before it is recorded as failed (spec key ``point_timeout``).
DEFAULT_POINT_TIMEOUT = 1800.0
SURGE_KEYS = ("channel", "start", "peak", "half_life_minutes", "half_life")
MIX_KEYS = ("from", "to", "share", "aht")
#: Measures with a mean and a 95% interval in the summary.
MEASURES = ("service_level", "asa", "abandonment", "backlog", "backlog_peak", "exposure")
ROW_MEASURES = ("offered", "answered", "abandoned", "service_level", "asa", "wait_p90",
                "abandonment", "backlog", "backlog_peak", "exposure")
_RATES = ("service_level", "abandonment")


# ---------------------------------------------------------------------- the spec
@dataclass(frozen=True)
class Dim:
    """One parameter of the spec: varied (a list in the file) or fixed (a single value).

    ``name`` is the result column (``channels.phone.volume``, ``surge.peak``,
    ``surge[1].peak``); ``kind`` is ``set``, ``scale``, ``surge`` or ``mix_shift``;
    ``slot`` numbers the surge / mix_shift entry; ``key`` is the dotted path or the
    argument name; ``values`` the alternatives (one when fixed).
    """

    name: str
    kind: str
    slot: int
    key: str
    values: tuple
    varied: bool


@dataclass(frozen=True)
class Point:
    """One point of the grid.

    Attributes
    ----------
    index : int
        Position in the grid (row-major over the varied parameters in file order).
    id : str
        Stable hash of the values, the spec seed and the replications.
    seed : int
        Root seed of the point's simulation (:func:`derived_seed`).
    values : dict
        Every parameter's value at this point, by column name (fixed ones included).
    """

    index: int
    id: str
    seed: int
    values: Mapping[str, Any]


def _canonical(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), default=_json_default)


def _json_default(obj: Any) -> Any:
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, tuple | np.ndarray):
        return list(obj)
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def derived_seed(spec_seed: int, values: Mapping[str, Any]) -> int:
    """The root seed of a point: a hash of the spec seed and the point's values.

    Parameters
    ----------
    spec_seed : int
        The spec's ``seed``.
    values : mapping
        The point's parameter values by column name.

    Returns
    -------
    int
        In ``[0, 2**63)``; independent of the grid's order and of scheduling.
    """
    return _seed_of(spec_seed, {k: _compact(v) for k, v in values.items()})


#: Values whose JSON is longer than this are hashed by their own digest (a 35,136-long
#: volume profile would otherwise be written out again for every point).
_LONG = 1000


def _compact(value: Any) -> Any:
    """``value``, or ``{"sha256": digest}`` of its JSON when that is long."""
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    text = _canonical(value)
    if len(text) <= _LONG:
        return value
    return {"sha256": hashlib.sha256(text.encode()).hexdigest()}


def _seed_of(spec_seed: int, compact: Mapping[str, Any]) -> int:
    digest = hashlib.sha256(_canonical({"seed": int(spec_seed), "values": dict(compact)}).encode())
    return int.from_bytes(digest.digest()[:8], "big") >> 1


def _point_id(spec_seed: int, replications: int, compact: Mapping[str, Any]) -> str:
    text = _canonical({"seed": int(spec_seed), "replications": int(replications),
                       "values": dict(compact)})
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class SweepSpec:
    """A validated sweep spec (see the module docstring for the file format).

    Attributes
    ----------
    name : str
    scenario : Scenario
        The base scenario every point varies.
    replications : int
        Replications per point.
    seed : int
        Spec seed; every point's seed derives from it and the point's values.
    point_timeout : float
        Seconds one point may take; a point running longer is stopped and recorded as
        failed (``timed out``), and the sweep goes on.
    dims : tuple of Dim
        Every parameter, in file order.
    source : str or None
        The spec file, if read from one.
    scenario_source : str or None
        The scenario file, if read from one.
    """

    name: str
    scenario: Scenario
    replications: int
    seed: int
    dims: tuple[Dim, ...]
    point_timeout: float = DEFAULT_POINT_TIMEOUT
    source: str | None = None
    scenario_source: str | None = None
    forecast: Any = None  # a wfm.forecast.Forecast when the spec starts from history
    template: Scenario | None = None
    _points: list[Point] = field(default_factory=list, repr=False, compare=False)

    def __getstate__(self) -> dict[str, Any]:
        # the points are not shipped to workers with every task; they are rebuilt
        state = dict(self.__dict__)
        state["_points"] = []
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        for k, v in state.items():
            object.__setattr__(self, k, v)

    @property
    def params(self) -> list[str]:
        """Names (result columns) of the varied parameters."""
        return [d.name for d in self.dims if d.varied]

    @property
    def channels(self) -> list[str]:
        """The base scenario's channel names."""
        return self.scenario.channel_names

    @property
    def n_points(self) -> int:
        """Number of points of the grid (computed without building them)."""
        return math.prod(len(d.values) for d in self.dims if d.varied)

    def points(self) -> list[Point]:
        """Every point of the grid, in grid order."""
        if not self._points:
            varied = [d for d in self.dims if d.varied]
            fixed = {d.name: d.values[0] for d in self.dims if not d.varied}
            fixed_c = {k: _compact(v) for k, v in fixed.items()}
            compact = [[_compact(v) for v in d.values] for d in varied]  # once per value
            ranges = [range(len(d.values)) for d in varied]
            for index, combo in enumerate(itertools.product(*ranges)):
                values = {**fixed, **{d.name: d.values[k] for d, k in zip(varied, combo, strict=True)}}
                keys = {**fixed_c, **{d.name: compact[j][k]
                                      for j, (d, k) in enumerate(zip(varied, combo, strict=True))}}
                self._points.append(Point(
                    index=index,
                    id=_point_id(self.seed, self.replications, keys),
                    seed=_seed_of(self.seed, keys),
                    values=values,
                ))
        return list(self._points)

    def scenario_for(self, point: Point | Mapping[str, Any]) -> Scenario:
        """The scenario of a point: ``set``, then ``scale``, then mix shifts, then surges.

        Raises :class:`ScenarioError` when the point's scenario is invalid.
        """
        values = point.values if isinstance(point, Point) else point
        sets: dict[str, Any] = {}
        scales: dict[str, float] = {}
        slots: dict[tuple[str, int], dict[str, Any]] = {}
        for d in self.dims:
            v = values[d.name] if d.name in values else d.values[0]
            if d.kind == "set":
                sets[d.key] = v
            elif d.kind == "scale":
                scales[d.key] = v
            else:
                slots.setdefault((d.kind, d.slot), {})[d.key] = v
        sc = self.scenario
        fc = slots.pop(("forecast", 0), None)
        if fc is not None and self.forecast is not None and self.template is not None:
            q = fc.get("quantile", "mean")
            sc = self.forecast.to_scenario(self.template, quantile=None if q == "mean" else float(q),
                                           growth=float(fc.get("growth", 1.0)))
        if sets:
            sc = sc.with_values(sets)
        if scales:
            sc = sc.scaled(scales)
        for (kind, _), args in sorted(slots.items(), key=lambda kv: (kv[0][0] != "mix_shift", kv[0][1])):
            if kind == "mix_shift":
                sc = forecast.mix_shift(sc, args["from"], args["to"], args["share"], args.get("aht"))
            else:
                half_life = args.get("half_life")
                if "half_life_minutes" in args:
                    minutes = args["half_life_minutes"]
                    if isinstance(minutes, bool) or not isinstance(minutes, int | float):
                        raise ScenarioError([("surge.half_life_minutes",
                                              f"must be a number of minutes (got {short_repr(minutes)})")])
                    half_life = minutes * 60.0
                if half_life is None:
                    raise ScenarioError([("surge.half_life", "is required")])
                sc = forecast.surge(sc, args["channel"], args["start"], args["peak"], half_life)
        return sc

    @property
    def fingerprint(self) -> str:
        """Hash of everything that determines the results (not the name)."""
        text = _canonical({
            "format": FORMAT,
            "scenario": self.scenario.to_dict(),
            "replications": self.replications,
            "seed": self.seed,
            "dims": [[d.name, d.kind, d.slot, d.key, list(d.values), d.varied] for d in self.dims],
        })
        return hashlib.sha256(text.encode()).hexdigest()

    def arrow_schema(self) -> pa.Schema:
        """The schema of the result rows (and of every point file)."""
        fields = [pa.field(d.name, _param_type(d.values)) for d in self.dims if d.varied]
        fields += [
            pa.field("point", pa.int64()),
            pa.field("point_id", pa.string()),
            pa.field("seed", pa.int64()),
            pa.field("replication", pa.int64()),
            pa.field("channel", pa.string()),
            *(pa.field(m, pa.float64()) for m in ROW_MEASURES),
            pa.field("error", pa.string()),
        ]
        return pa.schema(fields)


def _param_type(values: Sequence[Any]) -> pa.DataType:
    if all(isinstance(v, bool) for v in values):
        return pa.bool_()
    if all(isinstance(v, int | np.integer) and not isinstance(v, bool) for v in values):
        return pa.int64()
    if all(isinstance(v, int | float | np.number) and not isinstance(v, bool) for v in values):
        return pa.float64()
    if all(isinstance(v, str) for v in values):
        return pa.string()
    return pa.string()  # lists, mappings or mixed types: JSON text


def _param_column(values: Sequence[Any], typ: pa.DataType) -> list[Any]:
    if typ == pa.string():
        return [v if isinstance(v, str) else _canonical(v) for v in values]
    if typ == pa.float64():
        return [float(v) for v in values]
    return list(values)


def load_spec(spec: str | Path | Mapping[str, Any] | SweepSpec) -> SweepSpec:
    """Read and validate a sweep spec.

    Parameters
    ----------
    spec : str, Path or mapping
        A YAML file, or the mapping it would hold. In a mapping, ``scenario`` may also
        be a :class:`~wfm.scenario.Scenario` or a scenario mapping; a relative path is
        taken from the spec file's folder (from the working directory for a mapping).

    Returns
    -------
    SweepSpec

    Raises
    ------
    ScenarioError
        When the spec is invalid: an unknown key, a path that does not exist in the
        scenario, an empty list, a bad type; the message names the key.
    """
    if isinstance(spec, SweepSpec):
        return spec
    source: str | None = None
    base_dir = Path.cwd()
    if isinstance(spec, str | Path):
        p = Path(spec)
        source = str(p)
        data = load_yaml(read_text(p, "sweep spec"), source)
        base_dir = p.resolve().parent
    else:
        data = spec
    if not isinstance(data, Mapping):
        raise ScenarioError("a sweep spec must be a mapping of keys to values", source)
    try:
        return _parse_spec(dict(data), base_dir, source)
    except ScenarioError as exc:
        if exc.source is None and source is not None:
            raise ScenarioError(exc.errors, f"(sweep spec {source})") from None
        raise


def _err(path: str, reason: str) -> ScenarioError:
    return ScenarioError([(path, reason)])


def _parse_spec(data: dict[str, Any], base_dir: Path, source: str | None) -> SweepSpec:
    for key in data:
        if key not in SPEC_KEYS:
            raise _err(short_repr(key, 40) if not isinstance(key, str) else key[:60],
                       f"is not a known key (known: {', '.join(SPEC_KEYS)})")
    fc_obj, template = None, None
    if "forecast" in data:
        if "scenario" in data:
            raise _err("scenario", "give either scenario or forecast (whose template is the"
                                   " scenario), not both")
        fc_obj, template, scenario_source = _spec_forecast(data["forecast"], base_dir)
        scenario = fc_obj.to_scenario(template)
    elif "scenario" not in data:
        raise _err("scenario", "is required (a scenario file, relative to the spec), or a"
                               " forecast from history")
    else:
        scenario, scenario_source = _spec_scenario(data["scenario"], base_dir)
    name = data.get("name") or (Path(source).stem if source else "sweep")
    if not isinstance(name, str):
        raise _err("name", f"must be text (got {short_repr(name)})")
    try:
        replications = whole_number("replications", data.get("replications", 1), minimum=1)
        seed = whole_number("seed", data.get("seed", 0), minimum=0)
        point_timeout = finite_number(
            "point_timeout", data.get("point_timeout", DEFAULT_POINT_TIMEOUT), minimum=0, strict=True
        )
    except ValueError as exc:
        key, _, reason = str(exc).partition(" must ")
        raise _err(key, "must " + reason) from None
    limits.check("replications", replications, "max_replications")

    dims: list[Dim] = []
    for kind in data:  # file order sets the grid order
        if kind == "forecast":
            for key in ("growth", "quantile"):
                if key in data[kind]:
                    values, varied = _alternatives(data[kind][key], f"forecast.{key}")
                    for v in values:
                        _check_forecast_value(key, v)
                    dims.append(Dim(f"forecast.{key}", "forecast", 0, key, values, varied))
        elif kind in ("scale", "set"):
            dims.extend(_parse_paths(scenario, kind, data[kind]))
        elif kind == "mix_shift":
            dims.extend(_parse_entries(scenario, kind, data[kind], MIX_KEYS, ("from", "to", "share")))
        elif kind == "surge":
            dims.extend(_parse_entries(scenario, kind, data[kind], SURGE_KEYS,
                                       ("channel", "start", "peak")))
    names = [d.name for d in dims]
    for n in names:
        if names.count(n) > 1:
            raise _err(f"set.{n}", f"is both set and scaled; vary {n} in one place only")
    spec = SweepSpec(name=name, scenario=scenario, replications=replications, seed=seed,
                     dims=tuple(dims), point_timeout=point_timeout, source=source,
                     scenario_source=scenario_source, forecast=fc_obj, template=template)
    limits.check("points (the product of the list lengths)", spec.n_points, "max_grid_points")
    return spec


def _parse_paths(scenario: Scenario, kind: str, section: Any) -> list[Dim]:
    if section is None:
        return []
    if not isinstance(section, Mapping):
        raise _err(kind, "must be a mapping of dotted scenario paths to values")
    dims = []
    for path, value in section.items():
        key = f"{kind}.{path}"
        if not isinstance(path, str) or not path:
            raise _err(key, "must be a dotted scenario path such as channels.phone.aht")
        _check_path(scenario, kind, path, key)
        values, varied = _alternatives(value, key)
        if kind == "scale":
            for v in values:
                if isinstance(v, bool) or not isinstance(v, int | float):
                    raise _err(key, f"scale factors must be numbers (got {short_repr(v)})")
        dims.append(Dim(path, kind, -1, path, values, varied))
    return dims


def _parse_entries(scenario: Scenario, kind: str, section: Any, keys: Sequence[str],
                   required: Sequence[str]) -> list[Dim]:
    if section is None:
        return []
    entries = section if isinstance(section, list) else [section]
    if not entries:
        raise _err(kind, "must not be empty")
    dims = []
    for slot, entry in enumerate(entries):
        prefix = kind if not isinstance(section, list) else f"{kind}[{slot}]"
        if not isinstance(entry, Mapping):
            raise _err(prefix, f"must be a mapping with keys {', '.join(keys)}")
        for k in entry:
            if k not in keys:
                raise _err(f"{prefix}.{k}", f"is not a known key (known: {', '.join(keys)})")
        for k in required:
            if k not in entry:
                raise _err(f"{prefix}.{k}", "is required")
        if kind == "surge" and ("half_life_minutes" in entry) + ("half_life" in entry) != 1:
            raise _err(f"{prefix}.half_life_minutes",
                       "give exactly one of half_life_minutes or half_life (seconds)")
        for k in entry:
            values, varied = _alternatives(entry[k], f"{prefix}.{k}")
            if k in ("from", "to", "channel"):
                for v in values:
                    if v not in scenario.channels:
                        raise _err(f"{prefix}.{k}", f"names no channel (got {short_repr(v)}; channels:"
                                                    f" {', '.join(scenario.channels)})")
            dims.append(Dim(f"{prefix}.{k}", kind, slot, k, values, varied))
    return dims


def _check_forecast_value(key: str, v: Any) -> None:
    if key == "quantile":
        ok = v == "mean" or (isinstance(v, int | float) and not isinstance(v, bool) and 0 < v < 1)
        if not ok:
            raise _err("forecast.quantile", f"must be mean or a number in (0, 1) (got {short_repr(v)})")
    elif isinstance(v, bool) or not isinstance(v, int | float) or not 0 <= v <= 100:
        raise _err("forecast.growth", f"must be a factor between 0 and 100 (got {short_repr(v)})")


def _spec_forecast(section: Any, base_dir: Path) -> tuple[Any, Scenario, str | None]:
    """The forecast of a spec starting from history, and its template scenario."""
    from wfm.forecast import forecast as make_forecast
    from wfm.history import read_history

    if not isinstance(section, Mapping):
        raise _err("forecast", f"must be a mapping with keys {', '.join(FORECAST_KEYS)}")
    for k in section:
        if k not in FORECAST_KEYS:
            raise _err(f"forecast.{k}" if isinstance(k, str) else "forecast",
                       f"is not a known key (known: {', '.join(FORECAST_KEYS)})")
    for k in ("history", "template", "days"):
        if k not in section:
            raise _err(f"forecast.{k}", "is required")
    template, template_source = _spec_scenario(section["template"], base_dir)
    path = Path(str(section["history"]))
    if not path.is_absolute():
        path = base_dir / path
    history = read_history(path)
    try:
        days = whole_number("forecast.days", section["days"], minimum=1, maximum=366)
        interval = section.get("interval", template.interval_minutes)
        fc = make_forecast(history, days, interval_minutes=interval, start=section.get("start"),
                           country=section.get("country"), subdiv=section.get("subdiv"),
                           channels=list(template.channels))
    except ValueError as exc:
        raise _err("forecast", str(exc)) from None
    return fc, template, f"{path} (template {template_source})"


def _spec_scenario(value: Any, base_dir: Path) -> tuple[Scenario, str | None]:
    if isinstance(value, Scenario):
        return value, None
    if isinstance(value, Mapping):
        return Scenario.from_dict(value, "scenario"), None
    if not isinstance(value, str | Path) or not str(value):
        raise _err("scenario", f"must be a scenario file path (got {short_repr(value)})")
    p = Path(value)
    if not p.is_absolute():
        p = base_dir / p
    if not p.exists():
        raise _err("scenario", f"no such file: {p}")
    if not p.is_file():
        raise _err("scenario", f"{p} is {'a folder' if p.is_dir() else 'not a regular file'}")
    return load_scenario(p), str(p)


_MODELS: dict[str, type[BaseModel]] = {"channel": Channel, "target": Target, "group": AgentGroup, "scenario": Scenario,
           "shift": ShiftRule}


def _field_names(model: type[BaseModel]) -> set[str]:
    out = set()
    for name, info in model.model_fields.items():
        out.add(info.alias or name)
    return out


def _check_path(scenario: Scenario, kind: str, path: str, key: str) -> None:
    """The path must exist in the scenario; ``set`` may also name an optional field."""
    try:
        value = scenario.get(path)
    except ScenarioError:
        value = _MISSING
    if value is _MISSING:
        parts = path.split(".")
        model = None
        if kind == "set":
            if len(parts) == 1:
                model = "scenario"
            elif parts[0] == "channels" and len(parts) == 3 and parts[1] in scenario.channels:
                model = "channel"
            elif parts[0] == "agents" and len(parts) == 3 and parts[1] in scenario.group_names:
                model = "group"
            elif parts[0] == "shifts" and len(parts) == 3 and parts[1] in scenario.shifts:
                model = "shift"
        if model is None or parts[-1] not in _field_names(_MODELS[model]):
            raise _err(key, f"{path!r} is not a value of the scenario")
        return
    if kind == "scale":
        nums = value if isinstance(value, list) else [value]
        if not nums or any(isinstance(v, bool) or not isinstance(v, int | float) for v in nums):
            raise _err(key, f"{path!r} is not a number or a list of numbers; only numbers scale")


_MISSING = object()


def _alternatives(value: Any, key: str) -> tuple[tuple, bool]:
    if isinstance(value, list):
        if not value:
            raise _err(key, "is an empty list; give at least one value")
        return tuple(value), True
    if value is None:
        raise _err(key, "has no value")
    return (value,), False

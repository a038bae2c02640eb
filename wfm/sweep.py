"""Batch experiments: run every point of a sweep spec through :func:`wfm.simulate`.

A sweep spec is a YAML file (see ``simulations/``)::

    name: phone-growth
    scenario: ../scenarios/baseline.yaml   # relative to the spec file, or absolute
    replications: 3
    seed: 1
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
``half_life`` seconds). A point's scenario is built as: ``set``, then ``scale``, then
each ``mix_shift``, then each ``surge``.

Points and seeds
    Every combination of the lists is one point. A point is identified by a stable hash
    of its values, the spec seed and the replications (``point_id``), and simulated as
    ``wfm.simulate(scenario, seed=derived_seed(spec_seed, values), replications=R)``:
    the numbers do not depend on the number of workers, the backend or the order in
    which points finish.

Output directory (``out``)
    ``sweep.json`` (what was run; a rerun with a different spec is refused),
    ``points/<point_id>.parquet`` (one file per finished point, written atomically as
    points finish: a crash or Ctrl-C loses at most the points in flight, and a rerun
    skips the points already there), then ``results.parquet`` (all rows),
    ``summary.parquet`` and ``sweep.html``.

Results (one row per point x replication x channel)
    the varied parameters (a column each, named by its key, e.g.
    ``channels.phone.volume`` or ``surge.peak``), ``point`` (index in the grid),
    ``point_id``, ``seed`` (the point's root seed), ``replication``, ``channel``,
    ``offered``, ``answered``, ``abandoned`` (contacts), ``service_level`` (fraction),
    ``asa`` (s), ``wait_p90`` (s), ``abandonment`` (fraction), ``backlog`` (contacts
    waiting at the horizon's end), ``error`` (null when the point ran; otherwise the
    message, with one row for the point and null measures).

Summary (one row per point x channel)
    ``point``, the varied parameters, ``channel``, ``n`` (replications), and for each
    of ``service_level``, ``asa``, ``abandonment``, ``backlog``: the mean over
    replications and ``<m>_lo``, ``<m>_hi``, its 95% Student-t interval (NaN with one
    replication; clipped to [0, 1] for rates and at 0 below).

Backends
    local processes (``workers``, default the number of cores; a pool of spawned
    processes kept for reuse by later sweeps in the same Python process), or Dask
    (``scheduler="tcp://host:8786"`` or a ``distributed.Client``; ``use_dask=True``
    starts a ``LocalCluster`` on 127.0.0.1). Dask workers need ``wfm`` importable.

Examples
--------
>>> import wfm
>>> df = wfm.sweep("simulations/phone_growth.yaml", out="out/phone-growth")   # doctest: +SKIP
>>> wfm.sweep.summarize(df)                                                  # doctest: +SKIP
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import io
import itertools
import json
import os
import signal
import sys
import time
import types
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from wfm import forecast
from wfm.scenario import (
    AgentGroup,
    Channel,
    Scenario,
    ScenarioError,
    ShiftRule,
    Target,
    load_scenario,
)

__all__ = [
    "MEASURES",
    "Point",
    "SweepError",
    "SweepSpec",
    "cli_sweep",
    "derived_seed",
    "load_spec",
    "summarize",
    "sweep",
]

FORMAT = 1
SPEC_KEYS = ("name", "description", "scenario", "replications", "seed", "scale", "set",
             "surge", "mix_shift")
SURGE_KEYS = ("channel", "start", "peak", "half_life_minutes", "half_life")
MIX_KEYS = ("from", "to", "share", "aht")
#: Measures with a mean and a 95% interval in the summary.
MEASURES = ("service_level", "asa", "abandonment", "backlog")
ROW_MEASURES = ("offered", "answered", "abandoned", "service_level", "asa", "wait_p90",
                "abandonment", "backlog")
_RATES = ("service_level", "abandonment")


class SweepError(RuntimeError):
    """The output directory cannot be used for this sweep (it holds another spec)."""


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
    digest = hashlib.sha256(_canonical({"seed": int(spec_seed), "values": dict(values)}).encode())
    return int.from_bytes(digest.digest()[:8], "big") >> 1


def _point_id(spec_seed: int, replications: int, values: Mapping[str, Any]) -> str:
    text = _canonical({"seed": int(spec_seed), "replications": int(replications),
                       "values": dict(values)})
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
    source: str | None = None
    scenario_source: str | None = None
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
        return self.scenario.channel_names

    def points(self) -> list[Point]:
        """Every point of the grid, in grid order."""
        if not self._points:
            varied = [d for d in self.dims if d.varied]
            fixed = {d.name: d.values[0] for d in self.dims if not d.varied}
            for index, combo in enumerate(itertools.product(*(d.values for d in varied))):
                values = {**fixed, **{d.name: v for d, v in zip(varied, combo, strict=True)}}
                self._points.append(Point(
                    index=index,
                    id=_point_id(self.seed, self.replications, values),
                    seed=derived_seed(self.seed, values),
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
                                              f"must be a number of minutes (got {minutes!r})")])
                    half_life = minutes * 60.0
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


def load_spec(spec: str | Path | Mapping[str, Any]) -> SweepSpec:
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
        try:
            text = p.read_text(encoding="utf-8")
        except OSError as exc:
            raise ScenarioError(f"cannot read the sweep spec: {exc.strerror or exc}", source) from None
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ScenarioError(f"the sweep spec is not valid YAML: {exc}", source) from None
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
            raise _err(str(key), f"is not a known key (known: {', '.join(SPEC_KEYS)})")
    if "scenario" not in data:
        raise _err("scenario", "is required (a scenario file, relative to the spec)")
    scenario, scenario_source = _spec_scenario(data["scenario"], base_dir)
    name = data.get("name") or (Path(source).stem if source else "sweep")
    if not isinstance(name, str):
        raise _err("name", f"must be text (got {name!r})")
    replications = data.get("replications", 1)
    if isinstance(replications, bool) or not isinstance(replications, int) or replications < 1:
        raise _err("replications", f"must be a whole number >= 1 (got {replications!r})")
    seed = data.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise _err("seed", f"must be a whole number >= 0 (got {seed!r})")

    dims: list[Dim] = []
    for kind in data:  # file order sets the grid order
        if kind in ("scale", "set"):
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
    return SweepSpec(name=name, scenario=scenario, replications=replications, seed=seed,
                     dims=tuple(dims), source=source, scenario_source=scenario_source)


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
                    raise _err(key, f"scale factors must be numbers (got {v!r})")
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
                        raise _err(f"{prefix}.{k}", f"names no channel (got {v!r}; channels:"
                                                    f" {', '.join(scenario.channels)})")
            dims.append(Dim(f"{prefix}.{k}", kind, slot, k, values, varied))
    return dims


def _spec_scenario(value: Any, base_dir: Path) -> tuple[Scenario, str | None]:
    if isinstance(value, Scenario):
        return value, None
    if isinstance(value, Mapping):
        return Scenario.from_dict(value, "scenario"), None
    if not isinstance(value, str | Path) or not str(value):
        raise _err("scenario", f"must be a scenario file path (got {value!r})")
    p = Path(value)
    if not p.is_absolute():
        p = base_dir / p
    if not p.is_file():
        raise _err("scenario", f"no such file: {p}")
    return load_scenario(p), str(p)


_MODELS = {"channel": Channel, "target": Target, "group": AgentGroup, "scenario": Scenario,
           "shift": ShiftRule}


def _field_names(model: type) -> set[str]:
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


# ---------------------------------------------------------------------- the work
def _run_chunk(spec: SweepSpec, points: list[Point]) -> list[tuple[int, str | None, bytes]]:
    """Run points in a worker; per point (index, error or None, Parquet bytes of its rows)."""
    return [_run_point(spec, p) for p in points]


def _run_point(spec: SweepSpec, point: Point) -> tuple[int, str | None, bytes]:
    from wfm.sim.engine import simulate

    schema = spec.arrow_schema()
    error: str | None = None
    try:
        sc = spec.scenario_for(point)
        res = simulate(sc, seed=point.seed, replications=spec.replications)
        reps = res.replications
        n = len(reps)
        cols: dict[str, Any] = {
            "replication": reps["replication"].to_numpy("int64"),
            "channel": reps["channel"].to_numpy(object),
        }
        for m in ROW_MEASURES:
            cols[m] = reps[m].to_numpy("float64")
        cols["error"] = [None] * n
    except Exception as exc:  # a point's failure is recorded; the sweep goes on
        error = f"{type(exc).__name__}: {exc}"
        cols, n = _error_columns(error), 1
    return point.index, error, _point_bytes(spec, schema, point, cols, n)


def _error_columns(error: str) -> dict[str, Any]:
    cols: dict[str, Any] = {"replication": [None], "channel": [None]}
    cols.update({m: [None] for m in ROW_MEASURES})
    cols["error"] = [error]
    return cols


def _point_table(spec: SweepSpec, schema: pa.Schema, point: Point, cols: dict[str, Any],
                 n: int) -> pa.Table:
    data: dict[str, Any] = {}
    for d in spec.dims:
        if d.varied:
            typ = schema.field(d.name).type
            data[d.name] = _param_column([point.values[d.name]] * n, typ)
    data.update(point=[point.index] * n, point_id=[point.id] * n, seed=[point.seed] * n)
    data.update(cols)
    return pa.Table.from_pydict(data, schema=schema)


def _point_bytes(spec: SweepSpec, schema: pa.Schema, point: Point, cols: dict[str, Any],
                 n: int) -> bytes:
    buf = io.BytesIO()
    pq.write_table(_point_table(spec, schema, point, cols, n), buf)
    return buf.getvalue()


def _ignore_sigint() -> None:
    # Ctrl-C goes to the whole process group; the parent decides, the workers go on
    # with their point and stop when the parent shuts the pool down.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


_POOLS: dict[int, Any] = {}


def _pool(workers: int):
    """A process pool of ``workers`` spawned processes, kept for reuse by later sweeps."""
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    pool = _POOLS.get(workers)
    if pool is not None and not getattr(pool, "_broken", False) and not getattr(
        pool, "_shutdown_thread", False
    ):
        return pool
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"),
                               initializer=_ignore_sigint)
    _POOLS[workers] = pool
    return pool


def shutdown_pools() -> None:
    """Stop the worker processes kept for reuse (also done at interpreter exit)."""
    while _POOLS:
        _, pool = _POOLS.popitem()
        pool.shutdown(wait=True, cancel_futures=True)


atexit.register(shutdown_pools)


def _chunks(points: list[Point], size: int) -> list[list[Point]]:
    return [points[i:i + size] for i in range(0, len(points), size)]


def _auto_chunk(n: int, workers: int, dask: bool = False) -> int:
    """Points per task. A point takes tens of milliseconds; a task costs about a
    millisecond on local processes and several on Dask (measured: benchmarks/README.md).
    Keep >= 20 tasks per worker (10 on Dask) so the tail stays short; at most 8 points."""
    return max(1, min(8, n // (workers * (10 if dask else 20))))


Outcome = tuple[int, str | None, bytes | None]


def _run_local(spec: SweepSpec, todo: list[Point], workers: int, chunk: int | None,
               on_done: Callable[[Outcome], None]) -> None:
    from concurrent.futures import FIRST_COMPLETED, wait
    from concurrent.futures.process import BrokenProcessPool

    pool = _pool(workers)
    chunk = chunk or _auto_chunk(len(todo), workers)
    futures = {}
    try:
        for part in _chunks(todo, chunk):
            futures[pool.submit(_run_chunk, spec, part)] = part
        pending = set(futures)
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                try:
                    outcomes = fut.result()
                except BaseException as exc:  # noqa: BLE001 - infrastructure, not the point
                    if isinstance(exc, BrokenProcessPool):
                        _POOLS.pop(workers, None)
                    outcomes = [(p.index, f"worker failed: {type(exc).__name__}: {exc}", None)
                                for p in futures[fut]]
                for o in outcomes:
                    on_done(o)
    except BaseException:
        for fut in futures:
            fut.cancel()
        _POOLS.pop(workers, None)
        pool.shutdown(wait=False, cancel_futures=True)
        raise


def _run_dask(spec: SweepSpec, todo: list[Point], workers: int, chunk: int | None,
              scheduler: Any, use_dask: bool, on_done: Callable[[Outcome], None]) -> None:
    try:
        import distributed
    except ImportError:  # pragma: no cover - dask is an optional dependency
        raise RuntimeError("Dask is not installed: pip install 'dask[distributed]'") from None
    cluster = None
    if isinstance(scheduler, distributed.Client):
        client, own = scheduler, False
    elif scheduler is not None:
        client, own = distributed.Client(str(scheduler), timeout="30s"), True
    else:
        with warnings.catch_warnings():
            # without a dashboard the scheduler still serves health checks over HTTP, on
            # 8787 or, when that is taken (another cluster), another port: not a problem
            warnings.filterwarnings("ignore", message="Port 8787 is already in use")
            cluster = distributed.LocalCluster(n_workers=workers, threads_per_worker=1,
                                               host="127.0.0.1", dashboard_address=None,
                                               processes=True)
        client, own = distributed.Client(cluster), True
    futures = {}
    try:
        if chunk is None:
            n_workers = len(client.scheduler_info().get("workers", {})) or workers
            chunk = _auto_chunk(len(todo), n_workers, dask=True)
        spec_future = client.scatter(spec, broadcast=True, hash=False)
        for part in _chunks(todo, chunk):
            futures[client.submit(_run_chunk, spec_future, part, pure=False)] = part
        for fut in distributed.as_completed(list(futures)):
            if fut.status == "finished":
                outcomes = fut.result()
            else:
                exc = fut.exception()
                outcomes = [(p.index, f"worker failed: {type(exc).__name__}: {exc}", None)
                            for p in futures[fut]]
            for o in outcomes:
                on_done(o)
    except BaseException:
        with contextlib.suppress(Exception):
            client.cancel(list(futures))
        raise
    finally:
        if own:
            with contextlib.suppress(Exception):
                client.close()
            if cluster is not None:
                with contextlib.suppress(Exception):
                    cluster.close()


# ---------------------------------------------------------------------- the output directory
def _atomic_bytes(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def _atomic_table(path: Path, table: pa.Table) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        pq.write_table(table, tmp, compression="zstd")
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def _prepare_out(out: Path, spec: SweepSpec) -> set[str]:
    """Create or check the output directory; the ids of the points already done."""
    out.mkdir(parents=True, exist_ok=True)
    points_dir = out / "points"
    manifest_path = out / "sweep.json"
    fingerprint = spec.fingerprint
    if manifest_path.exists():
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise SweepError(f"{manifest_path} cannot be read ({exc}); use another --out") from None
        if manifest.get("fingerprint") != fingerprint:
            raise SweepError(
                f"{out} holds the results of a different sweep spec"
                f" ({manifest.get('name')!r} from {manifest.get('spec')}); results of one spec"
                " only go into one directory: use another --out, or delete it to start over"
            )
    elif points_dir.is_dir() and any(points_dir.glob("*.parquet")):
        raise SweepError(f"{out} holds point files but no sweep.json; use another --out")
    else:
        manifest = {
            "format": FORMAT,
            "name": spec.name,
            "spec": spec.source,
            "scenario": spec.scenario_source,
            "fingerprint": fingerprint,
            "replications": spec.replications,
            "seed": spec.seed,
            "params": spec.params,
            "points": len(spec.points()),
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
        _atomic_bytes(manifest_path, (json.dumps(manifest, indent=2) + "\n").encode())
    points_dir.mkdir(exist_ok=True)
    for tmp in points_dir.glob(".*.tmp"):  # left by a crash mid-write
        with contextlib.suppress(OSError):
            tmp.unlink()
    return {p.stem for p in points_dir.glob("*.parquet")}


# ---------------------------------------------------------------------- the public API
def sweep(
    spec_or_path: str | Path | Mapping[str, Any] | SweepSpec,
    out: str | Path | None = None,
    workers: int | None = None,
    scheduler: Any = None,
    use_dask: bool = False,
    progress: bool = False,
    *,
    console: Any = None,
    chunk_size: int | None = None,
) -> pd.DataFrame:
    """Run every point of a sweep spec through :func:`wfm.simulate`, in parallel.

    Parameters
    ----------
    spec_or_path : str, Path, mapping or SweepSpec
        The spec (see the module docstring).
    out : str or Path, optional
        Results directory: point files as points finish, then ``results.parquet``,
        ``summary.parquet`` and ``sweep.html``. A rerun into it skips the points done.
        Without it nothing is written and nothing resumes.
    workers : int, optional
        Local worker processes (default: the number of cores available), or the Dask
        ``LocalCluster``'s workers with ``use_dask``; unused with ``scheduler``.
    scheduler : str or distributed.Client, optional
        A Dask scheduler address (``"tcp://host:8786"``) or client to run on.
    use_dask : bool, default False
        Start a local Dask cluster (``workers`` processes on 127.0.0.1) for the run.
    progress : bool, default False
        Show a progress bar (points done, failures, ETA).
    console : rich.console.Console, optional
        Where the progress bar goes.
    chunk_size : int, optional
        Points per task (default: chosen from the number of points and workers).

    Returns
    -------
    pandas.DataFrame
        One row per point x replication x channel (see the module docstring); a point
        that failed has one row with its ``error``. ``df.attrs`` holds ``params`` (the
        varied parameters), ``failed`` (points with an error), ``ran`` (points run now),
        ``resumed`` (points found done in ``out``), ``elapsed`` (s) and ``timings``
        (seconds spent preparing, running the points and writing the results).

    Raises
    ------
    ScenarioError
        The spec is invalid.
    SweepError
        ``out`` holds the results of another spec.
    """
    t0 = time.perf_counter()
    spec = load_spec(spec_or_path)
    if scheduler is not None and use_dask:
        raise ValueError("give either scheduler (an existing Dask cluster) or use_dask, not both")
    if workers is None:
        workers = _cores()
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be a whole number >= 1 (got {workers!r})")
    if chunk_size is not None and (not isinstance(chunk_size, int) or chunk_size < 1):
        raise ValueError(f"chunk_size must be a whole number >= 1 (got {chunk_size!r})")
    points = spec.points()
    out_dir = Path(out) if out is not None else None
    done_ids = _prepare_out(out_dir, spec) if out_dir is not None else set()
    todo = [p for p in points if p.id not in done_ids]
    by_index = {p.index: p for p in points}
    tables: dict[int, pa.Table] = {}  # kept in memory only without out, or when not persisted
    failed_now = 0
    schema = spec.arrow_schema()

    bar = _Bar(progress, console, spec.name, len(todo), len(points) - len(todo))

    def on_done(outcome: Outcome) -> None:
        nonlocal failed_now
        index, error, data = outcome
        point = by_index[index]
        if data is None:  # the worker itself failed: keep the error, do not persist
            tables[index] = _point_table(spec, schema, point, _error_columns(error or ""), 1)
        elif out_dir is not None:
            _atomic_bytes(out_dir / "points" / f"{point.id}.parquet", data)
        else:
            tables[index] = pq.read_table(pa.BufferReader(data))
        if error is not None:
            failed_now += 1
        bar.advance(error is not None)

    t_run = time.perf_counter()
    with bar:
        if todo:
            if scheduler is not None or use_dask:
                _run_dask(spec, todo, workers, chunk_size, scheduler, use_dask, on_done)
            else:
                _run_local(spec, todo, workers, chunk_size, on_done)
    t_finish = time.perf_counter()
    results = _collect(spec, schema, out_dir, tables)
    failed = int(results.loc[results["error"].notna(), "point"].nunique())
    results.attrs.update(params=spec.params, failed=failed, ran=len(todo),
                         resumed=len(points) - len(todo), elapsed=time.perf_counter() - t0,
                         name=spec.name)
    if out_dir is not None:
        _atomic_table(out_dir / "results.parquet", pa.Table.from_pandas(results, preserve_index=False))
        summary = summarize(results, spec.params)
        _atomic_table(out_dir / "summary.parquet", pa.Table.from_pandas(summary, preserve_index=False))
        results.attrs["report_error"] = _write_report(summary, spec.params, out_dir / "sweep.html")
    t_end = time.perf_counter()
    results.attrs["elapsed"] = t_end - t0
    results.attrs["timings"] = {"prepare": t_run - t0, "run": t_finish - t_run,
                                "finish": t_end - t_finish}
    return results


def _collect(spec: SweepSpec, schema: pa.Schema, out_dir: Path | None,
             tables: dict[int, pa.Table]) -> pd.DataFrame:
    parts: list[pa.Table] = []
    for p in spec.points():
        if p.index in tables:
            parts.append(tables[p.index])
        elif out_dir is not None:
            path = out_dir / "points" / f"{p.id}.parquet"
            if path.exists():
                parts.append(pq.read_table(path, schema=schema))
    table = pa.concat_tables(parts) if parts else schema.empty_table()
    df = table.to_pandas()
    for col in ("replication", "point", "seed"):
        df[col] = df[col].astype("Int64")
    return df


def _write_report(summary: pd.DataFrame, params: list[str], path: Path) -> str | None:
    """Write sweep.html; the error message if that failed (the results are kept)."""
    try:
        from wfm.report import write_sweep_report

        write_sweep_report(summary, params, path)
    except Exception as exc:  # noqa: BLE001 - the parquet results matter more
        return f"{type(exc).__name__}: {exc}"
    return None


def summarize(results: pd.DataFrame, params: Sequence[str] | None = None) -> pd.DataFrame:
    """Means and 95% intervals over replications, per point x channel.

    Parameters
    ----------
    results : pandas.DataFrame
        As returned by :func:`sweep` (or read from ``results.parquet``).
    params : sequence of str, optional
        The varied parameters (default: ``results.attrs["params"]``, else every column
        before ``point``).

    Returns
    -------
    pandas.DataFrame
        ``point``, the parameters, ``channel``, ``n`` (replications), and for each of
        ``service_level``, ``asa``, ``abandonment``, ``backlog``: ``<m>`` (mean over
        replications, ignoring NaN), ``<m>_lo`` and ``<m>_hi`` (95% Student-t interval;
        NaN with fewer than two values; rates clipped to [0, 1], others at 0 below).
        Failed points are left out.
    """
    from scipy.special import stdtrit

    if params is None:
        params = results.attrs.get("params")
        if params is None:
            cols = list(results.columns)
            params = cols[: cols.index("point")] if "point" in cols else []
    params = list(params)
    ok = results[results["error"].isna()]
    keys = ["point", "channel"]
    grouped = ok.groupby(keys, sort=False)
    out = grouped[params].first() if params else grouped.size().to_frame().iloc[:, :0]
    out["n"] = grouped.size().astype("int64")
    for m in MEASURES:
        g = grouped[m]
        mean, sd, k = g.mean(), g.std(ddof=1), g.count().to_numpy()
        with np.errstate(invalid="ignore", divide="ignore"):
            hw = stdtrit(np.maximum(k - 1, 1), 0.975) * sd.to_numpy() / np.sqrt(k)
        hw = np.where(k > 1, hw, np.nan)
        lo, hi = mean.to_numpy() - hw, mean.to_numpy() + hw
        lo = np.where(np.isnan(lo), lo, np.maximum(lo, 0.0))
        if m in _RATES:
            hi = np.where(np.isnan(hi), hi, np.minimum(hi, 1.0))
        out[m], out[f"{m}_lo"], out[f"{m}_hi"] = mean.to_numpy(), lo, hi
    summary = out.reset_index()
    summary = summary[["point", *params, "channel", "n",
                       *(c for m in MEASURES for c in (m, f"{m}_lo", f"{m}_hi"))]]
    summary["point"] = summary["point"].astype("int64")
    order = {c: i for i, c in enumerate(pd.unique(ok["channel"]))}
    if len(summary):
        summary = summary.sort_values(["point", "channel"], key=lambda s: s.map(order)
                                      if s.name == "channel" else s, kind="stable")
    return summary.reset_index(drop=True)


class _Bar:
    """A rich progress bar of points done, failures and ETA (or nothing)."""

    def __init__(self, show: bool, console: Any, name: str, total: int, resumed: int) -> None:
        self.progress = None
        self.failed = 0
        if not show:
            return
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        label = name + (f" ({resumed} done before)" if resumed else "")
        self.progress = Progress(
            TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("points"), TextColumn("[red]{task.fields[failed]} failed"),
            TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
            console=console, transient=False,
        )
        self.task = self.progress.add_task(label, total=total, failed=0)

    def __enter__(self) -> _Bar:
        if self.progress is not None:
            self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.progress is not None:
            self.progress.stop()

    def advance(self, failed: bool) -> None:
        self.failed += failed
        if self.progress is not None:
            self.progress.update(self.task, advance=1, failed=self.failed)


def cli_sweep(
    spec: str | Path,
    out: str | Path,
    workers: int | None = None,
    scheduler: str | None = None,
    use_dask: bool = False,
    console: Any = None,
) -> int:
    """``wfm sweep``: run a spec, print what happened; the exit code.

    Returns
    -------
    int
        0 when every point ran; else the number of failed points (at most 100);
        2 for an invalid spec or an output directory holding another spec (with an
        ``error:`` line on stderr); 130 when interrupted (the points done are kept).
    """
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    err = Console(stderr=True)
    try:
        df = sweep(spec, out=out, workers=workers, scheduler=scheduler, use_dask=use_dask,
                   progress=True, console=console)
    except (ScenarioError, SweepError, ValueError, OSError) as exc:
        err.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        return 2
    except KeyboardInterrupt:
        n = len(list((Path(out) / "points").glob("*.parquet")))
        err.print(f"[yellow]interrupted:[/] {n} points saved in {out}; rerun the same command"
                  " to resume", highlight=False)
        return 130
    a = df.attrs
    n_points = a["ran"] + a["resumed"]
    table = Table(title=f"sweep {a['name']}", title_justify="left", show_header=False)
    table.add_column("", style="bold")
    table.add_column("", justify="right")
    table.add_row("points", f"{n_points}")
    table.add_row("run now", f"{a['ran']}")
    table.add_row("done before (resumed)", f"{a['resumed']}")
    table.add_row("failed", f"[red]{a['failed']}[/]" if a["failed"] else "0")
    table.add_row("varied", ", ".join(a["params"]) or "-")
    table.add_row("wall time", f"{a['elapsed']:.1f} s"
                  + (f" ({a['ran'] / a['elapsed']:.1f} points/s)" if a["ran"] else ""))
    console.print(table)
    if a["failed"]:
        errs = df[df["error"].notna()].drop_duplicates("point")
        for row in errs.head(5).itertuples(index=False):
            console.print(f"[red]point {row.point}[/] ({row.point_id}): {row.error}",
                          highlight=False, soft_wrap=True)
        if len(errs) > 5:
            console.print(f"... and {len(errs) - 5} more (see the error column of results.parquet)")
    out_dir = Path(out)
    for name in ("results.parquet", "summary.parquet", "sweep.html"):
        if (out_dir / name).exists():
            console.print(f"wrote {out_dir / name}", highlight=False)
    if a.get("report_error"):
        console.print(f"[yellow]sweep.html not written:[/] {a['report_error']}", highlight=False)
    return min(int(a["failed"]), 100)


# ``wfm.sweep`` is both this module and the function: importing the module replaces the
# package attribute, so make the module callable as the function too.
class _CallableModule(types.ModuleType):
    def __call__(self, *args: Any, **kwargs: Any) -> pd.DataFrame:
        return sweep(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule


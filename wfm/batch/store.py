"""The output directory of a sweep: manifest, one Parquet file per point, results.

``sweep.json`` says what was run (a rerun with a different spec is refused);
``points/<point_id>.parquet`` holds one finished point each, written atomically as
points finish, so a crash or Ctrl-C loses at most the points in flight and a rerun
skips the points already there; ``results.parquet``, ``summary.parquet`` and
``sweep.html`` are written at the end.
"""

from __future__ import annotations

import contextlib
import json
import time
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from wfm.atomic import atomic_write, check_writable_dir
from wfm.batch.spec import FORMAT, SweepSpec

__all__ = ["SweepError", "collect", "prepare_out", "write_parquet", "write_point"]


class SweepError(RuntimeError):
    """The output directory cannot be used for this sweep (it holds another spec)."""


def write_parquet(path: Path, table: pa.Table) -> Path:
    """Write an Arrow table as Parquet (zstd), atomically."""
    return atomic_write(path, lambda fh: pq.write_table(table, fh, compression="zstd"),
                        binary=True)


def write_point(out: Path, point_id: str, data: bytes) -> Path:
    """Save one finished point's Parquet bytes."""
    return atomic_write(out / "points" / f"{point_id}.parquet", data)


def prepare_out(out: Path, spec: SweepSpec) -> set[str]:
    """Create or check the output directory; the ids of the points already done.

    Raises
    ------
    SweepError
        ``out`` holds the results of another spec, or point files without a manifest.
    OSError
        ``out`` is a file, or cannot be created or written.
    """
    check_writable_dir(out)
    points_dir = out / "points"
    manifest_path = out / "sweep.json"
    fingerprint = spec.fingerprint
    if manifest_path.exists():
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise SweepError(f"{manifest_path} cannot be read ({exc}); use another --out") from None
        if not isinstance(manifest, dict) or manifest.get("fingerprint") != fingerprint:
            name = manifest.get("name") if isinstance(manifest, dict) else None
            source = manifest.get("spec") if isinstance(manifest, dict) else None
            raise SweepError(
                f"{out} holds the results of a different sweep spec"
                f" ({name!r} from {source}); results of one spec"
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
            "points": spec.n_points,
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
        atomic_write(manifest_path, json.dumps(manifest, indent=2) + "\n")
    points_dir.mkdir(exist_ok=True)
    for tmp in points_dir.glob(".*.tmp"):  # left by a crash mid-write
        with contextlib.suppress(OSError):
            tmp.unlink()
    for p in points_dir.glob("*.parquet"):
        if not p.is_file():
            raise SweepError(f"{p} is not a file (a point's results are one Parquet file);"
                             " remove it and rerun")
    return {p.stem for p in points_dir.glob("*.parquet") if p.is_file()}


def collect(spec: SweepSpec, schema: pa.Schema, out_dir: Path | None,
            tables: dict[int, pa.Table]) -> pd.DataFrame:
    """Every point's rows in grid order: from memory, else from the point files."""
    parts: list[pa.Table] = []
    for p in spec.points():
        if p.index in tables:
            parts.append(tables[p.index])
        elif out_dir is not None:
            path = out_dir / "points" / f"{p.id}.parquet"
            if path.is_file():
                parts.append(pq.read_table(path, schema=schema))
    table = pa.concat_tables(parts) if parts else schema.empty_table()
    df = table.to_pandas()
    for col in ("replication", "point", "seed"):
        df[col] = df[col].astype("Int64")
    return df

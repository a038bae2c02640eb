"""Sweeps: spec validation, grid and seeds, backends, resume, failure isolation.

Real parts only: spawned worker processes, a Dask ``LocalCluster`` on 127.0.0.1 and the
``wfm`` CLI as a subprocess that gets killed midway.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
import yaml

import wfm
from wfm.batch import SweepError, derived_seed, load_spec, summarize
from wfm.cli import app
from wfm.errors import LimitError, ScenarioError

ROOT = Path(__file__).resolve().parents[1]
BASELINE = str(ROOT / "scenarios" / "baseline.yaml")
CI = os.environ.get("CI", "").lower() == "true"


def small_spec(**extra) -> dict:
    """4 points x 2 replications of the baseline day."""
    spec = {
        "name": "small",
        "scenario": BASELINE,
        "replications": 2,
        "seed": 3,
        "scale": {"channels.phone.volume": [1.0, 1.2]},
        "set": {"channels.messaging.concurrency": [2, 3]},
    }
    spec.update(extra)
    return spec


def write_spec(path: Path, spec: dict) -> Path:
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def dask_client():
    distributed = pytest.importorskip("distributed", reason="dask[distributed] not installed")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1",
                                       dashboard_address=None)
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


def cli_sweep(spec: Path, out: Path, *args: str) -> int:
    """``wfm sweep SPEC --out OUT ARGS`` in process; its exit code."""
    from typer.testing import CliRunner

    res = CliRunner().invoke(app, ["sweep", str(spec), "--out", str(out), *args],
                             env={"COLUMNS": "140", "NO_COLOR": "1"})
    return res.exit_code


@pytest.fixture(scope="module")
def reference() -> pd.DataFrame:
    """The small spec on 2 local processes (the numbers every backend must give)."""
    return wfm.sweep(small_spec(), workers=2).results


# ---------------------------------------------------------------------- spec
@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"replicatons": 3}, "replicatons"),
        ({"scale": {"channels.phone.volumes": [1, 2]}}, "scale.channels.phone.volumes"),
        ({"scale": {"agents.night.staff": [1, 2]}}, "scale.agents.night.staff"),
        ({"scale": {"channels.phone.kind": [1, 2]}}, "scale.channels.phone.kind"),
        ({"scale": {"channels.phone.aht": ["x"]}}, "scale.channels.phone.aht"),
        ({"set": {"channels.phone.colour": [1, 2]}}, "set.channels.phone.colour"),
        ({"set": {"channels.messaging.concurrency": []}}, "set.channels.messaging.concurrency"),
        ({"surge": {"channel": "social", "start": 10, "peak": [], "half_life": 60}}, "surge.peak"),
        ({"surge": {"channel": "tiktok", "start": 10, "peak": 3, "half_life": 60}}, "surge.channel"),
        ({"surge": {"channel": "social", "start": 10, "peak": 3}}, "surge.half_life_minutes"),
        ({"surge": {"channel": "social", "start": 1, "peak": 3, "half_life": 9, "size": 1}},
         "surge.size"),
        ({"mix_shift": {"from": "phone", "share": 0.2}}, "mix_shift.to"),
        ({"mix_shift": [{"from": "phone", "to": "fax", "share": 0.2}]}, r"mix_shift\[0\].to"),
        ({"replications": 0}, "replications"),
        ({"seed": -1}, "seed"),
        ({"scenario": "no/such/file.yaml"}, "scenario"),
        ({"set": {"channels.phone.volume": [[1] * 24], "channels.messaging.concurrency": [2]},
          "scale": {"channels.phone.volume": [1.0, 1.1]}}, "channels.phone.volume"),
    ],
)
def test_invalid_spec_names_the_key(change, key):
    with pytest.raises(ScenarioError, match=key.replace(".", r"\.") if "\\" not in key else key):
        load_spec(small_spec(**change))


def test_spec_file_paths_are_relative_to_the_spec(tmp_path):
    (tmp_path / "sub").mkdir()
    spec = write_spec(tmp_path / "sub" / "s.yaml",
                      small_spec(scenario=os.path.relpath(BASELINE, tmp_path / "sub")))
    assert len(load_spec(spec).points()) == 4
    with pytest.raises(ScenarioError, match="bad.yaml"):
        load_spec(write_spec(tmp_path / "bad.yaml", {**small_spec(), "oops": 1}))


def test_set_may_name_an_optional_field():
    spec = load_spec(small_spec(set={"channels.phone.handle_cv": [0.5, 1.5]}))
    sc = spec.scenario_for(spec.points()[1])
    assert sc.channels["phone"].handle_cv == 1.5


def test_bundled_specs_load():
    sizes = {"phone_growth": 16, "social_surge": 18, "channel_shift": 12}
    for name, n in sizes.items():
        spec = load_spec(ROOT / "simulations" / f"{name}.yaml")
        assert len(spec.points()) == n, name
        spec.scenario_for(spec.points()[-1])  # every varied value is applied without error


def test_grid_points_ids_and_seeds():
    spec = load_spec(small_spec(surge={"channel": "social", "start": "13:00", "peak": [1, 4],
                                       "half_life_minutes": 60}))
    points = spec.points()
    assert spec.params == ["channels.phone.volume", "channels.messaging.concurrency", "surge.peak"]
    assert len(points) == 8 and len({p.id for p in points}) == 8
    assert len({p.seed for p in points}) == 8
    assert [p.values["channels.phone.volume"] for p in points[:4]] == [1.0] * 4
    # a point's seed and id depend on its values, not on its place in the grid
    flipped = load_spec(small_spec(scale={"channels.phone.volume": [1.2, 1.0]},
                                   surge={"channel": "social", "start": "13:00", "peak": [4, 1],
                                          "half_life_minutes": 60}))
    assert {(p.id, p.seed) for p in flipped.points()} == {(p.id, p.seed) for p in points}
    assert points[0].seed == derived_seed(3, points[0].values)
    # a surge of peak 1 leaves the volume alone; peak 4 multiplies 13:00 by 4
    base = spec.scenario
    assert spec.scenario_for(points[0]).channels["social"].volume == base.channels["social"].volume
    assert spec.scenario_for(points[1]).channels["social"].volume[10] == pytest.approx(
        4 * base.channels["social"].volume[10])


# ---------------------------------------------------------------------- running
def test_results_rows_and_seeds(reference):
    df = reference
    cols = ["channels.phone.volume", "channels.messaging.concurrency", "point", "point_id", "seed",
            "replication", "channel", "offered", "answered", "abandoned", "service_level", "asa",
            "wait_p90", "abandonment", "backlog", "backlog_peak", "exposure", "error"]
    assert list(df.columns) == cols
    assert len(df) == 4 * 2 * 4 and df["error"].isna().all()
    assert not df.duplicated(["point", "replication", "channel"]).any()
    # a point's rows are wfm.simulate(scenario, seed=derived seed, replications=R)
    spec = load_spec(small_spec())
    p = spec.points()[3]
    direct = wfm.simulate(spec.scenario_for(p), seed=p.seed, replications=2).replications
    rows = df[df["point"] == 3].reset_index(drop=True)
    assert (rows["seed"] == p.seed).all()
    for m in ("offered", "answered", "service_level", "asa", "backlog"):
        assert rows[m].tolist() == direct[m].tolist()


def test_same_numbers_on_one_worker_and_on_dask(reference, dask_client):
    one = wfm.sweep(small_spec(), workers=1, chunk_size=3).results
    pd.testing.assert_frame_equal(one, reference)
    on_dask = wfm.sweep(small_spec(), scheduler=dask_client).results
    pd.testing.assert_frame_equal(on_dask, reference)
    by_address = wfm.sweep(small_spec(), scheduler=dask_client.scheduler.address,
                           chunk_size=2).results
    pd.testing.assert_frame_equal(by_address, reference)


def test_failures_are_isolated(tmp_path, dask_client):
    spec = small_spec(scale={}, set={"channels.phone.aht": [300, -5]},
                      surge={"channel": "social", "start": 10, "peak": [2, 0.5],
                             "half_life_minutes": 30})
    for kw in ({"workers": 2}, {"scheduler": dask_client}):
        res = wfm.sweep(spec, **kw)
        df = res.results
        assert res.failed == 3 and len(res.failures) == 3
        bad = df[df["error"].notna()]
        assert sorted(bad["point"]) == [1, 2, 3]  # one row per failed point
        assert bad["channel"].isna().all() and bad["service_level"].isna().all()
        assert "channels.phone.aht" in bad.loc[bad["point"] == 2, "error"].iloc[0]
        assert "surge.peak" in bad.loc[bad["point"] == 1, "error"].iloc[0]
        assert (df.loc[df["point"] == 0, "error"].isna()).all()
        assert len(df[df["point"] == 0]) == 2 * 4
    # the CLI has its own exit code for failed points (2 is an invalid spec)
    code = cli_sweep(write_spec(tmp_path / "f.yaml", spec), tmp_path / "out", "--workers", "2")
    assert code == 3
    summary = pd.read_parquet(tmp_path / "out" / "summary.parquet")
    assert set(summary["point"]) == {0}


def test_output_directory_summary_and_resume(tmp_path, reference):
    out = tmp_path / "out"
    res = wfm.sweep(small_spec(), out=out, workers=2)
    df = res.results
    pd.testing.assert_frame_equal(df, reference)
    pd.testing.assert_frame_equal(res.summary, summarize(df, res.params))
    names = {p.name for p in out.iterdir()}
    assert {"points", "results.parquet", "summary.parquet", "sweep.json"} <= names
    assert len(list((out / "points").glob("*.parquet"))) == 4
    pd.testing.assert_frame_equal(pd.read_parquet(out / "results.parquet"), df,
                                  check_dtype=False)

    summary = pd.read_parquet(out / "summary.parquet")
    expected = ["point", "channels.phone.volume", "channels.messaging.concurrency", "channel", "n"]
    for m in ("service_level", "asa", "abandonment", "backlog", "backlog_peak", "exposure"):
        expected += [m, f"{m}_lo", f"{m}_hi"]
    assert list(summary.columns) == expected
    assert len(summary) == 16 and (summary["n"] == 2).all()
    ok = summary["service_level_lo"].notna()
    assert (summary.loc[ok, "service_level_lo"] <= summary.loc[ok, "service_level"]).all()
    assert (summary.loc[ok, "service_level"] <= summary.loc[ok, "service_level_hi"]).all()
    means = df.groupby(["point", "channel"], sort=False)["asa"].mean().to_numpy()
    assert summary["asa"].to_numpy() == pytest.approx(means)
    pd.testing.assert_frame_equal(summarize(df), summary)

    # rerun: nothing to do, same results, no duplicates
    again = wfm.sweep(small_spec(), out=out, workers=2)
    assert again.ran == 0 and again.resumed == 4 and again.points == 4
    pd.testing.assert_frame_equal(again.results, df)

    # a different spec into the same directory is refused
    with pytest.raises(SweepError, match="different sweep spec"):
        wfm.sweep(small_spec(seed=4), out=out, workers=2)
    code = cli_sweep(write_spec(tmp_path / "other.yaml", small_spec(seed=4)), out, "--workers", "2")
    assert code == 2


def test_sweep_report_written(tmp_path):
    spec = write_spec(tmp_path / "r.yaml", small_spec(replications=1, set={}))
    assert cli_sweep(spec, tmp_path / "out", "--workers", "2") == 0
    html = (tmp_path / "out" / "sweep.html").read_text(encoding="utf-8")
    assert "plotly" in html.lower() and "channels.phone.volume" in html


def test_wfm_sweep_is_the_function_and_wfm_batch_the_module():
    import wfm.batch

    assert wfm.sweep is wfm.batch.sweep and wfm.batch.summarize is summarize
    df = wfm.sweep(small_spec(replications=1, scale={}, set={}), workers=1).results
    assert df["point"].unique().tolist() == [0] and len(df) == 4


# ---------------------------------------------------------------------- the CLI, killed midway
def _start_cli(spec: Path, out: Path, *extra: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.Popen(
        [sys.executable, "-m", "wfm.cli", "sweep", str(spec), "--out", str(out), *extra],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,  # its own process group: the pool's workers die with it
    )


def _wait_for_points(proc: subprocess.Popen, out: Path, n: int, timeout: float = 60) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = len(list((out / "points").glob("*.parquet"))) if (out / "points").is_dir() else 0
        if done >= n:
            return done
        if proc.poll() is not None:
            raise AssertionError(f"sweep ended early ({proc.returncode}): {proc.communicate()}")
        time.sleep(0.01)
    raise AssertionError("no point finished in time")


def resume_spec() -> dict:
    """16 points x 1 replication: on one worker the kill comes after the first few."""
    return small_spec(replications=1, scale={"channels.phone.volume": [0.8 + 0.05 * i
                                                                       for i in range(8)]})


def test_resume_after_the_cli_is_killed(tmp_path, reference):
    spec_path = write_spec(tmp_path / "resume.yaml", resume_spec())
    out = tmp_path / "out"
    proc = _start_cli(spec_path, out, "--workers", "1")
    try:
        _wait_for_points(proc, out, 1)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
    before = {p.name for p in (out / "points").glob("*.parquet")}
    assert 1 <= len(before) < 16, "the kill came too late to test resuming"
    assert not (out / "results.parquet").exists()

    proc = _start_cli(spec_path, out, "--workers", "2")
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 0, stderr
    resumed = re.search(r"done before \(resumed\)\D*(\d+)", stdout)
    assert resumed and int(resumed.group(1)) == len(before), stdout
    df = pd.read_parquet(out / "results.parquet")
    assert sorted(df["point"].unique()) == list(range(16))
    assert not df.duplicated(["point", "replication", "channel"]).any()
    assert len(df) == 16 * 1 * 4
    # identical to an uninterrupted run
    fresh = wfm.sweep(resume_spec(), workers=2).results
    pd.testing.assert_frame_equal(df, fresh, check_dtype=False)
    for f in (out / "points").glob("*.parquet"):  # every point file is whole
        assert pq.read_metadata(f).num_rows == 1 * 4


def test_ctrl_c_keeps_finished_points(tmp_path):
    spec_path = write_spec(tmp_path / "int.yaml", resume_spec())
    out = tmp_path / "out"
    proc = _start_cli(spec_path, out, "--workers", "1")
    try:
        _wait_for_points(proc, out, 1)
        os.killpg(proc.pid, signal.SIGINT)  # as a terminal's Ctrl-C: the whole group
        _, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
    assert proc.returncode == 130, stderr
    assert "interrupted" in stderr and "resume" in stderr
    assert len(list((out / "points").glob("*.parquet"))) >= 1
    assert not list((out / "points").glob(".*.tmp"))


def test_cli_with_a_local_dask_cluster(tmp_path, reference):
    spec_path = write_spec(tmp_path / "d.yaml", small_spec())
    code = cli_sweep(spec_path, tmp_path / "out", "--workers", "2", "--dask")
    assert code == 0
    df = pd.read_parquet(tmp_path / "out" / "results.parquet")
    pd.testing.assert_frame_equal(df, reference, check_dtype=False)


# ---------------------------------------------------------------------- hostile and oversized
def test_a_point_past_its_time_limit_fails_and_the_sweep_goes_on():
    spec = small_spec(replications=1, set={}, point_timeout=0.3,
                      scale={"channels.phone.volume": [1.0, 400.0]})
    res = wfm.sweep(spec, workers=2)
    assert res.failed == 1
    bad = res.failures
    assert bad["point"].tolist() == [1]
    assert "timed out" in bad["error"].iloc[0] and "point_timeout" in bad["error"].iloc[0]
    assert res.results.loc[res.results["point"] == 0, "error"].isna().all()


def test_a_killed_worker_is_replaced_and_its_point_retried(reference):
    from wfm.batch import backends

    killed: list[int] = []

    def kill_one(done: int, total: int, failed: int) -> None:
        if not killed:
            busy = [w for w in backends._POOL._workers if w.busy]
            if busy:
                killed.append(busy[0].process.pid)
                os.kill(busy[0].process.pid, signal.SIGKILL)

    res = wfm.sweep(small_spec(), workers=2, chunk_size=1, progress=kill_one)
    assert killed, "no busy worker to kill"
    assert res.failed == 0
    pd.testing.assert_frame_equal(res.results, reference)


def _children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to find the workers")
def test_workers_die_with_the_parent_killed_by_sigkill(tmp_path):
    spec_path = write_spec(tmp_path / "orphan.yaml", resume_spec())
    out = tmp_path / "out"
    proc = _start_cli(spec_path, out, "--workers", "2")
    try:
        _wait_for_points(proc, out, 1)
        workers = _children(proc.pid)
        assert workers, "the sweep has no worker processes"
        os.kill(proc.pid, signal.SIGKILL)  # the parent only, not its process group
        proc.communicate()
        deadline = time.monotonic() + 10
        alive = workers
        while alive and time.monotonic() < deadline:
            time.sleep(0.1)
            alive = [w for w in workers if Path(f"/proc/{w}").exists()
                     and "Z" not in Path(f"/proc/{w}/stat").read_text().rsplit(")", 1)[1][:3]]
        assert not alive, f"workers outlived the killed parent: {alive}"
    finally:
        with __import__("contextlib").suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)


def test_oversized_sweeps_are_refused_before_any_work():
    big = {"channels.phone.volume": [1.0 + i / 1000 for i in range(1000)],
           "channels.phone.aht": [200 + i for i in range(1000)]}
    t0 = time.monotonic()
    with pytest.raises(LimitError, match="max_grid_points"):
        load_spec(small_spec(scale=big))
    with pytest.raises(LimitError, match="max_replications"):
        load_spec(small_spec(replications=10**9))
    assert time.monotonic() - t0 < 5


def test_unknown_keys_are_named_not_echoed(tmp_path):
    secret = "hunter2-do-not-print"
    with pytest.raises(ScenarioError) as info:
        load_spec({**small_spec(), "password": secret})
    assert "password" in str(info.value) and secret not in str(info.value)
    base = yaml.safe_load(Path(BASELINE).read_text())
    base["channels"]["phone"]["api_key"] = secret
    path = tmp_path / "leak.yaml"
    path.write_text(yaml.safe_dump(base), encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_spec(small_spec(scenario=str(path)))
    assert "api_key" in str(info.value) and secret not in str(info.value)


def test_sweep_into_a_file_is_refused_before_running(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    code = cli_sweep(write_spec(tmp_path / "s.yaml", small_spec()), blocker)
    assert code == 4


def test_workers_run_under_the_callers_limits():
    from wfm import limits

    spec = small_spec(replications=1, set={}, scale={"agents.voice.staff": [1.0, 2.0]})
    with limits.raised(max_agents=60):  # 53 agents at peak; the doubled voice team is beyond it
        res = wfm.sweep(spec, workers=1)
    assert res.failed == 1 and "max_agents" in res.failures["error"].iloc[0]
    assert wfm.sweep(spec, workers=1).failed == 0

"""End-to-end tests of `wfm run` (and `wfm erlang`) through the real CLI.

The CLI is run in process with typer's CliRunner and once as a subprocess
(``python -m wfm.cli``), on the bundled baseline scenario.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from wfm.cli import app

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
CHANNELS = ["phone", "messaging", "social", "email"]
# a wide terminal so rich never shortens a channel name in the table
ENV = {"COLUMNS": "200", "NO_COLOR": "1"}

# the columns SimulationResult.intervals documents
INTERVAL_COLUMNS = [
    "interval",
    "start",
    "channel",
    "kind",
    "offered",
    "deflected",
    "answered",
    "abandoned",
    "answered_in_target",
    "unanswered",
    "pending",
    "service_level",
    "asa",
    "wait_p90",
    "abandonment",
    "backlog",
    "target_service_level",
    "answer_within",
]


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner()


def _check_outputs(out: Path) -> None:
    for name in ("intervals.csv", "summary.csv", "groups.csv", "report.html"):
        assert (out / name).is_file(), name
    assert not [p for p in os.listdir(out) if p.endswith(".tmp")]
    iv = pd.read_csv(out / "intervals.csv")
    missing = [c for c in INTERVAL_COLUMNS if c not in iv.columns]
    assert not missing, missing
    assert len(iv) == 24 * len(CHANNELS)
    summary = pd.read_csv(out / "summary.csv")
    assert summary["channel"].tolist() == CHANNELS  # one row per channel
    groups = pd.read_csv(out / "groups.csv")
    assert set(groups["group"]) == {"voice", "blended", "digital"}
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Retail omnichannel weekday" in html
    assert html.count("plotly.js v") == 1


def test_run_writes_outputs(runner, tmp_path):
    out = tmp_path / "out"
    res = runner.invoke(app, ["run", str(BASELINE), "--seed", "1", "--out", str(out)], env=ENV)
    assert res.exit_code == 0, res.output
    for ch in CHANNELS:
        assert ch in res.output
    assert "service level" in res.output
    assert "report.html" in res.output
    _check_outputs(out)


def test_run_replications(runner, tmp_path):
    out = tmp_path / "reps"
    res = runner.invoke(
        app, ["run", str(BASELINE), "--replications", "2", "--out", str(out)], env=ENV
    )
    assert res.exit_code == 0, res.output
    assert "2 replication" in res.output
    assert "±" in res.output  # confidence half-width of the service level
    _check_outputs(out)
    assert "service_level_ci" in pd.read_csv(out / "summary.csv").columns


def test_run_as_subprocess(tmp_path):
    out = tmp_path / "tmp"
    env = {**os.environ, **ENV, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-m", "wfm.cli", "run", "scenarios/baseline.yaml", "--out", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    for ch in CHANNELS:
        assert ch in proc.stdout
    _check_outputs(out)


def _bad_scenario(tmp_path: Path, change) -> Path:
    data = yaml.safe_load(BASELINE.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def _negative_volume(data: dict) -> None:
    data["channels"]["phone"]["volume"][3] = -5


def _unknown_skill(data: dict) -> None:
    data["agents"][1]["skills"] = ["phone", "fax"]


@pytest.mark.parametrize(
    ("change", "field", "word"),
    [
        (_negative_volume, "channels.phone.volume[3]", "-5"),
        (_unknown_skill, "agents[1].skills[1]", "fax"),
    ],
    ids=["negative-volume", "unknown-skill"],
)
def test_bad_scenario_exit_2(runner, tmp_path, change, field, word):
    path = _bad_scenario(tmp_path, change)
    res = runner.invoke(app, ["run", str(path), "--out", str(tmp_path / "out")], env=ENV)
    assert res.exit_code == 2, res.output
    assert field in res.output
    assert word in res.output
    assert "Traceback" not in res.output
    assert not (tmp_path / "out").exists()


def test_missing_file_exit_2(runner, tmp_path):
    res = runner.invoke(app, ["run", str(tmp_path / "nope.yaml")], env=ENV)
    assert res.exit_code == 2
    assert "nope.yaml" in res.output
    assert "Traceback" not in res.output


def test_erlang_published_example(runner):
    # 100 calls in 30 minutes, AHT 180 s, 80% answered within 20 s: 14 agents (Erlang C)
    res = runner.invoke(app, ["erlang", "100", "--aht", "180"], env=ENV)
    assert res.exit_code == 0, res.output
    assert "required: 14 agents" in res.output

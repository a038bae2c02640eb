"""Hostile, oversized and mistyped input: a clear refusal every time (issue 10).

Every case below ends in an error that names the field, the value and the problem (or
the limit), quickly, in the API, the CLI (one line, a documented exit code) and the
app (a message in the page); valid input of a large real centre is still accepted.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

import wfm
from wfm import limits
from wfm.cli import app
from wfm.errors import InputError, LimitError, ScenarioError

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
ENV = {"COLUMNS": "200", "NO_COLOR": "1"}

BOMB = "\n".join(
    [
        'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
        *(f"{n}: &{n} [{', '.join(['*' + p] * 9)}]" for p, n in zip("abcdefgh", "bcdefghi", strict=True)),
    ]
) + "\n"


def baseline_data() -> dict:
    return yaml.safe_load(BASELINE.read_text(encoding="utf-8"))


def write(tmp_path: Path, data: dict | str, name: str = "s.yaml") -> Path:
    path = tmp_path / name
    text = data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    return path


def import_app():
    """app.py as a module (it is a script beside the package, not on sys.path)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("wfm_app_hardening", ROOT / "app.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def cli(*args: str) -> tuple[int, str]:
    res = CliRunner().invoke(app, list(args), env=ENV)
    return res.exit_code, res.output


def assert_one_clear_line(code: int, output: str, expected_code: int, *words: str) -> None:
    assert code == expected_code, output
    assert "Traceback" not in output
    lines = [x for x in output.splitlines() if x.strip()]
    errors = [x for x in lines if x.startswith("error:")]
    assert errors, output
    for w in words:
        assert w in output, (w, output)


# ---------------------------------------------------------------------- YAML
def test_yaml_alias_bomb_is_refused_quickly_everywhere(tmp_path):
    path = write(tmp_path, BOMB, "bomb.yaml")
    t0 = time.monotonic()
    for load in (lambda: wfm.load_scenario(path), lambda: wfm.Scenario.from_yaml(BOMB),
                 lambda: wfm.load_spec(path)):
        with pytest.raises(LimitError, match="aliases") as info:
            load()
        assert len(str(info.value)) < 400  # never the expanded structure
    assert time.monotonic() - t0 < 5
    for command in ("run", "plan"):
        code, out = cli(command, str(path))
        assert_one_clear_line(code, out, 2, "aliases")
    code, out = cli("sweep", str(path), "--out", str(tmp_path / "out"))
    assert_one_clear_line(code, out, 2, "aliases")


def test_duplicate_keys_name_the_key_and_both_lines(tmp_path):
    text = BASELINE.read_text(encoding="utf-8")
    # a channel pasted twice
    start = text.index("  email:")
    block = text[start:text.index("\n\n", start) if "\n\n" in text[start:] else None]
    twice = text.replace(block, block + "\n" + block, 1)
    with pytest.raises(ScenarioError, match=r"key 'email' appears twice .*lines \d+ and \d+"):
        wfm.Scenario.from_yaml(twice)
    # two agents: blocks
    agents = text[text.index("agents:"):]
    with pytest.raises(ScenarioError, match=r"key 'agents' appears twice"):
        wfm.Scenario.from_yaml(text + "\n" + agents)


def test_deep_nesting_is_refused(tmp_path):
    deep = "name: x\nchannels: " + "[" * 5000 + "]" * 5000 + "\n"
    with pytest.raises(ScenarioError, match="nested"):
        wfm.Scenario.from_yaml(deep)
    code, out = cli("run", str(write(tmp_path, deep)))
    assert_one_clear_line(code, out, 2, "nested")


def test_python_tags_are_refused():
    with pytest.raises(ScenarioError, match="tag not allowed"):
        wfm.Scenario.from_yaml("name: !!python/object/apply:os.system ['echo owned']\n")


def test_a_huge_file_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "huge.yaml"
    with open(path, "wb") as fh:
        fh.truncate(100_000_000)  # 100 MB, sparse: nothing to read
    t0 = time.monotonic()
    with pytest.raises(LimitError, match="max_file_bytes"):
        wfm.load_scenario(path)
    assert time.monotonic() - t0 < 1


# ---------------------------------------------------------------------- sizes
@pytest.mark.parametrize(
    ("change", "field", "limit"),
    [
        (lambda d: d["agents"][0].__setitem__("staff", 1_000_000_000), "agents[0].staff", "max_agents"),
        (lambda d: d["agents"][0].__setitem__("staff", 10**23), "agents[0].staff", "max_agents"),
        (lambda d: d["channels"]["phone"]["volume"].__setitem__(3, 1e7),
         "channels.phone.volume[3]", "max_volume_per_interval"),
        (lambda d: d["channels"]["phone"]["volume"].__setitem__(3, 1e19),
         "channels.phone.volume[3]", "max_volume_per_interval"),
    ],
    ids=["staff-1e9", "staff-1e23", "volume-1e7", "volume-1e19"],
)
def test_sizes_beyond_the_limits_are_refused(tmp_path, change, field, limit):
    data = baseline_data()
    change(data)
    with pytest.raises(LimitError) as info:
        wfm.Scenario.from_dict(data)
    assert field in str(info.value) and limit in str(info.value)
    code, out = cli("run", str(write(tmp_path, data)))
    assert_one_clear_line(code, out, 2, field, limit)


def test_a_long_horizon_is_refused_before_work():
    data = baseline_data()
    for ch in data["channels"].values():
        ch["volume"] = [1] * 200_000
    for g in data["agents"]:
        g["staff"] = 5
    t0 = time.monotonic()
    with pytest.raises(LimitError, match="max_intervals"):
        wfm.Scenario.from_dict(data)
    assert time.monotonic() - t0 < 5


def test_limits_can_be_raised(monkeypatch):
    data = baseline_data()
    data["agents"][0]["staff"] = 150_000
    with pytest.raises(LimitError):
        wfm.Scenario.from_dict(data)
    with limits.raised(max_agents=300_000):
        assert wfm.Scenario.from_dict(data).agents[0].staff == 150_000
    monkeypatch.setenv("WFM_MAX_AGENTS", "300000")
    assert wfm.Scenario.from_dict(data).agents[0].staff == 150_000


def test_replications_beyond_the_limit():
    sc = wfm.load_scenario(BASELINE)
    with pytest.raises(LimitError, match="max_replications"):
        wfm.simulate(sc, replications=10**9)
    code, out = cli("run", str(BASELINE), "--replications", "1000000000")
    assert_one_clear_line(code, out, 2, "max_replications")


# ---------------------------------------------------------------------- values
@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d["channels"]["phone"].__setitem__("handle_cv", 1e154), "channels.phone.handle_cv"),
        (lambda d: d.__setitem__("shifts", {"voice": {"lengths_hours": [1e307]}}),
         "shifts.voice.lengths_hours[0]"),
        (lambda d: d["channels"].__setitem__("", d["channels"].pop("email")), "channel name"),
        (lambda d: d["channels"].__setitem__("ph.one", d["channels"].pop("phone")), "ph.one"),
        (lambda d: d["channels"]["phone"].__setitem__("aht", float("inf")), "channels.phone.aht"),
    ],
    ids=["handle_cv", "shift-length", "empty-name", "dotted-name", "inf-aht"],
)
def test_bad_values_name_the_field(tmp_path, change, field):
    data = baseline_data()
    change(data)
    with pytest.raises(ScenarioError) as info:
        wfm.Scenario.from_dict(data)
    assert field in str(info.value)
    code, out = cli("run", str(write(tmp_path, data)))
    assert_one_clear_line(code, out, 2)


def test_model_validate_checks_across_fields():
    from pydantic import ValidationError

    data = baseline_data()
    data["agents"][0]["skills"] = ["phone", "fax"]
    with pytest.raises(ValidationError, match="fax"):
        wfm.Scenario.model_validate(data)
    data = baseline_data()
    data["agents"][0]["staff"] = [1, 2, 3]
    with pytest.raises(ValidationError, match="horizon"):
        wfm.Scenario.model_validate(data)


def test_default_break_on_60_minute_intervals():
    data = baseline_data()
    data["interval_minutes"] = 60
    data["shifts"] = {"voice": {"lengths_hours": [8], "cost_per_hour": 20}}
    sc = wfm.Scenario.from_dict(data)
    assert sc.shifts["voice"].break_.minutes == 60
    assert wfm.Scenario.from_yaml(sc.to_yaml()) == sc


# ---------------------------------------------------------------------- CLI
@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["run", str(BASELINE), "--seed", "-1"], ["--seed", "-1"]),
        (["run", str(BASELINE), "--replications", "0"], ["--replications"]),
        (["plan", str(BASELINE), "--time-limit", "nan"], ["--time-limit", "nan"]),
        (["plan", str(BASELINE), "--time-limit", "-1"], ["--time-limit", "-1"]),
        (["plan", str(BASELINE), "--max-iterations", "0"], ["--max-iterations"]),
        (["sweep", str(ROOT / "simulations" / "phone_growth.yaml"), "--out", "/tmp/x",
          "--workers", "0"], ["--workers"]),
    ],
)
def test_bad_options_are_one_line_and_code_2(args, words):
    code, out = cli(*args)
    assert_one_clear_line(code, out, 2, *words)


def test_out_pointing_at_a_file_fails_before_the_run(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    for command in ("run", "plan"):
        t0 = time.monotonic()
        code, out = cli(command, str(BASELINE), "--out", str(blocker))
        assert_one_clear_line(code, out, 4, str(blocker))
        assert time.monotonic() - t0 < 10  # refused before the (plan's) work
        assert "round 1" not in out


def test_out_that_cannot_be_created_fails_before_the_run(tmp_path):
    target = "/proc/wfm-cannot-create-this"
    code, out = cli("run", str(BASELINE), "--out", target)
    assert_one_clear_line(code, out, 4, target)


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_FSIZE stands in for a full disk")
def test_a_full_disk_while_writing_is_one_line_and_leaves_no_half_file(tmp_path):
    def small_disk() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))

    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "wfm.cli", "run", str(BASELINE), "--out", str(out)],
        cwd=ROOT, env={**os.environ, **ENV, "PYTHONPATH": str(ROOT)}, preexec_fn=small_disk,
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 4, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "cannot write" in proc.stderr and "report.html" in proc.stderr
    assert not [p for p in os.listdir(out) if p.endswith(".tmp")]
    assert not (out / "report.html").exists()


def test_markup_in_names_and_values_prints_as_text(tmp_path):
    data = baseline_data()
    data["name"] = "[bold]centre[/]"
    data["channels"]["[/]phone"] = data["channels"].pop("phone")
    for g in data["agents"]:
        g["skills"] = ["[/]phone" if s == "phone" else s for s in g["skills"]]
    path = write(tmp_path, data)
    code, out = cli("run", str(path))
    assert code == 0, out
    assert "[/]phone" in out and "[bold]centre[/]" in out
    data["channels"]["[/]phone"]["kind"] = "[red]fax[/]"
    code, out = cli("run", str(write(tmp_path, data, "bad.yaml")))
    assert_one_clear_line(code, out, 2, "[red]fax[/]")


def test_help_documents_the_exit_codes():
    code, out = cli("--help")
    assert code == 0
    for c in ("0:", "1:", "2:", "3:", "4:", "130:"):
        assert c in out


# ---------------------------------------------------------------------- app
def test_the_app_refuses_bad_uploads_with_a_message():
    pytest.importorskip("streamlit")
    app_module = import_app()

    for data, word in ((BOMB.encode(), "aliases"), (b"a: 1\na: 2\n", "twice"),
                       (b"[" * 5000 + b"]" * 5000, "nested"), (b"\xff\xfe", "UTF-8"),
                       (b"x" * 25_000_000, "max_file_bytes")):
        with pytest.raises(InputError, match=word):
            app_module.scenario_from_bytes(data, "upload.yaml")


def test_the_app_page_shows_the_upload_error_and_keeps_working():
    pytest.importorskip("streamlit")
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception
    app_module = import_app()

    # what _handle_upload does with an upload, without a browser
    with pytest.raises(InputError) as info:
        app_module.scenario_from_bytes(BOMB.encode(), "bomb.yaml")
    at.session_state["load_error"] = str(info.value)
    at.run()
    assert not at.exception
    assert any("aliases" in e.value for e in at.error)


def test_the_app_refuses_a_run_too_big_for_a_page():
    pytest.importorskip("streamlit")
    app_module = import_app()

    sc = wfm.load_scenario(BASELINE)
    with pytest.raises(LimitError, match="command line"):
        app_module.check_app_run(sc, 100_000)
    app_module.check_app_run(sc, 1)


# ---------------------------------------------------------------------- a large real centre
def large_centre(days: int = 31) -> dict:
    """20 channels, about 2,000 agents at peak, 15-minute intervals over ``days`` days."""
    import numpy as np

    h = days * 96
    t = np.arange(h) % 96
    shape = np.clip(np.sin((t - 28) / 56 * np.pi), 0, None)  # open 07:00-21:00
    kinds = ["voice"] * 8 + ["chat"] * 4 + ["deferred"] * 8
    channels = {}
    for k, kind in enumerate(kinds):
        ch = {"kind": kind, "volume": np.round(60 * shape).tolist(), "aht": 300.0,
              "target": {"answer_within": 20 if kind == "voice" else 60 if kind == "chat"
                         else 3600, "service_level": 0.8}}
        if kind != "deferred":
            ch["patience"] = 180.0
        if kind == "chat":
            ch["concurrency"] = 2
        channels[f"c{k:02d}"] = ch
    staff = np.round(100 * shape + 5).astype(int).tolist()
    agents = [{"group": f"g{k:02d}", "skills": [f"c{k:02d}", f"c{(k + 1) % 20:02d}"],
               "staff": staff} for k in range(20)]
    return {"name": "large", "interval_minutes": 15, "channels": channels, "agents": agents}


def test_a_large_real_centre_is_accepted():
    t0 = time.monotonic()
    sc = wfm.Scenario.from_dict(large_centre(31))
    assert sc.horizon == 31 * 96 and sum(s.max() for s in sc.staff().values()) >= 2000
    assert time.monotonic() - t0 < 30
    one_day = wfm.Scenario.from_dict(large_centre(1))
    res = wfm.simulate(one_day, seed=1)
    assert res.summary["offered"].sum() > 0


@pytest.mark.slow
def test_a_month_of_a_large_centre_runs():
    sc = wfm.Scenario.from_dict(large_centre(31))
    res = wfm.simulate(sc, seed=1)
    assert res.summary["offered"].sum() > 500_000


def test_wfm_erlang_refuses_absurd_volumes_instead_of_a_wrapped_number():
    code, out = cli("erlang", "1e19", "--aht", "1800")
    assert_one_clear_line(code, out, 2, "volume", "1e+19")
    assert "-9223372036854775808" not in out
    code, out = cli("erlang", "1e17", "--aht", "180", "--patience", "120")
    assert_one_clear_line(code, out, 2, "volume")


# ---------------------------------------------------------------------- the independent re-check
def test_a_fifo_or_a_folder_is_refused_not_read(tmp_path):
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    for path, word in ((fifo, "not a regular file"), (tmp_path, "folder")):
        with pytest.raises(ScenarioError, match=word):
            wfm.load_scenario(path)
        with pytest.raises(ScenarioError, match=word):
            wfm.load_spec(path)
    with pytest.raises(ScenarioError, match="not a regular file"):
        wfm.load_spec({"scenario": str(fifo)})


def test_a_value_count_beyond_the_limit_is_refused_before_parsing():
    with limits.raised(max_yaml_nodes=1000):
        with pytest.raises(LimitError, match="max_yaml_nodes"):
            wfm.Scenario.from_yaml("a: [" + "0," * 5000 + "0]\n")


def test_yaml_merge_keys_work_and_odd_keys_get_plain_messages():
    text = BASELINE.read_text(encoding="utf-8").replace(
        "  phone:\n    kind: voice\n", "  phone:\n    <<: {kind: voice}\n", 1)
    assert wfm.Scenario.from_yaml(text).channels["phone"].kind == "voice"
    with pytest.raises(ScenarioError, match="mapping key must be text or a number"):
        wfm.Scenario.from_yaml("channels: {[1]: 2}")
    with pytest.raises(ScenarioError, match="cannot be read"):
        wfm.Scenario.from_yaml("interval_minutes: " + "9" * 5000)


def test_enormous_numbers_and_keys_give_short_messages(tmp_path):
    data = baseline_data()
    data["agents"][0]["staff"] = 10**400
    with pytest.raises(LimitError, match="digits"):
        wfm.Scenario.from_dict(data)
    data = baseline_data()
    data["k" * 1_000_000] = 1
    with pytest.raises(ScenarioError) as info:
        wfm.Scenario.from_dict(data)
    assert len(str(info.value)) < 1000
    code, out = cli("run", str(write(tmp_path, data)))
    assert_one_clear_line(code, out, 2)
    assert len(out) < 2000


def test_error_paths_keep_keys_that_look_like_pydantic_tags():
    data = baseline_data()
    data["a[1]"] = 5
    with pytest.raises(ScenarioError, match=r"a\[1\]: is not a known key"):
        wfm.Scenario.from_dict(data)
    data = baseline_data()
    data["channels"]["[/]"] = data["channels"].pop("phone")
    data["channels"]["[/]"]["aht"] = -420
    for g in data["agents"]:
        g["skills"] = ["[/]" if s == "phone" else s for s in g["skills"]]
    with pytest.raises(ScenarioError, match=r"channels\.\[/\]\.aht: must be > 0"):
        wfm.Scenario.from_dict(data)


def test_one_mistake_is_one_problem():
    data = baseline_data()
    data["shifts"] = {"voice": {"lengths_hours": [1e307]}}
    with pytest.raises(ScenarioError) as info:
        wfm.Scenario.from_dict(data)
    assert len(info.value.errors) == 1
    data = baseline_data()
    data["channels"]["phone"]["volume"][0] = 1e19
    with pytest.raises(LimitError) as info:
        wfm.Scenario.from_dict(data)
    assert len(info.value.errors) == 1


def test_terminal_escapes_in_names_are_shown_not_sent(tmp_path):
    data = baseline_data()
    data["name"] = "\x1b[2J\x1b]0;pwned\x07centre"
    code, out = cli("run", str(write(tmp_path, data)))
    assert code == 0 and "\x1b" not in out and "\x07" not in out
    assert "\\x1b" in out


def test_limits_from_the_environment_must_be_whole_where_whole(monkeypatch):
    monkeypatch.setenv("WFM_MAX_AGENTS", "0.5")
    with pytest.raises(InputError, match="whole number"):
        wfm.load_scenario(BASELINE)


def test_results_grow_with_cells_within_a_limit():
    data = baseline_data()
    with limits.raised(max_interval_channels=50):
        with pytest.raises(LimitError, match="max_interval_channels"):
            wfm.Scenario.from_dict(data)


def test_a_staff_drop_of_many_busy_agents_leaves_the_right_number():
    sc = wfm.Scenario.from_dict({
        "channels": {"p": {"kind": "voice", "volume": [3000, 0, 0], "aht": 3600,
                           "target": {"answer_within": 20, "service_level": 0.8}}},
        "agents": [{"group": "g", "skills": ["p"], "staff": [2000, 0, 2000]}]})
    res = wfm.simulate(sc, seed=1)
    on_duty = res.groups["on_duty"].to_numpy()
    assert on_duty[0] == pytest.approx(2000 * 1800)
    assert 0 < on_duty[1] < 2000 * 1800  # the busy ones finish their call, then go
    assert on_duty[2] == pytest.approx(2000 * 1800)


def test_usage_mistakes_and_a_closed_output_through_the_entry_point():
    env = {**os.environ, **ENV, "PYTHONPATH": str(ROOT)}
    run = [sys.executable, "-m", "wfm.cli"]
    proc = subprocess.run([*run, "run", str(BASELINE), "--bogus"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and proc.stderr.startswith("error:")
    proc = subprocess.run(f"{sys.executable} -m wfm.cli run {BASELINE} | true", shell=True,
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert "broken pipe" in proc.stderr or proc.stderr == ""  # a fast reader may have read all


def test_sweep_infrastructure_errors(tmp_path):
    from wfm.batch import SweepError

    spec = {"scenario": str(BASELINE), "scale": {"channels.phone.volume": [1.0, 1.1]}}
    with pytest.raises(ValueError, match="workers"):
        wfm.sweep(spec, workers=10_000)
    out = tmp_path / "out"
    wfm.sweep(spec, out=out, workers=1)
    victim = next((out / "points").glob("*.parquet"))
    victim.unlink()
    victim.mkdir()
    with pytest.raises(SweepError, match="not a file"):
        wfm.sweep(spec, out=out, workers=1)
    with pytest.raises(ValueError, match="--scheduler"):
        wfm.sweep(spec, scheduler="not a url")


def test_erlang_service_level_needs_its_answer_within():
    with pytest.raises(ValueError, match="answer_within"):
        wfm.erlang.service_level(100, 180, 14, None)

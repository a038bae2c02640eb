"""The Streamlit app (app.py), driven by streamlit's AppTest: no browser, real wfm.

Every control of the app is driven here: picking and uploading scenarios (a bad file
shows the ScenarioError message), editing channels and the interval tables (invalid
edits show the message), running (KPI cards, charts, cache), comparing, planning and
the downloads. A download button's data is checked through its media URL: Streamlit
names the file by a hash of (bytes, mime type, file name), so the URL matches only if
the button serves exactly the expected bytes under the expected name.

The real browser test is tests/test_app_browser.py.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
import yaml

streamlit_testing = pytest.importorskip("streamlit.testing.v1")
from streamlit.runtime.memory_media_file_storage import _calculate_file_id  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

import wfm  # noqa: E402
from wfm.sim.engine import simulate  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app.py"
TIMEOUT = 60


def _import_app():
    spec = importlib.util.spec_from_file_location("wfm_app", APP)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


app = _import_app()
BASELINE = wfm.load_scenario(ROOT / "scenarios" / "baseline.yaml")

# A short day for the plan test: 8 half-hour intervals, shifts of 2 or 4 hours.
SMALL = """
name: Small test centre
interval_minutes: 30
start: "08:00"
channels:
  phone:
    kind: voice
    volume: [20, 30, 40, 40, 35, 30, 25, 20]
    aht: 240
    patience: 120
    target: {answer_within: 20, service_level: 0.80}
  email:
    kind: deferred
    volume: [10, 10, 8, 8, 6, 6, 5, 5]
    aht: 300
    target: {answer_within: 7200, service_level: 0.90}
agents:
  - group: voice
    skills: [phone]
    staff: 6
  - group: back
    skills: [email]
    staff: 2
shifts:
  voice:
    lengths_hours: [2, 4]
    break: {minutes: 0}
  back:
    lengths_hours: [2, 4]
    break: {minutes: 0}
"""


@pytest.fixture
def at() -> AppTest:
    test = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    test.run()
    assert not test.exception, test.exception
    return test


def _errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def _charts(at: AppTest) -> dict[str, str]:
    """Plotly charts on the page: {element key: figure title}."""
    out = {}
    for el in at.get("plotly_chart"):
        key = el.proto.id.rsplit("-", 1)[-1]
        title = json.loads(el.proto.spec)["layout"].get("title", {}).get("text", "")
        out[key] = title
    return out


def _serves(at: AppTest, key: str, data: bytes, mime: str, file_name: str) -> bool:
    """Whether the download button ``key`` serves exactly ``data`` as ``file_name``."""
    url = at.download_button(key=key).proto.url
    return _calculate_file_id(data, mime, file_name) in url


def _yaml_download(at: AppTest, expected: wfm.Scenario) -> bool:
    return _serves(at, "download_yaml", app.yaml_bytes(expected), "application/x-yaml",
                   f"{app.slug(expected.name)}.yaml")


def _edit_table(at: AppTest, key: str, edits: dict[int, dict[str, float]]) -> None:
    at.session_state[key] = {"edited_rows": edits, "added_rows": [], "deleted_rows": []}


# ---------------------------------------------------------------------- load
def test_opens_on_the_baseline_with_every_control(at):
    assert at.header[0].value == BASELINE.name
    assert at.selectbox(key="scenario_choice").value == "baseline"
    assert [t.label for t in at.tabs] == ["Scenario", "Results", "Compare", "Plan"]
    keys = {w.key for w in at.number_input}
    for name, ch in BASELINE.channels.items():
        p = f"channels.{name}"
        assert {f"scale:{p}.volume", f"edit:{p}.aht", f"edit:{p}.deflection",
                f"edit:{p}.target.answer_within", f"edit:{p}.target.service_level"} <= keys
        assert (f"edit:{p}.patience" in keys) == (ch.kind != "deferred")
        assert (f"edit:{p}.concurrency" in keys) == (ch.kind == "chat")
    assert at.number_input(key="edit:channels.phone.aht").value == 300
    volume = at.data_editor(key="table:volume").value
    staff = at.data_editor(key="table:staff").value
    assert list(volume.columns) == BASELINE.channel_names
    assert list(staff.columns) == BASELINE.group_names
    assert volume["phone"].tolist() == list(BASELINE.channels["phone"].volume)
    assert staff["voice"].tolist() == BASELINE.staff()["voice"].tolist()
    assert {"seed", "replications"} <= keys
    assert not at.button(key="run").disabled
    assert _yaml_download(at, BASELINE)
    assert at.file_uploader(key="scenario_upload").allowed_type == [".yaml", ".yml"]


def test_every_bundled_scenario_can_be_picked(at):
    options = at.selectbox(key="scenario_choice").options
    assert options == [p.stem for p in app.bundled_scenarios().values()]
    assert set(options) == {p.stem for p in (ROOT / "scenarios").glob("*.yaml")}
    at.number_input(key="edit:channels.phone.aht").set_value(250.0).run()
    for name in options:
        if name == "baseline":
            continue
        at.selectbox(key="scenario_choice").set_value(name).run()
        sc = wfm.load_scenario(ROOT / "scenarios" / f"{name}.yaml")
        assert not at.exception
        assert at.header[0].value == sc.name
        # loading drops the edits: the download is the file as loaded
        first = next(iter(sc.channels))
        assert at.number_input(key=f"edit:channels.{first}.aht").value == sc.channels[first].aht
        assert _yaml_download(at, sc)
    at.selectbox(key="scenario_choice").set_value("baseline").run()
    assert at.header[0].value == BASELINE.name and _yaml_download(at, BASELINE)


# ---------------------------------------------------------------------- edit
def test_channel_edits_revalidate_and_download_as_yaml(at):
    at.text_input(key="edit:name").set_value("Edited weekday")
    at.number_input(key="edit:channels.phone.aht").set_value(280.0)
    at.number_input(key="edit:channels.phone.patience").set_value(0.0)  # 0 = never abandons
    at.number_input(key="edit:channels.messaging.concurrency").set_value(2)
    at.number_input(key="edit:channels.social.deflection").set_value(0.25)
    at.number_input(key="edit:channels.email.target.answer_within").set_value(43200.0)
    at.number_input(key="edit:channels.messaging.target.service_level").set_value(0.85)
    at.run()
    assert not at.exception and not _errors(at)
    expected = BASELINE.with_values({
        "name": "Edited weekday",
        "channels.phone.aht": 280.0,
        "channels.phone.patience": None,
        "channels.messaging.concurrency": 2,
        "channels.social.deflection": 0.25,
        "channels.email.target.answer_within": 43200.0,
        "channels.messaging.target.service_level": 0.85,
    })
    assert _yaml_download(at, expected)
    assert not _yaml_download(at, BASELINE)
    text = app.yaml_bytes(expected).decode()
    assert "patience" not in yaml.safe_load(text)["channels"]["phone"]
    assert wfm.Scenario.from_yaml(text) == expected


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("edit:channels.phone.aht", 0.0, "channels.phone.aht: must be > 0"),
        ("edit:channels.social.deflection", 1.0, "channels.social.deflection: must be in [0, 1)"),
        ("edit:channels.phone.target.service_level", 0.0,
         "channels.phone.target.service_level: must be in (0, 1]"),
        ("edit:channels.messaging.concurrency", 0, "channels.messaging.concurrency"),
        ("scale:channels.phone.volume", -1.0, "scale factor must be a finite number >= 0"),
    ],
)
def test_an_invalid_edit_shows_the_error_and_blocks_the_run(at, key, value, message):
    at.number_input(key=key).set_value(value).run()
    assert not at.exception
    assert any(message in e for e in _errors(at)), _errors(at)
    assert at.button(key="run").disabled
    assert "download_yaml" not in {b.key for b in at.download_button}
    # fixing it clears the error
    original = {"edit:channels.phone.aht": 300.0, "edit:channels.social.deflection": 0.1,
                "edit:channels.phone.target.service_level": 0.8,
                "edit:channels.messaging.concurrency": 3,
                "scale:channels.phone.volume": 1.0}[key]
    at.number_input(key=key).set_value(original).run()
    assert not _errors(at) and not at.button(key="run").disabled
    assert _yaml_download(at, BASELINE)


def test_volume_scale_and_interval_tables(at):
    at.number_input(key="scale:channels.messaging.volume").set_value(1.5)
    _edit_table(at, "table:volume", {3: {"phone": 200}})
    _edit_table(at, "table:staff", {0: {"voice": 15}, 23: {"digital": 12}})
    at.run()
    assert not at.exception and not _errors(at)
    staff = {g: c.tolist() for g, c in BASELINE.staff().items()}
    staff["voice"][0], staff["digital"][23] = 15, 12
    volume = list(BASELINE.channels["phone"].volume)
    volume[3] = 200
    expected = BASELINE.with_values({
        "channels.phone.volume": volume,
        "agents.voice.staff": staff["voice"],
        "agents.digital.staff": staff["digital"],
    }).scaled({"channels.messaging.volume": 1.5})
    assert _yaml_download(at, expected)
    # a negative cell is rejected by the scenario, with its path
    _edit_table(at, "table:volume", {3: {"phone": -5}})
    at.run()
    assert any("channels.phone.volume[3]: must be >= 0" in e for e in _errors(at)), _errors(at)
    assert at.button(key="run").disabled


# ---------------------------------------------------------------------- run
def test_run_shows_kpi_cards_charts_and_csv(at):
    at.button(key="run").click().run()
    assert not at.exception
    assert at.session_state["tab"] == "Results"  # the run switches to its results
    result = at.session_state["result"]
    assert result.seed == 0 and result.n_replications == 1
    metrics = {m.label: m for m in at.metric}
    summary = result.summary.set_index("channel")
    for name in BASELINE.channels:
        card = metrics[f"{name} service level"]
        sl, target = summary.at[name, "service_level"], summary.at[name, "target_service_level"]
        assert card.value == f"{100 * sl:.1f}%"
        assert card.delta == f"{100 * (sl - target):+.1f} pts vs {100 * target:.0f}%"
    verdicts = [m.value for m in at.markdown if "**met**" in m.value or "**missed**" in m.value]
    assert len(verdicts) == len(BASELINE.channels)
    assert sum("missed" in v for v in verdicts) == int((~summary["met"]).sum())
    charts = _charts(at)
    for key in ("volume_and_staff", "service_level", "waiting_time_and_abandonment",
                "deferred_backlog", "occupancy", "requirement"):
        assert f"fig:{key}" in charts, charts
    assert not at.get("progress")  # the progress bar is gone once the run is done
    # the CSV download is the run's interval table
    expected = simulate(BASELINE, seed=0, replications=1)
    assert _serves(at, "download_csv", app.intervals_csv(expected), "text/csv",
                   f"{app.slug(BASELINE.name)}_intervals.csv")
    assert not at.warning  # the shown result matches the scenario


def test_results_are_cached_and_marked_stale_after_an_edit(at):
    at.number_input(key="seed").set_value(4242)
    at.number_input(key="replications").set_value(2)
    at.button(key="run").click().run()
    first = at.session_state["result"]
    assert (first.seed, first.n_replications) == (4242, 2)
    at.button(key="run").click().run()
    again = at.session_state["result"]
    # same scenario, seed and replications: served from the cache, not simulated again
    assert again.elapsed == first.elapsed
    assert again.summary.equals(first.summary)
    at.number_input(key="seed").set_value(4243)
    at.run()
    assert any("changed since this run" in w.value for w in at.warning)
    at.button(key="run").click().run()
    third = at.session_state["result"]
    assert third.seed == 4243 and not any("changed" in w.value for w in at.warning)
    at.number_input(key="edit:channels.phone.aht").set_value(320.0).run()
    assert any("changed since this run" in w.value for w in at.warning)


# ---------------------------------------------------------------------- upload
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"name: x\nchannels: 3\n", "invalid scenario bad.yaml (2 problems)"),
        (b"channels: [unclosed\n", "cannot be parsed"),
        (b"\xff\xfe\x00not text", "the file is not UTF-8 text"),
        (BASELINE.to_yaml().replace("aht: 300", "aht: -300").encode(),
         "channels.phone.aht: must be > 0"),
    ],
)
def test_uploading_a_bad_file_shows_the_scenario_error(at, content, message):
    at.file_uploader(key="scenario_upload").set_value(("bad.yaml", content, "text/yaml"))
    at.run()
    assert not at.exception  # a message in the page, not a traceback
    assert any(message in e and "bad.yaml" in e for e in _errors(at)), _errors(at)
    assert at.header[0].value == BASELINE.name  # the scenario in use is unchanged
    # the same helper, called directly
    with pytest.raises(wfm.ScenarioError, match="bad.yaml"):
        app.scenario_from_bytes(content, "bad.yaml")
    # clearing the uploader clears the message
    at.file_uploader(key="scenario_upload").clear()
    at.run()
    assert not _errors(at)


def test_uploading_a_good_file_loads_it_and_drops_the_edits(at):
    at.number_input(key="edit:channels.phone.aht").set_value(250.0).run()
    small = wfm.Scenario.from_yaml(SMALL)
    at.file_uploader(key="scenario_upload").set_value(("small.yaml", SMALL.encode(), "text/yaml"))
    at.run()
    assert not at.exception and not _errors(at)
    assert at.header[0].value == "Small test centre"
    assert at.number_input(key="edit:channels.phone.aht").value == 240
    assert list(at.data_editor(key="table:staff").value.columns) == ["voice", "back"]
    assert _yaml_download(at, small)
    assert app.scenario_from_bytes(SMALL.encode(), "small.yaml") == small


# ---------------------------------------------------------------------- compare
def test_compare_baseline_with_the_social_surge(at):
    assert at.selectbox(key="compare_a").value == app.EDITED
    assert at.selectbox(key="compare_b").value == "social_surge"
    at.selectbox(key="compare_a").set_value("baseline")
    at.button(key="compare_run").click().run()
    assert not at.exception and not _errors(at)
    comp = at.session_state["comparison"]
    assert comp["labels"] == ("baseline", "social_surge")
    table = comp["table"].set_index("channel")
    assert "delta_service_level" in table.columns
    surge = wfm.load_scenario(ROOT / "scenarios" / "social_surge.yaml")
    b = simulate(surge, seed=0).summary.set_index("channel")
    a = simulate(BASELINE, seed=0).summary.set_index("channel")
    metrics = {m.label: m for m in at.metric}
    for ch in BASELINE.channels:
        delta = b.at[ch, "service_level"] - a.at[ch, "service_level"]
        assert table.at[ch, "delta_service_level"] == pytest.approx(delta)
        assert metrics[f"{ch} service level"].delta == f"{100 * delta:+.1f} pts"
    assert table.at["social", "delta_service_level"] < 0  # the surge hurts social
    assert "fig:comparison" in _charts(at)


def test_compare_refuses_an_invalid_edited_scenario_or_twice_the_same(at):
    at.number_input(key="edit:channels.phone.aht").set_value(0.0)
    at.button(key="compare_run").click().run()
    assert not at.exception
    assert any("edited scenario is invalid" in e for e in _errors(at))
    at.selectbox(key="compare_a").set_value("baseline")
    at.selectbox(key="compare_b").set_value("baseline")
    at.button(key="compare_run").click().run()
    assert any("pick two different scenarios" in e for e in _errors(at))
    assert at.session_state["comparison"] is None


# ---------------------------------------------------------------------- plan
def test_plan_shows_coverage_and_gantt_and_can_be_applied(at):
    pytest.importorskip("wfm.planning", reason="wfm.planning is not written yet")
    at.file_uploader(key="scenario_upload").set_value(("small.yaml", SMALL.encode(), "text/yaml"))
    at.run()
    at.number_input(key="plan_replications").set_value(1)
    at.number_input(key="plan_max_iterations").set_value(3)
    at.number_input(key="plan_time_limit").set_value(20.0)
    at.button(key="plan_run").click().run()
    assert not at.exception, at.exception
    plan_result = at.session_state["plan"]
    charts = _charts(at)
    assert {"fig:coverage", "fig:gantt"} <= set(charts), charts
    assert any("converged" in m.value for m in at.markdown)
    assert _serves(at, "download_shifts", app.shifts_csv(plan_result), "text/csv", "shifts.csv")
    assert plan_result.schedule.shifts["count"].sum() > 0
    # use the planned staff: it becomes the scenario being edited
    at.button(key="plan_apply").click().run()
    assert not at.exception
    staff = at.data_editor(key="table:staff").value
    assert staff["voice"].tolist() == plan_result.scenario.staff()["voice"].tolist()
    assert _yaml_download(at, plan_result.scenario)

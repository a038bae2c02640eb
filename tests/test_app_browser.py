"""End to end: `streamlit run app.py` in a subprocess, driven in headless Chromium.

Starts the app on a free port of 127.0.0.1, waits for ``GET /_stcore/health`` to say
``ok``, opens it in Debian's Chromium through Playwright's sync API, runs the
simulation by clicking, waits for the plotly charts to render and saves screenshots
under the test's ``tmp_path``; downloads the scenario and the interval results; uploads
a bad scenario file through the page and reads the error.

Without a Chromium (or Playwright) the tests skip with the reason, except under
``CI=true``, where they fail instead. The Streamlit process is always terminated by a
finalizer; every wait is bounded.
"""

from __future__ import annotations

import io
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pandas as pd
import pytest

import wfm

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app.py"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
START_TIMEOUT = 60.0  # s, for the server to answer the health check
UI_TIMEOUT = 60_000  # ms, for anything to appear in the page


def _unavailable(reason: str) -> None:
    """Skip, or fail under CI=true (a missing browser must not pass silently there)."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: the browser test must run)")
    pytest.skip(reason)


def _chromium() -> str | None:
    for candidate in (os.environ.get("WFM_CHROMIUM"), "/usr/bin/chromium",
                      shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
            return resp.status == 200 and resp.read().decode().strip() == "ok"
    except OSError:
        return False


@pytest.fixture(scope="module")
def server(request, tmp_path_factory):
    """The app served by `streamlit run` on a free local port; yields its base URL."""
    port = _free_port()
    log_path = tmp_path_factory.mktemp("streamlit") / "streamlit.log"
    log = open(log_path, "wb")  # closed by the finalizer
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(APP),
         "--server.headless", "true", "--server.address", "127.0.0.1",
         "--server.port", str(port), "--server.fileWatcherType", "none",
         "--browser.gatherUsageStats", "false"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=env,
    )

    def stop() -> None:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        log.close()

    request.addfinalizer(stop)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_TIMEOUT
    while not _healthy(url):
        if proc.poll() is not None:
            pytest.fail(f"streamlit exited with {proc.returncode}:\n{log_path.read_text()}")
        if time.monotonic() > deadline:
            pytest.fail(f"streamlit not healthy after {START_TIMEOUT:.0f} s:\n"
                        f"{log_path.read_text()}")
        time.sleep(0.2)
    return url


@pytest.fixture(scope="module")
def browser():
    executable = _chromium()
    if executable is None:
        _unavailable("no Chromium found (looked for $WFM_CHROMIUM, /usr/bin/chromium, "
                     "chromium and chromium-browser on PATH)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install playwright)")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=executable, headless=True,
                                      args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1500, "height": 1000},
                                  accept_downloads=True)
    context.set_default_timeout(UI_TIMEOUT)
    page = context.new_page()
    page.goto(server, wait_until="domcontentloaded")
    page.get_by_role("heading", name="Retail omnichannel weekday").wait_for()
    yield page
    context.close()


def test_run_the_simulation_and_see_the_charts(page, tmp_path):
    baseline = wfm.load_scenario(ROOT / "scenarios" / "baseline.yaml")
    page.get_by_role("button", name="Run simulation").click()
    # the run switches to the Results tab: KPI cards, then the plotly charts render
    page.get_by_text("phone service level").first.wait_for()
    page.wait_for_function("document.querySelectorAll('.js-plotly-plot').length >= 6",
                           timeout=UI_TIMEOUT)
    page.locator(".js-plotly-plot .main-svg").first.wait_for()
    assert page.get_by_role("tab", name="Results").get_attribute("aria-selected") == "true"
    for name in baseline.channels:
        assert page.get_by_text(f"{name} service level").first.is_visible()
    # Streamlit scrolls inside its main block: a tall viewport shows the whole tab
    page.set_viewport_size({"width": 1500, "height": 3400})
    page.wait_for_timeout(800)  # let the charts resize to the new viewport
    shot = tmp_path / "results.png"
    page.screenshot(path=str(shot), full_page=True)
    page.set_viewport_size({"width": 1500, "height": 1000})
    assert shot.stat().st_size > 10_000

    with page.expect_download(timeout=UI_TIMEOUT) as dl:
        page.get_by_role("button", name="Download interval results (CSV)").click()
    frame = pd.read_csv(io.StringIO(Path(dl.value.path()).read_text()))
    assert dl.value.suggested_filename == "retail_omnichannel_weekday_intervals.csv"
    assert len(frame) == baseline.horizon * len(baseline.channels)
    assert {"interval", "channel", "service_level", "backlog"} <= set(frame.columns)

    with page.expect_download(timeout=UI_TIMEOUT) as dl:
        page.get_by_role("button", name="Download scenario (YAML)").click()
    assert wfm.Scenario.from_yaml(Path(dl.value.path()).read_text()) == baseline


def test_upload_a_bad_file_shows_the_error(page, tmp_path):
    bad = b"name: broken\nchannels:\n  phone: {kind: fax, volume: [1], aht: 60}\n"
    page.locator("input[type=file]").set_input_files(
        files=[{"name": "bad.yaml", "mimeType": "text/yaml", "buffer": bad}])
    alert = page.locator("[data-testid=stAlert]").filter(has_text="invalid scenario bad.yaml")
    alert.wait_for()
    text = alert.inner_text()
    assert "channels.phone.kind" in text and "unknown channel kind 'fax'" in text
    assert "Traceback" not in page.content()
    page.screenshot(path=str(tmp_path / "bad_upload.png"), full_page=False)
    # the scenario in use is still the baseline
    assert page.get_by_role("heading", name="Retail omnichannel weekday").is_visible()

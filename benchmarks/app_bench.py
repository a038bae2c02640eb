"""App benchmark: how long the planner waits, measured where the planner waits.

Three measurements:

1. **in the real browser** (``--browser``, the default): ``streamlit run app.py`` on a
   free local port, driven by headless Chromium through Playwright (as
   tests/test_app_browser.py does). Per scenario, on a fresh page each repeat:

   - *open to first chart*: from ``page.goto`` to the first plotly chart drawn
     (``.js-plotly-plot .main-svg``); also *open to page ready* (the header shown);
   - *Run to all charts*: from the click on **Run simulation** to every chart of the
     Results tab drawn and the script finished (the count of drawn charts unchanged
     for 0.6 s and Streamlit's "running" indicator gone).

   Scenarios: the bundled baseline day (24 half-hour intervals) and a week of it
   (336 half-hour intervals from Monday 00:00; the baseline's day 08:00-20:00 on each
   of the seven days, closed at night), uploaded through the page.
2. **simulate + figures**, in process: ``wfm.simulate`` and every chart of the Results
   tab (``wfm.report.run_figures`` plus the requirement figure), serialised to JSON.
3. **AppTest**: the whole script rerun after clicking **Run simulation** with a new seed.

Run: ``python benchmarks/app_bench.py [--repeats 3] [--app app.py] [--skip-browser]
[--browser-only]``.
``--app`` times another copy of the app (e.g. the previous commit's, for a before/after).
"""

from __future__ import annotations

import argparse
import logging
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import wfm  # noqa: E402
from wfm import report  # noqa: E402
from wfm.sim.engine import simulate  # noqa: E402

CHROMIUM = os.environ.get("WFM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def week_yaml() -> str:
    """A week of the baseline day: 336 half-hour intervals from 00:00, open 08:00-20:00."""
    sc = wfm.load_scenario(ROOT / "scenarios" / "baseline.yaml")
    data = sc.to_dict()
    data["name"] = "Retail omnichannel week"
    data["start"] = "00:00"
    night_before, night_after = [0] * 16, [0] * 8

    def week(day: list) -> list:
        return (night_before + list(day) + night_after) * 7

    for ch in data["channels"].values():
        ch["volume"] = week(ch["volume"])
    for group in data["agents"]:
        staff = group["staff"]
        group["staff"] = week(staff if isinstance(staff, list) else [staff] * sc.horizon)
    return wfm.Scenario.from_dict(data).to_yaml()


def _stats(times: list[float]) -> str:
    return (f"min {min(times):.2f} s, median {statistics.median(times):.2f} s, "
            f"max {max(times):.2f} s")


# ---------------------------------------------------------------------- the browser
def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
            return bool(resp.status == 200 and resp.read().decode().strip() == "ok")
    except OSError:
        return False


def start_app(app: Path, log: Path) -> tuple[subprocess.Popen, str]:
    """``streamlit run app`` on a free port of 127.0.0.1; returns (process, base URL)."""
    port = _free_port()
    fh = open(log, "wb")  # noqa: SIM115 - closed with the process by the caller
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(app), "--server.headless", "true",
         "--server.address", "127.0.0.1", "--server.port", str(port),
         "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"],
        cwd=app.parent, stdout=fh, stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while not _healthy(url):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"streamlit did not start: {log.read_text()}")
        time.sleep(0.2)
    return proc, url


_DRAWN = "document.querySelectorAll('.js-plotly-plot .main-svg:first-of-type').length"
#: Charts of the Results tab of the bundled baseline and the week (before and after issue 14).
RESULT_CHARTS = 6
_RUNNING = ("!!document.querySelector('[data-testid=stStatusWidgetRunningIcon], "
            "[data-testid=stStatusWidgetRunningManIcon]')")


def _settled(page, since: float, timeout: float = 120.0, quiet: float = 0.6,
             least: int = 1) -> tuple[float, int]:
    """Wait until the drawn-chart count stops changing and the script is idle; returns
    (seconds from ``since`` to the last change, charts drawn)."""
    last_n, last_change = -1, time.perf_counter()
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        n = int(page.evaluate(_DRAWN))
        running = bool(page.evaluate(_RUNNING))
        now = time.perf_counter()
        if n != last_n:
            last_n, last_change = n, now
        elif not running and n >= least and now - last_change >= quiet:
            return last_change - since, n
        page.wait_for_timeout(25)
    raise TimeoutError("the charts did not settle")


def bench_browser(app: Path, repeats: int) -> dict[str, dict[str, list[float] | int | None]]:
    from playwright.sync_api import sync_playwright

    out: dict[str, dict[str, list[float] | int | None]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        week = Path(tmp) / "week.yaml"
        week.write_text(week_yaml(), encoding="utf-8")
        proc, url = start_app(app, Path(tmp) / "streamlit.log")
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                for label, upload in (("baseline day", None), ("week", week)):
                    res: dict[str, list[float] | int | None] = {
                        "open to page ready": [], "open to first chart": [],
                        "Run to all charts": [], "charts": None}
                    for k in range(repeats + 1):  # the first, warming the server, not kept
                        ctx = browser.new_context(viewport={"width": 1500, "height": 1000})
                        page = ctx.new_page()
                        page.set_default_timeout(120_000)
                        t0 = time.perf_counter()
                        page.goto(url, wait_until="domcontentloaded")
                        page.get_by_role("heading", name="Retail omnichannel weekday").wait_for()
                        t_ready = time.perf_counter() - t0
                        try:
                            page.wait_for_function(f"{_DRAWN} >= 1", timeout=15_000)
                            t_chart: float | None = time.perf_counter() - t0
                        except Exception:  # noqa: BLE001 - no chart on the opening page
                            t_chart = None
                        if upload is not None:
                            page.locator("input[type=file]").set_input_files(str(upload))
                            page.get_by_role("heading", name="Retail omnichannel week",
                                             exact=True).wait_for()
                            _settled(page, time.perf_counter(), least=0)
                        page.get_by_role("button", name="Run simulation").click()
                        t1 = time.perf_counter()
                        page.get_by_role("tab", name="Results", selected=True).wait_for()
                        page.locator("[data-testid=stMetric]").first.wait_for()
                        t_run, n = _settled(page, t1, least=RESULT_CHARTS)
                        if k:
                            res["open to page ready"].append(t_ready)  # type: ignore[union-attr]
                            if t_chart is not None:
                                res["open to first chart"].append(t_chart)  # type: ignore[union-attr]
                            res["Run to all charts"].append(t_run)  # type: ignore[union-attr]
                            res["charts"] = n
                        ctx.close()
                    out[label] = res
                browser.close()
        finally:
            proc.terminate()
            proc.wait(timeout=20)
    return out


# ---------------------------------------------------------------------- in process
def bench_in_process(repeats: int) -> dict[str, list[float]]:
    """simulate, figures (+ JSON) and their sum for new seeds, seconds each."""
    from wfm.staffing import requirements

    sc = wfm.load_scenario(ROOT / "scenarios" / "baseline.yaml")
    out: dict[str, list[float]] = {"simulate": [], "figures": [], "total": []}
    simulate(sc, seed=999)  # warm imports and first-call costs
    for seed in range(repeats):
        t0 = time.perf_counter()
        result = simulate(sc, seed=seed)
        t1 = time.perf_counter()
        figs = list(report.run_figures(result))
        figs.append(("Requirement", report.requirement_figure(result, requirements(sc))))
        for _, fig in figs:
            fig.to_json()
        t2 = time.perf_counter()
        out["simulate"].append(t1 - t0)
        out["figures"].append(t2 - t1)
        out["total"].append(t2 - t0)
    return out


def bench_apptest(app: Path, repeats: int) -> dict[str, float | list[float]]:
    """Script reruns through streamlit's AppTest, seconds."""
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    from streamlit.testing.v1 import AppTest

    t0 = time.perf_counter()
    at = AppTest.from_file(str(app), default_timeout=120).run()
    first = time.perf_counter() - t0
    assert not at.exception, at.exception
    fresh, cached = [], []
    for k in range(repeats):
        at.number_input(key="seed").set_value(10_000 + k)
        t0 = time.perf_counter()
        at.button(key="run").click().run()
        fresh.append(time.perf_counter() - t0)
        assert not at.exception, at.exception
        t0 = time.perf_counter()
        at.button(key="run").click().run()
        cached.append(time.perf_counter() - t0)
    return {"first page load": first, "run (new seed)": fresh, "run (cached)": cached}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--app", type=Path, default=ROOT / "app.py")
    parser.add_argument("--skip-browser", action="store_true")
    parser.add_argument("--browser-only", action="store_true")
    args = parser.parse_args()
    app = args.app.resolve()
    print(f"python {sys.version.split()[0]}, {app}, {args.repeats} repeats, "
          f"load average {os.getloadavg()[0]:.2f}\n")
    if not args.skip_browser:
        for label, res in bench_browser(app, args.repeats).items():
            print(f"in the browser, {label} ({res['charts']} charts after the run):")
            for name in ("open to page ready", "open to first chart", "Run to all charts"):
                times = res[name]
                assert isinstance(times, list)
                print(f"  {name:<20} {_stats(times) if times else 'no chart on the opening page'}")
        print()
    if args.browser_only:
        return
    res = bench_in_process(args.repeats)
    print("in process (baseline day, one replication):")
    for name, times in res.items():
        print(f"  {name:<10} {_stats(times)}")
    app_res = bench_apptest(app, args.repeats)
    print("\nthrough AppTest (whole script rerun):")
    for name, value in app_res.items():
        text = f"{value:.3f} s" if isinstance(value, float) else _stats(value)
        print(f"  {name:<16} {text}")


if __name__ == "__main__":
    main()

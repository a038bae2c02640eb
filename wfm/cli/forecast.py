"""``wfm forecast``: forecast volumes from interval history, or backtest the forecast.

``wfm forecast HISTORY --days N --interval M [--level L] [--template SCENARIO.yaml]
--out FILE`` forecasts the next N open days and writes a long-form CSV (or, with a
template, a scenario YAML); ``wfm forecast HISTORY --backtest`` prints the rolling-origin
backtest against the two naive benchmarks.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from wfm.cli.console import console, escape, fail, guarded
from wfm.report.format import pct

__all__ = ["forecast_command"]



def _special(closed: list[str], special: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {d: "closed" for d in closed}
    for item in special:
        day, sep, factor = item.partition("=")
        if not sep:
            fail(f"--special {item}: expected DATE=FACTOR, e.g. 2024-12-24=0.6", 2)
        try:
            out[day.strip()] = float(factor)
        except ValueError:
            fail(f"--special {item}: the factor must be a number (got {factor!r})", 2)
    return out


def _check_out(out: Path, template: Path | None, backtest: bool) -> None:
    """Refuse an unusable --out before any work (exit 4), and a wrong suffix (exit 2)."""
    suffix = out.suffix.lower()
    if not backtest:
        want = (".yaml", ".yml") if template is not None else (".csv",)
        if suffix not in want:
            fail(f"--out {out}: expected a {' or '.join(want)} file"
                 + (" (a scenario, with --template)" if template is not None else
                    " (give --template SCENARIO.yaml to write a scenario)"), 2)
    elif suffix != ".csv":
        fail(f"--out {out}: the backtest table is written as a .csv file", 2)
    if out.is_dir():
        fail(f"--out {out}: is a folder, not a file", 4)
    parent = out.parent if str(out.parent) else Path(".")
    try:
        from wfm.atomic import check_writable_dir

        check_writable_dir(parent)
    except OSError as exc:
        fail(f"--out {out}: {exc}", 4)


@guarded
def forecast_command(
    history: Path = typer.Argument(..., help="interval history, CSV or Parquet (long or wide form)"),
    days: int = typer.Option(5, help="open days to forecast"),
    interval: int = typer.Option(30, help="interval length of the forecast, minutes"),
    level: float = typer.Option(0.8, help="coverage of the central prediction interval"),
    template: Path | None = typer.Option(None, help="scenario YAML whose channels and groups the forecast fills"),
    out: Path | None = typer.Option(None, help="write the forecast here: .csv, or .yaml with --template"),
    backtest: bool = typer.Option(False, "--backtest", help="print the rolling-origin backtest instead"),
    horizon: int = typer.Option(5, help="backtest: open days ahead from each origin"),
    min_history: int = typer.Option(60, help="backtest: open days of history before the first origin"),
    country: str | None = typer.Option(None, help="public holidays of this country (ISO code, e.g. US)"),
    subdiv: str | None = typer.Option(None, help="subdivision of --country (state, province: e.g. CA)"),
    closed: list[str] = typer.Option([], help="a day the centre is closed, YYYY-MM-DD (repeatable)"),
    special: list[str] = typer.Option([], help="a special day's volume factor, YYYY-MM-DD=FACTOR (repeatable)"),
    timezone: str | None = typer.Option(None, help="the centre's time zone, e.g. Europe/London"),
    quantile: float | None = typer.Option(None, help="with --template: plan for this quantile of the volume"),
    growth: float = typer.Option(1.0, help="with --template: multiply every volume (1.05 = 5% more)"),
) -> None:
    """Forecast the next open days from interval history, or backtest the forecast.

    Writes a long-form CSV (interval_start, channel, volume, lower, upper) or, with
    --template, a ready scenario YAML. --backtest prints WAPE per interval and per day
    against seasonal naive and the mean of the last four same weekdays.
    """
    from wfm.forecast import backtest as run_backtest
    from wfm.forecast import forecast
    from wfm.history import read_history

    if out is not None:
        _check_out(out, template, backtest)
    specials = _special(closed, special)
    tmpl = None
    if template is not None and not backtest:
        from wfm.scenario import load_scenario

        tmpl = load_scenario(template)
    hist = read_history(history, timezone=timezone)
    if backtest:
        with console.status("backtesting..."):
            bt = run_backtest(hist, horizon=horizon, interval_minutes=interval, min_history=min_history,
                              level=level, country=country, subdiv=subdiv, special_days=specials)
        console.print(_backtest_table(bt, history.name))
        console.print(_horizon_table(bt))
        if out is not None:
            import pandas as pd

            from wfm.atomic import atomic_write

            table = pd.concat([bt.summary.assign(horizon="all"), bt.by_horizon], ignore_index=True)
            cols = ["method", "horizon", "wape_interval", "wape_day", "coverage_interval", "coverage_day",
                    "seconds_per_origin", "vs_mean_4_weekdays"]
            atomic_write(out, lambda fh: table[cols].to_csv(fh, index=False, lineterminator="\n"))
            console.print(f"wrote {escape(str(out))}", highlight=False)
        return
    fc = forecast(hist, days, interval_minutes=interval, level=level, country=country, subdiv=subdiv,
                  special_days=specials)
    console.print(_days_table(fc, history.name))
    if len(fc.closed):
        skipped = ", ".join(f"{d:%a %Y-%m-%d} ({r})" for d, r in zip(fc.closed["date"], fc.closed["reason"],
                                                                      strict=True))
        console.print(f"closed: {escape(skipped)}", highlight=False, soft_wrap=True)
    for row in fc.parameters.itertuples(index=False):
        console.print(f"{escape(str(row.channel))}: fitted on {row.history_days} open days; day effect "
                      f"AR {row.ar:.2f}; day-level CV {pct(row.day_cv_1)} one day ahead, "
                      f"{pct(fc.day_cv[str(row.channel)])} over the forecast; intraday CV "
                      f"{pct(row.interval_cv)}", style="dim", highlight=False)
    if out is None:
        return
    if tmpl is not None:
        sc = fc.to_scenario(tmpl, quantile=quantile, growth=growth)
        sc.to_yaml(out)
        console.print(f"wrote {escape(str(out))} ({sc.horizon} x {sc.interval_minutes}-min intervals from "
                      f"{sc.start}; {len(fc.calendar())} calendar days)", highlight=False)
    else:
        if quantile is not None or growth != 1.0:
            fail("--quantile and --growth apply with --template (a scenario); the CSV has volume, lower, upper", 2)
        fc.to_csv(out)
        console.print(f"wrote {escape(str(out))}", highlight=False)


def _days_table(fc: Any, name: str) -> Table:
    table = Table(title=escape(f"{name}: next {fc.days['day'].max()} open days, {fc.interval_minutes}-min "
                               f"intervals, {fc.level:.0%} prediction intervals"), title_justify="left")
    for col in ("day", "date", "channel", "hours", "volume", "interval", "day CV"):
        table.add_column(col, justify="left" if col in ("date", "channel", "hours") else "right", no_wrap=True)
    for r in fc.days.itertuples(index=False):
        note = "" if r.multiplier == 1 else f" x{r.multiplier:g}"
        table.add_row(str(r.day), f"{r.weekday} {r.date:%Y-%m-%d}{note}", escape(str(r.channel)),
                      f"{r.opens}-{r.closes}", f"{r.volume:,.0f}", f"{r.lower:,.0f} - {r.upper:,.0f}",
                      pct(r.day_cv))
    return table


def _backtest_table(bt: Any, name: str) -> Table:
    table = Table(title=escape(f"{name}: backtest, {bt.origins} origins x {bt.horizon} open days ahead, "
                               f"{bt.interval_minutes}-min intervals"), title_justify="left")
    for col in ("method", "WAPE interval", "WAPE day", "vs 4-weekday mean", f"{bt.level:.0%} coverage (int.)",
                "coverage (day)", "time / origin"):
        table.add_column(col, justify="left" if col == "method" else "right", no_wrap=True)
    for r in bt.summary.itertuples(index=False):
        table.add_row(str(r.method), pct(r.wape_interval, 2), pct(r.wape_day, 2),
                      f"{100 * r.vs_mean_4_weekdays:+.1f}%", pct(r.coverage_interval), pct(r.coverage_day),
                      f"{1000 * r.seconds_per_origin:,.1f} ms")
    return table


def _horizon_table(bt: Any) -> Table:
    table = Table(title="interval WAPE by open days ahead", title_justify="left")
    table.add_column("method")
    for h in range(1, bt.horizon + 1):
        table.add_column(str(h), justify="right")
    for method, g in bt.by_horizon.groupby("method", sort=False):
        table.add_row(str(method), *[pct(v, 2) for v in g["wape_interval"]])
    return table

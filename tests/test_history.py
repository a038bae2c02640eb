"""Reading interval history: layouts, resampling, closed days, time zones, errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from wfm import limits
from wfm.errors import InputError, LimitError
from wfm.history import History, HistoryError, read_history


def long_frame(days: int = 3, minutes: int = 15, start: str = "2024-01-08",
               channels=("phone", "email")) -> pd.DataFrame:
    rows = []
    for d in pd.bdate_range(start, periods=days):
        for m in range(8 * 60, 10 * 60, minutes):
            for k, ch in enumerate(channels):
                rows.append({"interval_start": f"{d + pd.Timedelta(minutes=m):%Y-%m-%d %H:%M}", "channel": ch,
                             "offered": 10 + k + m % 7, "handled": 9 + k, "aht": 200.0 + 10 * k})
    return pd.DataFrame(rows)


def write_csv(tmp_path, frame: pd.DataFrame, name: str = "h.csv"):
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return path


# ---------------------------------------------------------------------- layouts
def test_long_form_csv_reads_every_field(tmp_path):
    raw = long_frame()
    h = read_history(write_csv(tmp_path, raw))
    assert isinstance(h, History)
    assert h.channels == ("phone", "email")
    assert h.interval_minutes == 15
    assert list(h.intervals.columns) == ["interval_start", "channel", "offered", "handled", "aht", "abandoned",
                                         "answered_in_target", "avg_wait"]
    assert len(h.intervals) == len(raw)
    assert h.intervals["offered"].sum() == raw["offered"].sum()
    assert h.intervals["abandoned"].isna().all()  # not in the export
    assert h.fields == ("offered", "handled", "aht")
    assert len(h.days) == 3


def test_wide_form_with_column_mapping():
    wide = pd.DataFrame({"Start": ["2024-01-08 08:00", "2024-01-08 08:30"], "Voice": [5, 6], "Mail": [1, 0]})
    h = read_history(wide, columns={"interval_start": "Start"}, channels={"phone": "Voice", "email": "Mail"})
    assert h.channels == ("phone", "email")
    assert h.interval_minutes == 30
    got = h.intervals.set_index(["interval_start", "channel"])["offered"]
    assert got[(pd.Timestamp("2024-01-08 08:30"), "email")] == 0  # an open interval with no contacts


def test_long_form_column_names_mapped():
    raw = long_frame().rename(columns={"interval_start": "Time", "offered": "Calls", "channel": "Queue"})
    h = read_history(raw, columns={"interval_start": "Time", "offered": "Calls", "channel": "Queue"})
    assert h.channels == ("phone", "email")


def test_parquet_round_trip(tmp_path):
    raw = long_frame()
    raw["interval_start"] = pd.to_datetime(raw["interval_start"])
    path = tmp_path / "h.parquet"
    raw.to_parquet(path)
    h = read_history(path)
    assert h.intervals["offered"].sum() == raw["offered"].sum()
    assert h.interval_minutes == 15


# ---------------------------------------------------------------------- intervals and closed days
def test_resample_sums_counts_and_weights_aht():
    raw = pd.DataFrame({
        "interval_start": ["2024-01-08 08:00", "2024-01-08 08:15", "2024-01-08 08:30"],
        "channel": "phone", "offered": [10, 30, 5], "handled": [10, 30, 5], "aht": [100, 200, 300],
    })
    h = read_history(raw, interval_minutes=30)
    assert h.interval_minutes == 30
    first = h.intervals.iloc[0]
    assert first["offered"] == 40
    assert first["aht"] == pytest.approx((10 * 100 + 30 * 200) / 40)
    assert h.intervals.iloc[1]["offered"] == 5


def test_resample_refuses_finer_intervals():
    h = read_history(long_frame(minutes=30))
    with pytest.raises(HistoryError, match="finer intervals would be invented"):
        h.resample(15)
    with pytest.raises(HistoryError, match="multiple"):
        h.resample(45)


def test_interval_inferred_or_given():
    raw = long_frame(minutes=60)
    assert read_history(raw).interval_minutes == 60
    # 60-minute rows read as 15-minute history (a quiet queue with gaps)
    assert read_history(raw, source_minutes=15).interval_minutes == 15
    with pytest.raises(HistoryError, match="source_minutes"):
        read_history(raw, source_minutes=7)


def test_closed_days_are_apart_from_zero_volume_intervals():
    raw = long_frame(days=3, channels=("phone",))
    raw = raw[~raw["interval_start"].str.startswith("2024-01-09")]  # Tuesday closed: no rows
    raw.loc[raw.index[0], "offered"] = 0  # an open interval with no contacts
    h = read_history(raw)
    assert [d.strftime("%a") for d in h.days] == ["Mon", "Wed"]
    days, slots, values = h.matrix("phone")
    assert values.shape == (2, 8)
    assert values[0, 0] == 0
    # an interval with no row on an open day is closed (NaN)
    raw2 = raw[raw["interval_start"] != "2024-01-10 09:45"]
    _, _, v2 = read_history(raw2, source_minutes=15).matrix("phone")
    assert np.isnan(v2[1, -1]) and not np.isnan(v2[0, -1])


def test_channel_without_a_row_in_an_open_interval_gets_zero():
    raw = long_frame(days=1)
    raw = raw.drop(index=raw.index[(raw["channel"] == "email")][:2])
    h = read_history(raw)
    email = h.intervals[h.intervals["channel"] == "email"]
    assert len(email) == 8 and (email["offered"].iloc[:2] == 0).all()


def test_daily_totals_and_hours():
    h = read_history(long_frame(days=2))
    d = h.daily()
    assert list(d.columns[:4]) == ["date", "weekday", "channel", "offered"]
    assert d["opens"].unique().tolist() == ["08:00"] and d["closes"].unique().tolist() == ["10:00"]
    assert d["open_intervals"].unique().tolist() == [8]
    assert d.loc[0, "aht"] == pytest.approx(200)


def test_before_and_select():
    h = read_history(long_frame(days=3))
    assert len(h.before("2024-01-10").days) == 2
    assert h.select(["email"]).channels == ("email",)
    with pytest.raises(HistoryError, match="no channel 'fax'"):
        h.select(["fax"])


# ---------------------------------------------------------------------- time zones and DST
def test_utc_offsets_convert_to_local_clock():
    raw = pd.DataFrame({"interval_start": ["2024-03-29T08:00:00+00:00", "2024-04-02T07:00:00+00:00"],
                        "channel": "phone", "offered": [1, 2]})
    h = read_history(raw, timezone="Europe/London")
    # GMT before the change, BST (UTC+1) after: both are 08:00 on the local clock
    assert h.intervals["interval_start"].dt.strftime("%H:%M").tolist() == ["08:00", "08:00"]
    with pytest.raises(HistoryError, match="timezone="):
        read_history(raw)
    with pytest.raises(HistoryError, match="unknown time zone"):
        read_history(raw, timezone="Mars/Olympus")


def test_repeated_hour_when_clocks_go_back_is_summed_with_a_timezone():
    # 2024-10-27: Europe/London goes from 02:00 BST back to 01:00 GMT
    raw = pd.DataFrame({"interval_start": ["2024-10-27 00:30", "2024-10-27 01:00", "2024-10-27 01:00",
                                           "2024-10-27 02:00"],
                        "channel": "phone", "offered": [1, 2, 3, 4]})
    with pytest.raises(HistoryError, match="duplicated interval"):
        read_history(raw)
    h = read_history(raw, timezone="Europe/London")
    got = h.intervals.set_index("interval_start")["offered"]
    assert got[pd.Timestamp("2024-10-27 01:00")] == 5
    assert h.intervals["handled"].isna().all()  # still unknown, not 0


# ---------------------------------------------------------------------- errors
def test_errors_name_line_and_column(tmp_path):
    raw = long_frame(days=1, channels=("phone",)).astype({"offered": object})
    raw.loc[2, "interval_start"] = "yesterday"
    raw.loc[3, "offered"] = -4
    raw.loc[4, "offered"] = "many"
    path = write_csv(tmp_path, raw)
    with pytest.raises(HistoryError) as info:
        read_history(path)
    msg = str(info.value)
    assert "line 4, column 'interval_start': not a date and time (got 'yesterday'" in msg
    assert "line 5, column 'offered': must be a count >= 0 (got -4)" in msg
    assert "line 6, column 'offered': must be a count (got 'many')" in msg
    assert isinstance(info.value, InputError) and isinstance(info.value, ValueError)
    assert len(info.value.errors) == 3  # every problem at once


def test_duplicated_interval_names_both_lines(tmp_path):
    raw = long_frame(days=1, channels=("phone",))
    raw = pd.concat([raw, raw.iloc[[1]]], ignore_index=True)
    with pytest.raises(HistoryError, match=r"line 10, column 'interval_start': duplicated interval "
                                           r"2024-01-08 08:15 for channel 'phone' \(also at line 3\)"):
        read_history(write_csv(tmp_path, raw))


def test_unknown_channel_and_off_grid_time():
    raw = long_frame(days=1)
    raw.loc[5, "channel"] = "fax"
    with pytest.raises(HistoryError, match=r"row 6, column 'channel': unknown channel 'fax'"):
        read_history(raw, channels=["phone", "email"])
    raw = long_frame(days=1, minutes=30, channels=("phone",))
    raw.loc[1, "interval_start"] = "2024-01-08 08:40"
    with pytest.raises(HistoryError, match="08:40:00 is not the start of a 30-minute interval"):
        read_history(raw, source_minutes=30)


def test_missing_columns_and_bad_mapping():
    with pytest.raises(HistoryError, match="column 'interval_start'"):
        read_history(pd.DataFrame({"time": ["2024-01-08 08:00"], "phone": [1]}))
    with pytest.raises(HistoryError, match=r"columns\['offered'\]: no column 'Calls'"):
        read_history(long_frame(days=1), columns={"offered": "Calls"})
    with pytest.raises(HistoryError, match="missing value"):
        read_history(pd.DataFrame({"interval_start": ["2024-01-08 08:00"], "channel": ["phone"],
                                   "offered": [None]}))


def test_size_limit_checked_before_reading(tmp_path):
    path = write_csv(tmp_path, long_frame())
    with limits.raised(max_file_bytes=100), pytest.raises(LimitError, match="max_file_bytes"):
        read_history(path)
    with pytest.raises(HistoryError, match="unknown file type"):
        read_history(write_csv(tmp_path, long_frame(), "h.json"))
    with pytest.raises(OSError, match="cannot read"):
        read_history(tmp_path / "absent.csv")

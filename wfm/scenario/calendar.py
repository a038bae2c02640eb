"""Dates and opening hours of a scenario: ``start_date``, ``opening_hours``,
``closed_dates`` (top-level keys) and a group's ``shrinkage``.

With a ``start_date`` every interval has a date and a weekday (labels such as
``"Mon 30 Nov 08:00"``); ``opening_hours`` gives per weekday the open span (a weekday
left out is closed all day) and ``closed_dates`` whole days off (public holidays).
A closed interval takes no arrivals and needs no staff; the volume lists keep their
values (a forecast may be reused with other hours).

Examples
--------
>>> hours = OpeningHours.model_validate({"mon": ["08:00", "20:00"], "sat": ["09:00", "13:00"]})
>>> hours.span("mon"), hours.span("sun")
((480, 1200), None)
>>> parse_date("2026-11-30").strftime("%a")
'Mon'
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import numpy as np
from pydantic import BeforeValidator, Field, field_validator, model_validator

from wfm.scenario.clock import clock_value, parse_clock
from wfm.scenario.fields import StrictModel, to_tuple

__all__ = ["WEEKDAYS", "OpeningHours", "Shrinkage", "calendar_labels", "open_mask", "parse_date"]

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def parse_date(value: str) -> dt.date:
    """``"YYYY-MM-DD"`` -> a date; ``ValueError`` for anything else."""
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else \
            _bad(value)
    except ValueError:
        return _bad(value)


def _bad(value: Any) -> dt.date:
    raise ValueError(f"expected a date YYYY-MM-DD (got {value!r})")


def _span(value: Any) -> Any:
    if isinstance(value, str) and value.strip().lower() == "closed":
        return None
    return clock_value(value) if isinstance(value, list) else value


Span = Annotated[tuple[str, str] | None, BeforeValidator(_span)]


class OpeningHours(StrictModel):
    """Open span per weekday, ``["HH:MM", "HH:MM"]`` (``"23:59"`` stays open to
    midnight), or ``closed``; a weekday left out is closed."""

    mon: Span = None
    tue: Span = None
    wed: Span = None
    thu: Span = None
    fri: Span = None
    sat: Span = None
    sun: Span = None

    @model_validator(mode="after")
    def _spans(self) -> OpeningHours:
        for day in WEEKDAYS:
            span = getattr(self, day)
            if span is None:
                continue
            start, end = (parse_clock(x) for x in span)
            if end <= start:
                raise ValueError(f"{day}: closes ({span[1]}) before it opens ({span[0]})")
        return self

    def span(self, day: str) -> tuple[int, int] | None:
        """(open, close) minutes after midnight of weekday ``day``, None when closed."""
        v = getattr(self, day)
        return None if v is None else (parse_clock(v[0]), parse_clock(v[1]))


class Shrinkage(StrictModel):
    """Time a group's paid agents are not on the phones: ``planned`` (breaks, meetings,
    training) and ``unplanned`` (absence) shares, constant or one per interval. The
    scenario's ``staff`` is net (on the phones); paid agents = net / (1 - planned -
    unplanned)."""

    planned: Annotated[float, Field(ge=0, lt=1)] | Annotated[
        tuple[Annotated[float, Field(ge=0, lt=1)], ...], BeforeValidator(to_tuple)] = 0.0
    unplanned: Annotated[float, Field(ge=0, lt=1)] | Annotated[
        tuple[Annotated[float, Field(ge=0, lt=1)], ...], BeforeValidator(to_tuple)] = 0.0

    @field_validator("planned", "unplanned", mode="before")
    @classmethod
    def _number(cls, v: Any) -> Any:
        if isinstance(v, int) and not isinstance(v, bool):
            return float(v)
        if isinstance(v, list):
            return [float(x) if isinstance(x, int) and not isinstance(x, bool) else x for x in v]
        return v

    def total(self, horizon: int) -> np.ndarray:
        """Total shrinkage per interval (planned + unplanned)."""
        p = np.broadcast_to(np.asarray(self.planned, float), (horizon,))
        u = np.broadcast_to(np.asarray(self.unplanned, float), (horizon,))
        return np.asarray(p + u, float)


def open_mask(start_date: dt.date | None, start_minutes: int, interval_minutes: int,
              horizon: int, hours: OpeningHours | None, closed: tuple[dt.date, ...]) -> np.ndarray:
    """Whether each interval is open (its start inside the day's open span)."""
    if start_date is None or (hours is None and not closed):
        return np.ones(horizon, dtype=bool)
    minutes = start_minutes + np.arange(horizon) * interval_minutes
    days, clock = np.divmod(minutes, 1440)
    out = np.ones(horizon, dtype=bool)
    closed_set = set(closed)
    for i in range(horizon):
        date = start_date + dt.timedelta(days=int(days[i]))
        if date in closed_set:
            out[i] = False
            continue
        if hours is not None:
            span = hours.span(WEEKDAYS[date.weekday()])
            out[i] = span is not None and span[0] <= clock[i] < span[1]
    return out


def calendar_labels(start_date: dt.date, start_minutes: int, interval_minutes: int,
                    horizon: int) -> list[str]:
    """``"Mon 30 Nov 08:00"`` for every interval."""
    out = []
    for i in range(horizon):
        days, clock = divmod(start_minutes + i * interval_minutes, 1440)
        date = start_date + dt.timedelta(days=days)
        out.append(f"{date.strftime('%a %d %b')} {clock // 60:02d}:{clock % 60:02d}")
    return out

"""Individual agents with their shifts (an agent group's optional ``roster:``).

Each entry is one agent (or ``count`` identical ones): a shift ``start`` and ``end`` and
``breaks``, clock times ``"HH:MM"`` to the minute, optionally on a later day of the
horizon (``"d2 08:00"``); an ``end`` earlier than its ``start`` is on the next day. An
agent whose shift ends or whose break starts finishes the contact in hand first (a chat
agent finishes the sessions it holds and takes no new ones), then leaves.

Examples
--------
>>> a = RosterAgent(start="08:00", end="16:30", breaks=[("12:00", "12:30")])
>>> a.minutes(start_minutes=8 * 60)
(0, 510, ((240, 270),))
>>> RosterAgent(start="22:00", end="06:00").minutes(start_minutes=20 * 60)
(120, 600, ())
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BeforeValidator, Field, field_validator

from wfm.scenario.fields import StrictModel, integral, to_tuple

__all__ = ["RosterAgent", "parse_day_clock"]

_DAY_CLOCK = re.compile(r"^(?:d(\d{1,3})\s+)?([01]?\d|2[0-3]):([0-5]\d)$")


def parse_day_clock(value: str) -> int:
    """``"HH:MM"`` or ``"dN HH:MM"`` -> minutes after midnight of day 1."""
    m = _DAY_CLOCK.match(value.strip()) if isinstance(value, str) else None
    if not m or (m.group(1) is not None and int(m.group(1)) < 1):
        raise ValueError(f"expected a clock time HH:MM or dN HH:MM (got {value!r})")
    day = int(m.group(1) or 1)
    return (day - 1) * 1440 + int(m.group(2)) * 60 + int(m.group(3))


def _clock_text(value: object) -> object:
    # YAML 1.1 reads an unquoted 10:00 as the integer 600
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 1440:
        return f"{value // 60:02d}:{value % 60:02d}"
    if isinstance(value, list | tuple):
        return tuple(_clock_text(v) for v in value)
    return value


DayClock = Annotated[str, BeforeValidator(_clock_text)]


class RosterAgent(StrictModel):
    """One rostered agent (or ``count`` alike): shift and breaks, to the minute."""

    start: DayClock
    end: DayClock
    breaks: Annotated[
        tuple[Annotated[tuple[DayClock, DayClock], BeforeValidator(_clock_text)], ...],
        BeforeValidator(to_tuple),
    ] = ()
    count: Annotated[int, BeforeValidator(integral), Field(ge=1, le=100_000)] = 1

    @field_validator("start", "end")
    @classmethod
    def _clock(cls, v: str) -> str:
        parse_day_clock(v)
        return v

    @field_validator("breaks")
    @classmethod
    def _breaks(cls, v: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
        for a, b in v:
            parse_day_clock(a)
            parse_day_clock(b)
        return v

    def minutes(self, start_minutes: int) -> tuple[int, int, tuple[tuple[int, int], ...]]:
        """(shift start, shift end, breaks) in minutes from the horizon's start, for a
        horizon starting ``start_minutes`` after midnight of day 1. Ends and break times
        earlier than the shift start roll to the next day."""
        s = parse_day_clock(self.start)
        e = parse_day_clock(self.end)
        while e <= s:
            e += 1440
        out = []
        for a, b in self.breaks:
            bs, be = parse_day_clock(a), parse_day_clock(b)
            while bs < s:
                bs += 1440
            while be <= bs:
                be += 1440
            out.append((bs - start_minutes, be - start_minutes))
        return s - start_minutes, e - start_minutes, tuple(out)

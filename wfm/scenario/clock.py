"""Clock times ``"HH:MM"`` in scenario files.

Examples
--------
>>> parse_clock("08:30")
510
>>> parse_clock("24:00")
Traceback (most recent call last):
...
ValueError: expected a clock time HH:MM (got '24:00')
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BeforeValidator

__all__ = ["Clock", "parse_clock"]

_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def parse_clock(value: str) -> int:
    """``"HH:MM"`` -> minutes after midnight; ``ValueError`` for anything else."""
    m = _CLOCK.match(value) if isinstance(value, str) else None
    if not m:
        raise ValueError(f"expected a clock time HH:MM (got {value!r})")
    return int(m.group(1)) * 60 + int(m.group(2))


def clock_value(value: Any) -> Any:
    """YAML 1.1 reads an unquoted ``10:00`` as the sexagesimal integer 600; take it back."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 24 * 60:
        return f"{value // 60:02d}:{value % 60:02d}"
    if isinstance(value, list):
        return tuple(clock_value(v) for v in value)
    return value


Clock = Annotated[str, BeforeValidator(clock_value)]

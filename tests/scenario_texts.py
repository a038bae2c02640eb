"""Scenario YAML texts shared by the CLI and app tests.

``SMALL``
    A short day: 8 half-hour intervals from 08:00; a phone channel (voice, AHT 240 s,
    patience 120 s, 80% in 20 s) and an email channel (deferred, 90% in 2 h); two groups,
    ``voice`` (6 agents, phone only) and ``back`` (2 agents, email only); shifts of 2 or
    4 hours without breaks; no currency, wages or shrinkage. It is small enough that a
    run, a plan or a sweep finishes in seconds. Relied on by:

    - tests/test_app.py: uploaded as ``small.yaml``; the tests check its name ("Small
      test centre"), its phone AHT (240) and its groups (``voice``, ``back``), plan it
      in a few seconds, and derive a short-staffed copy (``staff: 6`` -> ``staff: 5``,
      in the test) whose phone misses its target and whose smallest fix is voice agents;
    - tests/test_cli_run.py: ``wfm plan`` (the wording of a round's outcome) and
      ``wfm sweep`` (2 points x its 2 channels = 4 summary rows) run on it.

``PRICED``
    ``SMALL`` with money, derived below by visible edits: renamed "Priced centre",
    ``currency: USD``, 20% planned shrinkage on the ``voice`` group and a wage per shift
    group (25.0 per hour for ``voice``, 18.0 for ``back``). Still one short day, so a
    plan is fast and its FTE is a one-day figure. Relied on by
    tests/test_cli_plan_costs.py: the cost table and report in USD, paid hours = shift
    hours / 0.8 on ``voice``, cost = 25 x paid hours on ``voice`` and 18 x shift hours
    on ``back``.

``nine_days(start_date)``
    A built scenario, not a text: nine days of hourly intervals (``DAYS``), a phone line
    open 08:00-20:00 (``OPEN`` calls per hour of a day; ``voice`` staffed ``STAFF`` per
    hour) and a trickle of email with one ``back`` agent; with a ``start_date`` (default
    Monday 2026-11-30) it is open Monday to Saturday (``opening_hours``), without one
    its days are "day 1", "day 2"... Relied on by tests/test_report_week.py (the week
    view and report: 9 days, weeks Mon-Sun) and tests/test_app_week.py (the app's week
    view, uploaded as its YAML).

Each test module imports the name it uses (``from scenario_texts import SMALL``); a test
writes the text to a file or passes it to ``wfm.Scenario.from_yaml`` itself.
"""

from __future__ import annotations

import wfm

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


def _replace_once(text: str, old: str, new: str) -> str:
    """``text`` with ``old``, which must occur exactly once, replaced by ``new``."""
    if text.count(old) != 1:
        raise ValueError(f"{old!r} occurs {text.count(old)} times, not once")
    return text.replace(old, new)


# SMALL with money: its own name, a currency, 20% shrinkage on voice, a wage per shift group
PRICED = _replace_once(SMALL, "name: Small test centre\n", "name: Priced centre\n")
PRICED = _replace_once(PRICED, 'start: "08:00"\n', 'start: "08:00"\ncurrency: USD\n')
PRICED = _replace_once(PRICED, "    skills: [phone]\n    staff: 6\n",
                       "    skills: [phone]\n    staff: 6\n    shrinkage: {planned: 0.2}\n")
PRICED = _replace_once(PRICED, "  voice:\n    lengths_hours: [2, 4]\n    break: {minutes: 0}\n",
                       "  voice:\n    lengths_hours: [2, 4]\n    break: {minutes: 0}\n    cost_per_hour: 25.0\n")
PRICED = _replace_once(PRICED, "  back:\n    lengths_hours: [2, 4]\n    break: {minutes: 0}\n",
                       "  back:\n    lengths_hours: [2, 4]\n    break: {minutes: 0}\n    cost_per_hour: 18.0\n")


DAYS = 9
OPEN = [0] * 8 + [20, 30, 40, 40, 35, 30, 30, 35, 30, 25, 20, 15] + [0] * 4
STAFF = [0] * 8 + [4, 5, 6, 6, 6, 5, 5, 6, 5, 4, 4, 3] + [0] * 4


def nine_days(start_date: str | None = "2026-11-30") -> wfm.Scenario:
    """Nine days of hourly intervals, open 08:00-20:00 Monday to Saturday."""
    data = {
        "name": "Nine days", "interval_minutes": 60, "start": "00:00",
        "channels": {
            "phone": {"kind": "voice", "volume": OPEN * DAYS, "aht": 240, "patience": 120,
                      "target": {"answer_within": 20, "service_level": 0.8}},
            "email": {"kind": "deferred", "volume": [3] * 24 * DAYS, "aht": 300,
                      "target": {"answer_within": 14400, "service_level": 0.9}}},
        "agents": [{"group": "voice", "skills": ["phone"], "staff": STAFF * DAYS},
                   {"group": "back", "skills": ["email", "phone"], "staff": 1}],
    }
    if start_date:
        data["start_date"] = start_date
        data["opening_hours"] = {d: ["08:00", "20:00"]
                                 for d in ("mon", "tue", "wed", "thu", "fri", "sat")}
    return wfm.Scenario.from_dict(data)

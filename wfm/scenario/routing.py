"""The ``routing:`` section: how the switch routes contacts to agents.

All keys are optional; omitted, the routing is today's (every existing file keeps its
meaning):

* ``arrival`` — an arriving contact goes to a group with a free agent:
  ``least_occupied`` (the default: the group whose agents are least busy), ``ordered``
  (the channel's groups in preference order, the first with a free agent),
  ``longest_idle`` (the agent idle longest across the groups that can serve it),
  ``random`` (uniformly among the groups with a free agent);
* ``next_contact`` — a freed agent takes: ``priority`` (the default: its group's skills
  in order) or ``oldest`` (the longest-waiting contact among its skills);
* ``staff_rise`` — when a group's staff rises while agents of an earlier drop are still
  finishing their contacts: ``keep`` them (the default) or add ``new`` agents (the
  finishing ones leave as planned);
* ``staff_drop`` — when staff drops and no idle agent can leave, the least loaded busy
  agents leave when done; among equally loaded ones ``first_hired`` (the default: the
  agent present longest) or ``last_hired``.

Per channel (``channels: {phone: {arrival: ordered, groups: [voice, backup]}}``): its own
arrival rule and group order. Per group (``groups: {backup: {...}}``): its own
``next_contact`` rule, ``delays`` (seconds a contact of a channel must have waited
before this group takes it: the classic overflow to a back-up group after 20 s) and
``deferred_with_chats`` (whether an agent holding chats may take deferred work when it
has room; default false: an agent holding any chat takes no voice or deferred work).

Examples
--------
>>> r = Routing.model_validate({"arrival": "ordered", "groups": {"backup": {"delays": {"phone": 20}}}})
>>> r.arrival, r.groups["backup"].delays["phone"]
('ordered', 20.0)
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BeforeValidator, Field

from wfm.scenario.fields import MAX_SECONDS, NonNegFloat, StrictModel, to_tuple

__all__ = ["ARRIVAL_RULES", "NEXT_RULES", "ChannelRouting", "GroupRouting", "Routing"]

ARRIVAL_RULES = ("least_occupied", "ordered", "longest_idle", "random")
NEXT_RULES = ("priority", "oldest")

Arrival = Literal["least_occupied", "ordered", "longest_idle", "random"]
Next = Literal["priority", "oldest"]


class ChannelRouting(StrictModel):
    """A channel's own arrival rule and its groups in preference order."""

    arrival: Arrival | None = None
    groups: Annotated[tuple[str, ...], BeforeValidator(to_tuple), Field(min_length=1)] | None = None


class GroupRouting(StrictModel):
    """A group's own next-contact rule, overflow delays and chat/deferred blending."""

    next_contact: Next | None = None
    delays: dict[str, Annotated[NonNegFloat, Field(le=MAX_SECONDS)]] = Field(default_factory=dict)
    deferred_with_chats: bool = False


class Routing(StrictModel):
    """The ``routing:`` section (see the module docstring)."""

    arrival: Arrival = "least_occupied"
    next_contact: Next = "priority"
    staff_rise: Literal["keep", "new"] = "keep"
    staff_drop: Literal["first_hired", "last_hired"] = "first_hired"
    channels: dict[str, ChannelRouting] = Field(default_factory=dict)
    groups: dict[str, GroupRouting] = Field(default_factory=dict)

    def is_default(self) -> bool:
        """True when nothing differs from today's routing."""
        return self == Routing()

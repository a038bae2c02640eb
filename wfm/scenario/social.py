"""Social care: a ``social`` channel's ``social:`` block and the ``playbooks:`` section.

A ``social`` channel works like deferred work (nobody abandons, the backlog carries
over), one channel per platform with its own target. Its ``volume`` is the **mentions**
monitoring sees per interval (posts to the pages and mentions elsewhere); each is read
and classified by an agent (``triage_time`` of work, a task of the channel's triage
queue, taken in the group's skill order like any skill); an ``actionable`` share needs
a public reply (the channel's ``aht``). Peers in the community may answer first; one
public reply resolves a share of an incident's posts; posts excite more posts
(virality); every post has a reach; a share of the answered posts moves to a private
conversation.

Examples
--------
>>> s = Social.model_validate({"actionable": 0.4, "triage_time": 20,
...                            "virality": {"branching": 0.3, "delay": 600}})
>>> s.virality.branching, s.reach.median
(0.3, 30000.0)
>>> s.expected_mentions_factor()          # base rate / (1 - branching)
1.4285714285714286
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, model_validator

from wfm.scenario.behaviour import Distribution, Transfer
from wfm.scenario.fields import (
    MAX_SECONDS,
    NonNegFloat,
    NonNegInt,
    PosFloat,
    Share,
    StrictModel,
    integral,
    to_tuple,
)

__all__ = [
    "Community",
    "Incident",
    "Playbook",
    "PlaybookAction",
    "PlaybookCondition",
    "Reach",
    "Social",
    "Virality",
]

Seconds = Annotated[NonNegFloat, Field(le=MAX_SECONDS)]


class Community(StrictModel):
    """Peers who answer a post first: a ``share`` of the actionable posts can be
    answered by peers, who take a time drawn from ``time`` (from the post's arrival); a
    post a peer answers before an agent starts it leaves the queue as deflected."""

    share: Share
    time: Distribution = Field(default_factory=lambda: Distribution(dist="exponential",
                                                                    mean=1800.0))

    @model_validator(mode="after")
    def _mean(self) -> Community:
        if self.time.implied_mean() is None:
            raise ValueError("community.time needs its mean (time: {dist: ..., mean: ...})")
        return self


class Reach(StrictModel):
    """People who see a post: lognormal with ``median`` people and log-scale ``sigma``
    (heavy-tailed: a few posts are seen by far more than the median)."""

    median: Annotated[PosFloat, Field(le=1e10)] = 30000.0
    sigma: Annotated[NonNegFloat, Field(le=5)] = 1.5


class Virality(StrictModel):
    """Posts excite more posts (a self-exciting Hawkes process): each post triggers on
    average ``branching`` follow-up mentions after exponential delays of mean ``delay``
    seconds; a post still unanswered past its target triggers ``unanswered_factor``
    times as many."""

    branching: Annotated[NonNegFloat, Field(lt=1)]
    delay: Annotated[PosFloat, Field(le=MAX_SECONDS)] = 600.0
    unanswered_factor: Annotated[NonNegFloat, Field(ge=1, le=20)] = 1.0

    @model_validator(mode="after")
    def _stable(self) -> Virality:
        if self.branching * self.unanswered_factor >= 1:
            raise ValueError(
                f"branching x unanswered_factor must stay below 1 (got {self.branching:g} x"
                f" {self.unanswered_factor:g}): beyond it one post sets off an endless cascade"
            )
        return self


class Incident(StrictModel):
    """A cluster of posts about one grievance: ``posts`` posts from ``start`` (a clock
    time of the horizon, ``"HH:MM"`` or ``"dN HH:MM"``), spread over time with mean
    ``spread_minutes`` (exponential decay). The first agent to take one publishes the
    public reply (``reply_time`` seconds of work); once it is out, each of the
    incident's waiting and later posts is resolved by it with ``resolves``."""

    start: str
    posts: Annotated[int, BeforeValidator(integral), Field(ge=1, le=1_000_000)]
    spread_minutes: Annotated[PosFloat, Field(le=7 * 1440)] = 60.0
    reply_time: Annotated[PosFloat, Field(le=86400)] = 900.0
    resolves: Share = 0.5


class Social(StrictModel):
    """The ``social:`` block of a ``social`` channel (see the module docstring)."""

    actionable: Share = 1.0
    triage_time: Annotated[NonNegFloat, Field(le=3600)] = 0.0
    private: Transfer | None = None
    community: Community | None = None
    reach: Reach = Field(default_factory=Reach)
    virality: Virality | None = None
    incidents: Annotated[tuple[Incident, ...], BeforeValidator(to_tuple)] = ()

    def expected_mentions_factor(self) -> float:
        """Mentions per base mention once follow-ups are counted: 1 / (1 - branching)."""
        b = self.virality.branching if self.virality else 0.0
        return 1.0 / (1.0 - b)


class PlaybookCondition(StrictModel):
    """When a playbook fires, checked at every interval boundary: a channel's
    ``backlog`` above a number (contacts waiting), or an ``incident`` under way on a
    social channel (its first post arrived and its public reply is not out yet)."""

    channel: str
    backlog_above: NonNegInt | None = None
    incident: bool = False

    @model_validator(mode="after")
    def _one(self) -> PlaybookCondition:
        if (self.backlog_above is None) == (not self.incident):
            raise ValueError("give backlog_above (a number) or incident: true")
        return self


class PlaybookAction(StrictModel):
    """What a playbook does while its condition holds: ``add_skill`` (the group also
    takes the channel, after its own skills), ``add_agents`` (the group gets that many
    more agents on duty: overtime) or ``status_message`` (a status post resolves a
    share, ``resolves``, of the incident's posts that arrive while it is up)."""

    kind: Literal["add_skill", "add_agents", "status_message"]
    group: str | None = None
    channel: str | None = None
    agents: Annotated[int, BeforeValidator(integral), Field(ge=1, le=100_000)] | None = None
    resolves: Share | None = None

    @model_validator(mode="after")
    def _fields(self) -> PlaybookAction:
        need = {"add_skill": ("group", "channel"), "add_agents": ("group", "agents"),
                "status_message": ("channel", "resolves")}[self.kind]
        missing = [k for k in need if getattr(self, k) is None]
        if missing:
            raise ValueError(f"{self.kind} needs {', '.join(missing)}")
        return self


class Playbook(StrictModel):
    """A surge rule: ``when`` its condition holds at an interval boundary, ``then`` its
    action applies for that interval; the results say when it fired."""

    name: str = Field(min_length=1)
    when: PlaybookCondition
    then: PlaybookAction


__all__ += ["Seconds"]

"""Dead-man checks of a store: has anything stopped? (pure Python)

Imports stop silently: a revoked token, a stopped job runner or a backlog
send nothing. These checks look for the absence of progress instead:

- a poll (orders, refunds, customers) that has not succeeded within
  ``factor`` times its interval;
- the oldest pending job older than ``job_age``;
- a 401/403 answer from BigCommerce not followed by a successful request.

``problems`` returns one ``Problem`` per trigger; the ORM shell
(``models/bigcommerce_instance_health.py``) gathers the facts, words them and
sends one alert per incident.
"""

from collections import namedtuple
from dataclasses import dataclass, field

# kind: "poll", "jobs" or "access"; subject: the poll kind, the job's
# description or the HTTP status; since: when it stopped or happened.
Problem = namedtuple("Problem", "kind subject since detail")


@dataclass
class PollFacts:
    kind: str
    last_success: object  # datetime or None (never: counted from Confirm)
    interval: object  # timedelta


@dataclass
class StoreFacts:
    now: object
    factor: int
    job_age: object  # timedelta
    polls: list = field(default_factory=list)  # [PollFacts] of the enabled polls
    oldest_job: tuple = None  # (date created, description) or None
    refused: tuple = None  # (when, HTTP status, message) or None


def problems(facts):
    """The dead-man triggers that fire for ``facts`` (a StoreFacts)."""
    found = []
    for poll in facts.polls:
        if poll.last_success is None or not poll.interval:
            continue
        late = facts.now - poll.last_success
        if late > poll.interval * facts.factor:
            found.append(Problem("poll", poll.kind, poll.last_success, poll.interval))
    if facts.oldest_job:
        created, description = facts.oldest_job
        if facts.now - created > facts.job_age:
            found.append(Problem("jobs", description, created, facts.job_age))
    if facts.refused:
        when, status, message = facts.refused
        found.append(Problem("access", status, when, message))
    return found

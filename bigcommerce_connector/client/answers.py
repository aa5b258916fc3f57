"""Answers of GET requests a run already paid for (no Odoo import).

A store's quota may leave a job a few requests per window. A batch step that
reads a page and then meets the quota halfway through a record's reads
(taxes, shipments, its customer, its products) must not ask for them again
when it resumes, or every step spends its budget on the same answers and no
record is ever booked (a livelock). The client consults an ``AnswerCache``
when one is attached (``client.answers``): a GET already answered in the
run is served from it; a new answer is added to it, tagged with the
*subject* being handled (the page, or the record of the page), so that the
caller can drop a record's answers once the record is booked and keep the
others for the next step (``tools/staging.py`` stores them in PostgreSQL).
"""

import json
from contextlib import contextmanager, nullcontext

PAGE = "page"
MISSING = object()


def request_key(version, path, params):
    """One string per distinct GET: version, path and sorted parameters."""
    query = json.dumps(
        sorted((str(k), str(v)) for k, v in (params or {}).items()),
        separators=(",", ":"),
    )
    return f"{version}/{path.lstrip('/')}?{query}"


def subject_of(row):
    """The subject a page row's answers are tagged with: its id."""
    if isinstance(row, dict):
        return str(row.get("id"))
    return str(row)


class AnswerCache:
    """Answers by request key, each tagged with the subject it was read for.

    Bodies are kept as JSON text and decoded on every hit: a caller that
    changes the payload it got never changes the cached answer.
    """

    def __init__(self, staged=None):
        # {request key: (subject, JSON text)}
        self._answers = dict(staged or {})
        self._new = {}
        self.subject = PAGE
        self.hits = 0

    def __len__(self):
        return len(self._answers)

    def get(self, key):
        entry = self._answers.get(key)
        if entry is None:
            return MISSING
        self.hits += 1
        return json.loads(entry[1])

    def put(self, key, body):
        entry = (self.subject, json.dumps(body, separators=(",", ":")))
        self._answers[key] = entry
        self._new[key] = entry

    def new_answers(self, dropped_subjects=()):
        """[(key, subject, text)] read since the cache was made, except those
        of ``dropped_subjects``."""
        dropped = set(dropped_subjects)
        return [
            (key, subject, text)
            for key, (subject, text) in self._new.items()
            if subject not in dropped
        ]

    @contextmanager
    def about(self, subject):
        """Tag the answers read inside the block with ``subject``."""
        previous, self.subject = self.subject, str(subject)
        try:
            yield
        finally:
            self.subject = previous


def about(client, subject):
    """``client.answers.about(subject)``, or nothing when no cache is attached."""
    answers = getattr(client, "answers", None)
    return answers.about(subject) if answers is not None else nullcontext()

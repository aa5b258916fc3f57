"""The staging of a batch run's answers, between its steps (issue 20).

``client/answers.py`` serves a step from the answers its run already paid
for; this module keeps them across steps in ``bigcommerce.staged.answer``:

- :func:`staged_answers` loads the run's staged answers into an
  ``AnswerCache`` attached to the step's client;
- :func:`settle` runs when the step is over, in the step's own transaction
  (committed with the records it booked and the next step): a page done
  leaves nothing staged; a page stopped by the quota keeps what the next
  step needs (the page, the answers of the records not booked yet) and
  drops the answers of the records it booked.

Answers are written only here, outside the records' savepoints: a record
rolled back by the quota in the middle of its reads keeps what it had read.
A run is the chain of steps of one import or poll (``cursor["run"]``): a
new run asks BigCommerce again.
"""

import secrets
from contextlib import contextmanager

from ..client.answers import AnswerCache, subject_of


def new_run():
    """A token naming one run (a chain of steps) of a batch."""
    return secrets.token_hex(6)


@contextmanager
def staged_answers(instance, client, run):
    """Serve ``client``'s GETs from the run's staged answers in the block;
    yields the ``AnswerCache`` (None and nothing attached without a run)."""
    if not run:
        yield None
        return
    cr = instance.env.cr
    cr.execute(
        "SELECT request_key, subject, body FROM bigcommerce_staged_answer "
        "WHERE instance_id = %s AND run = %s",
        [instance.id, run],
    )
    cache = AnswerCache({key: (subject, body) for key, subject, body in cr.fetchall()})
    previous, client.answers = client.answers, cache
    try:
        yield cache
    finally:
        client.answers = previous


def settle(instance, run, cache, booked_rows, page_done):
    """Keep what the run's next step needs, drop what was booked."""
    if cache is None:
        return
    cr = instance.env.cr
    if page_done:
        cr.execute(
            "DELETE FROM bigcommerce_staged_answer WHERE instance_id = %s AND run = %s",
            [instance.id, run],
        )
        return
    booked = [subject_of(row) for row in booked_rows]
    if booked:
        cr.execute(
            "DELETE FROM bigcommerce_staged_answer "
            "WHERE instance_id = %s AND run = %s AND subject = ANY(%s)",
            [instance.id, run, booked],
        )
    rows = cache.new_answers(dropped_subjects=booked)
    if rows:
        values = ", ".join(
            ["(%s, %s, %s, %s, %s, now() AT TIME ZONE 'UTC')"] * len(rows)
        )
        cr.execute(
            "INSERT INTO bigcommerce_staged_answer "
            "(instance_id, run, subject, request_key, body, fetched_at) "
            f"VALUES {values} "  # noqa: S608 - placeholders only
            "ON CONFLICT (instance_id, run, request_key) DO NOTHING",
            [
                value
                for key, subject, text in rows
                for value in (instance.id, run, subject, key, text)
            ],
        )

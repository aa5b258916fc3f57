"""What every exporter keeps about its run: counts, notes, skipped and failed rows."""

from collections import defaultdict


class ExportOutcome:
    """Counts ``sent / unchanged / skipped / failed`` and reports them to the
    run's log (``recorder``), where they land in the log's columns.

    ``sent_column``: the log column of what was sent (a new shipment is
    "created", a new price "updated").
    """

    sent_column = "created"

    def __init__(self, instance, client, recorder=None):
        self.instance = instance
        self.client = client
        self.recorder = recorder
        self.env = instance.env
        self.counts = defaultdict(int)

    def _label(self, row):
        """How a note names ``row`` (the order, the delivery...)."""
        return row.display_name

    def _skip(self, row, reason):
        row.write({"state": "skipped", "failure_reason": reason})
        self._count("skipped")
        self._note(f"{self._label(row)}: {reason}")
        return row

    def _fail(self, row, reason):
        row.write({"state": "failed", "failure_reason": reason})
        self._count("failed")
        self._note(f"{self._label(row)}: {reason}", level="error")
        return row

    def _count(self, key, amount=1):
        if not amount:
            return
        self.counts[key] += amount
        if self.recorder:
            column = {
                "sent": self.sent_column,
                "unchanged": "skipped",
                "skipped": "skipped",
                "failed": "failed",
            }[key]
            self.recorder.add_counts(**{column: amount})

    def _note(self, text, level="info"):
        if self.recorder:
            self.recorder.note(text, level=level)

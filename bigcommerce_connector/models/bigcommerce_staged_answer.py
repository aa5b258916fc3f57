from datetime import timedelta

from odoo import api, fields, models


class BigcommerceStagedAnswer(models.Model):
    """An answer of BigCommerce that a batch run paid for and has not booked.

    A step stopped by the quota keeps here the page it read and the answers
    of the records it has not booked yet (taxes, shipments, customers,
    products...), tagged with the run (the chain's ``cursor["run"]``) and the
    record they were read for; the next step of the run is served from them
    instead of asking again (``tools/staging.py``). A record's answers are
    deleted once it is booked, the run's last ones when its page is done;
    the daily autovacuum drops what an abandoned run left behind. The
    payloads hold customer data: no access but the connector's managers'
    read, and never in a job argument.
    """

    _name = "bigcommerce.staged.answer"
    _description = "BigCommerce connector: answer staged for the next step"
    _log_access = False

    instance_id = fields.Many2one(
        "bigcommerce.instance", required=True, ondelete="cascade", index=True
    )
    run = fields.Char(required=True, help="The batch run (chain) that read it.")
    subject = fields.Char(
        required=True, help="What it was read for: 'page' or a record id."
    )
    request_key = fields.Char(required=True, help="Method path and parameters.")
    body = fields.Text(help="The answer, as JSON.")
    fetched_at = fields.Datetime(required=True, default=fields.Datetime.now)

    _run_request_unique = models.Constraint(
        "UNIQUE(instance_id, run, request_key)",
        "An answer is staged once per run and request.",
    )

    # Rows of a run older than this were left by a chain that stopped for
    # good (cancelled, failed); a live run never waits this long.
    MAX_AGE = timedelta(days=1)

    @api.autovacuum
    def _gc_abandoned_runs(self):
        self.env.cr.execute(
            "DELETE FROM bigcommerce_staged_answer WHERE fetched_at < %s",
            [fields.Datetime.now() - self.MAX_AGE],
        )

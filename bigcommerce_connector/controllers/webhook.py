"""The endpoint BigCommerce posts webhook callbacks to.

It must answer within milliseconds: BigCommerce blocks a whole domain for
three minutes when fewer than 90 % of deliveries succeed, and deactivates a
hook after two days of failures. So the request only authenticates, stores
the event (once) and queues a job; the job calls BigCommerce later.
Anything not authentic, or not a callback, gets a 4xx and writes nothing.
"""

import json
import logging
import time

from odoo import SUPERUSER_ID, http
from odoo.exceptions import UserError
from odoo.http import request

from ..client.webhook_auth import (
    TOKEN_HEADER,
    WebhookAuthError,
    check_signature,
    check_token,
    has_signature_headers,
)
from ..models.bigcommerce_instance_webhook import PREVIOUS_TOKEN_GRACE, WEBHOOK_ROUTE
from ..models.bigcommerce_webhook_event import SCOPE_TARGETS, event_target
from ..tools import secret_box

_logger = logging.getLogger(__name__)

# BigCommerce's callbacks carry ids only (well under 1 KB); a body this large
# is not one of them.
MAX_BODY_BYTES = 256 * 1024
# created_at is a Unix time in seconds; past 9999-12-31 it is no date at all.
MAX_CREATED_AT = 253402300799

_INSTANCE_QUERY = """
    SELECT id, company_id, store_hash, webhook_token_encrypted,
           webhook_previous_token_encrypted, webhook_token_rotated_at,
           client_secret_encrypted, webhook_require_signature
      FROM bigcommerce_instance
     WHERE webhook_route_key = %s AND active AND state = 'confirmed'
"""


class Rejected(Exception):
    def __init__(self, status, reason):
        super().__init__(reason)
        self.status = status
        self.reason = reason


class BigcommerceWebhookController(http.Controller):
    @http.route(
        f"{WEBHOOK_ROUTE}<string:route_key>",
        type="http",
        auth="none",
        methods=["POST"],
        csrf=False,
        save_session=False,
        # auth="none" routes default to a read-only cursor.
        readonly=False,
    )
    def receive(self, route_key, **_params):
        try:
            status = self._receive(route_key)
        except Rejected as rejected:
            # The reason names the check that failed, never a secret or the body.
            _logger.info(
                "BigCommerce webhook rejected (%s): %s",
                rejected.status,
                rejected.reason,
            )
            return request.make_response(
                rejected.reason,
                status=rejected.status,
                headers=[("Content-Type", "text/plain")],
            )
        return request.make_response("", status=status)

    def _receive(self, route_key):
        httprequest = request.httprequest
        length = httprequest.content_length
        if length is not None and length > MAX_BODY_BYTES:
            raise Rejected(413, "body too large")
        # Odoo's HTTPRequest proxies a fixed list of werkzeug's attributes,
        # without ``stream``: read the wrapped request's (as Odoo's own bus
        # reaches the wrapped environ).
        body = self._read_body(httprequest._HTTPRequest__wrapped.stream)

        env = request.env(user=SUPERUSER_ID)
        env.cr.execute(_INSTANCE_QUERY, [route_key])
        row = env.cr.dictfetchone()
        if not row:
            raise Rejected(404, "unknown webhook address")
        self._authenticate(env, row, httprequest.headers, body)
        payload = self._parse(body, row)

        event_id, state, target_type, target_id = env[
            "bigcommerce.webhook.event"
        ]._store_delivery(row, payload, body, httprequest.headers.get("webhook-id"))
        if event_id and state == "received":
            instance = env["bigcommerce.instance"].browse(row["id"])
            instance._enqueue_webhook_job(
                target_type, target_id, company_id=row["company_id"]
            )
        return 200

    @staticmethod
    def _read_body(stream):
        """The body, read no further than the limit plus one byte.

        Whatever Content-Length or chunked encoding announce, no more than
        that is ever read (a chunked body has no length to check first), so
        an endless or huge body costs at most the limit in memory and time.
        """
        chunks = []
        size = 0
        while size <= MAX_BODY_BYTES:
            chunk = stream.read(MAX_BODY_BYTES + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise Rejected(413, "body too large")
        return b"".join(chunks)

    def _authenticate(self, env, row, headers, body):
        try:
            tokens = [secret_box.decrypt(env, row["webhook_token_encrypted"])]
            rotated = row["webhook_token_rotated_at"]
            previous = row["webhook_previous_token_encrypted"]
            if previous and rotated and env.cr.now() - rotated < PREVIOUS_TOKEN_GRACE:
                tokens.append(secret_box.decrypt(env, previous))
            check_token(tokens, headers.get(TOKEN_HEADER))
            # With a client secret, the Standard Webhooks signature is checked
            # when present, and required unless the instance says otherwise
            # (the default requires it: docs/user-guide.md "Webhooks", why). Without a
            # client secret there is nothing to check it with: the token
            # header is the proof, as BigCommerce documents it.
            client_secret = row["client_secret_encrypted"]
            if client_secret and (
                row["webhook_require_signature"] or has_signature_headers(headers)
            ):
                check_signature(
                    secret_box.decrypt(env, client_secret), headers, body, time.time()
                )
        except WebhookAuthError as error:
            raise Rejected(401, str(error)) from None
        except UserError:
            # The encryption key changed or is missing: nothing can be checked.
            raise Rejected(401, "webhook secret cannot be decrypted") from None

    def _parse(self, body, row):
        """The callback of ``body``, or Rejected(400) with the reason.

        Authentic deliveries can still be odd (a bug, a replayed old event, a
        store app): anything that cannot be stored as it is answers 400 here,
        never a 500 from the database.
        """
        try:
            # RFC 8259: JSON between systems is UTF-8 (json.loads would also
            # take UTF-16 and UTF-32 bytes, which are stored as text below).
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise Rejected(400, "body is not UTF-8") from None
        try:
            payload = json.loads(text)
        except (ValueError, RecursionError):
            raise Rejected(400, "body is not JSON") from None
        if not isinstance(payload, dict):
            raise Rejected(400, "body is not a callback object")
        scope, digest, data = (payload.get(k) for k in ("scope", "hash", "data"))
        created_at = payload.get("created_at")
        if not (
            isinstance(scope, str)
            and scope
            and isinstance(digest, str)
            and digest
            and isinstance(data, dict)
            and isinstance(created_at, int)
            and not isinstance(created_at, bool)
            and 0 < created_at <= MAX_CREATED_AT
        ):
            raise Rejected(400, "callback fields missing or invalid")
        if len(scope) > 200 or len(digest) > 200:
            raise Rejected(400, "callback fields too long")
        if not (scope.isprintable() and digest.isprintable()):
            raise Rejected(400, "callback fields hold control characters")
        if payload.get("producer") != f"stores/{(row['store_hash'] or '').strip()}":
            raise Rejected(400, "callback of another store")
        if scope in SCOPE_TARGETS and event_target(scope, data)[0] == "none":
            raise Rejected(400, "callback data has no valid BigCommerce id")
        return payload

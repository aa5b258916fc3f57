"""Authentication of BigCommerce webhook callbacks (plain Python, no Odoo).

Two checks, in this order (see ``shared/docs/bigcommerce-api.md`` §11.4):

1. the custom header registered with the hook (``X-Odoo-Webhook-Token``), the
   mechanism BigCommerce documents as stable: anyone holding the store's API
   token can read it back from ``GET /v3/hooks``, so it proves "sent by a
   holder of the token", not more;
2. the Standard Webhooks signature (``webhook-id``, ``webhook-timestamp``,
   ``webhook-signature: v1,<base64 HMAC-SHA256>`` over
   ``"{id}.{timestamp}.{raw body}"``, keyed with the API account's client
   secret bytes), with a timestamp tolerance against replays.

Every comparison is constant-time (``hmac.compare_digest``): string equality
would tell an attacker, by its timing, how many leading bytes were right.
"""

import base64
import binascii
import hashlib
import hmac

TOKEN_HEADER = "X-Odoo-Webhook-Token"
ID_HEADER = "webhook-id"
TIMESTAMP_HEADER = "webhook-timestamp"
SIGNATURE_HEADER = "webhook-signature"
TOLERANCE_S = 5 * 60


class WebhookAuthError(Exception):
    """The callback is not authentic; the message never contains a secret."""


def check_token(expected_tokens, received):
    """Raise unless ``received`` equals one of ``expected_tokens``.

    Several tokens are accepted while a rotated secret's grace period runs.
    Every candidate is compared, so the time taken does not reveal which one
    matched.
    """
    if not received:
        raise WebhookAuthError("missing webhook token header")
    received = received.encode()
    matched = False
    for token in expected_tokens:
        if token and hmac.compare_digest(token.encode(), received):
            matched = True
    if not matched:
        raise WebhookAuthError("wrong webhook token")


def has_signature_headers(headers):
    return all(headers.get(name) for name in (ID_HEADER, SIGNATURE_HEADER))


def sign(secret, webhook_id, timestamp, body):
    """``v1,<base64>``: the signature BigCommerce computes for ``body`` (bytes)."""
    message = f"{webhook_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def check_signature(secret, headers, body, now, tolerance=TOLERANCE_S):
    """Raise unless the Standard Webhooks headers sign ``body`` with ``secret``.

    :param secret: the API account's client secret (text)
    :param headers: a case-insensitive mapping of the request headers
    :param body: the raw request body (bytes), exactly as received
    :param now: the current unix time (seconds)
    """
    webhook_id = headers.get(ID_HEADER) or ""
    raw_timestamp = headers.get(TIMESTAMP_HEADER) or ""
    received = headers.get(SIGNATURE_HEADER) or ""
    if not webhook_id or not received:
        raise WebhookAuthError("missing signature headers")
    try:
        timestamp = int(raw_timestamp)
    except ValueError:
        raise WebhookAuthError("invalid webhook timestamp") from None
    if abs(now - timestamp) > tolerance:
        raise WebhookAuthError("webhook timestamp outside the tolerance")
    expected = base64.b64decode(sign(secret, webhook_id, timestamp, body)[3:])
    # The header may list several space-separated signatures (key rotation).
    matched = False
    for candidate in received.split():
        version, _, value = candidate.partition(",")
        if version != "v1":
            continue
        try:
            decoded = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            continue
        if hmac.compare_digest(decoded, expected):
            matched = True
    if not matched:
        raise WebhookAuthError("bad webhook signature")

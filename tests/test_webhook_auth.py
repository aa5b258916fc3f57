"""Webhook callback authentication: custom token and Standard Webhooks signature."""

import base64
import hashlib
import hmac

import pytest
from requests.structures import CaseInsensitiveDict

from bigcommerce_connector.client.webhook_auth import (
    WebhookAuthError,
    check_signature,
    check_token,
    has_signature_headers,
)
from bigcommerce_sandbox import webhooks as sandbox_webhooks

SECRET = "sandbox-client-secret"
BODY = b'{"scope":"store/order/created","data":{"type":"order","id":1}}'
NOW = 1_700_000_000


def signed_headers(secret=SECRET, body=BODY, timestamp=NOW, webhook_id="msg_1"):
    # The sandbox's signer, written apart from the verifier: both follow the
    # Standard Webhooks scheme independently.
    return CaseInsensitiveDict(
        {
            "webhook-id": webhook_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": sandbox_webhooks.sign(
                secret, webhook_id, timestamp, body
            ),
        }
    )


def test_valid_signature_passes():
    check_signature(SECRET, signed_headers(), BODY, NOW)


def test_signature_matches_the_standard_webhooks_reference_computation():
    message = b"msg_1." + str(NOW).encode() + b"." + BODY
    digest = hmac.new(SECRET.encode(), message, hashlib.sha256).digest()
    headers = signed_headers()
    assert headers["webhook-signature"] == "v1," + base64.b64encode(digest).decode()
    check_signature(SECRET, headers, BODY, NOW)


def test_headers_are_case_insensitive():
    headers = signed_headers()
    upper = CaseInsensitiveDict({k.upper(): v for k, v in headers.items()})
    check_signature(SECRET, upper, BODY, NOW)


@pytest.mark.parametrize(
    "change",
    [
        {"body": BODY + b" "},
        {"secret": "another-secret"},
        {"webhook_id": "msg_2"},
    ],
)
def test_any_change_breaks_the_signature(change):
    headers = signed_headers(**{k: v for k, v in change.items() if k != "body"})
    body = change.get("body", BODY)
    with pytest.raises(WebhookAuthError, match="bad webhook signature"):
        if "webhook_id" in change:
            headers["webhook-id"] = "msg_1"  # signed for msg_2, sent as msg_1
        check_signature(SECRET, headers, body, NOW)


def test_tampered_timestamp_fails():
    headers = signed_headers()
    headers["webhook-timestamp"] = str(NOW + 1)
    with pytest.raises(WebhookAuthError, match="bad webhook signature"):
        check_signature(SECRET, headers, BODY, NOW)


@pytest.mark.parametrize("skew", [301, -301, 3600])
def test_stale_or_future_timestamp_fails(skew):
    headers = signed_headers(timestamp=NOW - skew)
    with pytest.raises(WebhookAuthError, match="tolerance"):
        check_signature(SECRET, headers, BODY, NOW)


@pytest.mark.parametrize("skew", [0, 299, -299])
def test_timestamp_within_five_minutes_passes(skew):
    check_signature(SECRET, signed_headers(timestamp=NOW - skew), BODY, NOW)


def test_one_good_signature_among_several_passes():
    headers = signed_headers()
    good = headers["webhook-signature"]
    headers["webhook-signature"] = f"v1,{base64.b64encode(b'x' * 32).decode()} {good}"
    check_signature(SECRET, headers, BODY, NOW)


@pytest.mark.parametrize(
    "signature", ["", "v1,", "v1,not base64!", "v2," + "A" * 44, "garbage"]
)
def test_malformed_signature_fails(signature):
    headers = signed_headers()
    headers["webhook-signature"] = signature
    with pytest.raises(WebhookAuthError):
        check_signature(SECRET, headers, BODY, NOW)


def test_non_numeric_timestamp_fails():
    headers = signed_headers()
    headers["webhook-timestamp"] = "yesterday"
    with pytest.raises(WebhookAuthError, match="timestamp"):
        check_signature(SECRET, headers, BODY, NOW)


def test_signature_headers_detection():
    assert has_signature_headers(signed_headers())
    assert not has_signature_headers(CaseInsensitiveDict({"webhook-id": "x"}))
    assert not has_signature_headers(CaseInsensitiveDict())


def test_token_check():
    check_token(["s3cret"], "s3cret")
    check_token([None, "old", "s3cret"], "s3cret")
    for received, reason in ((None, "missing"), ("", "missing"), ("s3cre", "wrong")):
        with pytest.raises(WebhookAuthError, match=reason):
            check_token(["s3cret"], received)
    with pytest.raises(WebhookAuthError):
        check_token([], "anything")


def test_errors_never_contain_the_secret():
    headers = signed_headers(secret="wrong")
    with pytest.raises(WebhookAuthError) as caught:
        check_signature(SECRET, headers, BODY, NOW)
    assert SECRET not in str(caught.value)
    with pytest.raises(WebhookAuthError) as caught:
        check_token(["s3cret"], "s3cre")
    assert "s3cre" not in str(caught.value)

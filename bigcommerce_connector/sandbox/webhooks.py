"""Webhook callbacks the way BigCommerce sends them.

Payload: ``{scope, store_id, producer, hash, created_at, data}`` where ``hash`` is
the SHA-1 of the JSON-encoded data (BigCommerce's duplicate detector). Every
callback carries the headers registered on the hook and a Standard Webhooks
signature (``webhook-id``, ``webhook-timestamp``, ``webhook-signature``:
``v1,<base64 HMAC-SHA256(client secret, "{id}.{timestamp}.{body}")>``), which is
what BigCommerce's documentation tells receivers to verify.
"""

import base64
import hashlib
import hmac
import json
import threading
import uuid

import requests


def scope_matches(hook_scope, event_scope):
    if hook_scope == event_scope:
        return True
    if hook_scope.endswith("/*"):
        return event_scope.startswith(hook_scope[:-1])
    return False


def sign(secret, webhook_id, timestamp, body):
    message = f"{webhook_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def build_payload(state, store_id, scope, data, created_at):
    data_json = json.dumps(data, sort_keys=True, separators=(",", ":"))
    return {
        "scope": scope,
        "store_id": str(store_id),
        "producer": f"stores/{state.store_hash}",
        "hash": hashlib.sha1(data_json.encode()).hexdigest(),  # noqa: S324 - BC's dedupe digest
        "created_at": created_at,
        "data": data,
    }


class WebhookDispatcher:
    """Delivers callbacks in a background thread and records every attempt."""

    def __init__(self, client_secret, timeout=10):
        self.client_secret = client_secret
        self.timeout = timeout
        self.deliveries = []
        self._threads = []
        self._lock = threading.Lock()

    def deliver(self, hook, payload, synchronous=False):
        body = json.dumps(payload).encode()
        webhook_id = f"msg_{uuid.uuid4().hex}"
        timestamp = payload["created_at"]
        headers = {
            "Content-Type": "application/json",
            "webhook-id": webhook_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": sign(self.client_secret, webhook_id, timestamp, body),
        }
        headers.update(hook.get("headers") or {})
        if synchronous:
            return self._post(hook, payload, body, headers)
        thread = threading.Thread(
            target=self._post, args=(hook, payload, body, headers), daemon=True
        )
        with self._lock:
            self._threads.append(thread)
        thread.start()
        return None

    def _post(self, hook, payload, body, headers):
        record = {"hook_id": hook["id"], "scope": payload["scope"], "payload": payload}
        try:
            response = requests.post(
                hook["destination"], data=body, headers=headers, timeout=self.timeout
            )
            record["status"] = response.status_code
        except requests.RequestException as error:
            record["status"] = None
            record["error"] = type(error).__name__
        with self._lock:
            self.deliveries.append(record)
        return record

    def wait(self, timeout=10):
        with self._lock:
            threads = list(self._threads)
            self._threads.clear()
        for thread in threads:
            thread.join(timeout)

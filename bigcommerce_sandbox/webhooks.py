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
import random
import threading
import time
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
    """Delivers callbacks in background threads and records every attempt.

    Like BigCommerce, every attempt is signed at the time it is sent (the
    Standard Webhooks timestamp is the attempt's, the payload's ``created_at``
    the event's), and a redelivery re-sends the very same body and
    ``webhook-id``. ``hold()`` keeps messages back; ``release()`` sends them,
    in any order, to exercise out-of-order delivery.
    """

    def __init__(self, client_secret, timeout=10, clock=time.time):
        self.client_secret = client_secret
        self.timeout = timeout
        self.clock = clock
        self.deliveries = []
        self.messages = []
        self._held = None
        self._threads = []
        self._lock = threading.Lock()

    def deliver(self, hook, payload, synchronous=False):
        message = {
            "hook": dict(hook),
            "payload": payload,
            "body": json.dumps(payload).encode(),
            "webhook_id": f"msg_{uuid.uuid4().hex}",
        }
        with self._lock:
            self.messages.append(message)
            if self._held is not None:
                self._held.append(message)
                return None
        return self.send(message, synchronous)

    def send(self, message, synchronous=False):
        """One delivery attempt of ``message`` (a dict of ``messages``)."""
        timestamp = int(self.clock())
        headers = {
            "Content-Type": "application/json",
            "webhook-id": message["webhook_id"],
            "webhook-timestamp": str(timestamp),
            "webhook-signature": sign(
                self.client_secret, message["webhook_id"], timestamp, message["body"]
            ),
        }
        headers.update(message["hook"].get("headers") or {})
        if synchronous:
            return self._post(message, headers)
        thread = threading.Thread(
            target=self._post, args=(message, headers), daemon=True
        )
        with self._lock:
            self._threads.append(thread)
        thread.start()
        return None

    def redeliver(self, index=-1, times=1, concurrent=False):
        """Send message ``index`` again ``times`` times (BigCommerce's retries).

        Sequential by default; ``concurrent`` fires all the copies at once.
        """
        message = self.messages[index]
        if concurrent:
            for _ in range(times):
                self.send(message)
            self.wait()
            return self.deliveries[-times:]
        return [self.send(message, synchronous=True) for _ in range(times)]

    def hold(self):
        """Keep the next messages back until ``release``."""
        with self._lock:
            if self._held is None:
                self._held = []

    def release(self, order="reverse", seed=0):
        """Send the held messages: ``reverse``, ``shuffle`` or ``fifo`` order."""
        with self._lock:
            held, self._held = self._held or [], None
        if order == "reverse":
            held.reverse()
        elif order == "shuffle":
            random.Random(seed).shuffle(held)
        elif order != "fifo":
            raise ValueError(f"Unknown delivery order {order!r}")
        for message in held:
            self.send(message, synchronous=True)
        return len(held)

    def _post(self, message, headers):
        hook, payload = message["hook"], message["payload"]
        record = {
            "hook_id": hook["id"],
            "scope": payload["scope"],
            "payload": payload,
            "webhook_id": message["webhook_id"],
        }
        try:
            response = requests.post(
                hook["destination"],
                data=message["body"],
                headers=headers,
                timeout=self.timeout,
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

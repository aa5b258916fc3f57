"""The webhook endpoint: signatures required by default once a client secret
is stored, and a body read no further than its size limit."""

import contextlib
import socket
import time
from urllib.parse import urlsplit

from odoo.tests import tagged

from ..controllers.webhook import MAX_BODY_BYTES
from .test_webhooks import TestWebhooks


@tagged("post_install", "-at_install")
class TestWebhookHardening(TestWebhooks):
    """Runs only its own tests (not the inherited ones)."""

    def unsigned(self):
        order = self.quiet_order(status_id=11)
        body, headers = self.signed(self.order_payload(order["id"]))
        for name in ("webhook-id", "webhook-timestamp", "webhook-signature"):
            del headers[name]
        return body, headers

    def test_signature_is_required_by_default(self):
        defaults = self.env["bigcommerce.instance"].default_get(
            ["webhook_require_signature"]
        )
        self.assertTrue(defaults["webhook_require_signature"])
        self.assertTrue(self.instance.webhook_require_signature)
        self.assertTrue(self.instance.has_client_secret)
        body, headers = self.unsigned()
        self.assertEqual(self.post(body, headers).status_code, 401)
        # A signed delivery of the same callback is accepted.
        signed_body, signed_headers = self.signed(
            self.order_payload(self.quiet_order(status_id=11)["id"])
        )
        self.assertEqual(self.post(signed_body, signed_headers).status_code, 200)

    def test_unsigned_delivery_accepted_only_when_switched_off(self):
        self.instance.webhook_require_signature = False
        body, headers = self.unsigned()
        self.assertEqual(self.post(body, headers).status_code, 200)

    def _raw_post(self, head, chunks, finish):
        """Send ``head`` then ``chunks`` on a raw socket; return the status
        line answered within 20 s (before ``finish`` bytes would be sent)."""
        self.env.flush_all()
        self.env.cr.clear()
        url = urlsplit(self.url)
        with (
            self.allow_requests(all_requests=True),
            socket.create_connection((url.hostname, url.port), timeout=20) as sock,
        ):
            sock.sendall(head)
            for chunk in chunks:
                sock.sendall(chunk)
            started = time.monotonic()
            try:
                answer = sock.recv(200)
            except TimeoutError:
                answer = b""
            waited = time.monotonic() - started
            if finish:
                with contextlib.suppress(OSError):
                    sock.sendall(finish)
        return answer.split(b"\r\n", 1)[0], waited

    def test_chunked_body_over_the_limit_is_refused_without_reading_it_all(self):
        """No Content-Length, and a body that never ends: the endpoint stops
        reading past the limit and answers 413 at once."""
        url = urlsplit(self.url)
        body, headers = self.signed(self.order_payload(1))
        head = (
            f"POST {url.path} HTTP/1.1\r\nHost: {url.netloc}\r\n"
            "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
            + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
            + "\r\n"
        ).encode()
        piece = b"x" * 65536
        chunk = f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
        count = MAX_BODY_BYTES // len(piece) + 2
        with self.capture_logs():
            status, waited = self._raw_post(head, [chunk] * count, b"0\r\n\r\n")
        self.assertIn(b"413", status, f"answered {status!r} after {waited:.1f} s")

    def test_content_length_under_the_limit_with_a_longer_stream_reads_no_more(self):
        body, headers = self.signed(self.order_payload(1))
        url = urlsplit(self.url)
        # The declared length is honoured: the rest of the stream is not the body.
        head = (
            f"POST {url.path} HTTP/1.1\r\nHost: {url.netloc}\r\n"
            f"Content-Length: {MAX_BODY_BYTES + 10}\r\n"
            + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
            + "\r\n"
        ).encode()
        with self.capture_logs():
            status, _waited = self._raw_post(head, [b"x" * 1024], b"")
        self.assertIn(b"413", status)

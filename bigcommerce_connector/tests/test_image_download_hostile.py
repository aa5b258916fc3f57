"""Image URLs come from the store: they never reach inside the network, and a
huge or compressed answer never costs more than the cap (issue 19, item 2)."""

import http.server
import threading
import tracemalloc
import zlib
from urllib.parse import urlsplit

from odoo.tests import TransactionCase, tagged
from odoo.tests import common as odoo_test_common

from bigcommerce_sandbox.cdn import image_response

from ..importers.product_image import MAX_BYTES, download_records

# The allowed host of the tests (the sandbox's, see tests/odoo_env.py), and
# a loopback address no configuration allows: "inside the network".
ALLOWED = "127.0.0.1"
INSIDE = "127.0.0.2"
BOMB_BYTES = 300 * 1024 * 1024


def _gzip_of_zeros(size):
    """A gzip stream of ``size`` zero bytes (about 1/1000 of it on the wire)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1024 * 1024)
    parts = [compressor.compress(block) for _ in range(size // len(block))]
    parts.append(compressor.flush())
    return b"".join(parts)


class _Server:
    """A tiny HTTP server on ``address`` that records the paths it served."""

    def __init__(self, address, routes):
        hits = self.hits = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's name
                hits.append(self.path)
                status, headers, body = routes(self.path)
                self.send_response(status)
                for name, value in headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer((address, 0), Handler)
        self.url = f"http://{address}:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@tagged("post_install", "-at_install")
class TestImageDownloadHostile(TransactionCase):
    @classmethod
    def _request_handler(cls, session, request, /, **kw):
        # Odoo's test harness lets only 127.0.0.1 and localhost through: let
        # the "inside" address through as well, so that only the connector's
        # own checks stand between a URL and it.
        if urlsplit(request.url).hostname == INSIDE:
            return odoo_test_common._super_send(session, request, **kw)
        return super()._request_handler(session, request, **kw)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        png = image_response("/logo.png")[2]
        cls.inside = _Server(
            INSIDE, lambda path: (200, [("Content-Type", "image/png")], png)
        )
        cls.addClassCleanup(cls.inside.stop)
        bomb = _gzip_of_zeros(BOMB_BYTES)

        def routes(path):
            if path == "/to-inside":
                return 302, [("Location", f"{cls.inside.url}/secret.png")], b""
            if path == "/bomb.png":
                headers = [("Content-Type", "image/png"), ("Content-Encoding", "gzip")]
                return 200, headers, bomb
            return 200, [("Content-Type", "image/png")], png

        cls.allowed = _Server(ALLOWED, routes)
        cls.addClassCleanup(cls.allowed.stop)
        cls.instance = cls.env["bigcommerce.instance"].create(
            {"name": "Image store", "store_hash": "images-hostile"}
        )

    def brand(self, url):
        return self.env["bigcommerce.brand"].create(
            {
                "instance_id": self.instance.id,
                "bigcommerce_id": len(self.inside.hits) + 1000 + hash(url) % 1000,
                "name": url,
                "image_url": url,
            }
        )

    def test_a_url_inside_the_network_is_never_fetched(self):
        brand = self.brand(f"{self.inside.url}/logo.png")
        self.assertEqual(download_records(brand), (0, 1))
        self.assertFalse(brand.image_1920)
        self.assertEqual(self.inside.hits, [])

    def test_a_redirect_inside_the_network_is_never_followed(self):
        brand = self.brand(f"{self.allowed.url}/to-inside")
        self.assertEqual(download_records(brand), (0, 1))
        self.assertFalse(brand.image_1920)
        self.assertEqual(self.inside.hits, [])

    def test_the_allowed_store_host_still_serves_images(self):
        brand = self.brand(f"{self.allowed.url}/logo.png")
        self.assertEqual(download_records(brand), (1, 0))
        self.assertTrue(brand.image_1920)

    def test_a_compressed_bomb_costs_no_more_than_the_cap(self):
        brand = self.brand(f"{self.allowed.url}/bomb.png")
        tracemalloc.start()
        try:
            result = download_records(brand)
            _current, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        self.assertEqual(result, (0, 1))
        self.assertFalse(brand.image_1920)
        self.assertLess(peak, 3 * MAX_BYTES, f"peak {peak // 2**20} MB")

"""The image fetcher: store data never reaches inside the network (issue 19)."""

import http.server
import os
import socket
import threading
import zlib

import pytest

from bigcommerce_connector.client.image_fetch import (
    ForbiddenImageAddress,
    ImageFetcher,
    ImageFetchError,
    address_problem,
    url_problem,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def server():
    """A loopback HTTP server: {path: (status, headers, body)}; records Host."""
    routes, seen = {}, []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            seen.append((self.path, self.headers.get("Host")))
            status, headers, body = routes.get(self.path, (404, [], b""))
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            if not any(name == "Transfer-Encoding" for name, _ in headers):
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    httpd.routes, httpd.seen = routes, seen
    httpd.port = httpd.server_address[1]
    try:
        yield httpd
    finally:
        httpd.shutdown()
        httpd.server_close()


def resolver_to(address):
    """A getaddrinfo that answers ``address`` for every name."""

    def resolve(host, port, type=0):  # noqa: A002 - getaddrinfo's name
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    return resolve


@pytest.mark.parametrize(
    ("address", "problem"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("169.254.169.254", "link-local"),
        ("fe80::1%eth0", "link-local"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("fd00::1", "private"),
        ("::ffff:127.0.0.1", "loopback"),
        ("100.64.0.1", "reserved"),
        ("0.0.0.0", "private"),
        ("224.0.0.1", "reserved"),
        ("240.0.0.1", "private"),
    ],
)
def test_inside_addresses_are_refused(address, problem):
    assert problem in address_problem(address)


@pytest.mark.parametrize("address", ["93.184.215.14", "2606:2800:21f:cb07::1"])
def test_public_addresses_pass(address):
    assert address_problem(address) is None


@pytest.mark.parametrize(
    "url",
    [
        "http://cdn11.bigcommerce.com/x.png",
        "ftp://cdn11.bigcommerce.com/x.png",
        "file:///etc/passwd",
        "https://user:pw@cdn11.bigcommerce.com/x.png",
        "https:///x.png",
        "https://cdn11.bigcommerce.com:99999/x.png",
        "",
    ],
)
def test_only_plain_https_urls(url):
    assert url_problem(url) is not None


def test_http_only_on_an_allowed_host():
    assert url_problem("http://127.0.0.1:8765/cdn/x.png", {"127.0.0.1"}) is None
    assert url_problem("http://127.0.0.2:8765/cdn/x.png", {"127.0.0.1"})


def test_a_name_resolving_inside_is_refused_before_any_connection(server):
    server.routes["/x.png"] = (200, [("Content-Type", "image/png")], PNG)
    fetcher = ImageFetcher(resolve=resolver_to("127.0.0.1"))
    with pytest.raises(ForbiddenImageAddress, match="loopback"):
        fetcher.fetch(f"https://images.example.com:{server.port}/x.png")
    assert server.seen == []


def test_the_checked_address_is_the_one_connected_to(server):
    """An allowed name resolved once: the socket goes to that address, and
    the Host header still names the host."""
    server.routes["/x.png"] = (200, [("Content-Type", "image/png")], PNG)
    calls = []
    resolve = resolver_to("127.0.0.1")

    def counting(host, port, type=0):  # noqa: A002
        calls.append(host)
        return resolve(host, port, type=type)

    fetcher = ImageFetcher({"cdn.sandbox.test"}, resolve=counting)
    assert fetcher.fetch(f"http://cdn.sandbox.test:{server.port}/x.png") == PNG
    assert calls == ["cdn.sandbox.test"]
    assert server.seen == [("/x.png", f"cdn.sandbox.test:{server.port}")]


def test_a_redirect_to_a_refused_url_is_not_followed(server):
    server.routes["/a.png"] = (302, [("Location", "http://127.0.0.2:1/x.png")], b"")
    fetcher = ImageFetcher({"127.0.0.1"})
    with pytest.raises(ForbiddenImageAddress, match="only https"):
        fetcher.fetch(f"http://127.0.0.1:{server.port}/a.png")
    server.routes["/b.png"] = (
        301,
        [("Location", "https://169.254.169.254/latest/meta-data")],
        b"",
    )
    with pytest.raises(ForbiddenImageAddress, match="link-local"):
        fetcher.fetch(f"http://127.0.0.1:{server.port}/b.png")


def test_redirects_are_followed_on_allowed_hosts_and_bounded(server):
    server.routes["/a.png"] = (302, [("Location", "/b.png")], b"")
    server.routes["/b.png"] = (200, [("Content-Type", "image/png")], PNG)
    server.routes["/loop.png"] = (302, [("Location", "/loop.png")], b"")
    fetcher = ImageFetcher({"127.0.0.1"})
    assert fetcher.fetch(f"http://127.0.0.1:{server.port}/a.png") == PNG
    with pytest.raises(ImageFetchError, match="redirects"):
        fetcher.fetch(f"http://127.0.0.1:{server.port}/loop.png")


def test_size_is_capped_on_the_wire_and_after_decoding(server):
    limit = 64 * 1024
    fetcher = ImageFetcher({"127.0.0.1"}, max_bytes=limit)
    base = f"http://127.0.0.1:{server.port}"
    # On the wire: random bytes do not compress; the length is not announced.
    noise = os.urandom(limit * 4)
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    server.routes["/noise.png"] = (
        200,
        [("Content-Type", "image/png"), ("Content-Encoding", "gzip")],
        compressor.compress(noise) + compressor.flush(),
    )
    with pytest.raises(ImageFetchError, match="larger than"):
        fetcher.fetch(f"{base}/noise.png")
    # After decoding: a few KB of gzip that expand to 50 MB.
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    bomb = compressor.compress(bytes(50 * 1024 * 1024)) + compressor.flush()
    assert len(bomb) < limit
    server.routes["/bomb.png"] = (
        200,
        [("Content-Type", "image/png"), ("Content-Encoding", "gzip")],
        bomb,
    )
    with pytest.raises(ImageFetchError, match="larger than"):
        fetcher.fetch(f"{base}/bomb.png")
    # A small gzip image is decoded.
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    server.routes["/small.png"] = (
        200,
        [("Content-Type", "image/png"), ("Content-Encoding", "gzip")],
        compressor.compress(PNG) + compressor.flush(),
    )
    assert fetcher.fetch(f"{base}/small.png") == PNG


def test_unknown_encodings_and_non_images_are_refused(server):
    fetcher = ImageFetcher({"127.0.0.1"})
    base = f"http://127.0.0.1:{server.port}"
    server.routes["/br.png"] = (
        200,
        [("Content-Type", "image/png"), ("Content-Encoding", "br")],
        b"x",
    )
    with pytest.raises(ImageFetchError, match="encoding"):
        fetcher.fetch(f"{base}/br.png")
    server.routes["/page.png"] = (200, [("Content-Type", "text/html")], b"<html>")
    with pytest.raises(ImageFetchError, match="not an image"):
        fetcher.fetch(f"{base}/page.png")

"""The access token never leaves for a host other than BigCommerce's API.

A listener stands in for an attacker's server: it records every request it
receives, and the tests assert that none of them carries the token.
"""

import http.server
import threading

import pytest

from bigcommerce_connector.client import (
    BigCommerceClient,
    BigCommerceError,
    ForbiddenHostError,
)
from bigcommerce_connector.client.hosts import api_host_problem

TOKEN = "secret-token-of-the-store"


class Listener:
    """An HTTP server on 127.0.0.1 that records requests and answers with
    ``status``, ``location`` and ``body``."""

    def __init__(self, status=200, location=None, body=b'{"name": "evil"}'):
        self.received = []
        listener = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _answer(self):
                listener.received.append((self.command, self.path, dict(self.headers)))
                self.send_response(status)
                if location:
                    self.send_header("Location", location)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_DELETE = _answer

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def tokens_seen(self):
        return [
            headers
            for _m, _p, headers in self.received
            if any(TOKEN in str(value) for value in headers.values())
        ]


def test_only_bigcommerce_over_https_by_default():
    assert api_host_problem("https://api.bigcommerce.com/stores/abc", ()) is None
    for url in (
        "http://api.bigcommerce.com/stores/abc",
        "https://evil.example/stores/abc",
        "https://api.bigcommerce.com.evil.example/stores/abc",
        "https://user:pw@api.bigcommerce.com/stores/abc",
        "http://127.0.0.1:8765/stores/abc",
    ):
        assert api_host_problem(url, ()), url
    assert api_host_problem("http://127.0.0.1:1/stores/a", {"127.0.0.1"}) is None
    assert api_host_problem("http://10.0.0.1/stores/a", {"127.0.0.1"})


def test_a_host_not_allowed_never_receives_the_token():
    # The listener is on 127.0.0.1, but the configuration allows only
    # BigCommerce's host.
    with Listener() as listener, pytest.raises(ForbiddenHostError):
        BigCommerceClient(
            "abc",
            TOKEN,
            api_url=listener.url + "/stores/abc",
            allowed_hosts=frozenset(),
            max_wait=0,
        ).get_store()
    assert listener.received == []


def test_the_allow_list_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("BIGCOMMERCE_ALLOWED_API_HOSTS", "")
    with pytest.raises(ForbiddenHostError):
        BigCommerceClient("abc", TOKEN, api_url="http://127.0.0.1:9/stores/abc")
    monkeypatch.setenv("BIGCOMMERCE_ALLOWED_API_HOSTS", "localhost, 127.0.0.1")
    BigCommerceClient("abc", TOKEN, api_url="http://127.0.0.1:9/stores/abc")


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_is_never_followed_with_the_token(status):
    with Listener() as attacker:
        # The allowed store answers with a redirect to the attacker's host.
        redirecting = Listener(
            status=status,
            location=attacker.url + "/v2/store",
            body=b'{"title": "internal page: hunter2"}',
        )
        with redirecting:
            client = BigCommerceClient(
                "abc",
                TOKEN,
                api_url=redirecting.url + "/stores/abc",
                allowed_hosts=frozenset({"127.0.0.1"}),
                max_wait=0,
            )
            with pytest.raises(BigCommerceError) as caught:
                client.get_store()
        assert str(status) in str(caught.value)
        # Nothing of what the redirecting server said reaches the user.
        assert "hunter2" not in str(caught.value)
        assert attacker.received == []
        assert len(redirecting.received) == 1

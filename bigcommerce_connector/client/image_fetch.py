"""Fetch an image whose URL came from the store, without reaching inside.

Image URLs (products, variants, brand logos) are data of the store: a store
app, a compromised account or a CSV import can make them point anywhere. A
plain ``requests.get`` would fetch ``http://169.254.169.254/`` (cloud
credentials), ``http://127.0.0.1:8069/`` or a private network, and follow a
redirect there. So:

- only ``https`` URLs, except on the hosts the server's administrator allows
  for the sandbox (``BIGCOMMERCE_ALLOWED_API_HOSTS``, see ``hosts.py``),
  which may also use plain ``http`` and any address;
- every other host must resolve to public addresses only (no loopback,
  link-local, private, shared, multicast or reserved address), and the
  check is made on the addresses the socket actually connects to: the name
  is resolved once, each address is checked, and the connection is made to
  that address (the URL's name stays in the Host header, TLS SNI and
  certificate check). A name that resolves to a public address for a check
  and a private one for the connection (DNS rebinding) gains nothing;
- redirects are followed by hand, at most ``MAX_REDIRECTS``, each hop
  checked like the first URL;
- no proxy from the environment: the peer would be the proxy;
- the size is capped on the wire (compressed bytes, whatever Content-Length
  claims) and after decoding (gzip/deflate are decoded here, in bounded
  steps: a small compressed answer never expands past the cap in memory).
"""

import ipaddress
import socket
import zlib
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

TIMEOUT = 15  # seconds, connect and each read
MAX_BYTES = 10 * 1024 * 1024
MAX_REDIRECTS = 5
CHUNK = 64 * 1024
IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")
USER_AGENT = "bigcommerce_connector/19.0 (Odoo 19.0 connector; images)"
REDIRECTS = (301, 302, 303, 307, 308)


class ImageFetchError(Exception):
    """The image was not fetched; the message says why (never a secret)."""


class ForbiddenImageAddress(ImageFetchError):
    """The URL, a redirect or the host's address is not one images come from."""


def address_problem(address):
    """Why an images host may not be at ``address`` (an IP string), or None."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_private:
        return "a private address"
    if ip.is_multicast or ip.is_reserved or ip.is_unspecified or not ip.is_global:
        return "a reserved address"
    return None


def url_problem(url, allowed_hosts=()):
    """Why ``url`` may not be fetched before resolving its host, or None."""
    try:
        parts = urlsplit(url or "")
        host = (parts.hostname or "").lower()
        port = parts.port  # raises ValueError on a malformed port
    except ValueError:
        return "not a valid URL"
    if not host or port == 0:
        return "not a valid URL"
    if parts.username or parts.password:
        return "a URL with a user name or password"
    if parts.scheme == "https":
        return None
    if parts.scheme == "http" and host in allowed_hosts:
        return None
    return f"only https image URLs are fetched ({parts.scheme or 'no'} scheme)"


class _AddressPolicy:
    """Resolves a host once and connects to an address that passed the check."""

    def __init__(self, allowed_hosts, resolve):
        self.allowed_hosts = frozenset(host.lower() for host in allowed_hosts)
        self.resolve = resolve

    def connect(self, connection):
        host = connection.host.strip("[]").lower()
        try:
            infos = self.resolve(host, connection.port, type=socket.SOCK_STREAM)
        except OSError as error:
            raise NewConnectionError(
                connection, f"cannot resolve {host}: {error}"
            ) from None
        if not infos:
            raise NewConnectionError(connection, f"cannot resolve {host}")
        if host not in self.allowed_hosts:
            for *_ignored, sockaddr in infos:
                problem = address_problem(sockaddr[0])
                if problem:
                    raise ForbiddenImageAddress(
                        f"{host} resolves to {problem} ({sockaddr[0]}): not fetched"
                    )
        timeout = connection.timeout
        if not isinstance(timeout, int | float):
            timeout = None
        last_error = None
        for family, socktype, proto, _canonical, sockaddr in infos:
            sock = socket.socket(family, socktype, proto)
            try:
                for option in connection.socket_options or ():
                    sock.setsockopt(*option)
                sock.settimeout(timeout)
                # The address that was checked is the one connected to.
                sock.connect(sockaddr)
                return sock
            except TimeoutError:
                sock.close()
                raise ConnectTimeoutError(
                    connection, f"connection to {host} timed out"
                ) from None
            except OSError as error:
                sock.close()
                last_error = error
        raise NewConnectionError(connection, f"cannot connect to {host}: {last_error}")


def _session(policy):
    """A requests session whose connections go through ``policy``."""

    class CheckedHTTPConnection(HTTPConnection):
        def _new_conn(self):
            return policy.connect(self)

    class CheckedHTTPSConnection(HTTPSConnection):
        def _new_conn(self):
            return policy.connect(self)

    class CheckedHTTPPool(HTTPConnectionPool):
        ConnectionCls = CheckedHTTPConnection

    class CheckedHTTPSPool(HTTPSConnectionPool):
        ConnectionCls = CheckedHTTPSConnection

    class CheckedAdapter(HTTPAdapter):
        def init_poolmanager(self, *args, **kwargs):
            result = super().init_poolmanager(*args, **kwargs)
            self.poolmanager.pool_classes_by_scheme = {
                "http": CheckedHTTPPool,
                "https": CheckedHTTPSPool,
            }
            return result

        def proxy_manager_for(self, *args, **kwargs):
            raise ForbiddenImageAddress("images are never fetched through a proxy")

    session = requests.Session()
    session.trust_env = False  # no proxy, no .netrc credentials
    adapter = CheckedAdapter(max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


class ImageFetcher:
    """Fetches images for one run (one session: connections are reused).

    ``allowed_hosts``: the hosts the server's configuration allows (the
    sandbox's); ``resolve``: ``socket.getaddrinfo`` (tests give another).
    """

    def __init__(
        self,
        allowed_hosts=(),
        max_bytes=MAX_BYTES,
        timeout=TIMEOUT,
        resolve=socket.getaddrinfo,
    ):
        self.allowed_hosts = frozenset(host.lower() for host in allowed_hosts)
        self.max_bytes = max_bytes
        self.timeout = timeout
        self.session = _session(_AddressPolicy(self.allowed_hosts, resolve))

    def close(self):
        self.session.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def fetch(self, url):
        """The bytes of the image at ``url``; ImageFetchError with the reason."""
        for _hop in range(MAX_REDIRECTS + 1):
            problem = url_problem(url, self.allowed_hosts)
            if problem:
                raise ForbiddenImageAddress(f"{problem}: not fetched")
            try:
                response = self.session.get(
                    url,
                    timeout=self.timeout,
                    stream=True,
                    allow_redirects=False,
                    headers={
                        "User-Agent": USER_AGENT,
                        "Accept": ", ".join(IMAGE_TYPES),
                        "Accept-Encoding": "gzip, deflate",
                    },
                )
            except ImageFetchError:
                raise
            except requests.RequestException as error:
                raise ImageFetchError(f"cannot reach the image host: {error}") from None
            with response:
                if response.status_code in REDIRECTS:
                    location = response.headers.get("Location")
                    if not location:
                        raise ImageFetchError("a redirect without a Location")
                    url = urljoin(url, location)
                    continue
                return self._body(response)
        raise ImageFetchError(f"more than {MAX_REDIRECTS} redirects")

    def _body(self, response):
        if response.status_code != 200:
            raise ImageFetchError(f"the image host answered {response.status_code}")
        content_type = (response.headers.get("Content-Type") or "").split(";")[0]
        if content_type.strip().lower() not in IMAGE_TYPES:
            raise ImageFetchError(f"not an image ({content_type or 'no type'})")
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > self.max_bytes:
            raise self._too_large()
        decoder = _decoder(response.headers.get("Content-Encoding"))
        if decoder is False:
            raise ImageFetchError(
                f"unknown content encoding {response.headers['Content-Encoding']!r}"
            )
        wire = 0
        data = bytearray()
        try:
            # decode_content=False: the bytes as they came over the wire.
            for chunk in response.raw.stream(CHUNK, decode_content=False):
                wire += len(chunk)
                if wire > self.max_bytes:
                    raise self._too_large()
                if decoder is None:
                    data += chunk
                else:
                    self._decode_into(data, decoder, chunk)
                if len(data) > self.max_bytes:
                    raise self._too_large()
            if decoder is not None:
                data += decoder.flush()
        except (requests.RequestException, OSError) as error:
            raise ImageFetchError(f"download interrupted: {error}") from None
        except Exception as error:  # noqa: BLE001 - urllib3/zlib errors, stated
            if isinstance(error, ImageFetchError):
                raise
            raise ImageFetchError(f"download interrupted: {error}") from None
        if len(data) > self.max_bytes:
            raise self._too_large()
        return bytes(data)

    def _decode_into(self, data, decoder, chunk):
        """Decode ``chunk`` into ``data``, never more than the cap plus one."""
        pending = chunk
        while pending:
            room = self.max_bytes + 1 - len(data)
            data += decoder.decompress(pending, room)
            if len(data) > self.max_bytes:
                raise self._too_large()
            pending = decoder.unconsumed_tail

    def _too_large(self):
        return ImageFetchError(f"larger than {self.max_bytes // 1024 // 1024} MB")


def _decoder(encoding):
    """A zlib decompressor for ``Content-Encoding``; None: identity; False:
    an encoding we cannot decode in bounded steps."""
    encoding = (encoding or "").strip().lower()
    if encoding in ("", "identity"):
        return None
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        # Servers send zlib-wrapped or raw deflate under this name: 32 + ...
        # accepts the zlib (and gzip) header.
        return zlib.decompressobj(32 + zlib.MAX_WBITS)
    return False

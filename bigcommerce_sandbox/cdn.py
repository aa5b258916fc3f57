"""The store's image host (BigCommerce serves images from its CDN, not the API).

Seeded image URLs are ``https://cdn.example.com/sandbox/...``; the server
rewrites them to ``{sandbox url}/cdn/...`` when it renders a response (a URL
depends on where the sandbox listens). ``/cdn/`` needs no token and does not
count against the API quota, as BigCommerce's CDN. Every path answers a small
PNG whose colour comes from the path, so another URL means other bytes;
``.../missing...`` answers 404 and ``.../not-an-image...`` an HTML page, for
the downloader's error paths.
"""

import hashlib
import struct
import zlib

SEEDED_PREFIX = "https://cdn.example.com/sandbox/"
PATH_PREFIX = "/cdn/"


def public_url(store_url, url):
    """The URL of a seeded image as this running sandbox serves it."""
    if isinstance(url, str) and url.startswith(SEEDED_PREFIX):
        return f"{store_url}{PATH_PREFIX}{url[len(SEEDED_PREFIX) :]}"
    return url


def render_images(store_url, product, variant_image_urls=None):
    """Rewrite the image URLs of a rendered product (images, variants).

    Rendered variants get their ``image_url`` ("" without one) from
    ``variant_image_urls`` (variant id -> seeded URL).
    """
    for image in product.get("images") or []:
        for key in ("url_zoom", "url_standard", "url_thumbnail", "url_tiny"):
            image[key] = public_url(store_url, image.get(key))
    if variant_image_urls is not None:
        for variant in product.get("variants") or []:
            url = variant_image_urls.get(variant.get("id"), "")
            variant["image_url"] = public_url(store_url, url)
    return product


def _png(rgb, size=8):
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + bytes(rgb) * size
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(row * size))
        + chunk(b"IEND", b"")
    )


def image_response(path):
    """(status, content type, bytes) of GET /cdn/<path>."""
    if "missing" in path:
        return 404, "text/plain", b"Not found"
    if "not-an-image" in path:
        return 200, "text/html", b"<html><body>Not an image</body></html>"
    digest = hashlib.sha256(path.encode()).digest()
    return 200, "image/png", _png(digest[:3])

"""Download product and brand images from BigCommerce's image host.

The image host (BigCommerce's CDN) is not the API host: a plain request,
without the store's access token, bounded in time and size, and only image
content types are kept. A record is downloaded only when its source changed
since the last download (the product importer marks those "pending"), so a
re-import downloads nothing.
"""

import base64
import logging

import requests

from odoo.exceptions import UserError

_logger = logging.getLogger(__name__)

TIMEOUT = 15  # seconds, connect and each read
MAX_BYTES = 10 * 1024 * 1024
IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")
USER_AGENT = "bigcommerce_connector/19.0 (Odoo 19.0 connector; images)"


class ImageDownloadError(Exception):
    pass


def download_image(url, session=None):
    """The bytes of the image at ``url``; ImageDownloadError with the reason."""
    if not url or not url.lower().startswith(("https://", "http://")):
        raise ImageDownloadError(f"not an http(s) URL: {url!r}")
    getter = session or requests
    try:
        response = getter.get(
            url, timeout=TIMEOUT, stream=True, headers={"User-Agent": USER_AGENT}
        )
    except requests.RequestException as error:
        raise ImageDownloadError(f"cannot reach the image host: {error}") from None
    with response:
        if response.status_code != 200:
            raise ImageDownloadError(f"the image host answered {response.status_code}")
        content_type = (response.headers.get("Content-Type") or "").split(";")[0]
        if content_type.strip().lower() not in IMAGE_TYPES:
            raise ImageDownloadError(f"not an image ({content_type or 'no type'})")
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > MAX_BYTES:
            raise ImageDownloadError(f"larger than {MAX_BYTES // 1024 // 1024} MB")
        data = bytearray()
        try:
            for chunk in response.iter_content(65536):
                data += chunk
                if len(data) > MAX_BYTES:
                    raise ImageDownloadError(
                        f"larger than {MAX_BYTES // 1024 // 1024} MB"
                    )
        except requests.RequestException as error:
            raise ImageDownloadError(f"download interrupted: {error}") from None
    return bytes(data)


def download_records(records, session=None):
    """Download the images of ``bigcommerce.product.image`` or ``bigcommerce.brand``
    records; return (downloaded, failed)."""
    downloaded = failed = 0
    session = session or requests.Session()
    for record in records:
        if record._name == "bigcommerce.brand":
            url, done_key = record.image_url, record.image_url
            if not url or record.image_downloaded_url == url:
                continue
        else:
            url, done_key = record.url, record._source_key()
            if record.downloaded_key == done_key:
                continue
        try:
            data = download_image(url, session)
            encoded = base64.b64encode(data)
            with record.env.cr.savepoint():
                _store(record, encoded, done_key)
            downloaded += 1
        except (ImageDownloadError, UserError, ValueError) as error:
            failed += 1
            _logger.info("Image %s not downloaded: %s", url, error)
            if record._name == "bigcommerce.product.image":
                record.write({"state": "failed", "error": str(error)[:250]})
    return downloaded, failed


def _store(record, encoded, done_key):
    if record._name == "bigcommerce.brand":
        record.write({"image_1920": encoded, "image_downloaded_url": done_key})
        return
    record.write(
        {
            "image_1920": encoded,
            "downloaded_key": done_key,
            "state": "done",
            "error": False,
        }
    )
    if record.product_id:
        record.product_id.image_variant_1920 = encoded
    elif record.is_thumbnail and record.product_tmpl_id:
        record.product_tmpl_id.image_1920 = encoded

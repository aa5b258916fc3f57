"""Download product and brand images from BigCommerce's image host.

The image host (BigCommerce's CDN) is not the API host: a plain request,
without the store's access token, bounded in time and size, and only image
content types are kept. The URLs are the store's data, so the fetch never
reaches inside the network (https only, public addresses only, redirects
checked hop by hop, sizes capped on the wire and decoded: see
``client/image_fetch.py``); the sandbox's host is reached only when the
server's configuration allows it (``tools/api_hosts.py``). A record is
downloaded only when its source changed since the last download (the
product importer marks those "pending"), so a re-import downloads nothing.
"""

import base64
import logging

from odoo.exceptions import UserError

from ..client.image_fetch import (
    IMAGE_TYPES,
    MAX_BYTES,
    TIMEOUT,
    USER_AGENT,
    ImageFetcher,
    ImageFetchError,
)
from ..tools.api_hosts import allowed_api_hosts

_logger = logging.getLogger(__name__)

__all__ = [
    "IMAGE_TYPES",
    "MAX_BYTES",
    "TIMEOUT",
    "USER_AGENT",
    "ImageDownloadError",
    "download_image",
    "download_records",
]

# The name the importers used before the fetch moved to the client package.
ImageDownloadError = ImageFetchError


def download_image(url, fetcher=None):
    """The bytes of the image at ``url``; ImageDownloadError with the reason."""
    if fetcher is not None:
        return fetcher.fetch(url)
    with ImageFetcher(allowed_api_hosts()) as own:
        return own.fetch(url)


def download_records(records, fetcher=None):
    """Download the images of ``bigcommerce.product.image`` or ``bigcommerce.brand``
    records; return (downloaded, failed)."""
    if fetcher is None:
        with ImageFetcher(allowed_api_hosts()) as own:
            return download_records(records, own)
    downloaded = failed = 0
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
            data = download_image(url, fetcher)
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

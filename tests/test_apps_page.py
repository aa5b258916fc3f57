"""Odoo Apps conventions: the Apps page, its pictures, the manifest, the .pot."""

import ast
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ADDON = os.path.join(ROOT, "bigcommerce_connector")


def _manifest():
    with open(os.path.join(ADDON, "__manifest__.py")) as handle:
        return ast.literal_eval(handle.read())


def test_manifest_names_no_invented_website_and_existing_images():
    manifest = _manifest()
    assert "website" not in manifest
    assert manifest["images"]
    for image in manifest["images"]:
        assert os.path.isfile(os.path.join(ADDON, image)), image


def test_apps_page_shows_pictures_that_ship_with_the_addon():
    with open(os.path.join(ADDON, "static", "description", "index.html")) as page:
        html = page.read()
    sources = re.findall(r'<img[^>]+src="([^"]+)"', html)
    assert sources
    for source in sources:
        assert not source.startswith(("http:", "https:", "//")), source
        path = os.path.join(ADDON, "static", "description", source)
        assert os.path.isfile(path), source


def test_translation_template_covers_the_module():
    pot = os.path.join(ADDON, "i18n", "bigcommerce_connector.pot")
    with open(pot, encoding="utf-8") as handle:
        text = handle.read()
    assert "* bigcommerce_connector" in text
    # A view string, a Python string and the first-store panel.
    assert 'msgid "Needs Attention"' in text
    assert "Connect your first BigCommerce store" in text
    assert not re.search(r"/(work|root|home|tmp)/", text)

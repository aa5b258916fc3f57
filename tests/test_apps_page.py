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


def _field_labels():
    """Every ``string=`` label of a field the addon declares in Python."""
    labels = set()
    for folder, _dirs, files in os.walk(ADDON):
        if os.sep + "tests" in folder:
            continue
        for name in files:
            if not name.endswith(".py"):
                continue
            with open(os.path.join(folder, name), encoding="utf-8") as handle:
                tree = ast.parse(handle.read())
            for node in ast.walk(tree):
                if not (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and isinstance(node.func.value, ast.Name)
                    and node.func.value.id == "fields"
                ):
                    continue
                for keyword in node.keywords:
                    if keyword.arg == "string" and isinstance(
                        keyword.value, ast.Constant
                    ):
                        labels.add(keyword.value.value)
    return labels


def test_translation_template_is_not_stale():
    # A field added since the .pot was last exported (`make pot`) would reach
    # translators only at the next export: every label must already be in it.
    pot = os.path.join(ADDON, "i18n", "bigcommerce_connector.pot")
    with open(pot, encoding="utf-8") as handle:
        text = handle.read()
    labels = _field_labels()
    assert len(labels) > 100
    missing = sorted(
        label for label in labels if f"msgid {_po_quote(label)}" not in text
    )
    assert not missing, f"run `make pot`: {missing[:10]} ({len(missing)} missing)"


def _po_quote(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

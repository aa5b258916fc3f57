"""Install the addon the way OCA wheels do: into the ``odoo.addons`` namespace.

``pip install .`` makes ``odoo.addons.bigcommerce_connector`` importable, so
Odoo finds the addon without adding this repository to ``--addons-path``.
Odoo itself is not a dependency here: no package index has Odoo 19.0, it is
installed from Odoo's sources (see docs/development.md).
"""

import ast
import os

from setuptools import setup

HERE = os.path.dirname(os.path.abspath(__file__))
ADDON = "bigcommerce_connector"

with open(os.path.join(HERE, ADDON, "__manifest__.py")) as manifest_file:
    MANIFEST = ast.literal_eval(manifest_file.read())
with open(os.path.join(HERE, "README.md")) as readme_file:
    README = readme_file.read()


def _packages():
    packages = []
    for dirpath, _dirnames, filenames in os.walk(os.path.join(HERE, ADDON)):
        if "__init__.py" in filenames:
            relative = os.path.relpath(dirpath, HERE).replace(os.sep, ".")
            packages.append("odoo.addons." + relative)
    return packages


def _data_files():
    """Every non-Python file of the addon (views, data, security, assets)."""
    found = []
    root = os.path.join(HERE, ADDON)
    for dirpath, _dirnames, filenames in os.walk(root):
        if "__pycache__" in dirpath:
            continue
        for filename in filenames:
            if not filename.endswith((".py", ".pyc")):
                found.append(os.path.relpath(os.path.join(dirpath, filename), root))
    return found


setup(
    name=f"odoo-addon-{ADDON}",
    version=MANIFEST["version"],
    description=MANIFEST["summary"],
    long_description=README,
    long_description_content_type="text/markdown",
    license=MANIFEST["license"],
    author=MANIFEST["author"],
    python_requires=">=3.10",
    packages=_packages(),
    package_dir={"odoo.addons." + ADDON: ADDON},
    package_data={"odoo.addons." + ADDON: _data_files()},
    install_requires=["requests", "cryptography"],
    classifiers=[
        "Programming Language :: Python :: 3",
        "Framework :: Odoo",
        "Framework :: Odoo :: 19.0",
        "License :: OSI Approved :: GNU Lesser General Public License v3 (LGPLv3)",
    ],
)

"""The pinned OpenAPI specs: fetched or copied only when their SHA-256 is the
pinned commit's, found in the repository's copy first."""

import hashlib
import http.server
import os
import shutil
import subprocess
import sys
import threading

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from tests import openapi_conformance, openapi_specs  # noqa: E402

FILES = {
    "reference/orders.v2.oas2.yml": b"openapi: 3.0.0\ninfo: {title: orders}\n",
    "reference/catalog/brands_catalog.v3.yml": b"openapi: 3.0.0\ninfo: {title: b}\n",
}


@pytest.fixture
def manifest(tmp_path):
    path = tmp_path / "SHA256SUMS"
    path.write_text(
        "# pinned\n"
        + "".join(
            f"{hashlib.sha256(body).hexdigest()}  {name}\n"
            for name, body in FILES.items()
        )
    )
    return str(path)


@pytest.fixture
def mirror(tmp_path):
    """A loopback HTTP server laid out like BigCommerce's repository; counts
    the requests it answers."""
    root = tmp_path / "mirror"
    for name, body in FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(body)
    requests = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(root), **kwargs)

        def do_GET(self):
            requests.append(self.path)
            super().do_GET()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield root, f"http://127.0.0.1:{server.server_address[1]}/", requests
    finally:
        server.shutdown()
        server.server_close()


def test_downloads_every_pinned_file_and_verifies_it(tmp_path, manifest, mirror):
    _root, url, requests = mirror
    target = tmp_path / "specs"
    added = openapi_specs.ensure(
        str(target), manifest, sources=[], base_url=url, log=lambda _m: None
    )
    assert added == 2
    assert sorted(os.listdir(target)) == [
        "brands_catalog.v3.yml",
        "orders.v2.oas2.yml",
    ]
    assert sorted(requests) == [
        "/reference/catalog/brands_catalog.v3.yml",
        "/reference/orders.v2.oas2.yml",
    ]
    assert openapi_specs.problems(str(target), manifest) == []
    # A second run asks for nothing: the verified copies are kept.
    assert openapi_specs.ensure(str(target), manifest, sources=[], base_url=url) == 0
    assert len(requests) == 2


def test_a_tampered_download_is_refused_and_not_kept(tmp_path, manifest, mirror):
    root, url, _requests = mirror
    (root / "reference/orders.v2.oas2.yml").write_bytes(b"openapi: 3.0.0\nevil\n")
    target = tmp_path / "specs"
    with pytest.raises(openapi_specs.SpecFetchError) as caught:
        openapi_specs.ensure(
            str(target), manifest, sources=[], base_url=url, log=lambda _m: None
        )
    assert "orders.v2.oas2.yml" in str(caught.value)
    assert "SHA-256" in str(caught.value)
    # The intact file is kept, the tampered one is not (nor a partial file).
    assert sorted(os.listdir(target)) == ["brands_catalog.v3.yml"]


def test_no_network_says_how_to_get_them(tmp_path, manifest):
    with pytest.raises(openapi_specs.SpecFetchError) as caught:
        openapi_specs.ensure(
            str(tmp_path / "specs"),
            manifest,
            sources=[],
            base_url="http://127.0.0.1:9/",  # discard port: refused
        )
    assert "needs the network" in str(caught.value)
    assert openapi_specs.ENV_DIR in str(caught.value)
    # The remedy on a machine without the network: a clone of the docs.
    assert openapi_specs.ENV_GIT in str(caught.value)
    assert "github.com/bigcommerce/docs" in str(caught.value)


def test_a_local_copy_is_used_when_intact(tmp_path, manifest, mirror):
    _root, url, requests = mirror
    local = tmp_path / "local"
    local.mkdir()
    (local / "orders.v2.oas2.yml").write_bytes(FILES["reference/orders.v2.oas2.yml"])
    (local / "brands_catalog.v3.yml").write_bytes(b"an older version\n")
    target = tmp_path / "specs"
    openapi_specs.ensure(
        str(target), manifest, sources=[str(local)], base_url=url, log=lambda _m: None
    )
    # The intact file came from the local copy, the altered one was fetched.
    assert requests == ["/reference/catalog/brands_catalog.v3.yml"]
    assert openapi_specs.problems(str(target), manifest) == []


def test_the_repository_copy_comes_first(monkeypatch, tmp_path):
    """The conformance suite reads the repository's verified copy even when
    BIGCOMMERCE_OPENAPI_DIR points elsewhere."""
    monkeypatch.setenv(openapi_specs.ENV_DIR, str(tmp_path / "elsewhere"))
    monkeypatch.setattr(openapi_conformance, "_VERIFIED", {})
    assert openapi_conformance.spec_dirs()[0] == openapi_specs.SPEC_DIR
    if openapi_specs.problems(openapi_specs.SPEC_DIR):
        pytest.fail("run `make specs` first: the repository's copy is incomplete")
    assert openapi_conformance.spec_dir() == openapi_specs.SPEC_DIR


def test_the_manifest_pins_the_specs_the_suite_needs():
    files = openapi_specs.pinned()
    assert len(files) == 20
    assert files["price_lists.v3.yml"] == (
        "693094623646545791469e18e59a53f7ecea016df2275fdcf3fa25c613b7a13f",
        "reference/price_lists.v3.yml",
    )
    assert all(path.startswith("reference/") for _d, path in files.values())
    assert all(len(digest) == 64 for digest, _p in files.values())


# -- a git repository of BigCommerce's docs (BIGCOMMERCE_DOCS_GIT) -------------


def _git(*args, cwd):
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


@pytest.fixture
def docs_repo(tmp_path):
    """A git repository laid out like BigCommerce's docs: its first commit
    holds FILES, a later one changes orders.v2.oas2.yml. Returns (work tree,
    first commit, bare clone)."""
    if shutil.which("git") is None:
        pytest.fail("git is needed for the BIGCOMMERCE_DOCS_GIT source")
    tree = tmp_path / "docs"
    for name, body in FILES.items():
        (tree / name).parent.mkdir(parents=True, exist_ok=True)
        (tree / name).write_bytes(body)
    _git("init", "-q", cwd=tree)
    _git("add", "-A", cwd=tree)
    _git("commit", "-q", "-m", "pinned", cwd=tree)
    first = _git("rev-parse", "HEAD", cwd=tree)
    (tree / "reference/orders.v2.oas2.yml").write_bytes(b"openapi: 3.0.0\nnewer\n")
    _git("commit", "-q", "-am", "newer", cwd=tree)
    bare = tmp_path / "docs.git"
    _git("clone", "-q", "--bare", str(tree), str(bare), cwd=tmp_path)
    return tree, first, bare


def _no_network():
    return "http://127.0.0.1:9/"  # discard port: refused


def test_a_docs_clone_gives_the_files_at_the_pinned_commit(
    tmp_path, manifest, docs_repo
):
    tree, first, bare = docs_repo
    for repository in (tree, bare):  # a work tree (.git inside) or bare
        target = tmp_path / f"specs-{repository.name}"
        logged = []
        added = openapi_specs.ensure(
            str(target),
            manifest,
            sources=[],
            base_url=_no_network(),
            log=logged.append,
            git=str(repository),
            commit=first,
        )
        assert added == 2
        assert openapi_specs.problems(str(target), manifest) == []
        assert all(f"{repository} at {first[:12]}" in line for line in logged)


def test_the_env_variable_names_the_docs_clone(
    monkeypatch, tmp_path, manifest, docs_repo
):
    _tree, first, bare = docs_repo
    monkeypatch.setenv(openapi_specs.ENV_GIT, str(bare))
    target = tmp_path / "specs"
    openapi_specs.ensure(
        str(target),
        manifest,
        sources=[],
        base_url=_no_network(),
        log=lambda _m: None,
        commit=first,
    )
    assert openapi_specs.problems(str(target), manifest) == []


def test_local_folders_come_before_the_docs_clone(tmp_path, manifest, docs_repo):
    _tree, first, bare = docs_repo
    local = tmp_path / "local"
    local.mkdir()
    (local / "orders.v2.oas2.yml").write_bytes(FILES["reference/orders.v2.oas2.yml"])
    logged = []
    openapi_specs.ensure(
        str(tmp_path / "specs"),
        manifest,
        sources=[str(local)],
        base_url=_no_network(),
        log=logged.append,
        git=str(bare),
        commit=first,
    )
    assert sorted(logged) == [
        f"brands_catalog.v3.yml from {bare} at {first[:12]}",
        f"orders.v2.oas2.yml from {local / 'orders.v2.oas2.yml'}",
    ]


def test_a_docs_clone_at_another_commit_is_refused(tmp_path, manifest, docs_repo):
    """At HEAD orders.v2.oas2.yml differs from the pinned file: refused, not
    kept, and the download is tried next (refused here: no network)."""
    tree, _first, bare = docs_repo
    head = _git("rev-parse", "HEAD", cwd=tree)
    target = tmp_path / "specs"
    with pytest.raises(openapi_specs.SpecFetchError) as caught:
        openapi_specs.ensure(
            str(target),
            manifest,
            sources=[],
            base_url=_no_network(),
            log=lambda _m: None,
            git=str(bare),
            commit=head,
        )
    message = str(caught.value)
    assert f"orders.v2.oas2.yml: {bare} at {head[:12]}: SHA-256 " in message
    assert "orders.v2.oas2.yml: http://127.0.0.1:9/reference/orders.v2.oas2.yml" in (
        message
    )
    assert "brands_catalog" not in message  # unchanged at HEAD: intact
    assert sorted(os.listdir(target)) == ["brands_catalog.v3.yml"]


def test_a_docs_clone_without_the_commit_falls_back_to_the_download(
    tmp_path, manifest, docs_repo, mirror
):
    _tree, _first, bare = docs_repo
    _root, url, requests = mirror
    missing = "0" * 40
    target = tmp_path / "specs"
    openapi_specs.ensure(
        str(target),
        manifest,
        sources=[],
        base_url=url,
        log=lambda _m: None,
        git=str(bare),
        commit=missing,
    )
    assert len(requests) == 2
    assert openapi_specs.problems(str(target), manifest) == []

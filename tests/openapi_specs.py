"""BigCommerce's OpenAPI specs at a pinned commit, checked by SHA-256.

The sandbox store is checked against BigCommerce's own OpenAPI specs (folder
``reference/`` of github.com/bigcommerce/docs). That repository carries no
licence, so the specs are not redistributed with this one: ``make specs``
(run by ``make test``) puts them in ``bigcommerce_sandbox/openapi/``
(git-ignored), each file checked against the SHA-256 of the pinned commit
listed in ``bigcommerce_sandbox/openapi/SHA256SUMS``. A file comes from the
first of:

1. a verified copy already there;
2. the folder ``BIGCOMMERCE_OPENAPI_DIR`` points at, or
   ``../shared/bigcommerce-openapi`` beside the repository;
3. a download at the pinned commit (``BIGCOMMERCE_OPENAPI_BASE_URL`` names a
   mirror; ``file://`` works too): the first run needs the network.

A file whose SHA-256 differs is never used. Only the standard library is
used: this runs before the project's requirements are installed.
"""

import hashlib
import os
import shutil
import sys
import tempfile
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SPEC_DIR = os.path.join(ROOT, "bigcommerce_sandbox", "openapi")
MANIFEST = os.path.join(SPEC_DIR, "SHA256SUMS")
REPOSITORY = "github.com/bigcommerce/docs"
COMMIT = "24f580ca6d2981728b7ed70a2049e00fc602c335"
BASE_URL = f"https://raw.githubusercontent.com/bigcommerce/docs/{COMMIT}/"
ENV_DIR = "BIGCOMMERCE_OPENAPI_DIR"
ENV_BASE_URL = "BIGCOMMERCE_OPENAPI_BASE_URL"
SHARED_DIR = os.path.join(os.path.dirname(ROOT), "shared", "bigcommerce-openapi")
DOWNLOAD_TIMEOUT_S = 60


class SpecFetchError(RuntimeError):
    """A pinned spec file could not be found nor downloaded intact."""


def pinned(manifest=MANIFEST):
    """{file name: (sha256, path in BigCommerce's repository)}."""
    files = {}
    with open(manifest, encoding="utf-8") as handle:
        for line in handle:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            digest, path = line.split(maxsplit=1)
            files[os.path.basename(path)] = (digest.lower(), path)
    return files


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def problems(directory, manifest=MANIFEST):
    """Why ``directory`` does not hold the pinned specs ([] when it does)."""
    if not directory or not os.path.isdir(directory):
        return [f"{directory}: no such folder"]
    found = []
    for name, (digest, _path) in sorted(pinned(manifest).items()):
        path = os.path.join(directory, name)
        if not os.path.isfile(path):
            found.append(f"{path}: missing")
        elif sha256_of(path) != digest:
            found.append(f"{path}: SHA-256 differs from the pinned commit's")
    return found


def local_sources():
    """Folders that may already hold the specs, after the repository's own."""
    folders = []
    if os.environ.get(ENV_DIR):
        folders.append(os.path.abspath(os.environ[ENV_DIR]))
    folders.append(SHARED_DIR)
    return folders


def _download(url, target):
    # https at the pinned commit, or the mirror the user named.
    answer = urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_S)  # noqa: S310
    with answer, open(target, "wb") as handle:
        shutil.copyfileobj(answer, handle)


def ensure(
    directory=SPEC_DIR, manifest=MANIFEST, sources=None, base_url=None, log=None
):
    """Put every pinned spec file in ``directory``, verified; returns the
    number of files copied or downloaded. Raises :class:`SpecFetchError`
    naming each file that could not be had intact."""
    sources = local_sources() if sources is None else sources
    base_url = base_url or os.environ.get(ENV_BASE_URL) or BASE_URL
    if not base_url.endswith("/"):
        base_url += "/"
    log = log or (lambda message: print(f"[specs] {message}", flush=True))
    os.makedirs(directory, exist_ok=True)
    added, failures = 0, []
    for name, (digest, path) in sorted(pinned(manifest).items()):
        target = os.path.join(directory, name)
        if os.path.isfile(target) and sha256_of(target) == digest:
            continue
        local = [os.path.join(folder, name) for folder in sources]
        local = [
            candidate
            for candidate in local
            if os.path.isfile(candidate) and sha256_of(candidate) == digest
        ]
        handle, partial = tempfile.mkstemp(dir=directory, prefix=f".{name}.")
        os.close(handle)
        try:
            if local:
                shutil.copyfile(local[0], partial)
                origin = local[0]
            else:
                origin = base_url + path
                try:
                    _download(origin, partial)
                except OSError as exc:  # URLError, timeouts, refused
                    failures.append(f"{name}: {origin}: {exc}")
                    continue
            actual = sha256_of(partial)
            if actual != digest:
                failures.append(f"{name}: {origin}: SHA-256 {actual}, pinned {digest}")
                continue
            os.replace(partial, target)
            added += 1
            log(f"{name} from {origin}")
        finally:
            if os.path.exists(partial):
                os.unlink(partial)
    if failures:
        raise SpecFetchError(
            f"BigCommerce's OpenAPI specs ({REPOSITORY} at {COMMIT}) could not "
            "all be had intact:\n  "
            + "\n  ".join(failures)
            + f"\nThe first run needs the network, or set {ENV_DIR} to a folder "
            f"holding them (see docs/development.md)."
        )
    return added


def main():
    try:
        added = ensure()
    except SpecFetchError as exc:
        print(exc, file=sys.stderr)
        return 1
    count = len(pinned())
    print(
        f"[specs] {count} OpenAPI spec files of {REPOSITORY} at {COMMIT[:12]} "
        f"verified in {os.path.relpath(SPEC_DIR, ROOT)}"
        + (f" ({added} added)" if added else "")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

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
3. the git repository ``BIGCOMMERCE_DOCS_GIT`` points at (a clone of
   github.com/bigcommerce/docs, bare or not, holding the pinned commit): the
   file is read with ``git --git-dir=... show COMMIT:path``;
4. a download at the pinned commit (``BIGCOMMERCE_OPENAPI_BASE_URL`` names a
   mirror; ``file://`` works too): the first run needs the network.

A file whose SHA-256 differs is never used, wherever it comes from. Only the
standard library (and the ``git`` command, for the third source) is used:
this runs before the project's requirements are installed.
"""

import hashlib
import os
import shutil
import subprocess
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
ENV_GIT = "BIGCOMMERCE_DOCS_GIT"
SHARED_DIR = os.path.join(os.path.dirname(ROOT), "shared", "bigcommerce-openapi")
DOWNLOAD_TIMEOUT_S = 60
GIT_TIMEOUT_S = 120


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


def git_source():
    """The git repository of BigCommerce's docs named by BIGCOMMERCE_DOCS_GIT,
    or None."""
    value = os.environ.get(ENV_GIT)
    return os.path.abspath(value) if value else None


def git_dir(repository):
    """The git directory of ``repository``: itself when bare, else its .git."""
    dot_git = os.path.join(repository, ".git")
    return dot_git if os.path.exists(dot_git) else repository


def _git_show(repository, commit, path, target):
    """Write ``commit:path`` of ``repository`` to ``target``; raises OSError
    (with git's message) when git or the object is missing."""
    command = ["git", f"--git-dir={git_dir(repository)}", "show", f"{commit}:{path}"]
    try:
        with open(target, "wb") as handle:
            done = subprocess.run(  # noqa: S603 - fixed argv, no shell
                command,
                stdout=handle,
                stderr=subprocess.PIPE,
                timeout=GIT_TIMEOUT_S,
                check=False,
            )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise OSError(f"git show failed: {exc}") from None
    if done.returncode:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise OSError(f"git show exited {done.returncode}: {' '.join(message)}")


def _download(url, target):
    # https at the pinned commit, or the mirror the user named.
    answer = urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_S)  # noqa: S310
    with answer, open(target, "wb") as handle:
        shutil.copyfileobj(answer, handle)


def _from_git(repository, commit, path, partial, digest):
    """Read ``commit:path`` of ``repository`` into ``partial``; None when the
    copy has the pinned SHA-256, else why not (the download is tried next)."""
    try:
        _git_show(repository, commit, path, partial)
    except OSError as exc:
        return f"{repository}: {exc}"
    actual = sha256_of(partial)
    if actual != digest:
        return f"{repository} at {commit[:12]}: SHA-256 {actual}, pinned {digest}"
    return None


def ensure(
    directory=SPEC_DIR,
    manifest=MANIFEST,
    sources=None,
    base_url=None,
    log=None,
    git=None,
    commit=COMMIT,
):
    """Put every pinned spec file in ``directory``, verified; returns the
    number of files copied, read from git or downloaded. ``git``: a
    repository of BigCommerce's docs holding ``commit`` (default: the one
    BIGCOMMERCE_DOCS_GIT names; ``False``: none). Raises
    :class:`SpecFetchError` naming each file that could not be had intact."""
    sources = local_sources() if sources is None else sources
    git = git_source() if git is None else (git or None)
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
                from_git = git and _from_git(git, commit, path, partial, digest)
                if git and from_git is None:
                    origin = f"{git} at {commit[:12]}"
                else:
                    origin = base_url + path
                    try:
                        _download(origin, partial)
                    except OSError as exc:  # URLError, timeouts, refused
                        failures.append(f"{name}: {origin}: {exc}")
                        if from_git:
                            failures.append(f"{name}: {from_git}")
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
            f"BigCommerce's OpenAPI specs ({REPOSITORY} at {commit}) could not "
            "all be had intact:\n  "
            + "\n  ".join(failures)
            + "\nThe first run needs the network (raw.githubusercontent.com), or "
            f"set {ENV_GIT} to a clone of {REPOSITORY} holding commit "
            f"{commit[:12]} (bare or not), or {ENV_DIR} to a folder holding "
            "the files (see docs/development.md)."
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

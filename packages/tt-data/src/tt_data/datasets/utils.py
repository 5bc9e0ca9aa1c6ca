"""Finding, downloading, checking and unpacking dataset files (``torchvision.datasets.utils``).

Where files are looked for, in this order (:func:`search_roots`):

1. the ``root`` argument given to the dataset, if any;
2. the folder named by the environment variable ``TT_DATA_ROOT``, if set;
3. the user cache, ``$XDG_CACHE_HOME/tt-data`` (``~/.cache/tt-data`` when unset);
4. the system folder ``/usr/share/datasets`` (Debian's ``dataset-*`` packages install there,
   e.g. ``dataset-fashion-mnist`` puts Fashion-MNIST in ``/usr/share/datasets/fashion-mnist``).

Downloads go to the first writable place of 1-3 (never to the system folder). A download
streams into a hidden ``.part`` file next to its destination while a SHA-256 is computed on
the fly; only when the digest equals the pinned one is the file renamed into place with
:func:`os.replace` (atomic on POSIX and Windows), so a crash or a bad mirror never leaves a
half-written file under the final name. Archives are unpacked member by member after a
check that no member can escape the target folder (absolute paths, ``..``, links).

Systems questions: why is the rename atomic but the copy is not? Why does a gzip file need
no separate checksum to detect a flipped bit (hint: the gzip trailer holds a CRC-32)?
"""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import sys
import tarfile
import tempfile
import time
import urllib.error
import urllib.request
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import IO

__all__ = [
    "ENV_VAR",
    "SYSTEM_DIR",
    "DatasetNotFoundError",
    "check_integrity",
    "download_url",
    "extract_archive",
    "read_bytes",
    "search_roots",
    "sha256sum",
    "user_cache_dir",
]

ENV_VAR = "TT_DATA_ROOT"
"""Name of the environment variable holding a folder of datasets."""

SYSTEM_DIR = Path("/usr/share/datasets")
"""System-wide folder of datasets (Debian's ``dataset-*`` packages)."""

_CHUNK = 1 << 20  # 1 MiB: big enough for few system calls, small enough for a live progress bar


def user_cache_dir() -> Path:
    """The per-user cache folder: ``$XDG_CACHE_HOME/tt-data``, else ``~/.cache/tt-data``.

    >>> user_cache_dir().name
    'tt-data'
    """
    base = os.environ.get("XDG_CACHE_HOME")
    return (Path(base) if base else Path.home() / ".cache") / "tt-data"


def search_roots(root: str | os.PathLike[str] | None = None) -> list[Path]:
    """The base folders searched for dataset files, in order, without duplicates.

    ``root`` (if given), then ``$TT_DATA_ROOT`` (if set), the user cache and
    ``/usr/share/datasets``. The folders need not exist.

    >>> search_roots("/data")[0]
    PosixPath('/data')
    >>> search_roots()[-1]
    PosixPath('/usr/share/datasets')
    """
    places: list[Path] = []
    if root is not None:
        places.append(Path(root).expanduser())
    env = os.environ.get(ENV_VAR)
    if env:
        places.append(Path(env).expanduser())
    places += [user_cache_dir(), SYSTEM_DIR]
    out: list[Path] = []
    for p in places:
        if p not in out:
            out.append(p)
    return out


def download_root(root: str | os.PathLike[str] | None = None) -> Path:
    """Where downloads go: ``root`` if given, else ``$TT_DATA_ROOT``, else the user cache."""
    if root is not None:
        return Path(root).expanduser()
    env = os.environ.get(ENV_VAR)
    return Path(env).expanduser() if env else user_cache_dir()


def sha256sum(path: str | os.PathLike[str]) -> str:
    """The SHA-256 of a file as lowercase hex, read in 1 MiB chunks.

    **Cost**: one pass over the file (about 1-2 GB/s with hardware SHA extensions).
    **Memory**: one 1 MiB buffer.
    """
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(_CHUNK), b""):
            h.update(block)
    return h.hexdigest()


def check_integrity(path: str | os.PathLike[str], sha256: str | None = None) -> bool:
    """True if ``path`` is a file and (when ``sha256`` is given) its digest matches."""
    if not os.path.isfile(path):
        return False
    return sha256 is None or sha256sum(path) == sha256.lower()


def read_bytes(path: str | os.PathLike[str]) -> bytes:
    """The contents of ``path``, gunzipped when the file starts with the gzip magic ``1f 8b``.

    A corrupt or truncated gzip file raises :class:`RuntimeError` naming the file (gzip's
    CRC-32 and length trailer catch flipped bits and missing tails).

    **Memory**: the compressed and the decompressed bytes are alive together for a moment.
    """
    raw = Path(path).read_bytes()
    if raw[:2] != b"\x1f\x8b":
        return raw
    try:
        return gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as e:
        raise RuntimeError(f"{path}: corrupt or truncated gzip file ({e})") from None


class _Progress:
    """A one-line progress bar on stderr, silent when stderr is not a terminal."""

    def __init__(self, name: str, total: int | None, stream: IO[str] | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = bool(getattr(self.stream, "isatty", lambda: False)())
        self.name, self.total, self.done = name, total, 0
        self._last = 0.0

    def update(self, n: int) -> None:
        self.done += n
        now = time.monotonic()
        if self.enabled and (now - self._last > 0.1 or self.done == self.total):
            self._last = now
            self.stream.write("\r" + self.line())
            self.stream.flush()

    def line(self) -> str:
        mb = self.done / 1e6
        if self.total:
            frac = min(self.done / self.total, 1.0)
            bar = "#" * int(30 * frac)
            return f"{self.name}: [{bar:<30}] {100 * frac:5.1f}% {mb:.1f}/{self.total / 1e6:.1f} MB"
        return f"{self.name}: {mb:.1f} MB"

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()


def _fetch(url: str, part: IO[bytes], name: str, timeout: float) -> str:
    """Stream ``url`` into the open file ``part``; return the SHA-256 of what was written."""
    h = hashlib.sha256()
    request = urllib.request.Request(url, headers={"User-Agent": "tt-data"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        length = response.headers.get("Content-Length") if response.headers else None
        bar = _Progress(name, int(length) if length else None)
        try:
            while block := response.read(_CHUNK):
                h.update(block)
                part.write(block)
                bar.update(len(block))
        finally:
            bar.close()
    return h.hexdigest()


def download_url(
    urls: str | Sequence[str],
    root: str | os.PathLike[str],
    filename: str | None = None,
    sha256: str | None = None,
    timeout: float = 60.0,
) -> Path:
    """Download a file to ``root/filename``, verify its SHA-256, move it into place atomically.

    ``urls`` may be one address or several mirrors, tried in order until one answers. If the
    destination already exists with the right digest nothing is fetched. The bytes go to a
    hidden temporary file in ``root``; on a digest mismatch (or any error) that file is
    deleted and :class:`RuntimeError` names the expected and received digests, so no partial
    or wrong file ever sits under ``filename``. A progress line is drawn on stderr when it is
    a terminal.

    **Cost**: one pass over the bytes (hashing is done while writing, not afterwards).
    **Memory**: one 1 MiB buffer; the file goes straight to disk.
    """
    mirrors = [urls] if isinstance(urls, str) else list(urls)
    if not mirrors:
        raise ValueError("download_url: expected at least one URL")
    root = Path(root)
    filename = filename or mirrors[0].rstrip("/").rsplit("/", 1)[-1]
    dest = root / filename
    if sha256 is not None and check_integrity(dest, sha256):
        return dest
    root.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    for url in mirrors:
        fd, tmp = tempfile.mkstemp(prefix=f".{filename}.", suffix=".part", dir=root)
        try:
            with os.fdopen(fd, "wb") as part:
                got = _fetch(url, part, filename, timeout)
            if sha256 is not None and got != sha256.lower():
                raise RuntimeError(
                    f"download_url: checksum mismatch for {url}: expected SHA-256 "
                    f"{sha256.lower()}, received {got}; the file was discarded"
                )
            os.replace(tmp, dest)
            return dest
        except (urllib.error.URLError, OSError) as e:
            errors.append(f"{url}: {e}")
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    raise RuntimeError(f"download_url: could not download {filename}:\n  " + "\n  ".join(errors))


def _safe_members(tar: tarfile.TarFile, target: Path, source: str) -> list[tarfile.TarInfo]:
    """The archive's members after checking none can write outside ``target``."""
    base = target.resolve()
    members = tar.getmembers()
    for m in members:
        name = m.name
        parts = Path(name).parts
        if name.startswith(("/", "\\")) or os.path.isabs(name) or ".." in parts:
            raise RuntimeError(f"extract_archive: unsafe path {name!r} in {source}")
        dest = (base / name).resolve()
        if dest != base and base not in dest.parents:
            raise RuntimeError(f"extract_archive: {name!r} escapes the target folder")
        if m.issym() or m.islnk():
            raise RuntimeError(
                f"extract_archive: link member {name!r} -> {m.linkname!r} refused "
                "(dataset archives hold only files and folders)"
            )
        if not (m.isfile() or m.isdir()):
            raise RuntimeError(f"extract_archive: special member {name!r} refused")
    return members


def extract_archive(from_path: str | os.PathLike[str], to_path: str | os.PathLike[str]) -> Path:
    """Unpack a ``.tar``/``.tar.gz`` archive into ``to_path`` safely; return ``to_path``.

    Every member is checked first (:func:`_safe_members`): absolute names, ``..``
    components, anything resolving outside ``to_path``, symlinks, hard links and device
    files are refused with :class:`RuntimeError` before anything is written. Files are then
    copied out one by one into a hidden staging folder inside ``to_path``, and each
    top-level entry is renamed into place only after all members were written.

    **Memory**: one copy buffer; members are streamed, never loaded whole.
    """
    target = Path(to_path)
    target.mkdir(parents=True, exist_ok=True)
    try:
        tar = tarfile.open(from_path, "r:*")  # noqa: SIM115 - closed by the `with` below
    except (tarfile.TarError, OSError, EOFError) as e:
        raise RuntimeError(
            f"extract_archive: {from_path} is not a readable tar file ({e})"
        ) from None
    with tar:
        try:
            members = _safe_members(tar, target, os.fspath(from_path))
        except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as e:
            raise RuntimeError(
                f"extract_archive: {from_path} is corrupt or truncated ({e})"
            ) from None
        staging = Path(tempfile.mkdtemp(prefix=".extract.", dir=target))
        try:
            for m in members:
                out = staging / m.name
                if m.isdir():
                    out.mkdir(parents=True, exist_ok=True)
                    continue
                out.parent.mkdir(parents=True, exist_ok=True)
                src = tar.extractfile(m)
                if src is None:  # pragma: no cover - regular files always have data
                    raise RuntimeError(f"extract_archive: cannot read {m.name!r}")
                with src, open(out, "wb") as dst:
                    shutil.copyfileobj(src, dst, _CHUNK)
            for entry in staging.iterdir():
                final = target / entry.name
                if final.is_dir() and not final.is_symlink():
                    shutil.rmtree(final)
                os.replace(entry, final)
        except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as e:
            raise RuntimeError(
                f"extract_archive: {from_path} is corrupt or truncated ({e})"
            ) from None
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return target


class DatasetNotFoundError(RuntimeError):
    """A dataset's files are in none of the places looked (torchvision raises RuntimeError
    there too; this subclass lets a caller tell "not found" from "found but corrupt")."""


def not_found_message(name: str, looked: Sequence[Path], what: str, hint: str = "") -> str:
    """The error text when a dataset's files are nowhere: every place looked, two remedies."""
    lines = [f"{name}: dataset files not found ({what}). Looked in:"]
    lines += [f"  {p}" for p in looked]
    lines.append("Two ways to get them:")
    lines.append(
        f"  1. pass download=True to fetch them from the official source into "
        f"{download_root()} (or into root= when given);"
    )
    lines.append(
        f"  2. put the files into one of the folders above yourself (set {ENV_VAR} to use "
        f"another folder){hint}."
    )
    return "\n".join(lines)

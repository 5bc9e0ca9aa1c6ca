"""Finding, downloading, checking and unpacking dataset files (tt_data.datasets.utils).

No network: ``urllib.request.urlopen`` is replaced by a fake serving bytes from memory.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import sys
import tarfile
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tt_data.datasets import utils


class FakeResponse:
    """What ``urlopen`` returns: a readable context manager with headers."""

    def __init__(self, payload: bytes, length: bool = True) -> None:
        self._buf = io.BytesIO(payload)
        self.headers = {"Content-Length": str(len(payload))} if length else {}

    def read(self, n: int = -1) -> bytes:
        return self._buf.read(n)

    def __enter__(self) -> FakeResponse:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


def serve(monkeypatch: pytest.MonkeyPatch, files: dict[str, bytes]) -> list[str]:
    """Make urlopen serve ``files`` (by URL); unknown URLs fail like a dead mirror."""
    asked: list[str] = []

    def fake_urlopen(request: Any, timeout: float = 0) -> FakeResponse:
        url = request.full_url if isinstance(request, urllib.request.Request) else request
        asked.append(url)
        if url not in files:
            raise urllib.error.URLError(f"no route to {url}")
        return FakeResponse(files[url])

    monkeypatch.setattr(urllib.request, "urlopen", fake_urlopen)
    return asked


class TtyStream(io.StringIO):
    def isatty(self) -> bool:
        return True


PAYLOAD = bytes(range(256)) * 9000  # 2.3 MB: more than one 1 MiB chunk
DIGEST = hashlib.sha256(PAYLOAD).hexdigest()


def test_search_roots_order_is_root_env_cache_system(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("TT_DATA_ROOT", str(tmp_path / "env"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert utils.search_roots(tmp_path / "root") == [
        tmp_path / "root",
        tmp_path / "env",
        tmp_path / "xdg" / "tt-data",
        Path("/usr/share/datasets"),
    ]


def test_user_cache_falls_back_to_home_dot_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.delenv("TT_DATA_ROOT", raising=False)
    assert utils.user_cache_dir() == Path.home() / ".cache" / "tt-data"
    assert utils.search_roots() == [Path.home() / ".cache" / "tt-data", utils.SYSTEM_DIR]


def test_download_writes_file_when_checksum_matches(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    serve(monkeypatch, {"https://x.org/f.bin": PAYLOAD})
    out = utils.download_url("https://x.org/f.bin", tmp_path / "d", sha256=DIGEST)
    assert out == tmp_path / "d" / "f.bin"
    assert out.read_bytes() == PAYLOAD
    assert sorted(p.name for p in out.parent.iterdir()) == ["f.bin"]  # no .part left


def test_download_mismatch_raises_and_leaves_no_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    serve(monkeypatch, {"https://x.org/f.bin": PAYLOAD[:-1]})
    with pytest.raises(RuntimeError, match=f"expected SHA-256 {DIGEST}, received"):
        utils.download_url("https://x.org/f.bin", tmp_path, sha256=DIGEST)
    assert list(tmp_path.iterdir()) == []


def test_download_mismatch_keeps_an_existing_good_file_untouched(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "f.bin").write_bytes(b"old")
    serve(monkeypatch, {"https://x.org/f.bin": b"new"})
    with pytest.raises(RuntimeError, match="checksum mismatch"):
        utils.download_url("https://x.org/f.bin", tmp_path, sha256="0" * 64)
    assert (tmp_path / "f.bin").read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["f.bin"]


def test_download_interrupted_midway_leaves_no_partial_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    class Broken(FakeResponse):
        def read(self, n: int = -1) -> bytes:
            if self._buf.tell() > 0:
                raise ConnectionResetError("connection reset")
            return super().read(n)

    monkeypatch.setattr(urllib.request, "urlopen", lambda r, timeout=0: Broken(PAYLOAD))
    with pytest.raises(RuntimeError, match="connection reset"):
        utils.download_url("https://x.org/f.bin", tmp_path, sha256=DIGEST)
    assert list(tmp_path.iterdir()) == []


def test_download_tries_the_next_mirror_when_one_is_down(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    asked = serve(monkeypatch, {"https://b.org/f.bin": PAYLOAD})
    urls = ["https://a.org/f.bin", "https://b.org/f.bin"]
    assert utils.download_url(urls, tmp_path, sha256=DIGEST).read_bytes() == PAYLOAD
    assert asked == urls


def test_download_error_names_every_mirror_tried(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    serve(monkeypatch, {})
    with pytest.raises(RuntimeError, match=r"(?s)a\.org.*b\.org"):
        utils.download_url(["https://a.org/f", "https://b.org/f"], tmp_path, sha256=DIGEST)


def test_download_skips_the_network_when_the_file_is_already_good(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "f.bin").write_bytes(PAYLOAD)
    asked = serve(monkeypatch, {})
    utils.download_url("https://x.org/f.bin", tmp_path, sha256=DIGEST)
    assert asked == []


def test_progress_bar_is_drawn_on_a_terminal(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    tty = TtyStream()
    monkeypatch.setattr(sys, "stderr", tty)
    serve(monkeypatch, {"https://x.org/f.bin": PAYLOAD})
    utils.download_url("https://x.org/f.bin", tmp_path, sha256=DIGEST)
    text = tty.getvalue()
    assert text.startswith("\rf.bin: [")
    assert "100.0%" in text
    assert f"{len(PAYLOAD) / 1e6:.1f}/{len(PAYLOAD) / 1e6:.1f} MB" in text
    assert text.endswith("\n")


def test_progress_bar_is_silent_when_stderr_is_not_a_terminal(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    plain = io.StringIO()
    monkeypatch.setattr(sys, "stderr", plain)
    serve(monkeypatch, {"https://x.org/f.bin": PAYLOAD})
    utils.download_url("https://x.org/f.bin", tmp_path, sha256=DIGEST)
    assert plain.getvalue() == ""


def test_progress_line_without_content_length_shows_megabytes() -> None:
    bar = utils._Progress("f", None, TtyStream())
    bar.update(2_500_000)
    assert bar.line() == "f: 2.5 MB"


def make_tar(path: Path, members: list[tuple[tarfile.TarInfo, bytes | None]]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for info, data in members:
            if data is not None:
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
            else:
                tar.addfile(info)
    return path


def file_info(name: str) -> tarfile.TarInfo:
    return tarfile.TarInfo(name)


def test_extract_archive_unpacks_files_and_folders(tmp_path: Path) -> None:
    d = tarfile.TarInfo("pkg")
    d.type = tarfile.DIRTYPE
    arc = make_tar(
        tmp_path / "a.tar.gz",
        [(d, None), (file_info("pkg/a.bin"), b"abc"), (file_info("pkg/sub/b.txt"), b"xy")],
    )
    out = utils.extract_archive(arc, tmp_path / "out")
    assert (out / "pkg" / "a.bin").read_bytes() == b"abc"
    assert (out / "pkg" / "sub" / "b.txt").read_bytes() == b"xy"
    assert sorted(p.name for p in out.iterdir()) == ["pkg"]  # no staging folder left


@pytest.mark.parametrize(
    "name", ["/etc/evil", "../evil", "pkg/../../evil", "pkg/./../../evil"], ids=str
)
def test_extract_archive_refuses_paths_escaping_the_target(tmp_path: Path, name: str) -> None:
    arc = make_tar(tmp_path / "a.tar.gz", [(file_info("ok"), b"1"), (file_info(name), b"x")])
    with pytest.raises(RuntimeError, match=r"extract_archive: (unsafe path|.* escapes)"):
        utils.extract_archive(arc, tmp_path / "out")
    assert list((tmp_path / "out").iterdir()) == []  # nothing written, not even "ok"
    assert not (tmp_path / "evil").exists()


@pytest.mark.parametrize("kind", [tarfile.SYMTYPE, tarfile.LNKTYPE])
@pytest.mark.parametrize("target", ["/etc/passwd", "../../outside", "inside"])
def test_extract_archive_refuses_links(tmp_path: Path, kind: bytes, target: str) -> None:
    link = tarfile.TarInfo("pkg/link")
    link.type = kind
    link.linkname = target
    arc = make_tar(tmp_path / "a.tar.gz", [(file_info("inside"), b"1"), (link, None)])
    with pytest.raises(RuntimeError, match="link member 'pkg/link'"):
        utils.extract_archive(arc, tmp_path / "out")
    assert list((tmp_path / "out").iterdir()) == []


def test_extract_archive_refuses_device_files(tmp_path: Path) -> None:
    dev = tarfile.TarInfo("dev")
    dev.type = tarfile.CHRTYPE
    arc = make_tar(tmp_path / "a.tar.gz", [(dev, None)])
    with pytest.raises(RuntimeError, match="special member 'dev'"):
        utils.extract_archive(arc, tmp_path / "out")


def test_extract_archive_reports_a_truncated_archive(tmp_path: Path) -> None:
    arc = make_tar(tmp_path / "a.tar.gz", [(file_info("big"), bytes(200_000))])
    raw = arc.read_bytes()
    arc.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(RuntimeError, match=r"a\.tar\.gz"):
        utils.extract_archive(arc, tmp_path / "out")


def test_read_bytes_gunzips_by_magic_and_passes_plain_files(tmp_path: Path) -> None:
    (tmp_path / "a.gz").write_bytes(gzip.compress(b"hello"))
    (tmp_path / "b").write_bytes(b"hello")
    assert utils.read_bytes(tmp_path / "a.gz") == utils.read_bytes(tmp_path / "b") == b"hello"


@pytest.mark.parametrize("damage", ["truncate", "flip"])
def test_read_bytes_names_a_corrupt_gzip_file(tmp_path: Path, damage: str) -> None:
    raw = bytearray(gzip.compress(bytes(range(256)) * 50))
    if damage == "truncate":
        raw = raw[: len(raw) - 10]
    else:
        raw[-6] ^= 0xFF  # inside the CRC-32 / length trailer
    (tmp_path / "x.gz").write_bytes(bytes(raw))
    with pytest.raises(RuntimeError, match=r"x\.gz: corrupt or truncated gzip file"):
        utils.read_bytes(tmp_path / "x.gz")


def test_check_integrity(tmp_path: Path) -> None:
    (tmp_path / "f").write_bytes(PAYLOAD)
    assert utils.check_integrity(tmp_path / "f", DIGEST)
    assert utils.check_integrity(tmp_path / "f", DIGEST.upper())
    assert utils.check_integrity(tmp_path / "f")
    assert not utils.check_integrity(tmp_path / "f", "0" * 64)
    assert not utils.check_integrity(tmp_path / "missing", DIGEST)
    assert utils.sha256sum(tmp_path / "f") == DIGEST

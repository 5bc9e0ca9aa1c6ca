"""``save`` and ``load``: tensors and checkpoints in the safetensors file layout, never pickle.

``torch.save`` pickles, and unpickling a file can run any code its author chose.  Here a file
is only *data*: a length, a JSON header and raw bytes, the layout of Hugging Face's
``safetensors``, so the files also open in ``safetensors.numpy.load_file``,
``safetensors.torch.load_file`` and every other reader of that format::

    offset 0        8                       8 + N
           +--------+-----------------------+-----------------------------------+
           |   N    | JSON header (N bytes) | data: each tensor's raw bytes,     |
           | u64 LE | padded with spaces to | little-endian, C order, back to    |
           |        | a multiple of 8       | back (no gaps, no overlaps)        |
           +--------+-----------------------+-----------------------------------+

    header = {"__metadata__": {"str": "str", ...},                      (optional)
              "fc.weight": {"dtype": "F32", "shape": [4, 3], "data_offsets": [0, 48]},
              "fc.bias":   {"dtype": "F32", "shape": [4],    "data_offsets": [48, 64]}}

``data_offsets`` are ``[begin, end)`` byte positions counted from the start of the data
section.  The dtype codes are ``BOOL U8 I8 I16 I32 I64 F16 F32 F64``.  Tensors are laid out
widest element type first (a stable sort, as the reference writer does), so every tensor starts
at a multiple of its element size and a reader that maps the file can view it in place; the
header lists them in the caller's key order, which is the order ``load`` returns.

What ``save`` accepts:

* a **state dict**, a mapping of ``str`` to tensors: one entry per tensor under its own key,
  and ``load`` returns an ``OrderedDict[str, Tensor]``, keys in the saved order;
* a **checkpoint**, any nesting of dicts (``str`` or ``int`` keys), lists and tuples whose
  leaves are tensors, ``int``, ``float`` (``nan`` and ``inf`` included), ``bool``, ``str`` or
  ``None``.  Each tensor becomes an entry named by its path as a JSON Pointer (RFC 6901:
  ``"/model/fc.weight"``, ``"/optimizer/state/0/exp_avg"``; ``~`` and ``/`` inside a key are
  written ``~0`` and ``~1``), and the nesting goes, as JSON, into ``__metadata__`` under
  ``"tt.structure"`` (see :data:`STRUCTURE_KEY`).  ``load`` rebuilds it: dicts come back as
  ``dict``, lists as lists, tuples as tuples.  A tensor reached twice is stored twice (sharing
  is not kept).

Saved tensors are detached and made contiguous; loaded tensors own fresh, writeable memory and
do not require grad.  Element bits are copied, never converted: ``-0.0`` and NaN payloads
survive.  A file whose header is malformed or lies about sizes raises :class:`SafetensorsError`
before a single tensor is built.

**Cost**: one pass over the bytes each way: ``save`` writes every tensor once (a
non-contiguous tensor is first copied to C order), ``load`` parses the header, checks every
entry, then reads each tensor once, straight into its own array.

**Memory**: ``load`` reads the file once, each tensor directly into a new array, so the peak is
the loaded tensors plus the header (capped at :data:`MAX_HEADER_SIZE` bytes, checked before it
is read).  ``save`` holds no copy beyond non-contiguous inputs.

**Atomicity**: ``save`` writes a temporary file in the destination's directory, flushes and
fsyncs it, then ``os.replace``s it over the destination, so readers see the old file or the
complete new one; on any failure the temporary file is removed and an existing file is left
untouched.

>>> import os, tempfile
>>> import tt_tensor as tt
>>> from tt_nn.serialization import load, save
>>> with tempfile.TemporaryDirectory() as d:
...     path = os.path.join(d, "ckpt.safetensors")
...     save({"model": {"w": tt.tensor([1.0, -0.0])}, "epoch": 3, "loss": float("nan")}, path)
...     ckpt = load(path)
>>> ckpt["model"]["w"].tolist(), ckpt["epoch"], ckpt["loss"]
([1.0, -0.0], 3, nan)

Systems questions: why does ``load`` check that the entries tile the data section exactly
before it allocates the first tensor?  Why must the temporary file live in the destination's
directory rather than in ``/tmp``?
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import secrets
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any, BinaryIO

import numpy as np

import tt_tensor as tt
from tt_tensor import Tensor

__all__ = ["MAX_HEADER_SIZE", "STRUCTURE_KEY", "SafetensorsError", "load", "save"]

#: The largest JSON header ``load`` accepts (the reference implementation's limit, 100 MB).
MAX_HEADER_SIZE = 100_000_000

#: The ``__metadata__`` key holding a checkpoint's nesting (a JSON string).
STRUCTURE_KEY = "tt.structure"

# safetensors' dtype codes for the dtypes tt has.  Stored little-endian ("<").
_DTYPES: dict[str, np.dtype[Any]] = {
    "BOOL": np.dtype("|b1"),
    "U8": np.dtype("|u1"),
    "I8": np.dtype("|i1"),
    "I16": np.dtype("<i2"),
    "I32": np.dtype("<i4"),
    "I64": np.dtype("<i8"),
    "F16": np.dtype("<f2"),
    "F32": np.dtype("<f4"),
    "F64": np.dtype("<f8"),
}
_CODES: dict[str, str] = {dt.str[1:]: code for code, dt in _DTYPES.items()}  # "f4" -> "F32"
_ENTRY_FIELDS = {"dtype", "shape", "data_offsets"}


class SafetensorsError(ValueError):
    """A file is not a valid safetensors file (truncated, corrupted, or its header lies)."""


# --------------------------------------------------------------------------------------- save
def save(obj: Any, f: str | os.PathLike[str]) -> None:
    """Write ``obj`` (a state dict or a nested checkpoint) to the path ``f``, atomically.

    See the module docstring for the layout and what ``obj`` may contain.  Raises
    ``TypeError`` for anything else (NumPy arrays, modules, other objects), before any file
    is created.

    **Cost**: writes each tensor's bytes once.  **Memory**: a C-order copy of each
    non-contiguous tensor, one at a time.
    """
    path = _path(f, "save")
    entries: list[tuple[str, np.ndarray[Any, Any]]] = []
    metadata: dict[str, str] | None = None
    if _is_state_dict(obj):
        entries = [(k, _le_bytes(v)) for k, v in obj.items()]
    else:
        structure = _encode(obj, "", entries, set())
        metadata = {STRUCTURE_KEY: _dumps(structure)}
    names = [name for name, _ in entries]
    if len(set(names)) != len(names):
        dup = next(n for n in names if names.count(n) > 1)
        raise ValueError(f"save: two tensors would be stored under the same name {dup!r}")

    # Widest element type first (stable): each tensor's offset is a multiple of its itemsize.
    order = sorted(range(len(entries)), key=lambda i: -entries[i][1].itemsize)
    offsets: list[list[int]] = [[0, 0] for _ in entries]
    end = 0
    for i in order:
        offsets[i] = [end, end + entries[i][1].nbytes]
        end += entries[i][1].nbytes
    header: dict[str, Any] = {} if metadata is None else {"__metadata__": metadata}
    for (name, arr), span in zip(entries, offsets, strict=True):
        code = _CODES[arr.dtype.str[1:]]
        header[name] = {"dtype": code, "shape": list(arr.shape), "data_offsets": span}
    head = _dumps(header).encode("utf-8")
    head += b" " * (-len(head) % 8)

    def write(fh: BinaryIO) -> None:
        fh.write(len(head).to_bytes(8, "little"))
        fh.write(head)
        for i in order:
            fh.write(entries[i][1].reshape(-1).view(np.uint8).data)

    _atomic_write(path, write)


def _is_state_dict(obj: Any) -> bool:
    """A flat mapping of str to tensors, stored as plain entries under its own keys."""
    return isinstance(obj, Mapping) and all(
        isinstance(k, str) and k != "__metadata__" and isinstance(v, Tensor) for k, v in obj.items()
    )


def _le_bytes(t: Tensor) -> np.ndarray[Any, Any]:
    """The tensor's elements as a C-contiguous little-endian array (detached; a view if the
    tensor already is one)."""
    arr = t.detach().numpy()
    return arr.astype(arr.dtype.newbyteorder("<"), order="C", copy=False)


def _escape(key: str) -> str:
    """One JSON Pointer segment (RFC 6901): ``~`` -> ``~0``, ``/`` -> ``~1``."""
    return key.replace("~", "~0").replace("/", "~1")


def _encode(
    obj: Any, where: str, entries: list[tuple[str, np.ndarray[Any, Any]]], active: set[int]
) -> Any:
    """The JSON form of ``obj``; tensors are appended to ``entries`` under their path."""
    if obj is None or type(obj) in (bool, int, str):
        return obj
    if type(obj) is float:
        return obj if math.isfinite(obj) else {"float": repr(obj)}  # 'nan', 'inf', '-inf'
    if isinstance(obj, Tensor):
        entries.append((where, _le_bytes(obj)))
        return {"tensor": where}
    if isinstance(obj, Mapping | list | tuple):
        if id(obj) in active:
            raise ValueError(f"save: the object at {where or '/'!r} contains itself")
        active.add(id(obj))
        if isinstance(obj, Mapping):
            items = []
            for k, v in obj.items():
                if type(k) not in (str, int):
                    raise TypeError(
                        f"save: dict keys must be str or int, got {type(k).__name__} "
                        f"{k!r} at {where or '/'!r}"
                    )
                items.append([k, _encode(v, f"{where}/{_escape(str(k))}", entries, active)])
            out: Any = {"dict": items}
        else:
            seq = [_encode(v, f"{where}/{i}", entries, active) for i, v in enumerate(obj)]
            out = {"tuple": seq} if isinstance(obj, tuple) else seq
        active.discard(id(obj))
        return out
    hint = "; save its state_dict() instead" if hasattr(obj, "state_dict") else ""
    raise TypeError(
        f"save: cannot store an object of type {type(obj).__name__} at {where or '/'!r}: "
        "expected a Tensor, dict, list, tuple, int, float, bool, str or None" + hint
    )


def _dumps(value: Any) -> str:
    """Compact, strict JSON (non-finite floats were encoded before this)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def _atomic_write(path: str, write: Callable[[BinaryIO], None]) -> None:
    """Run ``write`` on a new temporary file beside ``path``, fsync it, then move it over
    ``path``.  On any failure the temporary file is removed and ``path`` is untouched."""
    directory = os.path.dirname(os.path.abspath(path))
    tmp = os.path.join(directory, f".{os.path.basename(path)}.{secrets.token_hex(8)}.tmp")
    # O_EXCL: never follow or reuse an existing file; mode 0o666 minus the umask, as open().
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    fd = os.open(tmp, flags, 0o666)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if os.name == "posix":  # make the rename itself durable; best effort
        with contextlib.suppress(OSError):
            dfd = os.open(directory, os.O_RDONLY)
            try:
                os.fsync(dfd)
            finally:
                os.close(dfd)


def _path(f: Any, op: str) -> str:
    if isinstance(f, str | os.PathLike):
        p = os.fspath(f)
        if isinstance(p, str):
            return p
    raise TypeError(
        f"{op}: f must be a path (str or os.PathLike[str]), got {type(f).__name__}; "
        "file objects are not supported"
    )


# --------------------------------------------------------------------------------------- load
def load(f: str | os.PathLike[str], map_location: Any = None, *, weights_only: bool = True) -> Any:
    """Read a file written by :func:`save` (or by any safetensors writer).

    Returns an ``OrderedDict[str, Tensor]`` in header order for a plain safetensors file, or
    the nested checkpoint that was saved.  ``map_location`` may be ``None`` or ``"cpu"`` (tt
    has only the CPU); ``weights_only`` is accepted for PyTorch compatibility and ignored:
    loading never runs code.  Raises :class:`SafetensorsError` (a ``ValueError``) naming the
    file and the problem if the file is truncated, corrupted or inconsistent; nothing is
    returned then.

    **Cost**: reads the file once.  **Memory**: the loaded tensors plus the header.
    """
    path = _path(f, "load")
    if map_location is not None and str(map_location) != "cpu":
        raise ValueError(f"load: map_location must be None or 'cpu', got {map_location!r}")
    with open(path, "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        header, data_len = _read_header(fh, size, path)
        metadata, entries = _check_header(header, data_len, path)
        nested = STRUCTURE_KEY in metadata
        structure = None
        if nested:
            structure = _parse_structure(metadata[STRUCTURE_KEY], {n for n, *_ in entries}, path)
        # Every check passed: read each tensor straight into its own array, in file order.
        arrays: dict[str, np.ndarray[Any, Any]] = {}
        for name, dtype, shape, (begin, end) in sorted(entries, key=lambda e: e[3]):
            try:
                arr = np.empty(shape, dtype)
            except ValueError as e:  # over 64 dims, or a huge dim next to a zero one
                raise _error(path, f"tensor {name!r}: shape {list(shape)}: {e}") from None
            got = fh.readinto(arr.reshape(-1).view(np.uint8).data)
            if got != end - begin:
                raise _error(path, f"{name!r}: expected {end - begin} data bytes, read {got}")
            arrays[name] = arr
    tensors = OrderedDict((name, _tensor(arrays[name])) for name, *_ in entries)
    if not nested:
        return tensors
    return _decode(structure, tensors.__getitem__)


def _error(path: str, problem: str) -> SafetensorsError:
    return SafetensorsError(f"load: {path!r} is not a valid safetensors file: {problem}")


def _tensor(arr: np.ndarray[Any, Any]) -> Tensor:
    """A tensor over ``arr`` in native byte order (a no-op on little-endian machines)."""
    native = arr.astype(arr.dtype.newbyteorder("="), copy=False)
    return tt.from_numpy(native)


def _strict_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``json`` hook: build an object, refusing duplicate keys (a file must mean one thing)."""
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise ValueError(f"duplicate key {k!r} in a JSON object")
        out[k] = v
    return out


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _loads(text: str) -> Any:
    return json.loads(text, object_pairs_hook=_strict_object, parse_constant=_reject_constant)


def _read_header(fh: BinaryIO, size: int, path: str) -> tuple[Any, int]:
    """The parsed JSON header and the length of the data section after it."""
    if size < 8:
        raise _error(path, f"the file is {size} bytes, too short for the 8-byte header length")
    n = int.from_bytes(fh.read(8), "little")
    if n > MAX_HEADER_SIZE:
        raise _error(path, f"header length {n} exceeds the limit of {MAX_HEADER_SIZE} bytes")
    if 8 + n > size:
        raise _error(path, f"header length {n} runs past the end of the file ({size} bytes)")
    raw = fh.read(n)
    if len(raw) != n:
        raise _error(path, f"expected a {n}-byte header, read {len(raw)} bytes")
    try:
        header = _loads(raw.decode("utf-8"))
    except (ValueError, RecursionError) as e:  # UnicodeDecodeError and JSONDecodeError too
        raise _error(path, f"the header is not valid UTF-8 JSON: {e}") from None
    if not isinstance(header, dict):
        raise _error(path, f"the header must be a JSON object, got {type(header).__name__}")
    return header, size - 8 - n


Entry = tuple[str, np.dtype[Any], tuple[int, ...], tuple[int, int]]


def _is_int(x: Any) -> bool:
    return type(x) is int


def _check_header(
    header: dict[str, Any], data_len: int, path: str
) -> tuple[dict[str, str], list[Entry]]:
    """Validate every entry; return the metadata and ``(name, dtype, shape, (begin, end))``
    per tensor in header order.  The entries must tile ``[0, data_len)`` exactly."""
    metadata = header.get("__metadata__")
    metadata = {} if metadata is None else metadata  # null, as serde's Option reads it
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        raise _error(path, "__metadata__ must be an object mapping str to str")
    entries: list[Entry] = []
    for name, info in header.items():
        if name == "__metadata__":
            continue
        where = f"tensor {name!r}"
        if not isinstance(info, dict) or set(info) != _ENTRY_FIELDS:
            got = sorted(info) if isinstance(info, dict) else type(info).__name__
            raise _error(path, f"{where}: expected the fields {sorted(_ENTRY_FIELDS)}, got {got}")
        code, shape, span = info["dtype"], info["shape"], info["data_offsets"]
        if not isinstance(code, str) or code not in _DTYPES:
            raise _error(path, f"{where}: unknown dtype {code!r} (supported: {list(_DTYPES)})")
        if not isinstance(shape, list) or not all(_is_int(d) and 0 <= d < 2**63 for d in shape):
            raise _error(path, f"{where}: shape must be a list of non-negative ints, got {shape}")
        if not (isinstance(span, list) and len(span) == 2 and all(_is_int(o) for o in span)):
            raise _error(path, f"{where}: data_offsets must be two ints [begin, end], got {span}")
        begin, end = span
        if not 0 <= begin <= end <= data_len:
            raise _error(
                path, f"{where}: data_offsets {span} out of range for {data_len} data bytes"
            )
        dtype = _DTYPES[code]
        expected = math.prod(shape) * dtype.itemsize
        if end - begin != expected:
            raise _error(
                path,
                f"{where}: shape {shape} of {code} needs {expected} bytes, "
                f"data_offsets {span} give {end - begin}",
            )
        entries.append((name, dtype, tuple(shape), (begin, end)))
    position = 0
    for name, _, _, (begin, end) in sorted(entries, key=lambda e: e[3]):
        if begin != position:
            kind = "a gap" if begin > position else "an overlap"
            raise _error(
                path, f"tensor {name!r}: {kind}: data starts at byte {begin}, expected {position}"
            )
        position = end
    if position != data_len:
        raise _error(path, f"the header describes {position} data bytes, the file holds {data_len}")
    return metadata, entries


# Tags of the structure JSON: a JSON object with exactly one of these keys.
_TAGS = {"tensor", "float", "tuple", "dict"}


def _parse_structure(text: str, names: set[str], path: str) -> Any:
    """Parse and check a checkpoint's structure: every tag well formed, every tensor entry
    referenced exactly once."""
    try:
        structure = _loads(text)
    except (ValueError, RecursionError) as e:
        raise _error(path, f"{STRUCTURE_KEY} is not valid JSON: {e}") from None
    seen: set[str] = set()

    def ref(name: Any) -> None:
        if not isinstance(name, str) or name not in names:
            raise _error(path, f"{STRUCTURE_KEY} refers to a missing tensor {name!r}")
        if name in seen:
            raise _error(path, f"{STRUCTURE_KEY} refers to tensor {name!r} twice")
        seen.add(name)

    try:
        _decode(structure, ref)
    except RecursionError:
        raise _error(path, f"{STRUCTURE_KEY} is nested too deeply") from None
    except ValueError as e:
        if isinstance(e, SafetensorsError):
            raise
        raise _error(path, f"{STRUCTURE_KEY}: {e}") from None
    if seen != names:
        raise _error(path, f"tensors not referenced by {STRUCTURE_KEY}: {sorted(names - seen)}")
    return structure


def _decode(value: Any, tensor: Callable[[str], Any]) -> Any:
    """Rebuild a value from its structure JSON; ``tensor(name)`` supplies each tensor."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list):
        return [_decode(v, tensor) for v in value]
    if not (isinstance(value, dict) and len(value) == 1 and next(iter(value)) in _TAGS):
        raise ValueError(f"malformed node {value!r}: expected one of the tags {sorted(_TAGS)}")
    ((tag, body),) = value.items()
    if tag == "tensor":
        return tensor(body)
    if tag == "float":
        if body not in ("nan", "inf", "-inf"):
            raise ValueError(f"bad float {body!r}: expected 'nan', 'inf' or '-inf'")
        return float(body)
    if tag == "tuple" and isinstance(body, list):
        return tuple(_decode(v, tensor) for v in body)
    if tag == "dict" and isinstance(body, list):
        out: dict[str | int, Any] = {}
        for item in body:
            if not (isinstance(item, list) and len(item) == 2 and type(item[0]) in (str, int)):
                raise ValueError(f"bad dict item {item!r}: expected [str or int key, value]")
            if item[0] in out:
                raise ValueError(f"duplicate dict key {item[0]!r}")
            out[item[0]] = _decode(item[1], tensor)
        return out
    raise ValueError(f"bad {tag!r} node: expected a list, got {body!r}")

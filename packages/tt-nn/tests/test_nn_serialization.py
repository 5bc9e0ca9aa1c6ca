"""Behaviour of ``tt_nn.serialization``: safetensors-layout save/load of state dicts and
checkpoints, exact bytes, corrupted files, atomic writes, and no pickle anywhere."""

from __future__ import annotations

import ast
import io
import itertools
import json
import math
import os
import pathlib
from collections import OrderedDict
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import tt_autograd  # noqa: F401  (importing it turns gradient tracking on)
import tt_tensor as tt
from tt_nn import serialization
from tt_nn.modules.linear import Linear
from tt_nn.serialization import (
    MAX_HEADER_SIZE,
    STRUCTURE_KEY,
    SafetensorsError,
    load,
    save,
)
from tt_tensor import Tensor

ALL_DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]

# Special float bit patterns: +0, -0, a quiet NaN with a payload, a negative NaN with a
# payload, +inf, the smallest subnormal, the largest finite value.
SPECIAL_BITS = {
    "float16": (np.uint16, [0x0000, 0x8000, 0x7E01, 0xFE23, 0x7C00, 0x0001, 0x7BFF]),
    "float32": (
        np.uint32,
        [0, 0x80000000, 0x7FC00001, 0xFFC12345, 0x7F800000, 0x00000001, 0x7F7FFFFF],
    ),
    "float64": (
        np.uint64,
        [
            0,
            0x8000000000000000,
            0x7FF8000000000123,
            0xFFF8000000ABCDEF,
            0x7FF0000000000000,
            1,
            0x7FEFFFFFFFFFFFFF,
        ],
    ),
}


def sample(dtype: str, shape: tuple[int, ...] = (2, 3)) -> np.ndarray[Any, Any]:
    """Seeded values of ``dtype`` spanning its range (floats include signed zeros)."""
    rng = np.random.default_rng(7)
    dt = np.dtype(dtype)
    if dt.kind == "b":
        return rng.random(shape) < 0.5
    if dt.kind in "iu":
        info = np.iinfo(dt)
        return rng.integers(info.min, info.max, shape, dtype=dt, endpoint=True)
    return (rng.standard_normal(shape) * 100).astype(dt)


def bits(arr: np.ndarray[Any, Any]) -> bytes:
    """The raw bytes of ``arr`` in C order (compares floats bit for bit, NaNs included)."""
    return np.ascontiguousarray(arr).tobytes()


def assert_same_tensor(got: Any, want: np.ndarray[Any, Any]) -> None:
    assert isinstance(got, Tensor)
    assert got.dtype.name == ("bool" if want.dtype == np.bool_ else want.dtype.name)
    assert tuple(got.shape) == want.shape
    assert bits(got.numpy()) == bits(want)


def assert_same_structure(got: Any, want: Any, where: str = "") -> None:
    """Equal values *and* types, recursively; tensors compared bit for bit."""
    if isinstance(want, Tensor):
        assert_same_tensor(got, want.detach().numpy())
        return
    assert type(got) is type(want), f"{where}: {type(got)} != {type(want)}"
    if isinstance(want, dict):
        assert list(got) == list(want), where
        for k in want:
            assert_same_structure(got[k], want[k], f"{where}/{k}")
    elif isinstance(want, list | tuple):
        assert len(got) == len(want), where
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            assert_same_structure(g, w, f"{where}/{i}")
    elif isinstance(want, float) and math.isnan(want):
        assert math.isnan(got), where
    elif isinstance(want, float):
        assert got == want, where
        assert math.copysign(1.0, got) == math.copysign(1.0, want), f"{where}: sign of zero"
    else:
        assert got == want, where


def raw_file(path: Path, header: Any, data: bytes = b"", *, length: int | None = None) -> Path:
    """Write a file by hand: header (a JSON-able object, or the exact header bytes), data."""
    head = header if isinstance(header, bytes) else json.dumps(header).encode()
    n = len(head) if length is None else length
    path.write_bytes(n.to_bytes(8, "little") + head + data)
    return path


# ------------------------------------------------------------------------------ round trips
@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_state_dict_round_trips_every_dtype(tmp_path: Path, dtype: str) -> None:
    arrays = {"w": sample(dtype), "v": sample(dtype, (5,))}
    save({k: tt.from_numpy(a) for k, a in arrays.items()}, tmp_path / "sd.safetensors")
    out = load(tmp_path / "sd.safetensors")
    assert type(out) is OrderedDict
    assert list(out) == ["w", "v"]
    for k, a in arrays.items():
        assert_same_tensor(out[k], a)


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_float_bits_survive_including_negative_zero_and_nan_payloads(
    tmp_path: Path, dtype: str
) -> None:
    uint, patterns = SPECIAL_BITS[dtype]
    arr = np.array(patterns, dtype=uint).view(dtype)
    save({"x": tt.from_numpy(arr)}, tmp_path / "f.safetensors")
    got = load(tmp_path / "f.safetensors")["x"].numpy()
    assert got.view(uint).tolist() == patterns


def test_load_returns_keys_in_saved_order_even_when_data_is_reordered(tmp_path: Path) -> None:
    # int8 first, float64 last: the writer puts widest dtypes first in the data section.
    sd = {
        "z.small": tt.tensor([1, 2, 3], dtype=tt.int8),
        "a.half": tt.tensor([1.5], dtype=tt.float16),
        "m.wide": tt.tensor([2.0, 3.0], dtype=tt.float64),
    }
    save(sd, tmp_path / "o.safetensors")
    out = load(tmp_path / "o.safetensors")
    assert list(out) == ["z.small", "a.half", "m.wide"]
    for k in sd:
        assert_same_tensor(out[k], sd[k].numpy())


def test_zero_dim_and_empty_tensors_round_trip(tmp_path: Path) -> None:
    sd = {
        "scalar": tt.tensor(3.25, dtype=tt.float64),
        "flag": tt.tensor(True),
        "empty": tt.zeros(0, dtype=tt.float32),
        "empty2d": tt.zeros(3, 0, dtype=tt.int64),
    }
    save(sd, tmp_path / "e.safetensors")
    out = load(tmp_path / "e.safetensors")
    for k in sd:
        assert_same_tensor(out[k], sd[k].numpy())
    assert out["scalar"].ndim == 0
    assert out["scalar"].item() == 3.25


def test_non_contiguous_inputs_are_saved_contiguous(tmp_path: Path) -> None:
    base = tt.from_numpy(np.arange(24, dtype=np.float32).reshape(4, 6))
    views = {
        "transposed": base.t(),
        "strided": base[::2, 1::3],
        "expanded": tt.tensor([1.0, 2.0]).reshape(2, 1).expand(2, 5),
    }
    assert not any(v.is_contiguous() for v in views.values())
    save(views, tmp_path / "nc.safetensors")
    out = load(tmp_path / "nc.safetensors")
    for k, v in views.items():
        assert out[k].is_contiguous()
        assert_same_tensor(out[k], np.ascontiguousarray(v.numpy()))


def test_tensors_that_require_grad_are_saved_detached(tmp_path: Path) -> None:
    w = tt.tensor([1.0, -2.0], requires_grad=True)
    y = w * 3  # a non-leaf with a grad_fn
    save({"w": w, "y": y}, tmp_path / "g.safetensors")
    out = load(tmp_path / "g.safetensors")
    assert not out["w"].requires_grad
    assert out["w"].grad_fn is None
    assert out["w"].tolist() == [1.0, -2.0]
    assert out["y"].tolist() == [3.0, -6.0]
    assert w.requires_grad
    assert y.grad_fn is not None


def test_loaded_tensors_are_writeable_and_own_their_memory(tmp_path: Path) -> None:
    save({"a": tt.ones(3), "b": tt.zeros(2, 2)}, tmp_path / "w.safetensors")
    first, second = load(tmp_path / "w.safetensors"), load(tmp_path / "w.safetensors")
    for name in ("a", "b"):
        arr = first[name].numpy()
        assert arr.flags.writeable
        assert arr.flags.owndata
        assert arr.flags.c_contiguous
        assert not np.shares_memory(arr, second[name].numpy())
    first["a"].add_(1.0)
    assert first["a"].tolist() == [2.0, 2.0, 2.0]
    assert second["a"].tolist() == [1.0, 1.0, 1.0]


def test_empty_state_dict_round_trips(tmp_path: Path) -> None:
    save({}, tmp_path / "empty.safetensors")
    assert load(tmp_path / "empty.safetensors") == OrderedDict()
    # An empty header '{}' padded to 8 bytes.
    assert (tmp_path / "empty.safetensors").read_bytes() == b"\x08" + b"\x00" * 7 + b"{}      "


def test_module_state_dict_round_trips_into_a_fresh_module(tmp_path: Path) -> None:
    tt.manual_seed(0)
    src, dst = Linear(4, 3), Linear(4, 3)
    save(src.state_dict(), tmp_path / "linear.safetensors")
    sd = load(tmp_path / "linear.safetensors")
    assert list(sd) == ["weight", "bias"]
    dst.load_state_dict(sd)
    x = tt.randn(2, 4)
    assert dst(x).equal(src(x))


def test_paths_may_be_str_or_pathlike(tmp_path: Path) -> None:
    save({"x": tt.ones(1)}, str(tmp_path / "s.safetensors"))
    save({"x": tt.ones(1)}, pathlib.PurePath(tmp_path / "p.safetensors"))
    assert load(str(tmp_path / "p.safetensors"))["x"].tolist() == [1.0]
    assert load(tmp_path / "s.safetensors", map_location="cpu")["x"].tolist() == [1.0]


# ------------------------------------------------------------------------------ checkpoints
def checkpoint() -> dict[str, Any]:
    return {
        "model": OrderedDict(
            [("fc.weight", tt.randn(3, 2)), ("fc.bias", tt.zeros(3, dtype=tt.float64))]
        ),
        "optimizer": {
            "state": {0: {"step": tt.tensor(5.0), "exp_avg": tt.randn(3, 2)}, 1: {}},
            "param_groups": [{"lr": 1e-3, "betas": (0.9, 0.999), "params": [0, 1]}],
        },
        "scheduler": {"last_epoch": 7, "base_lrs": [0.1], "verbose": False},
        "rng": {"seed": 2**63 - 1, "state": tt.tensor([1, 2, 3], dtype=tt.uint8)},
        "epoch": 3,
        "metrics": [float("nan"), float("inf"), -float("inf"), -0.0, 1.5e-300],
        "note": 'ünïcode, "quotes" and / slashes ~ tildes',
        "key/with~odd chars": {"": tt.tensor(True)},
        "nothing": None,
        "tuple": (1, ("nested", [2.5, None])),
    }


def test_nested_checkpoint_round_trips_with_types(tmp_path: Path) -> None:
    tt.manual_seed(1)
    ckpt = checkpoint()
    save(ckpt, tmp_path / "ckpt.safetensors")
    out = load(tmp_path / "ckpt.safetensors")
    # Mappings come back as plain dicts (an OrderedDict inside a checkpoint is a dict).
    ckpt["model"] = dict(ckpt["model"])
    assert_same_structure(out, ckpt)


def test_checkpoint_tensors_are_entries_named_by_json_pointer(tmp_path: Path) -> None:
    save(checkpoint(), tmp_path / "ckpt.safetensors")
    raw = (tmp_path / "ckpt.safetensors").read_bytes()
    header = json.loads(raw[8 : 8 + int.from_bytes(raw[:8], "little")])
    names = [k for k in header if k != "__metadata__"]
    assert names == [
        "/model/fc.weight",
        "/model/fc.bias",
        "/optimizer/state/0/step",
        "/optimizer/state/0/exp_avg",
        "/rng/state",
        "/key~1with~0odd chars/",
    ]
    structure = json.loads(header["__metadata__"][STRUCTURE_KEY])
    assert structure["dict"][0] == [
        "model",
        {
            "dict": [
                ["fc.weight", {"tensor": "/model/fc.weight"}],
                ["fc.bias", {"tensor": "/model/fc.bias"}],
            ]
        },
    ]


def test_a_bare_tensor_and_bare_scalars_round_trip(tmp_path: Path) -> None:
    for obj in (tt.tensor([1.0, 2.0]), 3, float("nan"), None, "text", [1, [2]], ()):
        save(obj, tmp_path / "b.safetensors")
        assert_same_structure(load(tmp_path / "b.safetensors"), obj)


def test_a_tensor_reached_twice_is_stored_twice(tmp_path: Path) -> None:
    t = tt.tensor([1.0, 2.0])
    save({"a": t, "b": [t]}, tmp_path / "shared.safetensors")
    out = load(tmp_path / "shared.safetensors")
    assert out["a"].tolist() == out["b"][0].tolist() == [1.0, 2.0]
    assert not np.shares_memory(out["a"].numpy(), out["b"][0].numpy())


@pytest.mark.parametrize(
    "bad",
    [
        np.zeros(3),
        np.float64(1.0),
        {1, 2},
        b"bytes",
        object(),
        {"x": [np.int64(3)]},
        {1.5: tt.ones(1)},
        {(1, 2): 3},
        {True: 1},
        Linear(2, 2),
    ],
    ids=lambda b: type(b).__name__,
)
def test_save_rejects_unsupported_values_before_touching_the_disk(tmp_path: Path, bad: Any) -> None:
    with pytest.raises(TypeError, match=r"save: "):
        save(bad, tmp_path / "bad.safetensors")
    assert list(tmp_path.iterdir()) == []


def test_save_suggests_state_dict_for_a_module(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match=r"Linear.*state_dict\(\)"):
        save({"model": Linear(2, 2)}, tmp_path / "m.safetensors")


def test_save_rejects_a_structure_that_contains_itself(tmp_path: Path) -> None:
    loop: list[Any] = [1]
    loop.append(loop)
    with pytest.raises(ValueError, match="contains itself"):
        save({"x": loop}, tmp_path / "loop.safetensors")
    assert list(tmp_path.iterdir()) == []


def test_save_rejects_keys_that_would_share_an_entry_name(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="same name '/0'"):
        save({0: tt.ones(1), "0": tt.ones(1)}, tmp_path / "dup.safetensors")


def test_save_and_load_reject_file_objects(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="save: f must be a path"):
        save({"x": tt.ones(1)}, io.BytesIO())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="load: f must be a path"):
        load(io.BytesIO())  # type: ignore[arg-type]


def test_load_rejects_a_device_other_than_cpu(tmp_path: Path) -> None:
    save({"x": tt.ones(1)}, tmp_path / "x.safetensors")
    with pytest.raises(ValueError, match="map_location"):
        load(tmp_path / "x.safetensors", map_location="cuda:0")


# ------------------------------------------------------------------------------ exact bytes
def test_tiny_file_bytes_match_the_safetensors_layout(tmp_path: Path) -> None:
    save(
        {"b": tt.tensor([1, -2, 3], dtype=tt.int8), "a": tt.tensor([1.0, -0.5])},
        tmp_path / "tiny.safetensors",
    )
    raw = (tmp_path / "tiny.safetensors").read_bytes()
    # Written out by hand from the format: the float32 tensor goes first (wider dtype), the
    # header keeps the caller's order, compact JSON padded with spaces to a multiple of 8.
    header = (
        b'{"b":{"dtype":"I8","shape":[3],"data_offsets":[8,11]},'
        b'"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}'
    )
    assert len(header) == 107
    padded = header + b" " * 5  # 112 = 14 * 8
    data = b"\x00\x00\x80\x3f" + b"\x00\x00\x00\xbf" + b"\x01\xfe\x03"  # 1.0f, -0.5f, int8s
    assert raw[:8] == (112).to_bytes(8, "little") == b"\x70" + b"\x00" * 7
    assert raw == raw[:8] + padded + data


def test_every_tensor_starts_at_a_multiple_of_its_itemsize(tmp_path: Path) -> None:
    sizes = {"float16": 2, "float32": 4, "float64": 8, "int8": 1, "int16": 2, "int64": 8}
    sd = {f"t{i}.{d}": tt.zeros(i + 1, dtype=getattr(tt, d)) for i, d in enumerate(sizes)}
    sd["odd"] = tt.zeros(3, dtype=tt.uint8)
    save(sd, tmp_path / "align.safetensors")
    raw = (tmp_path / "align.safetensors").read_bytes()
    n = int.from_bytes(raw[:8], "little")
    assert n % 8 == 0
    assert raw[8 + n - 1 : 8 + n] in (b"}", b" ")
    header = json.loads(raw[8 : 8 + n])
    spans = sorted(tuple(v["data_offsets"]) for v in header.values())
    assert spans[0][0] == 0
    assert spans[-1][1] == len(raw) - 8 - n
    assert all(a[1] == b[0] for a, b in itertools.pairwise(spans))
    for name, info in header.items():
        itemsize = sizes.get(name.split(".")[-1], 1)
        assert (8 + n + info["data_offsets"][0]) % itemsize == 0, name


# ------------------------------------------------------------------------------ corruption
F32_2 = {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}
DATA_8 = bytes(8)

CORRUPT: dict[str, tuple[Any, bytes, str]] = {
    # name: (header (object or raw bytes), data, expected message fragment)
    "invalid json": (b'{"x": ', DATA_8, "not valid UTF-8 JSON"),
    "invalid utf-8": (b'{"\xff": 1}', b"", "not valid UTF-8 JSON"),
    "nan literal": (b'{"__metadata__": {"a": NaN}}', b"", "NaN is not valid JSON"),
    "not an object": ([F32_2], DATA_8, "must be a JSON object, got list"),
    "duplicate keys": (
        b'{"x": ' + json.dumps(F32_2).encode() * 1 + b', "x": ' + json.dumps(F32_2).encode() + b"}",
        DATA_8,
        "duplicate key 'x'",
    ),
    "unknown dtype": ({"x": {**F32_2, "dtype": "BF16"}}, DATA_8, "unknown dtype 'BF16'"),
    "negative shape": ({"x": {**F32_2, "shape": [-2]}}, DATA_8, "non-negative ints"),
    "float shape": ({"x": {**F32_2, "shape": [2.0]}}, DATA_8, "non-negative ints"),
    "shape not a list": ({"x": {**F32_2, "shape": 2}}, DATA_8, "non-negative ints"),
    "missing field": ({"x": {"dtype": "F32", "shape": [2]}}, DATA_8, "expected the fields"),
    "extra field": ({"x": {**F32_2, "stride": [1]}}, DATA_8, "expected the fields"),
    "entry not object": ({"x": [1, 2]}, DATA_8, "expected the fields"),
    "offsets out of range": ({"x": {**F32_2, "data_offsets": [0, 16]}}, DATA_8, "out of range"),
    "offsets reversed": ({"x": {**F32_2, "data_offsets": [8, 0]}}, DATA_8, "out of range"),
    "negative offset": ({"x": {**F32_2, "data_offsets": [-8, 0]}}, DATA_8, "out of range"),
    "offsets not a pair": ({"x": {**F32_2, "data_offsets": [0]}}, DATA_8, "two ints"),
    "nbytes != numel * itemsize": (
        {"x": {**F32_2, "shape": [3]}},
        DATA_8,
        "shape [3] of F32 needs 12 bytes, data_offsets [0, 8] give 8",
    ),
    "overlap": (
        {"x": F32_2, "y": {**F32_2, "data_offsets": [4, 12]}},
        bytes(12),
        "an overlap: data starts at byte 4, expected 8",
    ),
    "gap": (
        {"x": F32_2, "y": {**F32_2, "data_offsets": [12, 20]}},
        bytes(20),
        "a gap: data starts at byte 12, expected 8",
    ),
    "huge dim next to a zero one": (
        {"x": {"dtype": "F32", "shape": [0, 2**62], "data_offsets": [0, 0]}},
        b"",
        "tensor 'x': shape [0, 4611686018427387904]",
    ),
    "too many dims": (
        {"x": {"dtype": "F32", "shape": [1] * 70, "data_offsets": [0, 4]}},
        bytes(4),
        "tensor 'x': shape [1, 1",
    ),
    "truncated data": ({"x": F32_2}, bytes(5), "out of range for 5 data bytes"),
    "trailing data": ({"x": F32_2}, bytes(12), "describes 8 data bytes, the file holds 12"),
    "metadata not str to str": ({"__metadata__": {"a": 1}}, b"", "mapping str to str"),
    "metadata not an object": ({"__metadata__": "a"}, b"", "mapping str to str"),
    "structure not json": ({"__metadata__": {STRUCTURE_KEY: "{"}}, b"", "is not valid JSON"),
    "structure unknown tag": (
        {"__metadata__": {STRUCTURE_KEY: '{"set": [1]}'}},
        b"",
        "malformed node",
    ),
    "structure bad float": (
        {"__metadata__": {STRUCTURE_KEY: '{"float": "1.5"}'}},
        b"",
        "bad float",
    ),
    "structure bad dict item": (
        {"__metadata__": {STRUCTURE_KEY: '{"dict": [[1.5, 2]]}'}},
        b"",
        "bad dict item",
    ),
    "structure duplicate dict key": (
        {"__metadata__": {STRUCTURE_KEY: '{"dict": [["a", 1], ["a", 2]]}'}},
        b"",
        "duplicate dict key 'a'",
    ),
    "structure missing tensor": (
        {"__metadata__": {STRUCTURE_KEY: '{"tensor": "/x"}'}},
        b"",
        "missing tensor '/x'",
    ),
    "structure unreferenced tensor": (
        {"__metadata__": {STRUCTURE_KEY: "[]"}, "/x": F32_2},
        DATA_8,
        "not referenced",
    ),
    "structure tensor twice": (
        {"__metadata__": {STRUCTURE_KEY: '[{"tensor": "/x"}, {"tensor": "/x"}]'}, "/x": F32_2},
        DATA_8,
        "tensor '/x' twice",
    ),
    "structure too deep": (
        {"__metadata__": {STRUCTURE_KEY: "[" * 100_000 + "]" * 100_000}},
        b"",
        f"{STRUCTURE_KEY} is not valid JSON",
    ),
}


@pytest.mark.parametrize("case", list(CORRUPT))
def test_corrupted_or_lying_files_raise_and_load_nothing(tmp_path: Path, case: str) -> None:
    header, data, fragment = CORRUPT[case]
    path = raw_file(tmp_path / "bad.safetensors", header, data)
    with pytest.raises(SafetensorsError) as info:
        load(path)
    message = str(info.value)
    assert str(path) in message
    assert "not a valid safetensors file" in message
    assert fragment in message


def test_a_null_metadata_reads_as_none(tmp_path: Path) -> None:
    path = raw_file(tmp_path / "null.safetensors", {"__metadata__": None, "x": F32_2}, DATA_8)
    assert load(path)["x"].tolist() == [0.0, 0.0]


@pytest.mark.parametrize("size", [0, 1, 7])
def test_a_file_shorter_than_the_length_field_raises(tmp_path: Path, size: int) -> None:
    path = tmp_path / "short.safetensors"
    path.write_bytes(b"\x01" * size)
    with pytest.raises(SafetensorsError, match=f"the file is {size} bytes, too short"):
        load(path)


def test_a_header_length_past_the_end_of_the_file_raises(tmp_path: Path) -> None:
    path = raw_file(tmp_path / "long.safetensors", b"{}", length=1000)
    with pytest.raises(SafetensorsError, match="header length 1000 runs past the end"):
        load(path)


def test_a_header_length_over_the_cap_raises_before_reading(tmp_path: Path) -> None:
    path = raw_file(tmp_path / "huge.safetensors", b"{}", length=MAX_HEADER_SIZE + 1)
    with pytest.raises(SafetensorsError, match=f"exceeds the limit of {MAX_HEADER_SIZE}"):
        load(path)


def test_a_truncated_valid_file_raises_at_every_cut(tmp_path: Path) -> None:
    save({"a": tt.ones(3), "b": tt.tensor([1, 2], dtype=tt.int16)}, tmp_path / "f.safetensors")
    raw = (tmp_path / "f.safetensors").read_bytes()
    for cut in range(len(raw)):
        (tmp_path / "cut.safetensors").write_bytes(raw[:cut])
        with pytest.raises(SafetensorsError):
            load(tmp_path / "cut.safetensors")


def test_safetensors_error_is_a_value_error() -> None:
    assert issubclass(SafetensorsError, ValueError)


# ------------------------------------------------------------------------------ atomicity
def test_a_failing_replace_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "ckpt.safetensors"
    save({"x": tt.ones(2)}, path)
    before = path.read_bytes()

    def fail(src: str, dst: str) -> None:
        raise OSError("simulated failure in os.replace")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="simulated"):
        save({"x": tt.zeros(1000)}, path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ckpt.safetensors"]


def test_a_failure_while_writing_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "ckpt.safetensors"
    save({"x": tt.ones(2)}, path)
    before = path.read_bytes()

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device (simulated)")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space left"):
        save({"x": tt.zeros(1000)}, path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ckpt.safetensors"]


def test_an_interrupt_during_the_write_removes_the_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "ckpt.safetensors"
    save({"x": tt.ones(2)}, path)
    before = path.read_bytes()

    class Interrupting(io.BufferedWriter):
        calls = 0

        def write(self, b: Any) -> int:
            Interrupting.calls += 1
            if Interrupting.calls == 3:  # after the length and the header, at the first tensor
                raise KeyboardInterrupt
            return super().write(b)

    def fdopen(fd: int, mode: str) -> Any:
        assert mode == "wb"
        return Interrupting(io.FileIO(fd, "wb"))

    monkeypatch.setattr(os, "fdopen", fdopen)
    with pytest.raises(KeyboardInterrupt):
        save({"x": tt.zeros(10), "y": tt.ones(3)}, path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ckpt.safetensors"]


def test_saving_into_a_missing_directory_raises_and_creates_nothing(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        save({"x": tt.ones(1)}, tmp_path / "missing" / "x.safetensors")
    assert list(tmp_path.iterdir()) == []


def test_overwriting_replaces_the_whole_file(tmp_path: Path) -> None:
    path = tmp_path / "x.safetensors"
    save({"big": tt.zeros(1000)}, path)
    save({"small": tt.ones(1)}, path)
    assert list(load(path)) == ["small"]
    assert path.stat().st_size < 100


# ------------------------------------------------------------------------------ no pickle
def test_the_module_never_imports_pickle_or_np_load() -> None:
    source = Path(serialization.__file__).read_text(encoding="utf-8")
    tree = ast.parse(source)
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in (
            node.names if isinstance(node, ast.Import) else [ast.alias(node.module or "")]
        )
    }
    assert imported.isdisjoint({"pickle", "cPickle", "dill", "marshal", "shelve", "joblib"})
    called = {
        f"{node.value.id}.{node.attr}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
    }
    assert called.isdisjoint({"np.load", "numpy.load", "np.save", "np.fromfile"})
    assert "allow_pickle" not in source
    assert "eval(" not in source
    assert "exec(" not in source

"""Parity of ``tt_nn.serialization`` with the reference ``safetensors`` package.

Files written by tt load in ``safetensors.numpy.load_file`` and ``safetensors.torch.load_file``
with the same values (bit for bit) and dtypes; files written by ``safetensors.torch.save_file``
and ``safetensors.numpy.save_file`` load in tt; and for the same tensors tt writes the same bytes
as the reference writer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import safetensors
import safetensors.numpy
import safetensors.torch
import torch

import tt_tensor as tt
from tt_nn.serialization import STRUCTURE_KEY, SafetensorsError, load, save

pytestmark = pytest.mark.parity

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]


def values(dtype: str, shape: tuple[int, ...], seed: int = 0) -> np.ndarray[Any, Any]:
    """Seeded values of ``dtype``; floats include -0.0, NaN and inf."""
    rng = np.random.default_rng(seed)
    dt = np.dtype(dtype)
    if dt.kind == "b":
        return rng.random(shape) < 0.5
    if dt.kind in "iu":
        info = np.iinfo(dt)
        return rng.integers(info.min, info.max, shape, dtype=dt, endpoint=True)
    out = np.asarray(rng.standard_normal(shape) * 10).astype(dt)
    flat = out.reshape(-1)
    for i, special in enumerate([-0.0, np.nan, np.inf, -np.inf][: flat.size]):
        flat[i] = special
    return out


def arrays() -> dict[str, np.ndarray[Any, Any]]:
    """One tensor of every dtype plus 0-d and empty ones, in a deliberately unsorted order."""
    out = {f"layer{9 - i}.{d}": values(d, (2, 3), i) for i, d in enumerate(DTYPES)}
    out["scalar"] = values("float64", ())
    out["empty"] = values("float32", (0, 4))
    out["int_scalar"] = np.array(7, dtype=np.int16)
    return out


def torch_dtype_name(t: torch.Tensor) -> str:
    return str(t.dtype).removeprefix("torch.")


def same_bits(a: np.ndarray[Any, Any], b: np.ndarray[Any, Any]) -> bool:
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def test_files_written_by_tt_load_in_safetensors_numpy(tmp_path: Path) -> None:
    data = arrays()
    save({k: tt.from_numpy(v) for k, v in data.items()}, tmp_path / "tt.safetensors")
    got = safetensors.numpy.load_file(str(tmp_path / "tt.safetensors"))
    assert set(got) == set(data)
    for k, v in data.items():
        assert same_bits(got[k], v), k


def test_files_written_by_tt_load_in_safetensors_torch(tmp_path: Path) -> None:
    data = arrays()
    save({k: tt.from_numpy(v) for k, v in data.items()}, tmp_path / "tt.safetensors")
    got = safetensors.torch.load_file(str(tmp_path / "tt.safetensors"))
    assert set(got) == set(data)
    for k, v in data.items():
        assert torch_dtype_name(got[k]) == ("bool" if v.dtype == np.bool_ else v.dtype.name), k
        assert same_bits(got[k].numpy(), v), k


def test_files_written_by_safetensors_torch_load_in_tt(tmp_path: Path) -> None:
    data = {k: torch.from_numpy(v.copy()) for k, v in arrays().items()}
    data["transposed"] = torch.arange(12.0).reshape(3, 4).t().contiguous()
    safetensors.torch.save_file(data, str(tmp_path / "torch.safetensors"), {"format": "pt"})
    got = load(tmp_path / "torch.safetensors")
    assert set(got) == set(data)
    for k, v in data.items():
        assert got[k].dtype.name == torch_dtype_name(v), k
        assert same_bits(got[k].numpy(), v.numpy()), k


def test_files_written_by_safetensors_numpy_load_in_tt(tmp_path: Path) -> None:
    data = arrays()
    safetensors.numpy.save_file(data, str(tmp_path / "np.safetensors"))
    got = load(tmp_path / "np.safetensors")
    for k, v in data.items():
        assert same_bits(got[k].numpy(), v), k


def test_tt_writes_the_same_bytes_as_the_reference_writer(tmp_path: Path) -> None:
    # The reference lays the data out by dtype (widest first, then by name) and lists the
    # header in data order; with one dtype per width and names in that order, tt's layout (widest
    # first, header in the caller's order) is the same sequence.
    data = {
        "a.f64": values("float64", (2, 2)),
        "b.f32": values("float32", (5,)),
        "c.f16": values("float16", (3,)),
        "d.u8": values("uint8", (7,)),
        "e.scalar_u8": values("uint8", ()),
    }
    save({k: tt.from_numpy(v) for k, v in data.items()}, tmp_path / "tt.safetensors")
    assert (tmp_path / "tt.safetensors").read_bytes() == safetensors.numpy.save(data)


def test_a_tt_checkpoint_is_a_valid_safetensors_file_with_its_structure_in_metadata(
    tmp_path: Path,
) -> None:
    w = np.arange(6, dtype=np.float32).reshape(2, 3)
    ckpt = {"model": {"fc.weight": tt.from_numpy(w)}, "epoch": 4, "lr": float("inf")}
    save(ckpt, tmp_path / "ckpt.safetensors")
    with safetensors.safe_open(str(tmp_path / "ckpt.safetensors"), framework="pt") as f:
        assert list(f.keys()) == ["/model/fc.weight"]
        assert STRUCTURE_KEY in f.metadata()
        assert same_bits(f.get_tensor("/model/fc.weight").numpy(), w)
    out = load(tmp_path / "ckpt.safetensors")
    assert out["epoch"] == 4
    assert out["lr"] == float("inf")


def test_a_torch_state_dict_saved_by_safetensors_loads_into_matching_tt_tensors(
    tmp_path: Path,
) -> None:
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.BatchNorm1d(3))
    sd = model.state_dict()
    safetensors.torch.save_file(sd, str(tmp_path / "model.safetensors"))
    got = load(tmp_path / "model.safetensors")
    assert set(got) == set(sd)
    for k, v in sd.items():
        assert got[k].dtype.name == torch_dtype_name(v), k
        assert same_bits(got[k].numpy(), v.numpy()), k


def test_a_dtype_tt_lacks_is_refused_with_its_code(tmp_path: Path) -> None:
    safetensors.torch.save_file(
        {"x": torch.ones(2, dtype=torch.bfloat16)}, str(tmp_path / "bf16.safetensors")
    )
    with pytest.raises(SafetensorsError, match="unknown dtype 'BF16'"):
        load(tmp_path / "bf16.safetensors")


def test_both_readers_refuse_a_truncated_file(tmp_path: Path) -> None:
    save({"x": tt.ones(4)}, tmp_path / "x.safetensors")
    raw = (tmp_path / "x.safetensors").read_bytes()
    (tmp_path / "cut.safetensors").write_bytes(raw[:-3])
    with pytest.raises(SafetensorsError):
        load(tmp_path / "cut.safetensors")
    with pytest.raises(safetensors.SafetensorError):
        safetensors.numpy.load_file(str(tmp_path / "cut.safetensors"))

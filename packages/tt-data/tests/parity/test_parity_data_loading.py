"""Parity of tt_data's loading API with torch.utils.data: structures, dtypes, sizes, orders, errors.

Random orders are not compared (the RNG streams differ by design); everything deterministic is.
"""

from __future__ import annotations

import collections
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest
import torch
import torch.utils.data as tud

import tt_tensor as tt
from tt_data import collate as ttc
from tt_data import dataloader as ttl
from tt_data import dataset as ttd
from tt_data import sampler as tts

pytestmark = pytest.mark.parity

Point = collections.namedtuple("Point", ["x", "y"])


def _same(a: Any, b: Any, path: str = "batch") -> None:
    """Assert that a tt result and a torch result have the same structure, dtypes and values."""
    if isinstance(b, torch.Tensor):
        assert isinstance(a, tt.Tensor), f"{path}: tt gave {type(a).__name__}, torch a tensor"
        assert str(a.dtype).split(".")[-1] == str(b.dtype).split(".")[-1], f"{path}: dtype"
        assert tuple(a.shape) == tuple(b.shape), f"{path}: shape {a.shape} vs {b.shape}"
        np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=path)
        return
    assert type(a) is type(b), f"{path}: tt gave {type(a).__name__}, torch {type(b).__name__}"
    if isinstance(b, dict):
        assert list(a) == list(b), f"{path}: keys"
        for k in b:
            _same(a[k], b[k], f"{path}[{k!r}]")
    elif isinstance(b, (list, tuple)):
        assert len(a) == len(b), f"{path}: length"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _same(x, y, f"{path}[{i}]")
    else:
        assert a == b, f"{path}: {a!r} vs {b!r}"


def _to_torch(sample: Any) -> Any:
    """The same sample with tt tensors replaced by torch tensors (for the torch side)."""
    if isinstance(sample, tt.Tensor):
        return torch.from_numpy(sample.numpy().copy())
    if isinstance(sample, tuple) and hasattr(sample, "_fields"):
        return type(sample)(*(_to_torch(s) for s in sample))
    if isinstance(sample, (list, tuple)):
        return type(sample)(_to_torch(s) for s in sample)
    if isinstance(sample, dict):
        return {k: _to_torch(v) for k, v in sample.items()}
    return sample


_BATCHES: dict[str, Callable[[], list[Any]]] = {
    "tensors": lambda: [tt.tensor([1.0, 2.0]), tt.tensor([3.0, 4.0])],
    "int_tensors": lambda: [tt.tensor(1), tt.tensor(2)],
    "uint8_arrays": lambda: [np.zeros((2, 2), np.uint8), np.ones((2, 2), np.uint8)],
    "float64_arrays": lambda: [np.zeros(3), np.ones(3)],
    "python_floats": lambda: [0.5, 1.5],
    "python_ints": lambda: [1, 2, 3],
    "bools": lambda: [True, False],
    "numpy_scalars": lambda: [np.float32(1.0), np.float32(2.0)],
    "numpy_int_scalars": lambda: [np.int16(1), np.int16(2)],
    "strings": lambda: ["a", "b"],
    "tuples": lambda: [(np.zeros(2, np.float32), 1), (np.ones(2, np.float32), 0)],
    "lists": lambda: [[1, 2.0], [3, 4.0]],
    "dicts": lambda: [{"img": np.zeros(2), "label": 3, "name": "a"}] * 2,
    "namedtuples": lambda: [Point(1.0, np.int64(2)), Point(3.0, np.int64(4))],
    "nested": lambda: [({"a": (1, 2.0)}, [np.zeros(1)])] * 3,
    "tuples_with_strings": lambda: [(np.zeros(2), 1, "a.png"), (np.ones(2), 0, "b.png")],
    "lists_with_strings": lambda: [[1, "a"], [2, "b"]],
    "namedtuples_with_strings": lambda: [Point("a", 1), Point("b", 2)],
    "nested_strings": lambda: [{"k": (1, b"x")}, {"k": (2, b"y")}],
}


@pytest.mark.parametrize("name", sorted(_BATCHES))
def test_default_collate_matches_torch(name: str) -> None:
    batch = _BATCHES[name]()
    _same(ttc.default_collate(batch), tud.default_collate(_to_torch(batch)))


@pytest.mark.parametrize("name", sorted(_BATCHES))
def test_default_convert_matches_torch(name: str) -> None:
    sample = _BATCHES[name]()[0]
    want = tud.default_convert(_to_torch(sample))  # type: ignore[no-untyped-call]
    _same(ttc.default_convert(sample), want)


@pytest.mark.parametrize(
    "batch",
    [[[1, 2], [3]], [object(), object()], [np.array(["a"]), np.array(["b"])]],
    ids=["unequal_lists", "objects", "string_arrays"],
)
def test_default_collate_raises_like_torch(batch: list[Any]) -> None:
    with pytest.raises(Exception) as want:  # noqa: PT011 (the type is what we compare)
        tud.default_collate(batch)
    with pytest.raises(want.type):
        ttc.default_collate(batch)


def _datasets(n: int) -> tuple[ttd.TensorDataset, tud.TensorDataset]:
    x = np.arange(n * 6, dtype=np.float32).reshape(n, 2, 3)
    y = np.arange(n, dtype=np.int64) * 7 % 5
    return ttd.TensorDataset(x, y), tud.TensorDataset(torch.from_numpy(x), torch.from_numpy(y))


@pytest.mark.parametrize("drop_last", [False, True])
@pytest.mark.parametrize(("n", "batch_size"), [(10, 1), (10, 3), (10, 5), (10, 10), (10, 11)])
def test_sequential_loader_batches_equal_torch(n: int, batch_size: int, drop_last: bool) -> None:
    a, b = _datasets(n)
    ours = ttl.DataLoader(a, batch_size=batch_size, drop_last=drop_last)
    theirs = tud.DataLoader(b, batch_size=batch_size, drop_last=drop_last)
    assert len(ours) == len(theirs)
    _same(list(ours), list(theirs))


@pytest.mark.parametrize("drop_last", [False, True])
@pytest.mark.parametrize("num_workers", [0, 2])
def test_shuffled_loader_batch_sizes_match_torch(drop_last: bool, num_workers: int) -> None:
    a, b = _datasets(23)
    ours = list(ttl.DataLoader(a, 4, shuffle=True, drop_last=drop_last, num_workers=num_workers))
    theirs = list(tud.DataLoader(b, 4, shuffle=True, drop_last=drop_last))
    assert [len(y) for _, y in ours] == [len(y) for _, y in theirs]
    if not drop_last:
        assert sorted(v for _, y in ours for v in y.tolist()) == sorted(
            v for _, y in theirs for v in y.tolist()
        )


def test_loader_without_auto_batching_equals_torch() -> None:
    a, b = _datasets(4)
    _same(list(ttl.DataLoader(a, batch_size=None)), list(tud.DataLoader(b, batch_size=None)))


def test_loader_with_batch_sampler_equals_torch() -> None:
    a, b = _datasets(8)
    batches = [[7, 1], [0, 2, 4], [5]]
    _same(
        list(ttl.DataLoader(a, batch_sampler=batches)),
        list(tud.DataLoader(b, batch_sampler=batches)),
    )


class _TTStream(ttd.IterableDataset[int]):
    def __iter__(self) -> Iterator[int]:
        return iter(range(11))

    def __len__(self) -> int:
        return 11


class _TorchStream(tud.IterableDataset[int]):
    def __iter__(self) -> Iterator[int]:
        return iter(range(11))

    def __len__(self) -> int:
        return 11


@pytest.mark.parametrize("drop_last", [False, True])
def test_iterable_loader_equals_torch(drop_last: bool) -> None:
    ours = ttl.DataLoader(_TTStream(), batch_size=4, drop_last=drop_last)
    theirs = tud.DataLoader(_TorchStream(), batch_size=4, drop_last=drop_last)
    assert len(ours) == len(theirs)
    _same(list(ours), list(theirs))


@pytest.mark.parametrize("drop_last", [False, True])
@pytest.mark.parametrize(("n", "batch_size"), [(0, 3), (7, 3), (9, 3), (2, 5)])
def test_batch_sampler_equals_torch(n: int, batch_size: int, drop_last: bool) -> None:
    ours = tts.BatchSampler(tts.SequentialSampler(range(n)), batch_size, drop_last)
    theirs = tud.BatchSampler(tud.SequentialSampler(range(n)), batch_size, drop_last)
    assert list(ours) == list(theirs)
    assert len(ours) == len(theirs)


@pytest.mark.parametrize(
    ("n", "lengths"),
    [
        (10, [0.3, 0.7]),
        (10, [0.33, 0.33, 0.34]),
        (7, [0.5, 0.5]),
        (100, [0.1] * 10),
        (5, [1.0]),
        (13, [0.2, 0.3, 0.5]),
        (10, [3, 7]),
    ],
)
def test_random_split_sizes_equal_torch(n: int, lengths: list[float]) -> None:
    data: Any = range(n)  # any sized, indexable object works as a dataset (as in torch)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        ours = ttd.random_split(data, lengths, generator=tt.Generator().manual_seed(0))
        theirs = tud.random_split(data, lengths, generator=torch.Generator().manual_seed(0))
    assert [len(s) for s in ours] == [len(s) for s in theirs]
    assert sorted(i for s in ours for i in s.indices) == list(range(n))


def test_concat_and_subset_index_like_torch() -> None:
    parts: list[Any] = [list(range(3)), list(range(10, 14))]
    ours: ttd.ConcatDataset[int] = ttd.ConcatDataset(
        [ttd.Subset(p, list(range(len(p)))[::-1]) for p in parts]
    )
    theirs: tud.ConcatDataset[int] = tud.ConcatDataset(
        [tud.Subset(p, list(range(len(p)))[::-1]) for p in parts]
    )
    assert [ours[i] for i in range(-len(ours), len(ours))] == [
        theirs[i] for i in range(-len(theirs), len(theirs))
    ]
    assert ours.cumulative_sizes == theirs.cumulative_sizes


_ERRORS: dict[str, Callable[[Any, Any], Any]] = {
    "shuffle_and_sampler": lambda m, ds: m.DataLoader(ds, shuffle=True, sampler=[0]),
    "batch_sampler_and_batch_size": lambda m, ds: m.DataLoader(ds, 2, batch_sampler=[[0]]),
    "batch_sampler_and_drop_last": lambda m, ds: m.DataLoader(
        ds, batch_sampler=[[0]], drop_last=True
    ),
    "batch_size_none_and_drop_last": lambda m, ds: m.DataLoader(ds, None, drop_last=True),
    "negative_workers": lambda m, ds: m.DataLoader(ds, num_workers=-1),
    "negative_timeout": lambda m, ds: m.DataLoader(ds, timeout=-1),
    "prefetch_without_workers": lambda m, ds: m.DataLoader(ds, prefetch_factor=2),
    "persistent_without_workers": lambda m, ds: m.DataLoader(ds, persistent_workers=True),
    "zero_batch_size": lambda m, ds: m.DataLoader(ds, batch_size=0),
    "float_batch_size": lambda m, ds: m.DataLoader(ds, batch_size=1.5),
    "batch_sampler_bad_drop_last": lambda m, ds: m.BatchSampler([0], 2, 1),
    "random_sampler_zero_samples": lambda m, ds: m.RandomSampler(ds, num_samples=0),
    "random_sampler_int_replacement": lambda m, ds: m.RandomSampler(ds, replacement=1),
    "split_wrong_sum": lambda m, ds: m.random_split(ds, [3, 4]),
    "split_bad_fraction": lambda m, ds: m.random_split(ds, [1.5, -0.5]),
    "split_fractions_wrong_sum": lambda m, ds: m.random_split(ds, [0.3, 0.6]),
}


@pytest.mark.parametrize("name", sorted(_ERRORS))
def test_errors_match_torch_type_and_message(name: str) -> None:
    ours_ds, theirs_ds = _datasets(6)
    with pytest.raises(Exception) as want:  # noqa: PT011 (the type is what we compare)
        _ERRORS[name](tud, theirs_ds)
    with pytest.raises(want.type) as got:
        _ERRORS[name](_ttmod, ours_ds)
    assert str(got.value) == str(want.value)


class _TTModule:
    """tt_data's loading names gathered in one namespace, like ``torch.utils.data``."""

    DataLoader = ttl.DataLoader
    BatchSampler = tts.BatchSampler
    RandomSampler = tts.RandomSampler
    random_split = staticmethod(ttd.random_split)


_ttmod = _TTModule()


def test_tensor_dataset_size_mismatch_raises_like_torch() -> None:
    with pytest.raises(AssertionError):
        tud.TensorDataset(torch.zeros(3), torch.zeros(4))
    with pytest.raises(AssertionError):
        ttd.TensorDataset(tt.zeros(3), tt.zeros(4))


@pytest.mark.parametrize(
    "call",
    [
        lambda m: m.random_split(range(6), [2.5, 3.5]),
        lambda m: list(m.RandomSampler([], replacement=True, num_samples=3)),
        lambda m: m.TensorDataset(m.zeros(3), m.tensor(1.0)),
    ],
    ids=["split_non_integer_lengths", "sampler_empty_with_replacement", "tensor_dataset_0d"],
)
def test_errors_match_torch_type(call: Callable[[Any], Any]) -> None:
    with pytest.raises(Exception) as want:  # noqa: PT011 (the type is what we compare)
        call(_TorchNames)
    with pytest.raises(want.type):
        call(_TTNames)


class _TTNames:
    """tt_data's and tt_tensor's names used by ``test_errors_match_torch_type``."""

    random_split = staticmethod(ttd.random_split)
    RandomSampler = tts.RandomSampler
    TensorDataset = ttd.TensorDataset
    zeros = staticmethod(tt.zeros)
    tensor = staticmethod(tt.tensor)


class _TorchNames:
    random_split = staticmethod(tud.random_split)
    RandomSampler = tud.RandomSampler
    TensorDataset = tud.TensorDataset
    zeros = staticmethod(torch.zeros)
    tensor = staticmethod(torch.tensor)


def test_custom_collate_receives_the_samples_list_like_torch() -> None:
    """torch hands a custom ``collate_fn`` a ``list`` of sample tuples; list methods work."""

    def by_label_desc(batch: list[Any]) -> Any:
        batch.sort(key=lambda s: -int(s[1]))
        return type(batch).__name__, batch

    a, b = _datasets(7)
    for ours_ds, theirs_ds in ((a, b), (ttd.Subset(a, [6, 0, 3, 2]), tud.Subset(b, [6, 0, 3, 2]))):
        ours = list(ttl.DataLoader(ours_ds, batch_size=3, collate_fn=by_label_desc))
        theirs = list(tud.DataLoader(theirs_ds, batch_size=3, collate_fn=by_label_desc))
        _same(ours, theirs)


def test_concat_dataset_cumsum_equals_torch() -> None:
    parts: list[Any] = [[1, 2], [], [3, 4, 5]]
    assert ttd.ConcatDataset.cumsum(parts) == tud.ConcatDataset.cumsum(parts)
    assert ttd.ConcatDataset(parts).cumulative_sizes == tud.ConcatDataset(parts).cumulative_sizes


def test_loader_accepts_numpy_integer_num_workers_like_torch() -> None:
    a, b = _datasets(5)
    ours = ttl.DataLoader(a, batch_size=2, num_workers=np.int64(0))
    theirs = tud.DataLoader(b, batch_size=2, num_workers=np.int64(0))
    _same(list(ours), list(theirs))


@pytest.mark.parametrize("batch_size", [None, 4])
def test_iterable_loader_sampler_attributes_like_torch(batch_size: int | None) -> None:
    ours = ttl.DataLoader(_TTStream(), batch_size=batch_size, drop_last=batch_size is not None)
    theirs = tud.DataLoader(_TorchStream(), batch_size=batch_size, drop_last=batch_size is not None)
    assert type(ours.sampler).__name__ == type(theirs.sampler).__name__
    assert next(iter(ours.sampler)) is next(iter(theirs.sampler)) is None
    assert type(ours.batch_sampler).__name__ == type(theirs.batch_sampler).__name__
    if theirs.batch_sampler is not None:
        assert ours.batch_sampler is not None
        assert ours.batch_sampler.batch_size == theirs.batch_sampler.batch_size
        assert ours.batch_sampler.drop_last == theirs.batch_sampler.drop_last
    _same(list(ours), list(theirs))

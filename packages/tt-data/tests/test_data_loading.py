"""Behaviour tests for datasets, samplers, collate and the DataLoader (tt_data loading half)."""

from __future__ import annotations

import collections
import gc
import threading
import time
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

import tt_tensor as tt
from tt_data.collate import StackedSamples, default_collate
from tt_data.dataloader import DataLoader, get_worker_info
from tt_data.dataset import (
    ConcatDataset,
    Dataset,
    IterableDataset,
    Subset,
    TensorDataset,
    random_split,
)
from tt_data.sampler import (
    BatchSampler,
    RandomSampler,
    SequentialSampler,
    SubsetRandomSampler,
)


def _arrays(n: int = 10) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    x = np.arange(n * 6, dtype=np.float32).reshape(n, 2, 3)
    y = np.arange(n, dtype=np.int64) % 3
    return x, y


class _ListDataset(Dataset[Any]):
    def __init__(self, items: list[Any]) -> None:
        self.items = items

    def __getitem__(self, i: int) -> Any:
        return self.items[i]

    def __len__(self) -> int:
        return len(self.items)


class _Stream(IterableDataset[int]):
    def __init__(self, n: int) -> None:
        self.n = n

    def __iter__(self) -> Iterator[int]:
        return iter(range(self.n))

    def __len__(self) -> int:
        return self.n


def _order(loader: DataLoader[Any]) -> list[int]:
    return [int(v) for _, y in loader for v in y.tolist()]


# ---------------------------------------------------------------- datasets


def test_tensor_dataset_batched_fetch_equals_per_sample_collate() -> None:
    x, y = _arrays()
    ds = TensorDataset(tt.from_numpy(x), tt.from_numpy(y))
    idx = [7, 2, 2, 9, -1]
    fast = ds.__getitems__(idx)
    slow = default_collate([ds[i] for i in idx])
    got = default_collate(fast)
    assert isinstance(fast, StackedSamples)
    assert type(got) is type(slow) is list
    for a, b in zip(got, slow, strict=True):
        assert a.dtype == b.dtype
        assert a.shape == b.shape
        assert np.array_equal(a.numpy(), b.numpy())


def test_stacked_samples_behave_as_the_list_of_samples() -> None:
    x, y = _arrays()
    ds = TensorDataset(x, y)
    fast = ds.__getitems__([3, 5])
    assert len(fast) == 2
    for got, i in zip(fast, [3, 5], strict=True):
        assert np.array_equal(got[0].numpy(), x[i])
        assert int(got[1].item()) == y[i]
    assert np.array_equal(fast[-1][0].numpy(), x[5])
    with pytest.raises(IndexError, match="out of range"):
        fast[2]


def test_tensor_dataset_rejects_mismatched_first_dimensions() -> None:
    with pytest.raises(AssertionError, match="Size mismatch"):
        TensorDataset(tt.zeros(3), tt.zeros(4))
    with pytest.raises(TypeError, match="TensorDataset: expected tensors"):
        TensorDataset([1, 2, 3])


def test_tensor_dataset_rejects_a_0d_tensor_with_index_error() -> None:
    with pytest.raises(IndexError, match="TensorDataset: expected tensors with a first"):
        TensorDataset(tt.zeros(3), tt.tensor(1.0))


def test_tensor_dataset_out_of_range_batch_raises_index_error() -> None:
    ds = TensorDataset(*_arrays(5))
    with pytest.raises(IndexError):
        ds.__getitems__([0, 5])


def test_subset_of_tensor_dataset_stays_vectorized_and_correct() -> None:
    x, y = _arrays()
    sub = Subset(TensorDataset(x, y), [9, 4, 1])
    batch = sub.__getitems__([2, 0])
    assert isinstance(batch, StackedSamples)
    xb, yb = default_collate(batch)
    assert np.array_equal(xb.numpy(), x[[1, 9]])
    assert yb.tolist() == y[[1, 9]].tolist()
    assert len(sub) == 3
    assert np.array_equal(sub[1][0].numpy(), x[4])


def test_subset_of_plain_dataset_fetches_per_sample() -> None:
    sub = Subset(_ListDataset(list("abcdef")), [5, 0])
    assert sub.__getitems__([1, 0]) == ["a", "f"]


def test_concat_dataset_indexes_across_parts_and_negative() -> None:
    ds = ConcatDataset([_ListDataset([0, 1]), _ListDataset([2, 3, 4])])
    assert [ds[i] for i in range(len(ds))] == [0, 1, 2, 3, 4]
    assert ds[-1] == 4
    assert ds.cumulative_sizes == [2, 5]
    with pytest.raises(ValueError, match="absolute value"):
        ds[-6]
    with pytest.raises(AssertionError, match="empty"):
        ConcatDataset([])
    assert len(_ListDataset([1]) + _ListDataset([2, 3])) == 3


def test_concat_dataset_cumsum_is_the_running_total_of_lengths() -> None:
    assert ConcatDataset.cumsum([[1, 2], [], [3, 4, 5]]) == [2, 2, 5]
    assert ConcatDataset([[1, 2], [], [3]]).cumulative_sizes == [2, 2, 3]


def test_random_split_fractions_give_torch_sizes_and_disjoint_cover() -> None:
    parts = random_split(range(10), [0.33, 0.33, 0.34], generator=tt.Generator().manual_seed(3))
    assert [len(p) for p in parts] == [4, 3, 3]  # floor 3,3,3 and the remainder 1 to the first
    seen = sorted(i for p in parts for i in p.indices)
    assert seen == list(range(10))


def test_random_split_is_reproducible_with_the_global_seed() -> None:
    tt.manual_seed(11)
    a = [p.indices for p in random_split(range(20), [5, 15])]
    tt.manual_seed(11)
    b = [p.indices for p in random_split(range(20), [5, 15])]
    assert a == b


def test_random_split_rejects_wrong_total() -> None:
    with pytest.raises(ValueError, match="Sum of input lengths"):
        random_split(range(10), [5, 6])


def test_random_split_checks_the_total_before_the_length_types() -> None:
    with pytest.raises(ValueError, match="Sum of input lengths"):
        random_split(range(10), [0.3, 0.6])  # fractions not summing to 1
    with pytest.raises(TypeError, match=r"random_split: expected integer lengths.*got 2\.5"):
        random_split(range(10), [2.5, 7.5])  # right total, non-integer lengths
    with pytest.raises(ValueError, match="random_split: lengths must be non-negative"):
        random_split(range(10), [-1, 11])


# ---------------------------------------------------------------- samplers


def test_random_sampler_new_order_each_epoch_reproducible_after_seed() -> None:
    s = RandomSampler(range(50))
    tt.manual_seed(0)
    e1, e2 = list(s), list(s)
    tt.manual_seed(0)
    assert [list(s), list(s)] == [e1, e2]
    assert e1 != e2
    assert sorted(e1) == list(range(50))


def test_random_sampler_order_restores_with_rng_state() -> None:
    s = RandomSampler(range(30))
    tt.manual_seed(5)
    list(s)
    state = tt.get_rng_state()
    nxt = list(s)
    tt.set_rng_state(state)
    assert list(s) == nxt


def test_random_sampler_with_generator_ignores_global_rng() -> None:
    s = RandomSampler(range(30), generator=tt.Generator().manual_seed(1))
    a = list(s)
    s2 = RandomSampler(range(30), generator=tt.Generator().manual_seed(1))
    tt.manual_seed(99)
    assert list(s2) == a


def test_random_sampler_num_samples_and_replacement() -> None:
    g = tt.Generator().manual_seed(0)
    chained = list(RandomSampler(range(4), num_samples=10, generator=g))
    assert len(chained) == 10
    assert sorted(chained[:4]) == [0, 1, 2, 3]
    rep = list(RandomSampler(range(3), replacement=True, num_samples=100, generator=g))
    assert len(rep) == 100
    assert set(rep) <= {0, 1, 2}
    with pytest.raises(ValueError, match="num_samples should be a positive integer"):
        RandomSampler(range(3), num_samples=0)
    with pytest.raises(TypeError, match="replacement should be a boolean"):
        RandomSampler(range(3), replacement=1)  # type: ignore[arg-type]


def test_random_sampler_with_replacement_on_empty_source_raises_runtime_error() -> None:
    sampler = RandomSampler([], replacement=True, num_samples=3)
    with pytest.raises(RuntimeError, match=r"RandomSampler: expected a non-empty data_source"):
        list(sampler)


def test_subset_random_sampler_permutes_given_indices() -> None:
    s = SubsetRandomSampler([10, 20, 30], generator=tt.Generator().manual_seed(0))
    assert sorted(s) == [10, 20, 30]
    assert len(s) == 3


def test_batch_sampler_fast_path_equals_generic_path() -> None:
    tt.manual_seed(4)
    fast = list(BatchSampler(RandomSampler(range(23)), 5, drop_last=False))
    tt.manual_seed(4)
    generic = list(BatchSampler(list(RandomSampler(range(23))), 5, drop_last=False))
    assert fast == generic
    assert [len(b) for b in fast] == [5, 5, 5, 5, 3]
    dropped = list(BatchSampler(SequentialSampler(range(23)), 5, drop_last=True))
    assert len(dropped) == 4 == len(BatchSampler(SequentialSampler(range(23)), 5, True))


# ---------------------------------------------------------------- collate


def test_default_collate_structures_and_dtypes() -> None:
    point = collections.namedtuple("point", ["a", "b"])
    assert type(default_collate([point(1, 2.0), point(3, 4.0)])) is point
    d = default_collate([{"x": 1.5, "s": "a"}, {"x": 2.5, "s": "b"}])
    assert d["x"].dtype == tt.float64
    assert d["s"] == ["a", "b"]
    assert default_collate([1, 2]).dtype == tt.int64
    assert default_collate([True, False]).dtype == tt.bool
    assert default_collate([np.float32(1), np.float32(2)]).dtype == tt.float32
    arr = default_collate([np.zeros((2, 3), np.uint8), np.ones((2, 3), np.uint8)])
    assert arr.shape == (2, 2, 3)
    assert arr.dtype == tt.uint8
    nested = default_collate([[1, 2], [3, 4]])
    assert [t.tolist() for t in nested] == [[1, 3], [2, 4]]


def test_default_collate_keeps_string_columns_of_sequences_as_tuples() -> None:
    point = collections.namedtuple("point", ["a", "b"])
    labels, names = default_collate([(1, "a"), (2, "b")])
    assert labels.tolist() == [1, 2]
    assert names == ("a", "b")
    assert default_collate([[1, "a"], [2, "b"]])[1] == ("a", "b")
    assert default_collate([point("x", 1), point("y", 2)]).a == ("x", "y")
    assert default_collate([{"k": (1, b"a")}, {"k": (2, b"b")}])["k"][1] == (b"a", b"b")


def test_default_collate_rejects_unequal_lists_and_unknown_types() -> None:
    with pytest.raises(RuntimeError, match="equal size"):
        default_collate([[1, 2], [3]])
    with pytest.raises(TypeError, match="default_collate: batch must contain"):
        default_collate([object(), object()])


# ---------------------------------------------------------------- loader


def test_loader_sequential_batches_and_drop_last() -> None:
    ds = TensorDataset(*_arrays(10))
    assert [y.shape[0] for _, y in DataLoader(ds, batch_size=4)] == [4, 4, 2]
    assert [y.shape[0] for _, y in DataLoader(ds, batch_size=4, drop_last=True)] == [4, 4]
    assert len(DataLoader(ds, batch_size=4)) == 3
    assert _order(DataLoader(ds, batch_size=3)) == (np.arange(10) % 3).tolist()


def test_loader_vectorized_path_equals_per_sample_path() -> None:
    x, y = _arrays(17)
    fast = DataLoader(TensorDataset(x, y), batch_size=5, shuffle=True)
    slow = DataLoader(_ListDataset([(x[i], int(y[i])) for i in range(17)]), 5, shuffle=True)
    tt.manual_seed(8)
    a = list(fast)
    tt.manual_seed(8)
    b = list(slow)
    assert len(a) == len(b) == 4
    for (xa, ya), (xb, yb) in zip(a, b, strict=True):
        assert np.array_equal(xa.numpy(), xb.numpy())
        assert ya.tolist() == yb.tolist()
        assert xa.dtype == xb.dtype == tt.float32
        assert ya.dtype == yb.dtype == tt.int64


def test_loader_shuffle_differs_per_epoch_and_reproduces_after_seed() -> None:
    ds = TensorDataset(np.arange(40), np.arange(40))
    loader = DataLoader(ds, batch_size=8, shuffle=True)
    tt.manual_seed(1)
    e1, e2 = _order(loader), _order(loader)
    tt.manual_seed(1)
    assert _order(loader) == e1
    assert _order(loader) == e2
    assert e1 != e2
    assert sorted(e1) == list(range(40))


def test_loader_shuffle_with_generator_is_reproducible() -> None:
    ds = TensorDataset(np.arange(40), np.arange(40))
    a = _order(DataLoader(ds, 8, shuffle=True, generator=tt.Generator().manual_seed(2)))
    b = _order(DataLoader(ds, 8, shuffle=True, generator=tt.Generator().manual_seed(2)))
    assert a == b


def test_loader_custom_collate_receives_samples() -> None:
    ds = TensorDataset(*_arrays(6))
    sizes = list(DataLoader(ds, batch_size=4, collate_fn=lambda b: [len(b), len(b[0])]))
    assert sizes == [[4, 2], [2, 2]]


def test_loader_custom_collate_receives_a_list_from_tensor_dataset() -> None:
    x, y = _arrays(5)

    def by_label_desc(batch: list[Any]) -> list[int]:
        assert type(batch) is list
        batch.sort(key=lambda s: -int(s[1]))  # a list method, as torch code uses
        return [int(s[1]) for s in batch]

    for ds in (TensorDataset(x, y), Subset(TensorDataset(x, y), [4, 3, 2, 1, 0])):
        got = list(DataLoader(ds, batch_size=3, collate_fn=by_label_desc))
        expected = [
            sorted((int(ds[i][1]) for i in idx), reverse=True) for idx in ([0, 1, 2], [3, 4])
        ]
        assert got == expected


def test_loader_batch_size_none_converts_without_stacking() -> None:
    loader = DataLoader(_ListDataset([np.zeros(3), np.ones(3)]), batch_size=None)
    out = list(loader)
    assert len(out) == 2
    assert out[0].shape == (3,)
    assert isinstance(out[0], tt.Tensor)


def test_loader_batch_sampler_and_sampler_options() -> None:
    ds = TensorDataset(np.arange(6), np.arange(6))
    bs = [[5, 0], [2]]
    assert [y.tolist() for _, y in DataLoader(ds, batch_sampler=bs)] == [[5, 0], [2]]
    assert _order(DataLoader(ds, batch_size=4, sampler=[3, 1, 4])) == [3, 1, 4]


def test_loader_mutually_exclusive_options_raise_like_torch() -> None:
    ds = TensorDataset(np.arange(6))
    with pytest.raises(ValueError, match="mutually exclusive with shuffle"):
        DataLoader(ds, shuffle=True, sampler=[0])
    with pytest.raises(ValueError, match="batch_sampler option is mutually exclusive"):
        DataLoader(ds, batch_size=2, batch_sampler=[[0]])
    with pytest.raises(ValueError, match="disables auto-batching"):
        DataLoader(ds, batch_size=None, drop_last=True)
    with pytest.raises(ValueError, match="num_workers option should be non-negative"):
        DataLoader(ds, num_workers=-1)
    with pytest.raises(ValueError, match="prefetch_factor option could only be specified"):
        DataLoader(ds, prefetch_factor=2)
    with pytest.raises(ValueError, match="persistent_workers option needs num_workers > 0"):
        DataLoader(ds, persistent_workers=True)
    with pytest.raises(ValueError, match="batch_size should be a positive integer"):
        DataLoader(ds, batch_size=0)


def test_loader_num_workers_accepts_numpy_integers_and_rejects_non_integers() -> None:
    ds = TensorDataset(np.arange(6))
    loader = DataLoader(ds, batch_size=4, num_workers=np.int64(2))
    assert loader.num_workers == 2
    assert type(loader.num_workers) is int
    assert [b.tolist() for (b,) in loader] == [[0, 1, 2, 3], [4, 5]]
    with pytest.raises(TypeError, match=r"DataLoader: expected num_workers .* got 1\.5 \(float\)"):
        DataLoader(ds, num_workers=1.5)  # type: ignore[arg-type]


def test_loader_iterable_dataset_batches_and_rejects_shuffle() -> None:
    loader = DataLoader(_Stream(7), batch_size=3)
    assert [b.tolist() for b in loader] == [[0, 1, 2], [3, 4, 5], [6]]
    assert len(loader) == 3
    assert [b.tolist() for b in DataLoader(_Stream(7), 3, drop_last=True)] == [[0, 1, 2], [3, 4, 5]]
    with pytest.raises(ValueError, match="expected unspecified shuffle option"):
        DataLoader(_Stream(3), shuffle=True)


def test_loader_iterable_dataset_has_placeholder_samplers() -> None:
    loader = DataLoader(_Stream(7), batch_size=3, drop_last=True)
    assert isinstance(loader.batch_sampler, BatchSampler)
    assert (loader.batch_sampler.batch_size, loader.batch_sampler.drop_last) == (3, True)
    assert next(iter(loader.sampler)) is None
    assert [b.tolist() for b in loader] == [[0, 1, 2], [3, 4, 5]]
    assert DataLoader(_Stream(2), batch_size=None).batch_sampler is None


# ---------------------------------------------------------------- workers


class _SlowDataset(Dataset[Any]):
    def __init__(self, n: int, delay: float, fail_at: int | None = None) -> None:
        self.n, self.delay, self.fail_at = n, delay, fail_at

    def __getitem__(self, i: int) -> Any:
        time.sleep(self.delay)
        if i == self.fail_at:
            raise KeyError(f"sample {i} is broken")
        return np.full(2, i, dtype=np.int64)

    def __len__(self) -> int:
        return self.n


def test_workers_keep_sampler_order() -> None:
    x, y = _arrays(50)
    ds = TensorDataset(x, y)
    tt.manual_seed(3)
    serial = _order(DataLoader(ds, batch_size=4, shuffle=True))
    tt.manual_seed(3)
    threaded = _order(DataLoader(ds, batch_size=4, shuffle=True, num_workers=3))
    assert threaded == serial


def test_workers_overlap_loading_with_consumer_work() -> None:
    # 8 batches; fetching one takes 0.05 s and consuming one takes 0.05 s. Serially that is
    # 0.8 s; with two prefetching workers the fetches hide behind the consumer: about 0.45 s.
    ds = _SlowDataset(8, 0.05)
    start = time.perf_counter()
    for _ in DataLoader(ds, batch_size=1, num_workers=2):
        time.sleep(0.05)
    elapsed = time.perf_counter() - start
    assert elapsed < 0.8 * 0.8, f"no overlap: {elapsed:.3f} s for 0.8 s of serial work"


def test_worker_exception_reaches_consumer_unchanged() -> None:
    loader = DataLoader(_SlowDataset(6, 0.0, fail_at=3), batch_size=2, num_workers=2)
    it = iter(loader)
    next(it)
    with pytest.raises(KeyError, match="sample 3 is broken"):
        next(it)


def test_dropping_iterator_early_leaks_no_threads() -> None:
    before = set(threading.enumerate())
    it = iter(DataLoader(_SlowDataset(40, 0.01), batch_size=2, num_workers=3))
    next(it)
    ours = {t for t in set(threading.enumerate()) - before if t.name.startswith("tt_data_worker")}
    assert ours
    del it
    gc.collect()
    deadline = time.monotonic() + 5.0
    while any(t.is_alive() for t in ours) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not any(t.is_alive() for t in ours)


def test_worker_info_and_init_fn_run_in_workers() -> None:
    seen: list[int] = []
    lock = threading.Lock()

    def init(worker_id: int) -> None:
        with lock:
            seen.append(worker_id)

    class Probe(Dataset[Any]):
        def __getitem__(self, i: int) -> Any:
            info = get_worker_info()
            assert info is not None
            assert info.num_workers == 2
            assert info.dataset is self
            return i

        def __len__(self) -> int:
            return 6

    assert [b.tolist() for b in DataLoader(Probe(), 3, num_workers=2, worker_init_fn=init)] == [
        [0, 1, 2],
        [3, 4, 5],
    ]
    assert set(seen) <= {0, 1}
    assert seen
    assert get_worker_info() is None


def test_iterable_dataset_with_workers_keeps_stream_order() -> None:
    out = [b.tolist() for b in DataLoader(_Stream(10), batch_size=3, num_workers=3)]
    assert out == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]


def test_persistent_workers_reuse_the_pool_across_epochs() -> None:
    ds = TensorDataset(np.arange(8), np.arange(8))
    loader = DataLoader(ds, batch_size=3, num_workers=2, persistent_workers=True)
    assert _order(loader) == list(range(8))
    assert _order(loader) == list(range(8))
    assert loader._pool is not None

"""The :class:`DataLoader`: batches from a dataset, optionally fetched in background threads.

A loader is three small pieces wired together (PyTorch's design):

1. a **sampler** decides the order of indices (sequential, or shuffled through the tt RNG);
2. a **batch sampler** groups them into lists of ``batch_size`` indices;
3. a **fetcher** turns one list into one batch: ``dataset.__getitems__(indices)`` if the
   dataset has that hook (one vectorized gather for array-backed datasets), else
   ``[dataset[i] for i in indices]``; then ``collate_fn`` stacks the samples.

**Background prefetching** (``num_workers > 0``): fetching runs in a pool of ``num_workers``
*threads* while the consumer trains on earlier batches; up to ``prefetch_factor * num_workers``
batches are in flight.  Threads, not processes: the heavy work (NumPy gathers, copies,
arithmetic) releases the GIL, so threads overlap with training; nothing has to be pickled to
cross a process boundary (tt never pickles); and the workers see the same dataset object, so
there are no per-process copies of a 50 MB array.  Pure-Python ``__getitem__`` code does hold
the GIL and gains little from threads.  Batches always come out in sampler order, however
the threads finish, and an exception raised while fetching is re-raised in the consumer
unchanged.  Dropping the iterator early shuts its threads down.

Randomness inside workers: all threads share the global tt generator, and which thread fetches
which batch depends on timing, so random transforms applied *inside* ``__getitem__`` are not
reproducible with ``num_workers > 0``.  Apply random transforms to the batch in the training
loop (tt-data's transforms are vectorized over a batch), or seed per sample.

Systems questions: why must the sampler run in the consumer thread, not in the workers?  With
``prefetch_factor * num_workers`` batches in flight, how much memory does prefetching cost?
"""

from __future__ import annotations

import collections
import itertools
import operator
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence, Sized
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import numpy as np

import tt_tensor as tt

from .collate import StackedSamples, default_collate, default_convert
from .dataset import Dataset, IterableDataset
from .sampler import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    _InfiniteConstantSampler,
)

__all__ = ["DataLoader", "WorkerInfo", "get_worker_info"]

T_co = TypeVar("T_co", covariant=True)

_END = object()  # what a fetch returns once an iterable-style dataset is exhausted


@dataclass(frozen=True)
class WorkerInfo:
    """What a worker thread knows about itself (``torch.utils.data.get_worker_info()``)."""

    id: int
    num_workers: int
    seed: int
    dataset: Any


_local = threading.local()


def get_worker_info() -> WorkerInfo | None:
    """The :class:`WorkerInfo` of the calling worker thread, or ``None`` in the main thread.

    >>> get_worker_info() is None
    True
    """
    return getattr(_local, "info", None)


def _samples_as_list(collate_fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``collate_fn`` fed a plain ``list`` of samples where a dataset's ``__getitems__`` gave a
    :class:`~tt_data.collate.StackedSamples`.

    A custom ``collate_fn`` written for PyTorch receives a ``list`` (torch's ``TensorDataset``
    has no ``__getitems__``) and may call ``batch.sort(...)`` or test ``isinstance(batch, list)``.
    Only :func:`default_collate` uses the pre-collated batch, so only it skips this wrapper.
    **Cost**: ``B`` per-sample views per batch, what PyTorch's loader does anyway.
    """

    def collate(data: Any) -> Any:
        return collate_fn(list(data) if isinstance(data, StackedSamples) else data)

    return collate


class _MapFetcher:
    """Fetch one batch (or one sample) of a map-style dataset."""

    def __init__(self, dataset: Any, auto_collation: bool, collate_fn: Callable[[Any], Any]):
        self.dataset = dataset
        self.auto_collation = auto_collation
        # The hot path (default collate) calls ``default_collate`` directly, wrapper-free.
        if auto_collation and collate_fn is not default_collate:
            collate_fn = _samples_as_list(collate_fn)
        self.collate_fn = collate_fn
        getitems = getattr(dataset, "__getitems__", None)
        self.getitems = getitems if callable(getitems) else None

    def fetch(self, index: Any) -> Any:
        if not self.auto_collation:
            return self.collate_fn(self.dataset[index])
        if self.getitems is not None:
            data = self.getitems(index)
        else:
            indices = index.tolist() if isinstance(index, np.ndarray) else index
            data = [self.dataset[i] for i in indices]
        return self.collate_fn(data)


class _IterableFetcher:
    """Fetch the next batch (or sample) from the stream of an iterable-style dataset."""

    def __init__(
        self,
        dataset: Any,
        auto_collation: bool,
        collate_fn: Callable[[Any], Any],
        batch_size: int | None,
        drop_last: bool,
    ) -> None:
        self.it = iter(dataset)
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.ended = False

    def fetch(self, index: Any = None) -> Any:
        if self.ended:
            return _END
        if not self.auto_collation:
            try:
                return self.collate_fn(next(self.it))
            except StopIteration:
                self.ended = True
                return _END
        assert self.batch_size is not None
        data = list(itertools.islice(self.it, self.batch_size))
        if len(data) < self.batch_size:
            self.ended = True
        if not data or (self.drop_last and len(data) < self.batch_size):
            return _END
        return self.collate_fn(data)


class _WorkerPool:
    """``num_workers`` named threads; each sets its :class:`WorkerInfo`, runs ``worker_init_fn``."""

    def __init__(
        self,
        num_workers: int,
        dataset: Any,
        base_seed: int,
        worker_init_fn: Callable[[int], None] | None,
    ) -> None:
        self._ids = itertools.count()
        self._lock = threading.Lock()
        self._num_workers = num_workers
        self._dataset = dataset
        self._base_seed = base_seed
        self._init_fn = worker_init_fn
        self.executor = ThreadPoolExecutor(
            max_workers=num_workers, thread_name_prefix="tt_data_worker", initializer=self._init
        )

    def _init(self) -> None:
        with self._lock:
            wid = next(self._ids)
        _local.info = WorkerInfo(wid, self._num_workers, self._base_seed + wid, self._dataset)
        if self._init_fn is not None:
            self._init_fn(wid)

    def shutdown(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)


class _LoaderIter:
    """One pass over a :class:`DataLoader` (what ``iter(loader)`` returns)."""

    def __init__(self, loader: DataLoader[Any]) -> None:
        self._loader = loader
        self._timeout = loader.timeout
        auto = loader.batch_size is not None or loader.batch_sampler is not None
        collate = loader.collate_fn
        self._fetcher: _MapFetcher | _IterableFetcher
        if isinstance(loader.dataset, IterableDataset):
            self._fetcher = _IterableFetcher(
                loader.dataset, auto, collate, loader.batch_size, loader.drop_last
            )
            self._indices: Iterator[Any] = itertools.repeat(None)
        else:
            self._fetcher = _MapFetcher(loader.dataset, auto, collate)
            sampler = loader._index_sampler
            # Our BatchSampler hands out index arrays (no list of ints to build and parse).
            batches = sampler.index_batches() if type(sampler) is BatchSampler else None
            self._indices = batches if batches is not None else iter(sampler)
        # Like PyTorch, every pass draws the workers' base seed from ``generator`` (or the global
        # generator) whether or not it has workers, so ``num_workers`` never changes the order.
        gen = loader.generator if loader.generator is not None else tt.default_generator
        self._base_seed = int(gen.numpy.integers(0, 2**62, dtype=np.int64))
        self._pool: _WorkerPool | None = None
        self._owns_pool = False
        self._pending: collections.deque[Future[Any]] = collections.deque()
        self._done = False
        if loader.num_workers > 0:
            self._pool, self._owns_pool = loader._get_pool(self._base_seed)
            self._in_flight = loader.prefetch_factor * loader.num_workers  # type: ignore[operator]
            self._fill()

    def _fill(self) -> None:
        assert self._pool is not None
        while not self._done and len(self._pending) < self._in_flight:
            try:
                index = next(self._indices)
            except StopIteration:
                self._done = True
                break
            self._pending.append(self._pool.executor.submit(self._fetcher.fetch, index))

    def __iter__(self) -> _LoaderIter:
        return self

    def __len__(self) -> int:
        return len(self._loader)

    def __next__(self) -> Any:
        if self._pool is None:
            if self._done:
                raise StopIteration
            try:
                index = next(self._indices)
            except StopIteration:
                self._done = True
                raise
            out = self._fetcher.fetch(index)
        else:
            if not self._pending:
                self._shutdown()
                raise StopIteration
            fut = self._pending.popleft()
            try:
                out = fut.result(timeout=self._timeout if self._timeout > 0 else None)
            except FutureTimeout:
                self._shutdown()
                raise RuntimeError(f"DataLoader timed out after {self._timeout} seconds") from None
            except BaseException:
                self._shutdown()
                raise
            self._fill()
        if out is _END:
            self._done = True
            self._shutdown()
            raise StopIteration
        return out

    def _shutdown(self) -> None:
        self._done = True
        for fut in self._pending:
            fut.cancel()
        self._pending.clear()
        if self._pool is not None and self._owns_pool:
            self._pool.shutdown()
        self._pool = None

    def __del__(self) -> None:
        if getattr(self, "_pool", None) is not None:
            self._shutdown()


class DataLoader(Generic[T_co]):
    """Iterate over ``dataset`` in batches: ``torch.utils.data.DataLoader`` with threads.

    Arguments are PyTorch's and so are the rules between them: ``shuffle`` and ``sampler``
    exclude each other; ``batch_sampler`` excludes ``batch_size``, ``shuffle``, ``sampler`` and
    ``drop_last``; ``batch_size=None`` turns automatic batching off (samples are converted,
    not stacked).  ``shuffle=True`` builds a :class:`RandomSampler` with ``generator``: a new
    order every epoch, reproducible after ``tt.manual_seed`` (or a seeded ``generator``).
    ``num_workers > 0`` fetches in that many background threads (see the module docstring),
    ``prefetch_factor`` (default 2) batches ahead per worker.  ``pin_memory``,
    ``multiprocessing_context`` and ``pin_memory_device`` are accepted and ignored (CPU only,
    threads only).

    **Cost**: per batch, one ``__getitems__`` call (a vectorized gather for
    :class:`~tt_data.dataset.TensorDataset`) or ``batch_size`` ``__getitem__`` calls plus a
    ``stack``.  **Memory**: one batch, plus up to ``prefetch_factor * num_workers`` prefetched.

    >>> import tt_tensor as tt
    >>> from tt_data.dataset import TensorDataset
    >>> ds = TensorDataset(tt.arange(10).float(), tt.arange(10))
    >>> [y.tolist() for x, y in DataLoader(ds, batch_size=4)]
    [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    >>> len(DataLoader(ds, batch_size=4, drop_last=True))
    2
    """

    def __init__(
        self,
        dataset: Dataset[T_co],
        batch_size: int | None = 1,
        shuffle: bool | None = None,
        sampler: Sampler[Any] | Iterable[Any] | None = None,
        batch_sampler: Sampler[Sequence[Any]] | Iterable[Sequence[Any]] | None = None,
        num_workers: int = 0,
        collate_fn: Callable[[Any], Any] | None = None,
        pin_memory: bool = False,
        drop_last: bool = False,
        timeout: float = 0,
        worker_init_fn: Callable[[int], None] | None = None,
        multiprocessing_context: Any = None,
        generator: tt.Generator | None = None,
        *,
        prefetch_factor: int | None = None,
        persistent_workers: bool = False,
        pin_memory_device: str = "",
        in_order: bool = True,
    ) -> None:
        try:  # any integer (a NumPy one from a config too), as ``range(num_workers)`` in torch
            num_workers = operator.index(num_workers)
        except TypeError:
            raise TypeError(
                "DataLoader: expected num_workers to be a non-negative integer, got "
                f"{num_workers!r} ({type(num_workers).__name__})"
            ) from None
        if num_workers < 0:
            raise ValueError(
                "num_workers option should be non-negative; "
                "use num_workers=0 to disable multiprocessing."
            )
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError(
                "prefetch_factor option could only be specified in multiprocessing."
                "let num_workers > 0 to enable multiprocessing, otherwise set prefetch_factor "
                "to None."
            )
        if num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        if prefetch_factor is not None and (
            not isinstance(prefetch_factor, int) or prefetch_factor <= 0
        ):
            raise ValueError(
                f"DataLoader: prefetch_factor should be a positive integer, got {prefetch_factor!r}"
            )
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")

        if isinstance(dataset, IterableDataset):
            if shuffle not in (False, None):
                raise ValueError(
                    "DataLoader with IterableDataset: expected unspecified shuffle option, "
                    f"but got shuffle={shuffle}"
                )
            if sampler is not None:
                raise ValueError(
                    "DataLoader with IterableDataset: expected unspecified sampler option, "
                    f"but got sampler={sampler}"
                )
            if batch_sampler is not None:
                raise ValueError(
                    "DataLoader with IterableDataset: expected unspecified batch_sampler "
                    f"option, but got batch_sampler={batch_sampler}"
                )
        else:
            shuffle = bool(shuffle)

        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError(
                    "batch_sampler option is mutually exclusive with batch_size, shuffle, "
                    "sampler, and drop_last"
                )
            batch_size = None
            drop_last = False
        elif batch_size is None and drop_last:
            raise ValueError(
                "batch_size=None option disables auto-batching and is mutually exclusive "
                "with drop_last"
            )
        if batch_size is not None and (
            not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size <= 0
        ):
            raise ValueError(
                f"batch_size should be a positive integer value, but got batch_size={batch_size}"
            )

        if isinstance(dataset, IterableDataset):
            # PyTorch's placeholders (the stream decides the order, so they are never walked):
            # code reading ``loader.batch_sampler.batch_size`` works for both dataset styles.
            sampler = _InfiniteConstantSampler()
        elif sampler is None:
            sized: Sized = dataset  # type: ignore[assignment]  # map-style: has __len__
            sampler = (
                RandomSampler(sized, generator=generator) if shuffle else SequentialSampler(sized)
            )
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)

        if collate_fn is None:
            auto = batch_size is not None or batch_sampler is not None
            collate_fn = default_collate if auto else default_convert

        self.dataset = dataset
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.num_workers = num_workers
        self.collate_fn = collate_fn
        self.pin_memory = pin_memory
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.generator = generator
        self.prefetch_factor = prefetch_factor
        self.persistent_workers = persistent_workers
        self.pin_memory_device = pin_memory_device
        self.in_order = in_order
        self._pool: _WorkerPool | None = None

    @property
    def _index_sampler(self) -> Iterable[Any]:
        return self.batch_sampler if self.batch_sampler is not None else self.sampler

    def _get_pool(self, base_seed: int) -> tuple[_WorkerPool, bool]:
        """The worker pool for a new pass, and whether that pass owns (and must shut) it."""
        if self.persistent_workers and self._pool is not None:
            return self._pool, False
        # An iterable-style stream is stateful: one thread reads it, in order (a single-thread
        # executor runs its queue first in, first out), while the consumer trains.
        n = 1 if isinstance(self.dataset, IterableDataset) else self.num_workers
        pool = _WorkerPool(n, self.dataset, base_seed, self.worker_init_fn)
        if self.persistent_workers:
            self._pool = pool
            return pool, False
        return pool, True

    def __iter__(self) -> Iterator[Any]:
        return _LoaderIter(self)

    def __len__(self) -> int:
        if isinstance(self.dataset, IterableDataset):
            n = len(self.dataset)  # type: ignore[arg-type]
            if self.batch_size is not None:
                n = n // self.batch_size if self.drop_last else -(-n // self.batch_size)
            return n
        return len(self._index_sampler)  # type: ignore[arg-type]

    def __del__(self) -> None:
        pool = getattr(self, "_pool", None)
        if pool is not None:
            pool.shutdown()

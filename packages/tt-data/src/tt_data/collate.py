"""Collating: turning a list of samples into one batch (``torch.utils.data.default_collate``).

A *sample* is whatever ``dataset[i]`` returns; a *batch* is the same structure with every leaf
stacked along a new first dimension.  :func:`default_collate` follows PyTorch's rules exactly:

==========================  ====================================================
each sample is              the batch is
==========================  ====================================================
a tensor                    ``tt.stack(samples)`` (same dtype)
a NumPy array               the arrays as tensors, stacked (same dtype)
a NumPy scalar              a 1-d tensor of that dtype
a Python ``float``          a float64 tensor
a Python ``int`` / ``bool`` an int64 / bool tensor
a ``str`` / ``bytes``       the samples, unchanged (a **tuple** inside a tuple,
                            list or namedtuple sample, as PyTorch gives)
a mapping                   the same mapping type, each key collated
a namedtuple                the same namedtuple type, each field collated
a tuple                     a **list**, each position collated (PyTorch's choice)
another sequence            the same sequence type, each position collated
==========================  ====================================================

**The vectorized path.**  Collating ``B`` samples one by one costs ``B`` Python-level index
operations and one ``stack``.  An array-backed dataset can do better: its ``__getitems__``
(the batched-fetch hook PyTorch's ``DataLoader`` calls) gathers the whole batch with one fancy
index per array and returns a :class:`StackedSamples`.  That object *is* a sequence of the
``B`` samples (index it or iterate it and you get exactly what ``dataset[i]`` gives, so a custom
``collate_fn`` works unchanged), but it also carries the batch already collated, and
:func:`default_collate` returns that directly: no per-sample loop, no ``stack``.

Systems questions: why is ``B`` single-row gathers plus a ``stack`` slower than one ``B``-row
gather, when both copy the same bytes?  Why must :class:`StackedSamples` still behave as a
list of samples?
"""

from __future__ import annotations

import collections.abc
import copy
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Generic, TypeVar, overload

import numpy as np

import tt_tensor as tt

__all__ = ["StackedSamples", "default_collate", "default_convert"]

T = TypeVar("T")

_ERR = (
    "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {}"
)


class StackedSamples(Sequence[T], Generic[T]):
    """A batch of samples that already knows its collated form.

    Returned by the ``__getitems__`` of array-backed datasets
    (:class:`tt_data.dataset.TensorDataset` and friends).  As a sequence it yields the
    individual samples, computed lazily with ``sample(i)``; :func:`default_collate` skips the
    per-sample work and returns ``collated``.

    **Memory**: holds the gathered batch (one copy of the selected rows); samples are views into
    it or into the source arrays, made only when asked for.

    >>> import tt_tensor as tt
    >>> x = tt.arange(6).reshape(3, 2)
    >>> s = StackedSamples([x], 3, lambda i: (x[i],))
    >>> len(s), s[1][0].tolist(), default_collate(s)[0].shape
    (3, [2, 3], tt_tensor.Size([3, 2]))
    """

    __slots__ = ("_n", "_sample", "collated")

    def __init__(self, collated: Any, n: int, sample: Callable[[int], T]) -> None:
        self.collated = collated
        self._n = n
        self._sample = sample

    def __len__(self) -> int:
        return self._n

    @overload
    def __getitem__(self, i: int) -> T: ...
    @overload
    def __getitem__(self, i: slice) -> list[T]: ...
    def __getitem__(self, i: int | slice) -> T | list[T]:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(self._n))]
        if not -self._n <= i < self._n:
            raise IndexError(f"StackedSamples: index {i} out of range for {self._n} samples")
        return self._sample(i % self._n)

    def __iter__(self) -> Iterator[T]:
        return (self._sample(i) for i in range(self._n))

    def __repr__(self) -> str:
        return f"StackedSamples(n={self._n})"


def _is_str_or_object(dtype: np.dtype[Any]) -> bool:
    return dtype.kind in "SaUO"


def default_collate(batch: Any) -> Any:
    """Stack a list of samples into a batch, recursing into tuples, lists and dicts.

    The rules (PyTorch's) are in the module docstring.  A :class:`StackedSamples` batch is
    returned in its pre-collated form without touching the samples.

    **Shape**: ``B`` samples of shape ``S`` -> a tensor of shape ``(B, *S)``, per leaf.
    **Cost**: one ``stack`` per leaf (copies ``B * prod(S)`` elements) plus a Python loop over
    the samples to transpose the structure; ``O(1)`` Python work for :class:`StackedSamples`.

    >>> import tt_tensor as tt
    >>> b = default_collate([(tt.tensor([1.0, 2.0]), 0), (tt.tensor([3.0, 4.0]), 1)])
    >>> type(b).__name__, b[0].shape, b[1].tolist(), b[1].dtype
    ('list', tt_tensor.Size([2, 2]), [0, 1], tt_tensor.int64)
    """
    if isinstance(batch, StackedSamples):
        return batch.collated
    if len(batch) == 0:
        raise IndexError("default_collate: expected a non-empty batch of samples, got 0 samples")
    elem = batch[0]
    if isinstance(elem, tt.Tensor):
        return tt.stack(list(batch), 0)
    if isinstance(elem, np.ndarray):
        if _is_str_or_object(elem.dtype):
            raise TypeError(_ERR.format(elem.dtype))
        return default_collate([tt.as_tensor(b) for b in batch])
    if isinstance(elem, (np.bool_, np.number, np.object_)):
        if _is_str_or_object(elem.dtype):
            raise TypeError(_ERR.format(elem.dtype))
        return tt.as_tensor(np.array(list(batch)))
    if isinstance(elem, float):
        return tt.tensor(list(batch), dtype=tt.float64)
    if isinstance(elem, int):  # bool is an int: tt.tensor([True, ...]) is bool, as in torch
        return tt.tensor(list(batch))
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, collections.abc.Mapping):
        return _like_mapping(elem, {key: default_collate([d[key] for d in batch]) for key in elem})
    # The columns below are the tuples ``zip`` makes, passed on as they are: a column of
    # strings comes back as that tuple, exactly as in PyTorch (``(img, label, name)`` samples
    # give ``[imgs, labels, names_tuple]``).
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple keeps its type
        return type(elem)(*(default_collate(s) for s in zip(*batch, strict=False)))
    if isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        if any(len(e) != size for e in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        columns = [default_collate(s) for s in zip(*batch, strict=False)]
        if isinstance(elem, tuple):
            return columns  # PyTorch returns a list for tuples (backwards compatibility)
        return _like_sequence(elem, columns)
    raise TypeError(_ERR.format(type(elem)))


def default_convert(data: Any) -> Any:
    """Convert NumPy arrays (and scalars) inside ``data`` to tensors, keeping the structure.

    The loader uses it instead of :func:`default_collate` when automatic batching is off
    (``batch_size=None``): each sample is converted but not stacked.

    >>> import numpy as np
    >>> default_convert({"x": np.zeros(2), "y": "a"})["x"].shape
    tt_tensor.Size([2])
    """
    if isinstance(data, tt.Tensor):
        return data
    if isinstance(data, np.ndarray):
        return data if _is_str_or_object(data.dtype) else tt.as_tensor(data)
    if isinstance(data, (np.bool_, np.number)):
        return tt.as_tensor(np.asarray(data))
    if isinstance(data, (str, bytes)):
        return data
    if isinstance(data, collections.abc.Mapping):
        return _like_mapping(data, {key: default_convert(data[key]) for key in data})
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence):
        return _like_sequence(data, [default_convert(d) for d in data])
    return data


def _like_mapping(template: Any, items: dict[Any, Any]) -> Any:
    """``items`` in a mapping of ``template``'s type, as PyTorch rebuilds it (a copy updated
    for mutable mappings, the type called on the items otherwise; a dict when neither works)."""
    try:
        if isinstance(template, collections.abc.MutableMapping):
            clone = copy.copy(template)
            clone.update(items)
            return clone
        return type(template)(items)
    except TypeError:
        return items


def _like_sequence(template: Any, items: list[Any]) -> Any:
    """``items`` in a sequence of ``template``'s type (see :func:`_like_mapping`)."""
    try:
        if isinstance(template, collections.abc.MutableSequence):
            seq = copy.copy(template)
            for i, item in enumerate(items):
                seq[i] = item
            return seq
        return type(template)(items)
    except TypeError:
        return items

"""Gradient mode: whether operations are recorded into the graph.

``no_grad()`` turns recording off (no graph is built at all: no nodes, no saved tensors), for
inference and for optimizer updates.  ``enable_grad()`` turns it back on inside a ``no_grad``
block; ``set_grad_enabled(mode)`` chooses.  Each works as a context manager and as a function
decorator; decorating a generator function applies the mode inside the generator, each time
it resumes (not while its caller runs between two ``yield``).  The mode is process-wide
(PyTorch's is per thread).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Generator
from typing import Any, TypeVar

__all__ = [
    "enable_grad",
    "inference_mode",
    "is_grad_enabled",
    "no_grad",
    "records",
    "set_grad_enabled",
]

F = TypeVar("F", bound=Callable[..., Any])

# A one-element list so the hot path reads it without a global statement.
_enabled = [True]


def is_grad_enabled() -> bool:
    """Whether operations are currently recorded for differentiation."""
    return _enabled[0]


def records(*inputs: object) -> bool:
    """Whether an operation on ``inputs`` would be recorded: grad mode is on and some input
    is a tensor that requires grad (non-tensors and ``None`` are ignored).  Ops with a faster
    path for inference ask this first; :meth:`Function.apply` decides the same way."""
    return _enabled[0] and any(getattr(t, "_requires_grad", False) for t in inputs)


def _decorate(fn: F, mode: Callable[[], Any]) -> F:
    """``fn`` run under ``with mode():``; a generator function gets the mode around each of
    its resumptions instead (PyTorch's ``_DecoratorContextManager``)."""
    if inspect.isgeneratorfunction(fn):

        @functools.wraps(fn)
        def generator(*args: Any, **kwargs: Any) -> Generator[Any, Any, Any]:
            gen = fn(*args, **kwargs)
            try:
                with mode():
                    response = gen.send(None)
                while True:
                    try:
                        request = yield response
                    except GeneratorExit:
                        with mode():
                            gen.close()
                        raise
                    except BaseException as e:  # thrown in: pass it on, under the mode
                        with mode():
                            response = gen.throw(e)
                    else:
                        with mode():
                            response = gen.send(request)
            except StopIteration as e:
                return e.value

        return generator  # type: ignore[return-value]

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with mode():
            return fn(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


class _Mode:
    """Base for the mode context managers: set ``_mode`` on enter, restore on exit."""

    _mode = True

    def __init__(self) -> None:
        self._prev: list[bool] = []

    def __enter__(self) -> None:
        self._prev.append(_enabled[0])
        _enabled[0] = self._mode

    def __exit__(self, *exc: object) -> None:
        _enabled[0] = self._prev.pop()

    def __call__(self, fn: F) -> F:
        mode = self._mode  # not self.__class__(): inference_mode(False) must keep its mode

        def fresh() -> _Mode:
            ctx = _Mode()
            ctx._mode = mode
            return ctx

        return _decorate(fn, fresh)


class _BareDecorator(_Mode):
    """A mode that also works as a bare decorator: ``@no_grad`` as well as ``@no_grad()``."""

    def __new__(cls, orig_func: Any = None) -> Any:
        self = super().__new__(cls)
        if not callable(orig_func):  # called with () or with a mode flag
            return self
        self.__init__()  # type: ignore[misc]
        return self(orig_func)

    def __init__(self, orig_func: Callable[..., Any] | None = None) -> None:
        super().__init__()


class no_grad(_BareDecorator):
    """Context manager and decorator that disables gradient recording.

    >>> import tt_tensor as tt, tt_autograd as ag
    >>> x = tt.ones(2, requires_grad=True)
    >>> with ag.no_grad():
    ...     y = x * 2
    >>> y.requires_grad
    False
    """

    _mode = False


class enable_grad(_BareDecorator):
    """Context manager and decorator that enables gradient recording."""

    _mode = True


class inference_mode(no_grad):
    """Alias of :class:`no_grad` (PyTorch's faster variant; here they are the same)."""

    def __init__(self, mode: bool = True) -> None:
        super().__init__()
        self._mode = not mode


class set_grad_enabled(_Mode):
    """Set gradient recording on or off.  Called as a function it takes effect at once;
    used with ``with`` the previous mode is restored on exit."""

    def __init__(self, mode: bool) -> None:
        super().__init__()
        self._mode = bool(mode)
        self._prev.append(_enabled[0])
        _enabled[0] = self._mode

    def __enter__(self) -> None:
        pass  # already applied in __init__

    def __call__(self, fn: F) -> F:
        _enabled[0] = self._prev.pop()
        mode = self._mode
        return _decorate(fn, lambda: set_grad_enabled(mode))

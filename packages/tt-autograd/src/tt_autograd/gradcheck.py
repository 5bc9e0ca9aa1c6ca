"""Numerical gradient checks: compare autograd against central finite differences in float64.

``gradcheck(fn, inputs)`` builds, for small inputs, the **full Jacobian** column by column:
perturb one input element by ``+eps`` and ``-eps``, and ``(f(x+eps) - f(x-eps)) / (2 eps)`` is
that element's column.  Autograd gives the rows (one backward per output element).  For large
inputs (more than ``max_full`` elements in all) it checks **random projections** instead:
for random directions ``u`` (outputs) and ``v`` (inputs), ``u . J v`` from finite differences
along ``v`` must equal ``(J^T u) . v`` from one backward with gradient ``u``.

``gradgradcheck`` applies the same test to the function ``(inputs, u) -> grad(fn, u)``, i.e.
it checks second derivatives computed with ``create_graph=True``.

Cost: full mode runs ``2 * n_in`` forwards and ``n_out`` backwards; projection mode a few of
each.  Inputs should be float64: float32 finite differences are too coarse to be a test (a
float32 input gets a warning, as in PyTorch, and the check usually fails).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

import tt_tensor as tt
from tt_tensor import Tensor

from .engine import _as_list, grad

__all__ = ["GradcheckError", "gradcheck", "gradgradcheck"]


class GradcheckError(RuntimeError):
    """Raised when analytical and numerical derivatives disagree."""


def _outputs(fn: Callable[..., Any], inputs: Sequence[Any]) -> list[Tensor]:
    out = fn(*inputs)
    outs = list(out) if isinstance(out, (tuple, list)) else [out]
    return [o for o in outs if isinstance(o, Tensor)]


def _diff_inputs(inputs: Sequence[Any]) -> list[int]:
    idx = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    for i in idx:
        if inputs[i].dtype != tt.float64:
            warnings.warn(
                f"gradcheck: input #{i} requires gradient and is {inputs[i].dtype.name}, not "
                "float64: finite differences in lower precision are not a reliable test, so "
                "the check will likely fail",
                UserWarning,
                stacklevel=3,
            )
    return idx


def _numeric_jvp(
    fn: Callable[..., Any], inputs: Sequence[Any], idx: list[int], dirs: list[Any], eps: float
) -> list[np.ndarray[Any, Any]]:
    """(f(x + eps v) - f(x - eps v)) / (2 eps) for the direction ``v = dirs``, per output."""
    originals = [inputs[i].detach().numpy().copy() for i in idx]

    def run(sign: float) -> list[np.ndarray[Any, Any]]:
        # Recording stays on: ``fn`` may itself differentiate (gradgradcheck).
        for i, orig, d in zip(idx, originals, dirs, strict=True):
            inputs[i]._data[...] = orig + sign * eps * d
        return [o.detach().numpy().astype(np.float64).copy() for o in _outputs(fn, inputs)]

    try:
        plus, minus = run(1.0), run(-1.0)
    finally:
        for i, orig in zip(idx, originals, strict=True):
            inputs[i]._data[...] = orig
    return [(p - m) / (2 * eps) for p, m in zip(plus, minus, strict=True)]


def _analytic_vjp(
    fn: Callable[..., Any], inputs: Sequence[Any], idx: list[int], us: list[Any]
) -> list[np.ndarray[Any, Any]]:
    outs = _outputs(fn, inputs)
    live = [(o, u) for o, u in zip(outs, us, strict=True) if o.requires_grad]
    if not live:
        return [np.zeros(inputs[i].shape) for i in idx]
    gs = grad(
        [o for o, _ in live],
        [inputs[i] for i in idx],
        [tt.from_numpy(np.asarray(u, dtype=o.dtype.np)) for o, u in live],
        allow_unused=True,
    )
    return [
        np.zeros(inputs[i].shape) if g is None else g.detach().numpy().astype(np.float64)
        for i, g in zip(idx, gs, strict=True)
    ]


def gradcheck(
    fn: Callable[..., Any],
    inputs: Tensor | Sequence[Any],
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    max_full: int = 64,
    n_projections: int = 4,
    raise_exception: bool = True,
    seed: int = 0,
) -> bool:
    """Check ``fn``'s gradients with respect to every input that requires grad (``inputs``: a
    tensor or a sequence of arguments).  Returns ``True``, or on a mismatch raises
    :class:`GradcheckError` (``False`` with ``raise_exception=False``)."""
    inputs = _as_list(inputs)
    idx = _diff_inputs(inputs)
    if not idx:
        raise ValueError("gradcheck: no input requires grad")
    outs = _outputs(fn, inputs)
    n_in = sum(inputs[i].numel() for i in idx)
    rng = np.random.default_rng(seed)
    try:
        if n_in <= max_full:
            _full_check(fn, inputs, idx, outs, eps, atol, rtol)
        else:
            for _ in range(n_projections):
                _projection_check(fn, inputs, idx, outs, eps, atol, rtol, rng)
    except GradcheckError:
        if raise_exception:
            raise
        return False
    return True


def _full_check(
    fn: Callable[..., Any],
    inputs: list[Any],
    idx: list[int],
    outs: list[Tensor],
    eps: float,
    atol: float,
    rtol: float,
) -> None:
    shapes = [tuple(inputs[i].shape) for i in idx]
    sizes = [int(np.prod(s)) for s in shapes]
    n_in = sum(sizes)
    for k, out in enumerate(outs):
        n_out = out.numel()
        numeric = np.zeros((n_out, n_in))
        col = 0
        for j, size in enumerate(sizes):
            for e in range(size):
                dirs = [np.zeros(s) for s in shapes]
                dirs[j].reshape(-1)[e] = 1.0
                numeric[:, col] = _numeric_jvp(fn, inputs, idx, dirs, eps)[k].reshape(-1)
                col += 1
        analytic = np.zeros((n_out, n_in))
        for r in range(n_out):
            us = [np.zeros(tuple(o.shape)) for o in outs]
            us[k].reshape(-1)[r] = 1.0
            rows = _analytic_vjp(fn, inputs, idx, us)
            analytic[r] = np.concatenate([g.reshape(-1) for g in rows]) if rows else []
        if not np.allclose(analytic, numeric, atol=atol, rtol=rtol, equal_nan=True):
            bad = np.unravel_index(np.argmax(np.abs(analytic - numeric)), analytic.shape)
            raise GradcheckError(
                f"gradcheck: Jacobian mismatch for output {k} (shape {tuple(out.shape)}) at "
                f"[output element {bad[0]}, input element {bad[1]}]: analytical "
                f"{analytic[bad]:.8g} vs numerical {numeric[bad]:.8g}\n"
                f"analytical:\n{analytic}\nnumerical:\n{numeric}"
            )


def _projection_check(
    fn: Callable[..., Any],
    inputs: list[Any],
    idx: list[int],
    outs: list[Tensor],
    eps: float,
    atol: float,
    rtol: float,
    rng: np.random.Generator,
) -> None:
    dirs = [rng.standard_normal(tuple(inputs[i].shape)) for i in idx]
    us = [rng.standard_normal(tuple(o.shape)) for o in outs]
    jv = _numeric_jvp(fn, inputs, idx, dirs, eps)
    lhs = sum(float(np.sum(u * j)) for u, j in zip(us, jv, strict=True))
    vjp = _analytic_vjp(fn, inputs, idx, us)
    rhs = sum(float(np.sum(g * d)) for g, d in zip(vjp, dirs, strict=True))
    if not np.isclose(lhs, rhs, atol=atol * max(1, len(dirs)), rtol=rtol):
        raise GradcheckError(
            f"gradcheck: random projection mismatch: u.(J v) numerical {lhs:.10g} vs "
            f"(J^T u).v analytical {rhs:.10g}"
        )


def gradgradcheck(
    fn: Callable[..., Any],
    inputs: Tensor | Sequence[Any],
    grad_outputs: Tensor | Sequence[Tensor] | None = None,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    max_full: int = 64,
    raise_exception: bool = True,
    seed: int = 0,
) -> bool:
    """Check second derivatives: gradcheck of ``(x, u) -> d(u . fn(x))/dx``.  ``grad_outputs``
    are the ``u`` (one per output; random float64 ones requiring grad by default): those that
    require grad are checked as inputs too."""
    inputs = _as_list(inputs)
    idx = _diff_inputs(inputs)
    outs = _outputs(fn, inputs)
    if grad_outputs is None:
        rng = np.random.default_rng(seed + 1)
        us = [tt.from_numpy(rng.standard_normal(tuple(o.shape))).requires_grad_(True) for o in outs]
    else:
        us = _as_list(grad_outputs)
        if len(us) != len(outs):
            raise ValueError(
                f"gradgradcheck: got {len(us)} grad_outputs for {len(outs)} outputs of fn"
            )
    n = len(inputs)

    def first_grad(*args: Any) -> tuple[Tensor, ...]:
        xs, u = list(args[:n]), list(args[n:])
        o = _outputs(fn, xs)
        gs = grad(o, [xs[i] for i in idx], u, create_graph=True, allow_unused=True)
        return tuple(
            g if g is not None else tt.zeros_like(xs[i]) for g, i in zip(gs, idx, strict=True)
        )

    return gradcheck(
        first_grad,
        [*inputs, *us],
        eps=eps,
        atol=atol,
        rtol=rtol,
        max_full=max_full,
        raise_exception=raise_exception,
        seed=seed,
    )

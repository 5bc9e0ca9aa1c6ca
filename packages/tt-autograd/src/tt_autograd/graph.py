"""Printing the autograd graph, for teaching: as indented text or as Graphviz dot source.

>>> import tt_tensor as tt, tt_autograd as ag
>>> x = tt.ones(2, requires_grad=True)
>>> print(ag.graph_text((x * 2).sum()))
SumBackward0
  MulBackward0
    AccumulateGrad (2,) float32
"""

from __future__ import annotations

from typing import Any

from tt_tensor import Tensor

from .node import Node

__all__ = ["graph_dot", "graph_text"]


def _label(e: Any) -> str:
    if isinstance(e, Tensor):
        return f"AccumulateGrad {tuple(e.shape)} {e.dtype.name}"
    return e.name() if isinstance(e, Node) else type(e).__name__


def graph_text(t: Tensor) -> str:
    """The graph behind ``t`` as an indented tree (a node reached twice is marked)."""
    if t.grad_fn is None:
        return "(leaf)" if t.requires_grad else "(no graph)"
    lines: list[str] = []
    seen: set[int] = set()
    stack: list[tuple[Any, int]] = [(t.grad_fn, 0)]
    while stack:
        e, depth = stack.pop()
        again = id(e) in seen and isinstance(e, Node)
        lines.append("  " * depth + _label(e) + (" (shown above)" if again else ""))
        if isinstance(e, Node) and not again:
            seen.add(id(e))
            stack.extend((n, depth + 1) for n in reversed(e.next) if n is not None)
    return "\n".join(lines)


def graph_dot(t: Tensor, name: str = "graph") -> str:
    """Graphviz dot source for the graph behind ``t`` (render with ``dot -Tpng``)."""
    out = [f"digraph {name} {{", "  node [shape=box, fontname=monospace];"]
    ids: dict[int, str] = {}
    stack: list[Any] = [t.grad_fn] if t.grad_fn is not None else []

    def nid(e: Any) -> str:
        if id(e) not in ids:
            ids[id(e)] = f"n{len(ids)}"
            style = ', style=filled, fillcolor="#dde8ff"' if isinstance(e, Tensor) else ""
            out.append(f'  {ids[id(e)]} [label="{_label(e)}"{style}];')
        return ids[id(e)]

    seen: set[int] = set()
    while stack:
        e = stack.pop()
        if id(e) in seen:
            continue
        seen.add(id(e))
        src = nid(e)
        if isinstance(e, Node):
            for n in e.next:
                if n is not None:
                    out.append(f"  {nid(n)} -> {src};")
                    stack.append(n)
    out.append("}")
    return "\n".join(out)

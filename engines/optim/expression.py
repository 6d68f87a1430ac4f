"""Compile a user formula f(x, y) into a :class:`Surface` without eval.

The text is parsed with ``ast.parse(mode="eval")`` and only a whitelist of node types is translated
into torch operations: numbers, the names x, y, pi, e, the operators + − * / ** (unary ±) and calls of
the functions in :data:`FUNCTIONS`. Everything is evaluated lazily in torch (no constant folding), so
``9**9**9`` is just ``inf``; text length and tree depth are capped. A formula that is not finite
anywhere on the bounds is rejected.
"""
from __future__ import annotations

import ast
import math
from typing import Callable, Optional

import torch
from torch import Tensor

from engines.errors import InputError
from engines.optim.surfaces import Bounds, Surface

MAX_LENGTH = 1000
MAX_DEPTH = 64
Node = Callable[[Tensor, Tensor], Tensor]

FUNCTIONS: dict[str, tuple[int, Callable[..., Tensor]]] = {
    "sin": (1, torch.sin), "cos": (1, torch.cos), "tan": (1, torch.tan),
    "exp": (1, torch.exp), "log": (1, torch.log), "sqrt": (1, torch.sqrt), "abs": (1, torch.abs),
    "tanh": (1, torch.tanh), "sinh": (1, torch.sinh), "cosh": (1, torch.cosh),
    "arctan": (1, torch.atan), "atan": (1, torch.atan),
    "min": (2, torch.minimum), "max": (2, torch.maximum),
}
CONSTANTS = {"pi": math.pi, "e": math.e}
_BINARY: dict[type, Callable[[Tensor, Tensor], Tensor]] = {
    ast.Add: torch.add, ast.Sub: torch.sub, ast.Mult: torch.mul, ast.Div: torch.div, ast.Pow: torch.pow,
}


def _depth(tree: ast.AST) -> int:
    """Depth of the tree, iteratively (a recursive walk could itself overflow the stack)."""
    deepest, stack = 0, [(tree, 1)]
    while stack:
        node, d = stack.pop()
        deepest = max(deepest, d)
        if deepest > MAX_DEPTH:
            break
        stack.extend((child, d + 1) for child in ast.iter_child_nodes(node))
    return deepest


def _constant(value: float) -> Node:
    return lambda x, y: torch.tensor(value, dtype=x.dtype, device=x.device)


def _translate(node: ast.AST) -> Node:
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            raise InputError(f"only numbers are allowed as constants, not {node.value!r}")
        try:
            return _constant(float(node.value))
        except OverflowError:
            raise InputError("a number in the formula is too large") from None
    if isinstance(node, ast.Name):
        if node.id == "x":
            return lambda x, y: x
        if node.id == "y":
            return lambda x, y: y
        if node.id in CONSTANTS:
            return _constant(CONSTANTS[node.id])
        raise InputError(f"unknown name {node.id!r}: use x, y, pi, e and functions {', '.join(FUNCTIONS)}")
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        op, a, b = _BINARY[type(node.op)], _translate(node.left), _translate(node.right)
        return lambda x, y: op(a(x, y), b(x, y))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        a = _translate(node.operand)
        return (lambda x, y: torch.neg(a(x, y))) if isinstance(node.op, ast.USub) else a
    if isinstance(node, ast.Call):
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name not in FUNCTIONS:
            raise InputError(f"unknown function {name or ast.unparse(node.func)!r}; allowed: {', '.join(FUNCTIONS)}")
        arity, fn = FUNCTIONS[name]
        if node.keywords or len(node.args) != arity or any(isinstance(a, ast.Starred) for a in node.args):
            raise InputError(f"{name}() takes {arity} plain argument{'s' if arity > 1 else ''}")
        args = [_translate(a) for a in node.args]
        return lambda x, y: fn(*(a(x, y) for a in args))
    if isinstance(node, ast.Attribute):
        raise InputError("attribute access (.) is not allowed in a formula")
    if isinstance(node, ast.Subscript):
        raise InputError("subscripts ([]) are not allowed in a formula")
    what = type(node.op).__name__ if isinstance(node, (ast.BinOp, ast.UnaryOp)) else type(node).__name__
    raise InputError(f"{what} is not allowed in a formula")


def compile_expression(text: str, bounds: Bounds = ((-3.0, 3.0), (-3.0, 3.0)), name: Optional[str] = None) -> Surface:
    """A :class:`Surface` for the formula ``text`` in x and y, e.g. ``sin(x)*cos(y) + 0.1*(x**2+y**2)``."""
    if not isinstance(text, str) or not text.strip():
        raise InputError("enter a formula in x and y")
    if len(text) > MAX_LENGTH:
        raise InputError(f"formula too long ({len(text)} characters; at most {MAX_LENGTH})")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        raise InputError(f"cannot parse formula: {getattr(exc, 'msg', None) or type(exc).__name__}") from None
    if _depth(tree) > MAX_DEPTH:
        raise InputError(f"formula nested too deeply (more than {MAX_DEPTH} levels)")
    body = _translate(tree.body)

    def fn(t: Tensor) -> Tensor:
        x, y = t[..., 0], t[..., 1]
        return torch.broadcast_to(body(x, y), x.shape)

    surface = Surface(name or text.strip(), fn, bounds, params={})
    _, _, z = surface.grid(64)
    if not torch.isfinite(torch.from_numpy(z)).any():
        raise InputError("the formula is not finite anywhere on the plotted bounds")
    return surface

"""Checks of a ``.pt2`` archive's serialized program (``models/NAME.json``, plain JSON) before torch turns
it into an ``ExportedProgram``: the parts torch would resolve or evaluate must be harmless.

- Every node's target is an ATen or prims operator, or one of a few arithmetic functions of
  ``_operator``/``math``: torch resolves a target string by ``getattr`` from ``torch``, so a target such
  as ``torch.os.system`` would be called when the program runs.
- Every symbolic-shape expression (``expr_str``, the keys of ``range_constraints``) is a sympy expression of
  numbers, symbol names and the shape functions torch writes: torch parses it with ``sympy.sympify``, which
  evaluates Python. No attribute access, subscript or name outside :data:`SYMPY_NAMES` passes.
- ``guards_code`` (Python source torch compiles into the module's check of its inputs' shapes, such as
  ``L['x'].size()[0] == L['t'].size()[0]``) and node metadata (stack traces, module paths, in which torch
  resolves names) are dropped: neither is needed to run the program.
"""
from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Iterator
from typing import Any

from engines.errors import InputError

TARGET_PREFIXES = ("torch.ops.aten.", "torch.ops.prims.")
OPERATOR_FUNCTIONS = frozenset({"getitem", "add", "sub", "mul", "truediv", "floordiv", "mod", "neg", "pow", "eq",
                                "ne", "lt", "le", "gt", "ge", "and_", "or_", "not_", "abs", "pos"})
MATH_FUNCTIONS = frozenset({"sqrt", "ceil", "floor", "trunc", "exp", "log", "sin", "cos", "tan", "tanh"})
SYMPY_NAMES = frozenset({
    "Symbol", "Integer", "Rational", "Float", "Add", "Mul", "Pow", "Mod", "FloorDiv", "CeilDiv", "CleanDiv",
    "PythonMod", "Max", "Min", "Abs", "floor", "ceiling", "oo", "zoo", "nan", "Eq", "Ne", "Lt", "Le", "Gt", "Ge",
    "And", "Or", "Not", "true", "false", "True", "False", "positive", "negative", "nonnegative", "integer", "real",
    "finite", "IntTrueDiv", "FloatTrueDiv", "TruncToInt", "ToFloat", "Identity", "ModularIndexing", "Where",
    "CeilToInt", "FloorToInt", "RoundToInt", "OpaqueUnaryFn_sqrt", "sym_sum", "LShift", "RShift", "BitwiseFn_bitwise_and",
    "BitwiseFn_bitwise_or"})
SYMBOL_NAME = re.compile(r"[a-z]{1,8}\d{1,9}")  # s0, s77, u3: the names torch gives shape symbols
SYMPY_OPERATORS = frozenset({"(", ")", ",", "=", "+", "-", "*", "/", "**", "//", "%", "<", ">", "<=", ">=", "==",
                             "!="})
MAX_EXPRESSION = 4096  # characters


def checked_program(program: Any, name: str) -> dict[str, Any]:
    """``program`` (the parsed ``models/NAME.json``) when every part torch would resolve passes the checks
    above, with its guard code and node metadata dropped; InputError naming the first part that does not."""
    if not isinstance(program, dict) or not isinstance(program.get("graph_module"), dict):
        raise InputError(f"{name}: its program is not a serialized torch.export program")
    program["guards_code"] = []
    for node in _nodes(program["graph_module"]):
        target = node.get("target")
        if not (isinstance(target, str) and allowed_target(target)):
            raise InputError(f"{name}: its program calls {str(target)[:80]!r}, which is not an ATen operator; only "
                             "programs of PyTorch operators are opened (nothing that names Python functions)")
        node["metadata"] = {}
    constraints = program.get("range_constraints") or {}
    if not isinstance(constraints, dict):
        raise InputError(f"{name}: its range_constraints are not a mapping")
    for expression in [*constraints, *_expressions(program)]:
        check_expression(expression, name)
    return program


def allowed_target(target: str) -> bool:
    """Whether torch may resolve the node target ``target`` (see the module docstring)."""
    module, _, rest = target.partition(".")
    if module == "_operator":
        return rest in OPERATOR_FUNCTIONS
    if module == "math":
        return rest in MATH_FUNCTIONS
    if target.startswith(TARGET_PREFIXES):
        parts = target.split(".")
        return len(parts) == 5 and all(p.isidentifier() and not p.startswith("__") for p in parts[3:])
    return False


def check_expression(expression: Any, name: str) -> None:
    """InputError unless ``expression`` is a harmless sympy expression string (see the module docstring)."""
    if not isinstance(expression, str) or len(expression) > MAX_EXPRESSION:
        raise InputError(f"{name}: a shape expression of its program is not a short string")
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(expression).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError) as exc:
        raise InputError(f"{name}: the shape expression {expression[:80]!r} does not parse: {exc}") from None
    for token in tokens:
        if not _harmless(token):
            raise InputError(f"{name}: the shape expression {expression[:80]!r} holds {token.string!r}, which is no "
                             "number, symbol or shape function; refused (torch would evaluate it)")


def _harmless(token: tokenize.TokenInfo) -> bool:
    kind, text = token.type, token.string
    if kind in (tokenize.NEWLINE, tokenize.NL, tokenize.ENDMARKER, tokenize.NUMBER):
        return True
    if kind == tokenize.NAME:
        return text in SYMPY_NAMES or SYMBOL_NAME.fullmatch(text) is not None
    if kind == tokenize.STRING:
        return re.fullmatch(r"'[a-z]{1,8}\d{1,9}'|\"[a-z]{1,8}\d{1,9}\"", text) is not None
    return kind == tokenize.OP and text in SYMPY_OPERATORS


def _nodes(value: Any) -> Iterator[dict[str, Any]]:
    """Every graph node (a mapping with ``target``, ``inputs`` and ``outputs``) anywhere under ``value``,
    subgraphs of higher-order operators included."""
    if isinstance(value, dict):
        if {"target", "inputs", "outputs"} <= value.keys():
            yield value
        for item in value.values():
            yield from _nodes(item)
    elif isinstance(value, list):
        for item in value:
            yield from _nodes(item)


def _expressions(value: Any) -> Iterator[Any]:
    """Every ``expr_str`` anywhere under ``value``."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "expr_str":
                yield item
            else:
                yield from _expressions(item)
    elif isinstance(value, list):
        for item in value:
            yield from _expressions(item)

import math

import pytest
import torch

from engines.errors import InputError
from engines.optim.expression import compile_expression


def test_formula_value_and_gradient():
    s = compile_expression("sin(x)*cos(y) + 0.1*(x**2+y**2) - atan(x) + max(x, y)/e + pi")
    xy = torch.tensor([[0.3, -1.2]], dtype=torch.float64)
    x, y = 0.3, -1.2
    expected = math.sin(x) * math.cos(y) + 0.1 * (x * x + y * y) - math.atan(x) + max(x, y) / math.e + math.pi
    assert float(s.fn(xy)) == pytest.approx(expected, rel=1e-12)
    gx = math.cos(x) * math.cos(y) + 0.2 * x - 1 / (1 + x * x) + 1 / math.e
    gy = -math.sin(x) * math.sin(y) + 0.2 * y
    assert s.grad(xy)[0].tolist() == pytest.approx([gx, gy], rel=1e-10)


def test_constant_formula_broadcasts():
    s = compile_expression("2")
    assert s.fn(torch.zeros(3, 4, 2)).shape == (3, 4)


@pytest.mark.parametrize("text,message", [
    ("__import__('os')", "unknown function"),
    ("x.__class__", "attribute"),
    ("(lambda: 1)()", "unknown function"),
    ("lambda: 1", "Lambda"),
    ("x[0]", "subscript"),
    ("[x for x in y]", "ListComp"),
    ("{x: 1}", "Dict"),
    ("z + 1", "unknown name"),
    ("open('f')", "unknown function"),
    ("x if y else 1", "IfExp"),
    ("x < y", "Compare"),
    ("x % 2", "Mod"),
    ("True", "numbers"),
    ("'a'", "numbers"),
    ("1j*x", "numbers"),
    ("sin(x, y)", "takes 1"),
    ("sin(x=1)", "takes 1"),
    ("x +", "cannot parse"),
    ("(" * 10**6 + "x" + ")" * 10**6, "too long"),
    ("(" * 300 + "x" + ")" * 300, "nested|parse"),
    ("-" * 200 + "x", "nested"),
    ("1/0", "not finite anywhere"),
    ("1/(x-x)", "not finite anywhere"),
    ("log(-1 - x*x)", "not finite anywhere"),
    ("9**9**9", "not finite anywhere"),
    ("9" * 400 + "*x", "too large"),
    ("", "enter a formula"),
])
def test_hostile_or_malformed_input(text, message):
    with pytest.raises(InputError, match=message):
        compile_expression(text)


def test_huge_exponent_is_evaluated_lazily_in_torch():
    import time

    start = time.perf_counter()
    with pytest.raises(InputError, match="not finite anywhere"):
        compile_expression("x + 9**9**9**9 * 0")  # inf·0 = NaN, no big-integer arithmetic
    s = compile_expression("x + 2**-9**9")  # underflows to 0, a valid surface
    assert float(s.fn(torch.tensor([1.5, 0.0]))) == 1.5
    assert time.perf_counter() - start < 1.0

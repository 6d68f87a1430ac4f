import numpy as np
import pytest
import torch

from engines.errors import InputError
from engines.optim.catalogue import SURFACES
from engines.optim.surfaces import get_surface


@pytest.mark.parametrize("name", SURFACES.names)
def test_analytic_gradient_matches_autograd(name):
    s = get_surface(name)
    (x0, x1), (y0, y1) = s.bounds
    g = torch.Generator().manual_seed(0)
    xy = torch.stack([torch.rand(64, generator=g) * (x1 - x0) + x0, torch.rand(64, generator=g) * (y1 - y0) + y0], -1).double()
    assert s.grad_fn is not None
    with torch.enable_grad():
        p = xy.clone().requires_grad_(True)
        (auto,) = torch.autograd.grad(s.fn(p).sum(), p)
    torch.testing.assert_close(s.grad(xy), auto, rtol=1e-10, atol=1e-9)


@pytest.mark.parametrize("name", SURFACES.names)
def test_minima_are_stationary_and_inside_bounds(name):
    s = get_surface(name)
    assert s.starts
    for m in s.minima:
        (x0, x1), (y0, y1) = s.bounds
        assert x0 <= m[0] <= x1 and y0 <= m[1] <= y1
        assert s.grad(torch.tensor(m, dtype=torch.float64)).abs().max() < 1e-4


def test_minimum_values():
    assert get_surface("himmelblau").fn(torch.tensor(get_surface("himmelblau").minima, dtype=torch.float64)).abs().max() < 1e-9
    st = get_surface("styblinski_tang")
    assert float(st.fn(torch.tensor(st.minima[0], dtype=torch.float64))) == pytest.approx(-2 * 39.16617, abs=1e-4)
    assert len(get_surface("himmelblau").minima) == 4
    assert get_surface("saddle").minima == () and get_surface("monkey_saddle").minima == ()
    assert float(get_surface("rastrigin").fn(torch.zeros(2))) == 0.0


def test_quadratic_condition_number_and_rotation():
    q = get_surface("quadratic", kappa=25, angle=40)
    assert q.hessian_eigenvalues == pytest.approx((0.04, 1.0))
    # the Hessian from the gradient (it is linear) has the advertised spectrum
    H = torch.stack([q.grad(torch.tensor([1.0, 0.0], dtype=torch.float64)), q.grad(torch.tensor([0.0, 1.0], dtype=torch.float64))])
    assert torch.linalg.eigvalsh(H).tolist() == pytest.approx([0.04, 1.0])
    v = torch.linalg.eigh(H).eigenvectors[:, 0]  # the flat (λmin) direction points at `angle`
    assert abs(float(v[1] / v[0])) == pytest.approx(np.tan(np.radians(40)), rel=1e-9)


def test_grid_orientation():
    X, Y, Z = get_surface("booth").grid(5)
    assert X.shape == Y.shape == Z.shape == (5, 5)
    assert X[0].tolist() == [-10, -5, 0, 5, 10] and Y[:, 0].tolist() == [-10, -5, 0, 5, 10]
    assert Z[2, 2] == pytest.approx((0 + 0 - 7) ** 2 + (0 + 0 - 5) ** 2)


def test_unknown_surface_and_parameter():
    with pytest.raises(InputError, match="unknown surface"):
        get_surface("nope")
    with pytest.raises(InputError, match="does not take"):
        get_surface("booth", a=1)

import pytest
import torch

def approx(t, expected):
    torch.testing.assert_close(t, torch.tensor(expected, dtype=t.dtype), rtol=1e-9, atol=1e-12)


from engines.errors import InputError
from engines.optim.catalogue import OPTIMIZERS
from engines.optim.optimizers import build_optimizer
from engines.optim.spec import OptimizerSpec, parse_spec
from engines.optim.surfaces import get_surface

ROSEN = get_surface("rosenbrock")


def _run(spec, start, steps=50):
    p = start.clone()
    st = build_optimizer(spec, [p], batch_dims=1)
    for _ in range(steps):
        st.step([ROSEN.grad(p)], lambda ps: ROSEN.fn(ps[0]))
    return p, st


@pytest.mark.parametrize("name,param,values", [
    ("momentum", "momentum", [0.0, 0.5, 0.9]),
    ("adam", "lr", [1e-3, 1e-2, 3e-2]),
    ("radam", "betas", [(0.9, 0.99), (0.9, 0.999), (0.5, 0.9)]),
    ("nadam", "momentum_decay", [1e-3, 4e-3, 1e-2]),
    ("rmsprop", "alpha", [0.9, 0.99, 0.5]),
    ("adagrad", "lr_decay", [0.0, 1e-2, 1e-1]),
    ("adadelta", "rho", [0.8, 0.9, 0.95]),
    ("lion", "lr", [1e-3, 1e-2, 3e-2]),
])
def test_tensor_hyperparameters_equal_separate_runs(name, param, values):
    start = torch.tensor([[-1.2, 1.0]], dtype=torch.float64)
    expected = torch.cat([_run(OptimizerSpec(name, {param: v}), start)[0] for v in values])
    if isinstance(values[0], tuple):
        column = tuple(torch.tensor([[v[i]] for v in values], dtype=torch.float64) for i in range(2))
    else:
        column = torch.tensor([[v] for v in values], dtype=torch.float64)
    got, _ = _run(OptimizerSpec(name, {param: column}), start.repeat(len(values), 1))
    torch.testing.assert_close(got, expected, rtol=1e-9, atol=1e-12)


def test_lion_by_hand():
    p = torch.tensor([[1.0, -2.0]], dtype=torch.float64)
    st = build_optimizer(OptimizerSpec("lion", {"lr": 0.1, "betas": (0.9, 0.99), "weight_decay": 0.5}), [p], 1)
    g1 = torch.tensor([[3.0, -1.0]], dtype=torch.float64)
    st.step([g1])  # m = 0: sign(0.1 g) = sign g
    approx(p, [[1.0 * 0.95 - 0.1, -2.0 * 0.95 + 0.1]])
    approx(st.state_view()["momentum"], [[0.03, -0.01]])
    g2 = torch.tensor([[-2.0, -1.0]], dtype=torch.float64)
    st.step([g2])  # c = 0.9·m + 0.1·g2 = (0.027 − 0.2, −0.009 − 0.1) → signs (−, −)
    approx(p, [[0.85 * 0.95 + 0.1, -1.8 * 0.95 + 0.1]])


def test_state_view_shapes_and_adam_step_size():
    start = torch.tensor([[-1.2, 1.0], [0.5, 0.5]], dtype=torch.float64)
    p, st = _run(parse_spec("adam:lr=0.01"), start, steps=10)
    view = st.state_view()
    assert set(view) == {"momentum", "second_moment", "step_size"}
    assert all(v.shape == (2, 2) for v in view.values())
    v_hat = view["second_moment"] / (1 - 0.999**10)
    torch.testing.assert_close(view["step_size"], 0.01 / (v_hat.sqrt() + 1e-8))
    for name in OPTIMIZERS.names:
        _, st = _run(OptimizerSpec(name), start, steps=3)
        assert "step_size" in st.state_view(), name
        assert all(v.shape == (2, 2) for v in st.state_view().values()), name


def test_zeroth_order_estimates_the_gradient():
    q = get_surface("quadratic", kappa=4, angle=20)
    p = torch.tensor([[1.0, -0.5]], dtype=torch.float64).repeat(4000, 1)
    st = build_optimizer(OptimizerSpec("zeroth_order", {"lr": 0.0, "eps": 1e-4, "samples": 1, "baseline": 1}), [p], 1)
    st.step(closure=lambda ps: q.fn(ps[0]))
    est = st.state_view()["gradient_estimate"]
    true = q.grad(p[:1])
    torch.testing.assert_close(est.mean(0, keepdim=True), true, atol=0.05, rtol=0)


def test_zeroth_order_baselines_reduce_variance_and_descend():
    q = get_surface("quadratic", kappa=4, angle=20)
    start = torch.tensor([[1.0, -0.5]], dtype=torch.float64).repeat(2000, 1)
    spread = {}
    for baseline in (0, 1, 2):
        p = start.clone()
        st = build_optimizer(OptimizerSpec("zeroth_order", {"lr": 0.0, "eps": 0.1, "samples": 4, "baseline": baseline}), [p], 1)
        st.step(closure=lambda ps: q.fn(ps[0]))
        spread[baseline] = float(st.state_view()["gradient_estimate"].var(0).sum())
    assert spread[2] < spread[0] / 5 and spread[1] < spread[0] / 5
    p = start[:8].clone()
    st = build_optimizer(OptimizerSpec("zeroth_order", {"lr": 0.2, "eps": 1e-3, "samples": 4}), [p], 1)
    for _ in range(200):
        st.step(closure=lambda ps: q.fn(ps[0]))
    assert float(q.fn(p).max()) < 1e-3 * float(q.fn(start[:1]))


def test_zeroth_order_needs_a_closure_and_others_need_gradients():
    p = torch.zeros(1, 2)
    with pytest.raises(InputError, match="closure"):
        build_optimizer(OptimizerSpec("zeroth_order"), [p], 1).step([torch.zeros(1, 2)])
    with pytest.raises(InputError, match="gradients"):
        build_optimizer(OptimizerSpec("adam"), [p], 1).step()
    with pytest.raises(InputError, match="needs gradients"):
        build_optimizer(parse_spec("zeroth_order+accumulate:k=2"), [p], 1)
    with pytest.raises(InputError, match="single number"):
        build_optimizer(OptimizerSpec("adam", {"amsgrad": torch.ones(1, 1)}), [p], 1)
    with pytest.raises(InputError, match="unknown adam parameter 'foo'"):
        build_optimizer(OptimizerSpec("adam", {"foo": 1.0}), [p], 1)


def test_multiple_parameters_without_batch_dims():
    w, b = torch.ones(3, 2, dtype=torch.float64), torch.zeros(2, dtype=torch.float64)
    st = build_optimizer(parse_spec("adam:lr=0.1,eps=0"), [w, b])
    st.step([torch.ones(3, 2, dtype=torch.float64), -torch.ones(2, dtype=torch.float64)])
    approx(w, [[0.9, 0.9]] * 3)
    approx(b, [0.1, 0.1])
    assert st.state_view()["momentum"].shape == (8,)

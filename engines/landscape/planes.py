"""Loss planes of real networks (Li et al. 2018, "Visualizing the Loss Landscape of Neural Nets";
reference code tomgoldstein/loss-landscape).

Two random Gaussian directions are filter-normalised (each filter d_f ← d_f‖θ_f‖/‖d_f‖; 1-D tensors —
biases, BN/LayerNorm scales — zeroed unless included) and the loss is evaluated on the plane
θ + a·d1 + b·d2. Unlike the reference, which loads one grid point at a time into the model, a chunk of
grid points is evaluated in one call: layer by layer for a plain MLP (:mod:`engines.landscape.mlp_plane`),
else with ``torch.func.vmap`` over ``functional_call``. Training paths are projected onto that fixed plane
(least squares) or onto their own PCA plane.
"""
from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn
from torch.func import functional_call, vmap

from engines.device import DeviceLike, as_device
from engines.errors import InputError
from engines.jobs import Reporter, Throttle
from engines.landscape.batched import mean_over_data
from engines.landscape.first_layer import FirstLayerPlane, shared_first_layer
from engines.landscape.mlp_plane import MlpPlane, plain_mlp
from engines.landscape.registry import Split
from engines.optim.surfaces import Surface
from engines.threads import step_threads

Params = dict[str, Tensor]
LossFn = Callable[[Any, Tensor], Tensor]
DEFAULT_MEMORY = 8 * 2**20  # bytes per chunk of grid points: small chunks stay in cache (faster on CPU; the
# digits MLP's grid was fastest at about 8 points per chunk on its 1,437 training samples, 32-48 on 256)


@dataclass(frozen=True)
class Directions:
    """Two directions in parameter space, named like the model's parameters."""

    d1: Params
    d2: Params

    @property
    def names(self) -> list[str]:
        return list(self.d1)

    def matrix(self) -> Tensor:
        """(P, 2) float64: the flattened directions as columns."""
        return torch.stack([flatten(self.d1, self.names), flatten(self.d2, self.names)], dim=1)


@dataclass(frozen=True)
class LandscapeResult:
    """``loss[i, j]`` = L(center + a[j]·d1 + b[i]·d2) (rows follow b, like a heat map's y)."""

    a: np.ndarray
    b: np.ndarray
    loss: np.ndarray
    directions: Directions
    center: Params


@dataclass(frozen=True)
class LandscapeProgress:
    """Partial result of :func:`loss_surface`: the grid so far, NaN where not yet evaluated."""

    a: np.ndarray
    b: np.ndarray
    loss: np.ndarray
    done: int


@dataclass(frozen=True)
class PlaneProjection:
    """Least-squares coordinates (T, 2) of θ_t − center in the (d1, d2) basis; ``residual`` (T,) is
    each point's share ‖r_t‖²/‖θ_t − center‖² off the plane, ``residual_share`` the path's total."""

    coords: np.ndarray
    residual: np.ndarray
    residual_share: float


@dataclass(frozen=True)
class PathPCA:
    """A path's own plane: coordinates (T, 2) of θ_t − θ_final on the two leading principal
    components (``directions``, unit norm), their explained variance ratios, and
    ``unexplained_share`` = 1 − sum of the two ratios."""

    coords: np.ndarray
    directions: Directions
    explained_ratio: np.ndarray
    unexplained_share: float


def parameters(model: nn.Module, state: Mapping[str, Tensor] | None = None) -> Params:
    """The model's named parameters, or their values in ``state`` (e.g. a run snapshot) cast to the
    model's dtypes; InputError if ``state`` lacks one or has it in another shape."""
    out: Params = {}
    for name, p in model.named_parameters():
        value = p if state is None else state.get(name)
        if value is None or value.shape != p.shape:
            problem = "missing from" if value is None else f"shaped {tuple(value.shape)} in"
            raise InputError(f"the parameter {name!r} {tuple(p.shape)} is {problem} the given state")
        out[name] = value.detach().to(p.dtype)
    return out


def flatten(params: Mapping[str, Tensor], names: Sequence[str]) -> Tensor:
    """Concatenate the named tensors into one float64 CPU vector."""
    missing = [k for k in names if k not in params]
    if missing:
        raise InputError(f"a snapshot lacks the parameter {missing[0]!r}")
    return torch.cat([params[k].detach().reshape(-1).to("cpu", torch.float64) for k in names])


def filter_normalize(direction: Mapping[str, Tensor], center: Mapping[str, Tensor],
                     include_bias_bn: bool = False) -> Params:
    """Li et al. §4: per filter (slice along dim 0: a weight row, a conv output channel)
    d_f ← d_f·‖θ_f‖/‖d_f‖. Tensors of ≤ 1 dimension are zeroed, or, when included, normalised element by
    element (each scalar is its own filter: |d_i| = |θ_i|)."""
    out: Params = {}
    for name, d in direction.items():
        if d.dim() <= 1 and not include_bias_bn:
            out[name] = torch.zeros_like(d)
            continue
        rows = (d.shape[0] if d.dim() else 1, -1)
        d_f, theta_f = d.reshape(rows), center[name].to(d.dtype).reshape(rows)
        scale = theta_f.norm(dim=1, keepdim=True) / d_f.norm(dim=1, keepdim=True).clamp_min(1e-12)
        out[name] = (d_f * scale).reshape(d.shape)
    return out


def random_directions(center: Mapping[str, Tensor], seed: int = 0, include_bias_bn: bool = False) -> Directions:
    """Two independent Gaussian directions, filter-normalised against ``center``."""
    gen = torch.Generator().manual_seed(seed)

    def one() -> Params:
        d = {k: torch.randn(v.shape, generator=gen, dtype=torch.float64).to(v.dtype) for k, v in center.items()}
        return filter_normalize(d, center, include_bias_bn)

    return Directions(one(), one())


def loss_surface(
    reporter: Reporter,
    model: nn.Module,
    data: Split,
    loss_fn: LossFn,
    directions: Directions,
    a_range: tuple[float, float] = (-1.0, 1.0),
    b_range: tuple[float, float] = (-1.0, 1.0),
    n: int = 41,
    device: DeviceLike = None,
    batch_points: int | None = None,
    center: Mapping[str, Tensor] | None = None,
    data_batch: int = 4096,
    memory: int = DEFAULT_MEMORY,
) -> LandscapeResult:
    """Job: the loss on an n×n grid of the plane center + a·d1 + b·d2 (center: the model's parameters
    unless given, e.g. a run snapshot, whose buffers such as BatchNorm statistics are used too), ``batch_points`` grid points per call (default: as many
    as fit in ``memory`` bytes), the data in slices of ``data_batch``. Streams
    :class:`LandscapeProgress` after each chunk; cancellable between chunks."""
    if n < 2:
        raise InputError(f"the grid needs at least 2 points per side, got {n}")
    dev = as_device(device)
    model = copy.deepcopy(model).to(dev).eval()
    with torch.no_grad():  # buffers (BatchNorm statistics) of the center state, e.g. a run snapshot
        for name, buf in model.named_buffers():
            if center is not None and name in center:
                buf.copy_(center[name])
    data = data.to(dev)
    theta = {k: v.to(dev) for k, v in parameters(model, center).items()}
    _check_directions(directions, theta)
    a = np.linspace(*a_range, n)
    b = np.linspace(*b_range, n)
    coords = torch.tensor(np.stack(np.meshgrid(a, b), axis=-1).reshape(-1, 2), dtype=torch.float64)
    chunk = batch_points or auto_batch_points(model, data, data_batch, memory)
    evaluate = _BatchedLoss(model, data, loss_fn, theta, directions, dev, data_batch)

    loss = np.full(n * n, np.nan)
    throttle = Throttle(0.1)
    one = data.take(slice(0, 1))
    with step_threads(lambda: model(*one.inputs), chunk * min(len(data), data_batch), dev):  # a chunk's FLOPs
        for start in range(0, n * n, chunk):
            reporter.check()
            stop = min(start + chunk, n * n)
            loss[start:stop] = evaluate(coords[start:stop].to(dev)).double().cpu().numpy()
            if throttle() or stop == n * n:
                reporter.partial(LandscapeProgress(a, b, loss.reshape(n, n).copy(), stop))
                reporter.progress(stop / (n * n), f"{stop}/{n * n} grid points")
    return LandscapeResult(a, b, loss.reshape(n, n), directions, {k: v.cpu() for k, v in theta.items()})


def point_loss(model: nn.Module, data: Split, loss_fn: LossFn, center: Mapping[str, Tensor],
               directions: Directions, a: float, b: float) -> float:
    """The loss at one point of the plane, evaluated alone (as the reference code does per grid point)."""
    params = {k: v + a * directions.d1[k] + b * directions.d2[k] for k, v in center.items()}
    with torch.no_grad():
        return float(loss_fn(functional_call(model, params, data.inputs), data.targets))


def auto_batch_points(model: nn.Module, data: Split, data_batch: int, memory: int = DEFAULT_MEMORY) -> int:
    """Grid points per chunk: ``memory`` over (batched weights + the activations of every leaf module
    for one data slice) per point, the activations measured with forward hooks on one sample."""
    sizes: list[int] = []
    hooks = [m.register_forward_hook(lambda _m, _i, out: sizes.append(_numel(out)))
             for m in model.modules() if not list(m.children())]
    try:
        with torch.no_grad():
            model(*(x[:1] for x in data.inputs))
    finally:
        for h in hooks:
            h.remove()
    item = next(model.parameters()).element_size()
    per_point = item * (sum(p.numel() for p in model.parameters()) + sum(sizes) * min(len(data), data_batch))
    return max(1, min(memory // per_point, 4096))


class _BatchedLoss:
    """Mean loss over the data at K grid points at once: vmap of functional_call over batched weights."""

    def __init__(self, model: nn.Module, data: Split, loss_fn: LossFn, theta: Params,
                 directions: Directions, device: torch.device, data_batch: int) -> None:
        self.data, self.theta, self.data_batch = data, theta, data_batch
        self.d1 = {k: v.to(device, theta[k].dtype) for k, v in directions.d1.items()}
        self.d2 = {k: v.to(device, theta[k].dtype) for k, v in directions.d2.items()}
        buffers = dict(model.named_buffers())
        # a plain MLP runs layer by layer without vmap (engines.landscape.mlp_plane); otherwise a leading linear
        # layer is computed once per data slice for all points (engines.landscape.first_layer)
        self.mlp = (MlpPlane(model, loss_fn, theta, self.d1, self.d2, data, data_batch)
                    if plain_mlp(model, data) else None)
        self.first = (FirstLayerPlane(model, loss_fn, theta, self.d1, self.d2)
                      if self.mlp is None and shared_first_layer(model, len(data.inputs)) else None)

        def one(params: Params, inputs: tuple[Tensor, ...], targets: Tensor) -> Tensor:
            return loss_fn(functional_call(model, (params, buffers), inputs), targets)

        self.batched = vmap(one, in_dims=(0, None, None))

    @torch.no_grad()
    def __call__(self, coords: Tensor) -> Tensor:
        if self.mlp is not None:
            return self.mlp(coords)
        names = self.first.names if self.first is not None else list(self.theta)
        params = {}
        for k in names:
            v = self.theta[k]
            shape = (-1,) + (1,) * v.dim()
            ca, cb = coords[:, 0].to(v.dtype).view(shape), coords[:, 1].to(v.dtype).view(shape)
            params[k] = v + ca * self.d1[k] + cb * self.d2[k]
        if self.first is None:
            return mean_over_data(self.batched, params, self.data, self.data_batch)
        first = self.first
        return mean_over_data(lambda p, x, y: first(coords, p, x, y), params, self.data, self.data_batch)


def project_path(path: Sequence[Mapping[str, Tensor]], center: Mapping[str, Tensor],
                 directions: Directions) -> PlaneProjection:
    """Coordinates of each θ_t − center in the fixed plane of ``directions`` (least squares), so paths
    of different optimizers can be compared on one landscape."""
    names = directions.names
    delta = torch.stack([flatten(p, names) for p in path]) - flatten(center, names)
    basis = directions.matrix()
    coords = torch.linalg.lstsq(basis, delta.T).solution.T
    residual = delta - coords @ basis.T
    r2, d2 = residual.square().sum(1), delta.square().sum(1)
    share = torch.where(d2 > 0, r2 / d2.clamp_min(1e-300), torch.zeros_like(d2))
    total = float(r2.sum() / d2.sum()) if float(d2.sum()) > 0 else 0.0
    return PlaneProjection(coords.numpy(), share.numpy(), total)


def pca_path(path: Sequence[Mapping[str, Tensor]], names: Sequence[str] | None = None,
             centered: bool = True) -> PathPCA:
    """The path's own plane: PCA of θ_t − θ_final (Li et al. §7), mean-centred like the reference's
    sklearn PCA unless ``centered`` is False. ``names``: the parameters to use (default every
    floating-point tensor; pass the model's parameter names to leave buffers out)."""
    if len(path) < 3:
        raise InputError(f"a PCA plane needs at least 3 snapshots, got {len(path)}")
    final = path[-1]
    names = list(names) if names is not None else [k for k, v in final.items() if v.is_floating_point()]
    delta = torch.stack([flatten(p, names) for p in path]) - flatten(final, names)
    matrix = delta - delta.mean(0) if centered else delta
    _, s, vh = torch.linalg.svd(matrix, full_matrices=False)
    energy = s.square()
    if float(energy.sum()) == 0:
        raise InputError("the snapshots are all identical: the path has no plane")
    components = vh[:2]
    coords = delta @ components.T
    signs = torch.where(coords[0] < 0, -1.0, 1.0).to(coords.dtype)  # the path starts at positive (a, b)
    components, coords = components * signs[:, None], coords * signs
    ratio = (energy[:2] / energy.sum()).numpy()
    dirs = [unflatten(c, names, final) for c in components]
    return PathPCA(coords.numpy(), Directions(*dirs), ratio, float(max(0.0, 1.0 - ratio.sum())))


def landscape_surface(result: LandscapeResult, name: str = "landscape") -> Surface:
    """The grid as a :class:`Surface`: bilinear interpolation (linear extrapolation beyond the grid),
    with its exact piecewise gradient, so the 2-D tools can draw and run optimizers on it."""
    a = torch.tensor(result.a, dtype=torch.float64)
    b = torch.tensor(result.b, dtype=torch.float64)
    z = torch.tensor(result.loss, dtype=torch.float64)

    def cell(xy: Tensor) -> tuple[Tensor, ...]:
        xy = xy.to(torch.float64)
        u = (xy[..., 0] - a[0]) / (a[1] - a[0])
        v = (xy[..., 1] - b[0]) / (b[1] - b[0])
        j = u.floor().clamp(0, len(a) - 2).long()
        i = v.floor().clamp(0, len(b) - 2).long()
        return u - j, v - i, z[i, j], z[i, j + 1], z[i + 1, j], z[i + 1, j + 1]

    def fn(xy: Tensor) -> Tensor:
        tx, ty, z00, z01, z10, z11 = cell(xy)
        return (1 - ty) * ((1 - tx) * z00 + tx * z01) + ty * ((1 - tx) * z10 + tx * z11)

    def grad(xy: Tensor) -> Tensor:
        tx, ty, z00, z01, z10, z11 = cell(xy)
        gx = ((1 - ty) * (z01 - z00) + ty * (z11 - z10)) / (a[1] - a[0])
        gy = ((1 - tx) * (z10 - z00) + tx * (z11 - z01)) / (b[1] - b[0])
        return torch.stack([gx, gy], dim=-1)

    i, j = np.unravel_index(np.nanargmin(result.loss), result.loss.shape)
    bounds = ((float(a[0]), float(a[-1])), (float(b[0]), float(b[-1])))
    return Surface(name, fn, bounds, ((float(result.a[j]), float(result.b[i])),), starts=((0.0, 0.0),),
                   grad_fn=grad)


def _check_directions(directions: Directions, theta: Params) -> None:
    for d in (directions.d1, directions.d2):
        if set(d) != set(theta):
            missing = sorted(set(theta) - set(d)) or sorted(set(d) - set(theta))
            raise InputError(f"the directions do not match the model's parameters (e.g. {missing[0]!r})")
        bad = [k for k, v in d.items() if v.shape != theta[k].shape]
        if bad:
            raise InputError(f"direction shape mismatch for {bad[0]!r}")


def unflatten(vector: Tensor, names: Sequence[str], like: Mapping[str, Tensor]) -> Params:
    """The inverse of :func:`flatten`: the named tensors, shaped and typed like those of ``like``."""
    out, start = {}, 0
    for k in names:
        numel = like[k].numel()
        out[k] = vector[start:start + numel].reshape(like[k].shape).to(like[k].dtype)
        start += numel
    return out


def _numel(out: Tensor | Sequence[Any] | Any) -> int:
    if isinstance(out, Tensor):
        return out.numel()
    if isinstance(out, (list, tuple)):
        return sum(_numel(o) for o in out)
    return 0

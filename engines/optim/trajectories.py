"""Many optimizer trajectories on a 2D surface, advanced together as batched torch computations.

All configurations share one position tensor P of shape (C, S, 2); configuration c steps the view P[c]
with one stepper (``batch_dims=1``), so a step costs one gradient call for everything plus one Python
call per configuration. Gaussian gradient noise turns SGD into Langevin dynamics (Su Jianlin,
"从动力学角度看优化算法(一)"). A trajectory that leaves the bounds enlarged ``bbox_scale`` times (or turns
infinite) is frozen at its last checked point and marked *diverged*; one that reaches a point where the
surface is not finite (``log(x)`` at x < 0, ``1/(x*y)`` on an axis) or whose position turns NaN is frozen and
marked *undefined*. :data:`STATUSES` names the three outcomes.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional, Sequence

import numpy as np
import torch
from torch import Tensor

from engines.device import DeviceLike, as_device
from engines.errors import InputError
from engines.jobs import Reporter, Throttle
from engines.optim.optimizers import build_optimizer
from engines.optim.spec import OptimizerSpec
from engines.optim.surfaces import Surface

CHECK_EVERY = 16
"""Divergence is checked at every recorded step and at least every CHECK_EVERY steps."""
STATUSES = ("ok", "diverged", "undefined")


class Batch:
    """Configurations × starts on one surface: positions ``P`` (C, S, 2), steppers, divergence."""

    def __init__(
        self,
        surface: Surface,
        specs: Sequence[OptimizerSpec],
        starts: Tensor,
        *,
        noise: float = 0.0,
        seed: int = 0,
        bbox_scale: float = 10.0,
    ) -> None:
        if not specs:
            raise InputError("choose at least one optimizer")
        if starts.dim() != 2 or starts.shape[-1] != 2 or starts.shape[0] == 0:
            raise InputError("starts must be a non-empty (S, 2) array of points")
        self.surface = surface
        self.P = starts.unsqueeze(0).repeat(len(specs), 1, 1).contiguous()
        self.steppers = [build_optimizer(s, [self.P[c]], batch_dims=1) for c, s in enumerate(specs)]
        self.needs_grad = any(not s.needs_closure for s in self.steppers)
        self.noise = float(noise)
        self.generator = torch.Generator(device=starts.device).manual_seed(int(seed)) if noise > 0 else None
        (x0, x1), (y0, y1) = surface.bounds
        like = dict(dtype=starts.dtype, device=starts.device)
        self.center = torch.tensor([(x0 + x1) / 2, (y0 + y1) / 2], **like)
        self.limit = torch.tensor([(x1 - x0) / 2, (y1 - y0) / 2], **like) * float(bbox_scale)
        C, S = self.P.shape[:2]
        self.dead = torch.zeros(C, S, dtype=torch.bool, device=starts.device)
        self.undefined = torch.zeros(C, S, dtype=torch.bool, device=starts.device)
        self.diverged_at = torch.full((C, S), -1, dtype=torch.long, device=starts.device)
        self.last_good = self.P.clone()
        self.last_value: Optional[Tensor] = None  # f at last_good
        self._value: Optional[Tensor] = None  # f at P, until the next step

    def _closure(self, params: list[Tensor]) -> Tensor:
        return self.surface.fn(params[0])

    def step(self) -> None:
        """One step of every trajectory."""
        self._value = None
        grads = self.surface.grad(self.P) if self.needs_grad else None
        if grads is not None and self.noise > 0:
            grads = grads + self.noise * torch.randn(grads.shape, generator=self.generator, dtype=grads.dtype, device=grads.device)
        for c, stepper in enumerate(self.steppers):
            stepper.step(None if grads is None or stepper.needs_closure else [grads[c]], self._closure)

    def check(self, step: int) -> None:
        """Freeze trajectories that left the box, turned non-finite or reached a point where f is not finite
        since the last check, marking when (``diverged_at``) and whether the surface was undefined there."""
        value = self.loss()
        out = ~((self.P - self.center).abs() <= self.limit).all(-1)  # NaN and ±inf are out too
        not_finite = ~torch.isfinite(value)
        new = (out | not_finite) & ~self.dead
        if bool(new.any()):  # (rare: the usual step does only the tests above)
            undefined = torch.isnan(self.P).any(-1) | (~out & not_finite)
            self.diverged_at.masked_fill_(new, step)
            self.undefined |= new & undefined
            self.dead |= new
        if bool(self.dead.any()):  # (at step 0 last_good is the start itself)
            self.P.copy_(torch.where(self.dead.unsqueeze(-1), self.last_good, self.P))
            if self.last_value is not None:
                value = torch.where(self.dead, self.last_value, value)
        self.last_good.copy_(self.P)
        self.last_value = self._value = value

    def loss(self) -> Tensor:
        """f at every position (computed once per step)."""
        if self._value is None:
            with torch.no_grad():
                self._value = self.surface.fn(self.P)
        return self._value

    def status(self) -> np.ndarray:
        """(C, S) index into :data:`STATUSES` of how each trajectory has ended so far."""
        return np.where(self.undefined.cpu().numpy(), 2, np.where(self.dead.cpu().numpy(), 1, 0))


def drive(
    reporter: Reporter,
    batch: Batch,
    steps: int,
    *,
    record_every: int = CHECK_EVERY,
    on_step: Optional[Callable[[int], None]] = None,
    on_emit: Optional[Callable[[int], None]] = None,
) -> None:
    """Advance ``batch`` by ``steps``: checks divergence, calls ``on_step(i)`` after each step, reports
    progress and ``on_emit(i)`` about every 0.1 s, and honours cancellation after every step."""
    throttle = Throttle(0.1)
    check_every = min(record_every, CHECK_EVERY)
    for i in range(1, steps + 1):
        batch.step()
        if i % check_every == 0 or i % record_every == 0 or i == steps:
            batch.check(i)
        if on_step is not None:
            on_step(i)
        reporter.check()
        if throttle() or i == steps:
            if on_emit is not None:
                on_emit(i)
            reporter.progress(i / steps, f"step {i}/{steps}")


@dataclass
class TrajectoryRequest:
    surface: Surface
    specs: list[OptimizerSpec]
    starts: np.ndarray  # (S, 2)
    steps: int
    noise: float = 0.0  # std of Gaussian noise added to every gradient (Langevin dynamics)
    seed: int = 0
    dtype: torch.dtype = torch.float32
    device: DeviceLike = "cpu"
    bbox_scale: float = 10.0
    record_every: int = 1
    record_state: bool = True


@dataclass
class TrajectoryResult:
    """Recorded steps T (step 0 is the start); C configurations, S starts."""

    positions: np.ndarray  # (C, S, T, 2)
    losses: np.ndarray  # (C, S, T)
    diverged_at: np.ndarray  # (C, S) step at which divergence was detected, -1 if never
    status: np.ndarray  # (C, S) index into STATUSES: ok, diverged (at diverged_at), undefined (at diverged_at)
    steps: np.ndarray  # (T,) step numbers
    states: dict[str, np.ndarray] = field(default_factory=dict)  # (C, S, T, 2), NaN where absent
    labels: list[str] = field(default_factory=list)


class _Recorder:
    """Preallocated numpy buffers filled at recorded steps; snapshots are prefix views."""

    def __init__(self, batch: Batch, record_steps: np.ndarray, record_state: bool, labels: list[str]) -> None:
        C, S = batch.P.shape[:2]
        T = len(record_steps)
        dtype = np.float32 if batch.P.dtype == torch.float32 else np.float64
        self.batch, self.labels, self.record_state = batch, labels, record_state
        self.record_steps = record_steps
        self.positions = np.full((C, S, T, 2), np.nan, dtype)
        self.losses = np.full((C, S, T), np.nan, dtype)
        self.states: dict[str, np.ndarray] = {}
        self.count = 0

    def record(self) -> None:
        k, b = self.count, self.batch
        self.positions[:, :, k] = b.P.cpu().numpy()
        self.losses[:, :, k] = b.loss().cpu().numpy()
        if self.record_state and k > 0:  # no optimizer state exists before the first step
            for c, stepper in enumerate(b.steppers):
                for key, value in stepper.state_view().items():
                    if key not in self.states:
                        self.states[key] = np.full(self.positions.shape, np.nan, self.positions.dtype)
                    self.states[key][c, :, k] = value.detach().reshape(-1, 2).cpu().numpy()
        self.count += 1

    def result(self) -> TrajectoryResult:
        k = self.count
        return TrajectoryResult(
            self.positions[:, :, :k], self.losses[:, :, :k], self.batch.diverged_at.cpu().numpy(),
            self.batch.status(), self.record_steps[:k], {key: v[:, :, :k] for key, v in self.states.items()}, list(self.labels))


def run_trajectories(reporter: Reporter, request: TrajectoryRequest) -> TrajectoryResult:
    """Run every configuration from every start; streams cumulative :class:`TrajectoryResult` partials."""
    if request.steps < 0 or request.record_every < 1:
        raise InputError("steps must be ≥ 0 and record_every ≥ 1")
    device = as_device(request.device)
    starts = torch.as_tensor(np.asarray(request.starts, dtype=np.float64), dtype=request.dtype, device=device)
    batch = Batch(request.surface, request.specs, starts, noise=request.noise, seed=request.seed,
                  bbox_scale=request.bbox_scale)
    batch.check(0)
    record_steps = np.unique(np.r_[np.arange(0, request.steps + 1, request.record_every), request.steps])
    recorder = _Recorder(batch, record_steps, request.record_state, [s.display for s in request.specs])
    recorder.record()

    def on_step(i: int) -> None:
        if i % request.record_every == 0 or i == request.steps:
            recorder.record()

    drive(reporter, batch, request.steps, record_every=request.record_every, on_step=on_step,
          on_emit=lambda i: reporter.partial(recorder.result()))
    return recorder.result()

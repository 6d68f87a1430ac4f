"""Diffusion benchmarks, measured in one run on one machine (no stored reference numbers).

1. Sampler overhead: the time of a whole sampling run against the time of the same number of bare model
   calls on the same batch (interleaved, fastest of several repeats), and the split of one run into time
   inside and outside the model calls; target ≤ 5 % over. With frame recording off and on (recording
   buffers on the device and copies to the host in chunks).
2. Quality at equal NFE on the exact Gaussian mixture: sliced Wasserstein of each sampler at NFE 10, 20,
   50 against 1000-step DDPM samples (and, as the floor, fresh samples of the mixture itself).

    python tests/benchmarks/bench_diffusion.py [--device cpu|cuda] [--batch 2048] [--width 128] [--threads N]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from engines.device import as_device  # noqa: E402
from engines.diffusion.catalogue import SAMPLERS  # noqa: E402
from engines.diffusion.metrics import sliced_wasserstein  # noqa: E402
from engines.diffusion.mixture import named_mixture  # noqa: E402
from engines.diffusion.models import VPModel  # noqa: E402
from engines.diffusion.networks import MLPDenoiser  # noqa: E402
from engines.diffusion.recording import FrameRecorder  # noqa: E402
from engines.diffusion.samplers import make_plan  # noqa: E402
from engines.diffusion.schedules import VPSchedule  # noqa: E402

FIXED_GRID_SAMPLERS = tuple(s.name for s in SAMPLERS if s.grid != "adaptive")  # the adaptive ODE is timed apart


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


class _Clock:
    """Wall time (after a synchronize on a GPU). On a shared machine the separate runs are compared by
    their fastest repeat; the in-run split (time inside vs outside model calls) is immune to sharing."""

    def __init__(self, device: torch.device) -> None:
        self.device = device

    def __call__(self) -> float:
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)
        return time.perf_counter()


class _Timed:
    """Wraps a model and adds up the time spent inside its calls (same run as the sampler around it)."""

    def __init__(self, model, clock: _Clock) -> None:
        self.model, self.clock, self.inside = model, clock, 0.0
        for name in ("shape", "sigma_min", "sigma_max", "schedule", "device", "kind"):
            setattr(self, name, getattr(model, name))

    def __call__(self, x, a, b):
        t = self.clock()
        out = self.model(x, a, b)
        self.inside += self.clock() - t
        return out


def overhead(device: torch.device, batch: int, nfe: int, repeats: int, args_width: int = 128):
    """Per sampler: calls, bare-call time, sampler/bare, sampler-with-recording/bare, outside/inside model."""
    torch.manual_seed(0)
    net = MLPDenoiser(dim=2, width=args_width, depth=3, emb=64).to(device).eval()
    model = VPModel(net, VPSchedule.make("linear"), "eps")
    noise = torch.randn(batch, 2, device=device)
    clock = _Clock(device)
    rows = []
    with torch.inference_mode():
        for _ in range(3):  # warm-up
            model(noise, 0.7, 0.7)
        for name in FIXED_GRID_SAMPLERS:
            plan = make_plan(name, model, nfe)
            gen = torch.Generator(device=device).manual_seed(1)
            calls = []
            plan.run(lambda x, a, b: (calls.append((a, b)), model(x, a, b))[1], noise, None, gen)
            bare_t, plain_t, rec_t, split = [], [], [], []
            for _ in range(repeats):
                t = clock()
                for a, b in calls:  # the same (a, b) sequence, the same batch
                    model(noise, a, b)
                bare_t.append(clock() - t)
                t = clock()
                plan.run(model, noise, None, gen)
                plain_t.append(clock() - t)
                rec = FrameRecorder()
                t = clock()
                plan.run(model, noise, rec, gen)
                rec.frames()
                rec_t.append(clock() - t)
                timed = _Timed(model, clock)
                t = clock()
                plan.run(timed, noise, FrameRecorder(), gen)
                total = clock() - t
                split.append((total - timed.inside) / timed.inside)
            bare = min(bare_t)
            rows.append((name, len(calls), bare, min(plain_t) / bare, min(rec_t) / bare, float(np.median(split))))
    return rows


def quality(device: torch.device, n: int, mixture_name: str) -> tuple[dict[str, dict[int, float]], float]:
    mix = named_mixture(mixture_name).to(device)
    ref_noise = torch.randn(n, 2, generator=torch.Generator().manual_seed(1000)).to(device)
    with torch.inference_mode():
        reference = make_plan("ddpm", mix, 1000).run(mix, ref_noise, None, torch.Generator(device=device).manual_seed(7))
        reference = reference.cpu().numpy()
        floor = sliced_wasserstein(mix.sample(n, torch.Generator().manual_seed(5)).cpu().numpy(), reference)
        noise = torch.randn(n, 2, generator=torch.Generator().manual_seed(0)).to(device)
        table: dict[str, dict[int, float]] = {}
        for name in FIXED_GRID_SAMPLERS:
            table[name] = {}
            for nfe in (10, 20, 50):
                x = make_plan(name, mix, nfe).run(mix, noise, None, torch.Generator(device=device).manual_seed(3))
                table[name][nfe] = sliced_wasserstein(x.cpu().numpy(), reference)
        ode = make_plan("pf_ode", mix, 1).run
        calls = []
        x = ode(lambda z, a, b: (calls.append(1), mix(z, a, b))[1], noise)
        table[f"pf_ode (RK45, {len(calls)} calls)"] = {0: sliced_wasserstein(x.cpu().numpy(), reference)}
    return table, floor


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--batch", type=int, default=2048)
    parser.add_argument("--width", type=int, default=128, help="width of the MLP denoiser (3 residual layers)")
    parser.add_argument("--nfe", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--quality-samples", type=int, default=20000)
    parser.add_argument("--mixture", default="eight_gaussians")
    parser.add_argument("--skip-quality", action="store_true")
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    device = as_device(args.device)
    print(f"device {device}, torch {torch.__version__}, {torch.get_num_threads()} threads, batch {args.batch}")
    print(f"\nSampler overhead at NFE {args.nfe} (MLP {args.width}×3 denoiser, batch {args.batch}); ratio = sampler time / "
          f"bare model calls")
    print("| sampler | calls | bare calls (ms) | sampler / bare | with frame recording / bare | "
          "time outside model calls, same run (with recording) |\n|---|---|---|---|---|---|")
    worst = 0.0
    for name, calls, bare, plain, rec, split in overhead(device, args.batch, args.nfe, args.repeats, args.width):
        worst = max(worst, split)
        print(f"| {name} | {calls} | {1e3 * bare:.1f} | {plain:.3f} | {rec:.3f} | {100 * split:+.2f} % |")
    print(f"worst in-run overhead (time outside model calls / time inside, recording on): {100 * worst:+.2f} % "
          f"(target ≤ +5 %).\nRatios of separate runs: fastest of {args.repeats} repeats each; on a shared machine they "
          f"carry its noise, the in-run split (median of {args.repeats}) does not.")
    if args.skip_quality:
        return 0
    table, floor = quality(device, args.quality_samples, args.mixture)
    print(f"\nSliced Wasserstein (128 directions) to 1000-step DDPM on the exact '{args.mixture}' mixture, "
          f"{args.quality_samples} samples from shared noise; floor (fresh mixture samples vs DDPM): {floor:.4f}")
    print("| sampler | NFE 10 | NFE 20 | NFE 50 |\n|---|---|---|---|")
    for name, row in table.items():
        if 0 in row:
            print(f"| {name} | {row[0]:.4f} (adaptive) | | |")
        else:
            print(f"| {name} | {row[10]:.4f} | {row[20]:.4f} | {row[50]:.4f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())

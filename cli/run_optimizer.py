"""Run optimizers on a 2-D loss surface and write trajectories.csv, figure.png, figure.svg and sidecar.json.

SPEC, one per --optimizer (repeat the option to compare several):

    SPEC  := OPTIMIZER[:KEY=VALUE,...] [+WRAPPER[:KEY=VALUE,...] ...] [@LABEL]
    VALUE := a number, a tuple of numbers joined by "/" (betas=0.9/0.999), or true/false

  optimizers: sgd momentum nesterov adagrad rmsprop adadelta adam adamw amsgrad nadam radam lion zeroth_order
  wrappers (Su Jianlin's derived optimizers, applied in the order given):
    weight_decay:rate  layer_adaptation  piecewise_lr:STEP=FACTOR,...  warmup:steps  cosine:steps,floor
    accumulate:k  lookahead:k,alpha  lazy

examples:
  workbench run optimizer --surface rosenbrock --optimizer sgd:lr=0.001 \\
      --optimizer momentum:lr=0.0005,momentum=0.9 --optimizer adam:lr=0.05 --out out/
  workbench run optimizer --surface himmelblau --optimizer "adam:lr=0.01,betas=0.9/0.999+lookahead:k=5,alpha=0.5" \\
      --start 0,0 --start=-4,4 --steps 1000 --out out/
  workbench run optimizer --expr "sin(x)*cos(y) + 0.1*(x**2 + y**2)" --optimizer "sgd:lr=0.05@plain" \\
      --optimizer "sgd:lr=0.05+piecewise_lr:100=1,400=0.1@scheduled" --out out/

trajectories.csv has one row per optimizer, start and step (step 0 is the start point):
optimizer,start,step,x,y,loss.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from cli.plumbing import add_out, device_of, output_folder, run_task
from workbench.panels.optimizer.work import DEFAULT_SPECS, SurfaceChoice

VERB, NAME = "run", "optimizer"
HELP = "Optimizer trajectories: run optimizers on a 2-D surface"
FIGURE_SIZE = (1000, 800)


def _point(text: str) -> tuple[float, float]:
    try:
        x, y = (float(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected X,Y such as -1.5,2 — got {text!r}") from None
    return x, y


def _param(text: str) -> tuple[str, float]:
    key, eq, value = text.partition("=")
    try:
        if not eq or not key.strip():
            raise ValueError
        return key.strip(), float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected KEY=NUMBER such as kappa=50 — got {text!r}") from None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--surface", default="rosenbrock", metavar="NAME",
                        help="built-in surface: rosenbrock beale rastrigin himmelblau booth styblinski_tang saddle "
                             "monkey_saddle quadratic (default rosenbrock)")
    source.add_argument("--expr", metavar="TEXT", help='a formula f(x, y) instead, e.g. "x**2 + 10*sin(y)"')
    parser.add_argument("--param", action="append", type=_param, default=[], metavar="KEY=VALUE",
                        help="a surface parameter, repeatable: rosenbrock a,b; rastrigin A; quadratic kappa,angle,scale")
    parser.add_argument("--optimizer", action="append", metavar="SPEC",
                        help=f"an optimizer SPEC (see above), repeatable (default: {' '.join(DEFAULT_SPECS)})")
    parser.add_argument("--start", action="append", type=_point, metavar="X,Y",
                        help="a start point, repeatable; write --start=-1.5,2 when x is negative "
                             "(default: the surface's own starts)")
    parser.add_argument("--steps", type=int, default=500, metavar="N", help="optimizer steps (default 500)")
    parser.add_argument("--noise", type=float, default=0.0, metavar="SIGMA",
                        help="std of Gaussian noise added to each gradient: Langevin dynamics (default 0)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the gradient noise (default 0)")
    add_out(parser)


def run(args: argparse.Namespace) -> int:
    import numpy as np

    from engines.errors import InputError
    from engines.export.tables import write_csv
    from tasks.outputs import write_sidecar
    from workbench.panels.optimizer.work import run_trajectories_job, trajectory_table

    if args.steps < 1:
        raise InputError(f"--steps must be at least 1, got {args.steps}")
    if args.noise < 0:
        raise InputError(f"--noise must be non-negative, got {args.noise}")
    if args.expr is not None:
        choice = SurfaceChoice(name="expression", expression=args.expr)
        if args.param:
            raise InputError("--param goes with --surface, not --expr")
    else:
        choice = SurfaceChoice(name=args.surface, params=tuple(args.param))
    specs = list(args.optimizer or DEFAULT_SPECS)
    starts = np.asarray(args.start, float) if args.start else None
    device = device_of(args)
    out = output_folder(args.out)
    snapshot = run_task(run_trajectories_job, choice, specs, starts, args.steps, noise=args.noise, seed=args.seed,
                        device=device)
    result = snapshot.result
    write_csv(out / "trajectories.csv", trajectory_table(result))
    _write_figures(snapshot, f"{choice.describe()}: {snapshot_title(snapshot)}", out)
    parameters = {
        "panel": "optimizer", "surface": choice.as_dict(), "optimizers": specs, "labels": result.labels,
        "starts": snapshot.starts.tolist(), "steps": args.steps, "noise": args.noise, "seed": args.seed,
        "device": device, "diverged_at": result.diverged_at.tolist(),
    }
    write_sidecar(out, parameters)
    rows = result.losses.size
    print(f"wrote {rows} rows to {out / 'trajectories.csv'}, figure.png, figure.svg and sidecar.json")
    return 0


def _write_figures(snapshot, title: str, out: Path) -> None:
    """Render the surface view offscreen at the last step and save it as PNG and SVG."""
    from cli.render import offscreen_app

    app = offscreen_app()
    from workbench.export.figure import export_png, export_svg
    from workbench.panels.optimizer.surface_view import SurfaceView

    view = SurfaceView()
    view.resize(*FIGURE_SIZE)
    view.set_surface(snapshot.x, snapshot.y, snapshot.layers, snapshot.minima)
    view.set_starts(snapshot.starts)
    r = snapshot.result
    view.set_trajectories(r.positions, r.losses, r.steps, r.labels, r.states)
    view.show_index(len(r.steps) - 1)
    view.getPlotItem().setTitle(title)
    view.show()
    app.processEvents()
    export_png(view, out / "figure.png", scale=2.0)
    export_svg(view, out / "figure.svg")
    view.close()


def snapshot_title(snapshot) -> str:
    steps = int(snapshot.result.steps[-1]) if snapshot.result is not None and len(snapshot.result.steps) else 0
    return f"{len(snapshot.labels)} optimizers × {len(snapshot.starts)} starts, {steps} steps"

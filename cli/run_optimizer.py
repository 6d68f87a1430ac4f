"""``workbench run optimizer``: run optimizers on a 2-D loss surface and write trajectories.csv, figure.png,
figure.svg and sidecar.json (the description below lists the catalogues' optimizers, wrappers and surfaces)."""
from __future__ import annotations

import argparse
from pathlib import Path

from cli.parser import allow_dash_values
from cli.plumbing import Append, add_option, add_out, device_of, output_folder, run_task
from engines.catalogue import Option
from engines.optim.catalogue import EXPRESSION_HELP, OPTIMIZERS, SURFACES, WRAPPERS, show
from tasks.optimizer import DEFAULT_SPECS, DEFAULT_SURFACE, NOISE, SEED, STEPS, SurfaceChoice, TrajectoriesRequest

VERB, NAME = "run", "optimizer"
HELP = "Optimizer trajectories: run optimizers on a 2-D surface"
INDENT = 20


def _short(citation: str) -> str:
    """"Kingma & Ba 2015" of "Kingma & Ba 2015: Adam: ..."."""
    return citation.partition(":")[0]


def _row(name: str, first: str, second: str = "") -> str:
    lines = f"  {name:<{INDENT - 2}}{first}"
    return lines + (f"\n{'':<{INDENT}}{second}" if second else "")


def _parameter(option: Option) -> str:
    bounded = option.minimum is not None or option.maximum is not None
    return f"{option.name}={show(option.default)}" + (f" ({option.range_text})" if bounded else "")


def _description() -> str:
    optimizers = "\n".join(
        _row(e.name, f"{e.description} ({_short(e.citation)})" if e.citation else e.description, e.describe_defaults())
        for e in OPTIMIZERS)
    wrappers = "\n".join(_row(w.name, w.description, w.describe_defaults()) for w in WRAPPERS)
    surfaces = "\n".join(_row(s.name, s.description, ", ".join(_parameter(o) for o in s.options)) for s in SURFACES)
    return f"""Run optimizers on a 2-D loss surface and write trajectories.csv, figure.png, figure.svg and sidecar.json.

SPEC, one per --optimizer (repeat the option to compare several):

    SPEC  := OPTIMIZER[:KEY=VALUE,...] [+WRAPPER[:KEY=VALUE,...] ...] [@LABEL]
    VALUE := a number, a tuple of numbers joined by "/" (betas=0.9/0.999), or true/false

optimizers, with the defaults a KEY=VALUE overrides:
{optimizers}
wrappers (Su Jianlin's derived optimizers, applied in the order given):
{wrappers}
surfaces (--surface NAME, their parameters set with --param KEY=VALUE):
{surfaces}

examples:
  workbench run optimizer --surface rosenbrock --optimizer sgd:lr=0.001 \\
      --optimizer momentum:lr=0.0005,momentum=0.9 --optimizer adam:lr=0.05 --out out/
  workbench run optimizer --surface himmelblau --optimizer "adam:lr=0.01,betas=0.9/0.999+lookahead:k=5,alpha=0.5" \\
      --start 0,0 --start -4,4 --steps 1000 --out out/
  workbench run optimizer --expr "sin(x)*cos(y) + 0.1*(x**2 + y**2)" --optimizer "sgd:lr=0.05@plain" \\
      --optimizer "sgd:lr=0.05+piecewise_lr:100=1,400=0.1@scheduled" --out out/

trajectories.csv has one row per optimizer, start and step (step 0 is the start point):
optimizer,start,step,x,y,loss,status. status is ok, or from the step it happened on diverged (the run went
far outside the bounds or overflowed) or undefined (it reached a point where the surface is not finite,
such as log(x) at x < 0); such a run stays where it stopped.
"""


__doc__ = _description()  # the command's --help description (cli/__init__.py shows the module's __doc__)


def _points(text: str) -> list[tuple[float, float]]:
    """``X,Y`` or several points ``X,Y;X,Y;...`` (one option for many starts)."""
    try:
        pairs = [tuple(float(v) for v in item.split(",")) for item in text.split(";") if item.strip()]
        if not pairs or any(len(pair) != 2 for pair in pairs):
            raise ValueError
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected X,Y such as -1.5,2 (or X,Y;X,Y;... for several) — got {text!r}") from None
    return pairs


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
    source.add_argument("--surface", default=DEFAULT_SURFACE, metavar="NAME",
                        help=f"a built-in surface (listed above; default {DEFAULT_SURFACE})")
    source.add_argument("--expr", metavar="TEXT", help=f"a formula f(x, y) instead. {EXPRESSION_HELP}")
    takes = "; ".join(f"{s.name} {','.join(o.name for o in s.options)}" for s in SURFACES if s.options)
    parser.add_argument("--param", action=Append, type=_param, default=[], metavar="KEY=VALUE",
                        help=f"a surface parameter, repeatable: {takes}")
    parser.add_argument("--optimizer", action=Append, metavar="SPEC",
                        help=f"an optimizer SPEC (see above), repeatable (default: {' '.join(DEFAULT_SPECS)})")
    parser.add_argument("--start", action=Append, type=_points, metavar="X,Y",
                        help="a start point such as -1.5,2, repeatable, or several as X,Y;X,Y;... "
                             "(default: the surface's own starts)")
    allow_dash_values(parser, "--start", "--expr")
    for option in (STEPS, NOISE, SEED):
        add_option(parser, option)
    add_out(parser)


def run(args: argparse.Namespace) -> int:
    import numpy as np

    from engines.errors import InputError
    from engines.export.staging import staged_outputs
    from engines.export.tables import write_csv
    from tasks.optimizer import endings, run_parameters, trajectories_job, trajectory_table
    from tasks.outputs import write_sidecar

    if args.expr is not None:
        choice = SurfaceChoice(name="expression", expression=args.expr)
        if args.param:
            raise InputError("--param goes with --surface, not --expr")
    else:
        choice = SurfaceChoice(name=args.surface, params=tuple(args.param))
    starts = np.asarray([p for points in args.start for p in points], float) if args.start else None
    request = TrajectoriesRequest(choice, tuple(args.optimizer or DEFAULT_SPECS), starts, args.steps, args.noise,
                                  args.seed, device_of(args))
    out = output_folder(args.out)
    snapshot = run_task(trajectories_job, request)
    with staged_outputs(out) as stage:
        write_csv(stage / "trajectories.csv", trajectory_table(snapshot.result))
        _write_figures(snapshot, choice.describe(), stage)
        write_sidecar(stage, run_parameters(snapshot))
    rows = snapshot.result.losses.size
    print(f"wrote {rows} rows to {out / 'trajectories.csv'}, figure.png, figure.svg and sidecar.json")
    for sentence in endings(snapshot.result, "trajectories.csv"):
        print(f"{sentence}.")
    return 0


def _write_figures(snapshot, surface: str, out: Path) -> None:
    """Render the surface view offscreen at the last step and save it as PNG and SVG."""
    from cli.render import FIGURE_SCALE, FIGURE_SIZE, offscreen_app

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
    view.getPlotItem().setTitle(f"{surface}: {snapshot_title(snapshot)}")
    view.show()
    app.processEvents()
    export_png(view, out / "figure.png", scale=FIGURE_SCALE)
    export_svg(view, out / "figure.svg")
    view.close()


def snapshot_title(snapshot) -> str:
    """"2 optimizers × 1 start, 500 steps"."""
    from engines.wording import counted

    steps = int(snapshot.result.steps[-1]) if snapshot.result is not None and len(snapshot.result.steps) else 0
    return (f"{counted(len(snapshot.labels), 'optimizer')} × {counted(len(snapshot.starts), 'start')}, "
            f"{counted(steps, 'step')}")

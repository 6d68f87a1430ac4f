"""Train several optimizers on one real network (the digits MLP, with and
without BatchNorm, or a checkpoint) from the same weights on the same minibatches, and compare them on one
loss landscape (Li et al. 2018), with the smoothness measures of Santurkar et al. 2018, the top Hessian
eigenvalue beside 2/lr (Cohen et al. 2021) and the loss between end points (Goodfellow et al. 2015).

writes DIR/landscape.npz (alpha_TAG, beta_TAG, loss_TAG per landscape, TAG no_bn or bn; rows of loss follow
beta), paths.csv (run, optimizer, bn, step, alpha, beta, loss, off_plane), interpolation.csv (run_a,
run_b, t, train_loss, test_loss, test_accuracy), curvature.csv (run, step, top_eigenvalue, lr),
smoothness.csv (run, step, loss_range, gradient_change, beta_smoothness), figure.png and sidecar.json,
replacing an earlier run's files together or not at all.

examples:
  workbench run landscape --optimizer sgd:lr=0.1 --optimizer adam:lr=0.003 --bn both --out out/land
  workbench run landscape --checkpoint runs/mlp --optimizer "sgd:lr=0.05+lookahead:k=5,alpha=0.5" \\
      --optimizer adam:lr=0.001 --plane endpoints --out out/land
"""
from __future__ import annotations

import argparse
from pathlib import Path

from cli.plumbing import Append, add_option, add_out, device_of, output_folder, run_task
from engines.landscape.catalogue import BATCH_SIZE, BN, CURVATURE_EVERY, GRID, PLANE, SEED, STEPS

VERB, NAME = "run", "landscape"
HELP = "Real-network landscapes: several optimizers on one loss plane, BatchNorm on/off"
BUILT_IN = "digits-mlp"
DEFAULT_SPECS = ("sgd:lr=0.1", "adam:lr=0.003")
FILES = ("landscape.npz", "paths.csv", "interpolation.csv", "curvature.csv", "smoothness.csv", "figure.png")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--checkpoint", default=BUILT_IN, metavar=f"PATH|{BUILT_IN}",
                        help=f"the network to train: the built-in digits MLP ({BUILT_IN}, default) or a file the "
                             "real-network view opens (a training-run folder, a checkpoint), trained from its weights")
    add_option(parser, BN)
    parser.add_argument("--optimizer", action=Append, metavar="SPEC",
                        help="an optimizer SPEC as in `workbench run optimizer` (wrappers with +), repeatable "
                             f"(default: {' '.join(DEFAULT_SPECS)})")
    add_option(parser, PLANE)
    for option in (GRID, STEPS, BATCH_SIZE, SEED, CURVATURE_EVERY):
        add_option(parser, option, metavar="N")
    add_out(parser)


def run(args: argparse.Namespace) -> int:
    from engines.export.staging import staged_outputs
    from engines.export.tables import write_csv, write_npz
    from tasks.landscape_compare import CompareRequest, compare_job, compare_tables, landscape_arrays
    from tasks.outputs import write_sidecar

    checkpoint = None if args.checkpoint == BUILT_IN else args.checkpoint
    request = CompareRequest(tuple(args.optimizer or DEFAULT_SPECS), args.bn, args.plane, args.steps, args.grid,
                             args.batch_size, args.seed, checkpoint, args.curvature_every,
                             device_of(args)).validated()
    out = output_folder(args.out)
    snap = run_task(compare_job, request)
    with staged_outputs(out) as stage:
        write_npz(stage / "landscape.npz", landscape_arrays(snap))
        for name, columns in compare_tables(snap).items():
            write_csv(stage / f"{name}.csv", columns)
        _figure(snap, stage / "figure.png")
        write_sidecar(stage, {"panel": "optimizer", "command": NAME, **request.parameters(),
                              "centres": {("bn" if land.bn else "no_bn"): land.center for land in snap.landscapes}})
    for land in snap.landscapes:
        print(f"{'BN' if land.bn else 'no BN'} landscape ({land.plane} plane, centre: {land.center}): "
              f"loss {_range(land.loss)}")
    for r in snap.runs:
        print(f"{r.label}: final training loss {r.path_loss[-1]:.4g}, test accuracy {r.test_accuracy:.3f}, "
              f"at most {100 * r.off_plane.max():.1f}% of a snapshot's distance² from the centre off the plane")
    print(f"wrote {', '.join(FILES)} and sidecar.json to {out}")
    return 0


def _range(loss) -> str:
    import numpy as np

    finite = loss[np.isfinite(loss)]
    bad = loss.size - finite.size
    text = f"{finite.min():.4g} to {finite.max():.4g}" if finite.size else "not finite anywhere"
    return text + (f" ({bad} grid points not finite)" if bad and finite.size else "")


def _figure(snap, path: Path) -> None:
    """The landscapes side by side on one colour scale (log₁₀ loss), each with its runs' paths (white: the
common start, coloured: the end points) and its centre (+)."""
    import numpy as np

    from cli.render import FIGURE_SCALE, FIGURE_SIZE, offscreen_app

    app = offscreen_app()
    import pyqtgraph as pg

    from workbench.export.figure import export_png
    from workbench.panels.optimizer.heatmap import Heatmap
    from workbench.panels.optimizer.style import color

    view = pg.GraphicsLayoutWidget()
    view.setBackground("k")
    view.resize(*FIGURE_SIZE)
    logs = [np.log10(np.maximum(land.loss, 1e-12)) for land in snap.landscapes]
    finite = np.concatenate([z[np.isfinite(z)] for z in logs])
    levels = (float(finite.min()), float(finite.max())) if finite.size else None
    for col, (land, z) in enumerate(zip(snap.landscapes, logs)):
        plot = view.addPlot(row=0, col=col)
        heatmap = Heatmap(plot, label=f"log₁₀ {snap.loss_name}")
        a, b = land.a, land.b
        da, db = (a[-1] - a[0]) / (len(a) - 1), (b[-1] - b[0]) / (len(b) - 1)
        heatmap.set(z, (a[0] - da / 2, b[0] - db / 2, a[-1] - a[0] + da, b[-1] - b[0] + db), levels)
        plot.addLegend(offset=(5, 5), labelTextSize="10pt")
        for i, r in enumerate(snap.runs):
            if r.bn != land.bn or r.path is None:
                continue
            pen = pg.mkPen(color(i), width=2)
            plot.plot(r.path[:, 0], r.path[:, 1], pen=pen,
                      name=f"{r.label} (≤ {100 * r.off_plane.max():.0f}% off plane)")
            plot.plot(r.path[[-1], 0], r.path[[-1], 1], pen=None, symbol="o", symbolBrush=color(i), symbolSize=8)
            plot.plot(r.path[[0], 0], r.path[[0], 1], pen=None, symbol="o", symbolBrush="w", symbolSize=8)
        plot.plot([0.0], [0.0], pen=None, symbol="+", symbolPen="w", symbolSize=12)
        axes = {"pca": ("PC 1", "PC 2"), "endpoints": ("α (start → first end point)", "β (start → second end point)"),
                "random": ("α (filter-normalised direction 1)", "β (filter-normalised direction 2)")}[land.plane]
        plot.setLabel("bottom", axes[0])
        plot.setLabel("left", axes[1])
        explained = (f", {100 * float(np.sum(land.explained)):.0f}% of the variance"
                     if land.explained is not None else "")
        plot.setTitle(f"{'BatchNorm' if land.bn else 'no BatchNorm'}: {land.plane} plane{explained}<br>"
                      f"+ = {land.center}", size="9pt")
    view.show()
    app.processEvents()
    export_png(view, path, scale=FIGURE_SCALE)
    view.close()

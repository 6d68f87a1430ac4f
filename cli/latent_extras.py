"""What ``workbench run latent`` writes beside its walk: ``--report`` (report.json, the geometry report) and
``--map`` (map.csv: index, x, y, label of every encoded item)."""
from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from cli.plumbing import add_option, run_task


@dataclass
class Extras:
    report: Any = None  # GeometryReport
    latent_map: Any = None  # LatentMap
    encoding: Any = None  # tasks.latent_report.Encoding


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from tasks.latent_map import MAP
    from tasks.latent_report import ANGLE_PAIRS, REPORT

    add_option(parser, REPORT)
    add_option(parser, ANGLE_PAIRS)
    add_option(parser, MAP)


def parameters(args: argparse.Namespace) -> dict[str, Any]:
    return {"report": args.report, "angle_pairs": args.angle_pairs, "map": args.map}


def compute(args: argparse.Namespace, data) -> Optional[Extras]:
    """The report and the map that ``args`` ask for (None when neither)."""
    from tasks.latent_map import map_job
    from tasks.latent_report import encoding_job, report_job

    if not args.report and not args.map:
        return None
    extras = Extras()
    if args.report:
        extras.encoding, extras.report = run_task(report_job, args.checkpoint, data, args.angle_pairs,
                                                  args.pairs)
    else:
        extras.encoding = run_task(encoding_job, args.checkpoint, data)
    if args.map:
        extras.latent_map = run_task(map_job, extras.encoding.encoded.z, args.map,
                                     process=args.map in ("tsne", "umap"))
    return extras


def write(stage: Path, extras: Optional[Extras]) -> list[str]:
    """Write the extras into the staging folder; the names written."""
    import json

    import numpy as np

    from engines.export.atomic import atomic_write_text
    from engines.export.tables import write_csv

    if extras is None:
        return []
    names = []
    if extras.report is not None:
        atomic_write_text(stage / "report.json", json.dumps(extras.report.as_dict(), indent=2) + "\n")
        names.append("report.json")
    if extras.latent_map is not None:
        enc = extras.encoding.encoded
        xy = extras.latent_map.xy
        write_csv(stage / "map.csv", {"index": np.asarray(enc.data.all_rows), "x": xy[:, 0], "y": xy[:, 1],
                                      "label": np.asarray(enc.labels)})
        names.append("map.csv")
    return names


def summary(extras: Optional[Extras]) -> list[str]:
    """Lines for the terminal: the report's headline numbers."""
    if extras is None or extras.report is None:
        return []
    r = extras.report
    d = r.as_dict()
    lines = [f"report: shell sqrt(n) {r.shell.radius:.3g}, codes' mean norm {r.shell.mean:.3g} (mean relative "
             f"deviation {r.shell.relative_deviation:.3f}, prior samples {r.shell.prior_relative_deviation:.3f}); "
             f"prior pairs' angles KS {r.prior_angles.ks_statistic:.3f} (p {r.prior_angles.p_value:.2g})",
             f"report: {r.data_angle_sentence()}",
             f"report: path length lerp {r.path_length['lerp']:.4g}, slerp {r.path_length['slerp']:.4g}"]
    if r.kl_per_dim is not None:
        lines.append(f"report: {len(r.active)} of {r.latent_size} dimensions active (KL > 0.01 nats); held-out "
                     f"negative ELBO {r.heldout['negative_elbo']:.4g} nats per item")
    else:
        lines.append(f"report: held-out NLL {r.heldout['nll']:.4g} nats per item ({r.heldout['bits_per_dim']:.4g} bits/dim)")
    if d["non_finite"]:
        lines.append(f"report: not finite (null in report.json): {', '.join(d['non_finite'])}")
    return lines

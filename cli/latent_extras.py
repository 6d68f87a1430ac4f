"""What ``workbench run latent`` writes beside its walk: ``--report`` (report.json, the geometry report),
``--map`` (map.csv: index, x, y, label of every encoded item) and ``--attribute A:B --strength S``
(attribute.png and attribute.npz: an item moved along the attribute vector)."""
from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

import numpy as np

from cli.plumbing import add_option, run_task


@dataclass
class Extras:
    report: Any = None  # GeometryReport
    latent_map: Any = None  # LatentMap
    encoding: Any = None  # tasks.latent_report.Encoding
    attribute: Any = None  # tasks.latent_directions.AttributeStrip


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from tasks.latent_directions import ATTRIBUTE, STRENGTH
    from tasks.latent_map import MAP
    from tasks.latent_report import ANGLE_PAIRS, REPORT

    add_option(parser, REPORT)
    add_option(parser, ANGLE_PAIRS)
    add_option(parser, MAP)
    add_option(parser, ATTRIBUTE, metavar="A:B", type=_attribute)
    add_option(parser, STRENGTH)


def _attribute(text: str) -> tuple[int, int]:
    from engines.errors import InputError
    from tasks.latent_directions import parse_attribute

    try:
        return parse_attribute(text)
    except InputError as e:
        raise argparse.ArgumentTypeError(str(e).removeprefix("--attribute ")) from None


def parameters(args: argparse.Namespace) -> dict[str, Any]:
    return {"report": args.report, "angle_pairs": args.angle_pairs, "map": args.map, "attribute": "%d:%d" % args.attribute if args.attribute else None,
            "strength": args.strength}


def compute(args: argparse.Namespace, data) -> Optional[Extras]:
    """The report and the map that ``args`` ask for (None when neither)."""
    from tasks.latent_map import map_job
    from tasks.latent_report import encoding_job, report_job

    from tasks.latent_directions import attribute_job

    if not args.report and not args.map and not args.attribute:
        return None
    labels = args.attribute
    extras = Extras()
    if args.report:
        extras.encoding, extras.report = run_task(report_job, args.checkpoint, data, args.angle_pairs,
                                                  args.pairs)
    else:
        extras.encoding = run_task(encoding_job, args.checkpoint, data)
    if args.map:
        extras.latent_map = run_task(map_job, extras.encoding.encoded.z, args.map,
                                     process=args.map in ("tsne", "umap"))
    if labels:
        enc = extras.encoding
        index = None if args.start is None else enc.encoded.data.position_of(args.start)
        extras.attribute = run_task(attribute_job, enc.checkpoint.model, enc.encoded, *labels, args.strength, index)
    return extras


def write(stage: Path, extras: Optional[Extras]) -> list[str]:
    """Write the extras into the staging folder; the names written."""
    import json

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
    if extras.attribute is not None:
        write_attribute(stage, extras)
        names += ["attribute.png", "attribute.npz"]
    return names


def write_attribute(stage: Path, extras: Extras) -> None:
    from cli.run_latent import write_points_figure, write_strip
    from engines.export.tables import write_npz

    a, rows = extras.attribute, extras.encoding.encoded.data.all_rows
    image = extras.encoding.checkpoint.config.is_image
    (write_strip if image else write_points_figure)(stage / "attribute.png", a.decoded)
    write_npz(stage / "attribute.npz", {"strength": a.strengths, "vector": a.vector, "latents": a.codes,
                                        "decoded": a.decoded, "labels": np.asarray(a.labels),
                                        "row": np.asarray(int(rows[a.index]))})


def summary(extras: Optional[Extras]) -> list[str]:
    """Lines for the terminal: the report's headline numbers."""
    if extras is None:
        return []
    lines = []
    if extras.attribute is not None:
        a = extras.attribute
        enc = extras.encoding.encoded
        lines.append(f"attribute: row {int(enc.data.all_rows[a.index])} (label {int(enc.labels[a.index])}) plus strength 0 to "
                     f"{a.strengths[-1]:g} × (mean code of label {a.labels[0]} − mean code of label {a.labels[1]}, "
                     f"length {np.linalg.norm(a.vector):.3g})")
    if extras.report is None:
        return lines
    r = extras.report
    d = r.as_dict()
    lines += [f"report: shell sqrt(n) {r.shell.radius:.3g}, codes' mean norm {r.shell.mean:.3g} (mean relative "
             f"deviation {r.shell.relative_deviation:.3f}, prior samples {r.shell.prior_relative_deviation:.3f}); "
             f"prior pairs' angles KS {r.prior_angles.ks_statistic:.3f} (p {r.prior_angles.p_value:.2g})",
             f"report: {r.data_angle_sentence()}",
             f"report: path length lerp {r.path_length['lerp']:.4g}, slerp {r.path_length['slerp']:.4g}"]
    fit = r.heldout
    if r.kl_per_dim is not None:
        lines.append(f"report: {len(r.active)} of {r.latent_size} dimensions active (KL > 0.01 nats)" + (
            f"; held-out negative ELBO {fit['negative_elbo']:.4g} nats per item" if fit else ""))
    elif fit:
        lines.append(f"report: held-out NLL {fit['nll']:.4g} nats per item ({fit['bits_per_dim']:.4g} bits/dim)")
    if fit is None:
        lines.append("report: no held-out fit: Workbench runs an exported program, not its likelihood")
    if d["non_finite"]:
        lines.append(f"report: not finite (null in report.json): {', '.join(d['non_finite'])}")
    return lines

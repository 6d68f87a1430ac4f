"""The geometry report of a latent model (``workbench run latent --report`` and the panel's Report tab): load
a checkpoint, encode its data set, and measure the shell, the angle laws, lerp against slerp path length,
the active dimensions and the held-out fit (see :mod:`engines.latent.geometry`)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from engines.catalogue import Option
from engines.latent.data import DataSpec

if TYPE_CHECKING:
    from engines.latent.analysis import Encoded
    from engines.latent.checkpoint import Checkpoint
    from engines.latent.geometry import GeometryReport

REPORT = Option("report", "Report", "bool", False,
                help="also write report.json: the shell, the angle laws (KS tests), lerp vs slerp path length, "
                     "active dimensions and the held-out fit")
ANGLE_PAIRS = Option("angle_pairs", "Angle pairs", "int", 4000, 100, 200_000,
                     help="random pairs whose angles are tested against the sin^(n-2) law (prior and encoded)")


@dataclass
class Encoding:
    """A loaded checkpoint with its data set encoded."""

    checkpoint: "Checkpoint"
    encoded: "Encoded"
    note: Optional[str]  # what to know about the data set (its file changed since training)
    dataset: str  # a built-in name or the file read


def encoding_job(reporter, checkpoint: Optional[Path], data: Optional[DataSpec] = None) -> Encoding:
    """Load ``checkpoint`` (None: the bundled digits VAE) and encode ``data`` (None: its own data set)."""
    from engines.latent.analysis import check_fits, data_for, encode
    from engines.latent.checkpoint import load_checkpoint
    from engines.latent.data import load_data
    from tasks.bundled import bundled

    reporter.progress(0.0, "loading the model")
    ckpt = load_checkpoint(checkpoint or bundled("latent")[0].path)
    spec, note = (data, None) if data else data_for(ckpt)
    dataset = load_data(spec)
    check_fits(ckpt, dataset)
    reporter.progress(0.05, "encoding")
    return Encoding(ckpt, encode(ckpt.model, dataset, reporter), note, spec.path or spec.name)


def report_job(reporter, checkpoint: Optional[Path], data: Optional[DataSpec] = None,
               angle_pairs: int = ANGLE_PAIRS.default, path_pairs: int = 500, seed: int = 0
               ) -> tuple[Encoding, "GeometryReport"]:
    """The geometry report of a checkpoint on its data set (or ``data``)."""
    angle_pairs = ANGLE_PAIRS.validate(angle_pairs)
    enc = encoding_job(reporter, checkpoint, data)
    return enc, loaded_report_job(reporter, enc.checkpoint.model, enc.encoded.data, enc.encoded.z, angle_pairs,
                                  path_pairs, seed)


def loaded_report_job(reporter, model, data, z, angle_pairs: int = ANGLE_PAIRS.default, path_pairs: int = 500,
                      seed: int = 0) -> "GeometryReport":
    """The geometry report of a model already loaded with its data encoded (the panel's Report tab)."""
    from engines.latent.geometry import geometry_report

    return geometry_report(reporter, model, data, z, ANGLE_PAIRS.validate(angle_pairs), path_pairs, seed)

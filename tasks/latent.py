"""The latent-space workflow: load a model and see where its data sits, walk between two points (the walk
of ``workbench run latent`` with its metrics), decode a grid over a 2D latent, map the codes with t-SNE,
measure the perceptual path length, train a model and save it.

Jobs (``job(reporter, ...)``), their requests, results and defaults; the latent panel and the ``run latent``
and ``train latent`` commands are thin clients of this module, so both show the same numbers. Analysis runs
on the CPU (the models are small); training resolves the device preference inside its job.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, Optional, Union

import numpy as np

from engines.catalogue import MAX_SEED, Option
from engines.errors import InputError
from engines.latent.catalogue import DISTANCES, INTERPOLATIONS, MODELS
from engines.latent.config import History, ModelConfig, TrainConfig
from engines.latent.data import DataSpec
from tasks.clustering import Vectors

if TYPE_CHECKING:
    from engines.latent.analysis import Analogy, Interpolation, Overview
    from engines.latent.checkpoint import Checkpoint
    from engines.latent.maps import LatentMap
    from engines.latent.models import LatentModel
    from engines.latent.pathlength import PathLength
    from engines.latent.training import TrainSnapshot

STRIP_STEPS = 9  # images along the panel's strips
GRID = 20  # at most this many decoded images per side of the manifold grid
GRID_MIN, GRID_CELL_PX = 3, 56  # at least 3 per side; cells of about 56 pixels
ALONG_SAMPLES = 200  # points at which the path length along one path is measured
SAVED_INFO = ("train", "dataset", "run", "history")  # what a checkpoint's JSON keeps besides the model
HISTORY_KEYS = ("epoch", "total", "recon", "kl", "bpd", "test_total")

# settings of the walk (``run latent``) and of the path-length measure
STEPS = Option("steps", "Steps", "int", 10, 2, 1000, help="images along the path, ends included")
PRIOR_SEED = Option("prior_seed", "Prior seed", "int", None, 0, MAX_SEED,
                    help="walk between two random prior samples drawn with this seed instead of two items")
MODE = Option("mode", "Path", "choice", "slerp", choices=INTERPOLATIONS.names, help="linear or spherical path")
PAIRS = Option("pairs", "Pairs", "int", 500, 10, 100_000,
               help="random prior pairs for the perceptual path length")
RELAXATION = Option("relaxation", "Relaxation τ", "float", 0.0, 0.0, 2.0, step=0.05, decimals=2,
                    help="Gumbel-softmax temperature of the categorical codes the samples decode (0: one-hot)")
DISTANCE = Option("distance", "Distance", "choice", "pixel", choices=DISTANCES.names,
                  help="distance between decoded items: pixels, or a fixed random feature space (images)")
PANEL_PAIRS = 2000  # the panel measures in the background, with more pairs than the command's default

ModelSource = Union[str, Path, "TrainSnapshot"]  # a checkpoint file, or a training run's latest weights


# ------------------------------------------------------------------ paths and their numbers
@dataclass(frozen=True)
class PathRequest:
    """Which interpolation to show: items ``start`` and ``end``, or two prior samples from ``prior_seed``;
    ``analogy`` names the items a, b, c of a − b + c (images only)."""

    start: int = 0
    end: int = 1
    prior_seed: Optional[int] = None
    steps: int = STRIP_STEPS
    analogy: tuple[int, int, int] = (0, 1, 2)


@dataclass(frozen=True)
class PathNumbers:
    """What is measured along one path: the perceptual path length density along it (mean over
    ``ALONG_SAMPLES`` points) and the summed distance between consecutive decoded items."""

    path_length: float
    step_distance: float


@dataclass
class PathResult:
    request: PathRequest
    interpolation: "Interpolation"
    analogy: Optional["Analogy"]
    prior: "Interpolation"  # between two prior samples (the norm picture)
    numbers: dict[str, PathNumbers]  # per mode (lerp, slerp) of ``interpolation``
    on_map: dict[str, np.ndarray]  # per mode: the path's codes placed on the encoded data's PCA (or 2D) map


def step_distance(decoded: np.ndarray) -> float:
    """Sum of the Euclidean distances between consecutive decoded items."""
    steps = (decoded[1:] - decoded[:-1]) ** 2
    return float(np.sqrt(steps.reshape(len(decoded) - 1, -1).sum(-1)).sum())


def path_numbers(model: "LatentModel", interpolation: "Interpolation", mode: str) -> PathNumbers:
    from engines.latent.pathlength import EPSILON, path_length

    codes = interpolation.codes[mode]
    along = path_length(model, mode=mode, z0=np.repeat(codes[:1], ALONG_SAMPLES, 0),
                        z1=np.repeat(codes[-1:], ALONG_SAMPLES, 0), t=np.linspace(0, 1 - EPSILON, ALONG_SAMPLES))
    return PathNumbers(along.mean, step_distance(interpolation.decoded[mode]))


def path_job(reporter, model: "LatentModel", encoded, request: PathRequest, seed: int = 0) -> PathResult:
    """The interpolation of ``request``, its numbers, the analogy row and a prior pair's norms."""
    from engines.latent.analysis import interpolate, interpolate_items, make_analogy, prior_pair
    from engines.latent.maps import project

    n = model.latent_size
    if request.prior_seed is None:
        interp = interpolate_items(model, encoded, request.start, request.end, request.steps)
    else:
        z0, z1 = prior_pair(n, request.prior_seed)
        interp = interpolate(model, z0, z1, request.steps, ("prior sample", "prior sample"))
    reporter.check()
    analogy = None
    if model.config.is_image:
        a, b, c = (min(max(k, 0), len(encoded.z) - 1) for k in request.analogy)
        analogy = make_analogy(model, encoded, a, b, c)
    z0, z1 = prior_pair(n, seed if request.prior_seed is None else request.prior_seed)
    prior = interpolate(model, z0, z1, max(request.steps, 25), ("prior sample", "prior sample"))
    numbers = {}
    for mode in INTERPOLATIONS.names:
        reporter.check()
        numbers[mode] = path_numbers(model, interp, mode)
    on_map = {m: project(encoded.map, codes) for m, codes in interp.codes.items()}
    return PathResult(request, interp, analogy, prior, numbers, on_map)


def relaxed_samples_job(reporter, model: "LatentModel", relaxation: float) -> np.ndarray:
    """The sample grid of a categorical-latent model, its prior codes relaxed at temperature ``relaxation``."""
    from engines.latent.training import draw_samples

    RELAXATION.validate(relaxation)
    reporter.progress(None, f"decoding samples at τ {relaxation:.2f}")
    return draw_samples(model, relaxation=relaxation)


# ------------------------------------------------------------------ loading
@dataclass
class Loaded:
    """A model with its encoded data and statistics, and the first interpolation to show."""

    overview: "Overview"
    paths: PathResult

    @property
    def checkpoint(self) -> "Checkpoint":
        return self.overview.checkpoint


def load_job(reporter, source: ModelSource, data: Optional[DataSpec] = None, steps: int = STRIP_STEPS,
             seed: int = 0) -> Loaded:
    """Load a checkpoint file (or a training run's weights), encode its data set (``data``, else the one it
    was trained on), and compute the map, the statistics and the interpolation between two test items."""
    from engines.latent.analysis import default_analogy, default_pair, overview
    from engines.latent.checkpoint import checkpoint_from_state

    if not isinstance(source, (str, Path)):
        source = checkpoint_from_state(source.config, source.state, {"name": f"trained-{source.config.kind}",
                                                                     **trained_info(source)})
    ov = overview(source, data, seed, reporter)
    i, j = default_pair(ov.encoded)
    request = PathRequest(i, j, None, steps, default_analogy(ov.encoded))
    return Loaded(ov, path_job(reporter, ov.checkpoint.model, ov.encoded, request, seed))


def history_from_info(info: Mapping[str, Any]) -> History:
    """The training curves a checkpoint's JSON keeps (no epochs where it keeps none); missing values are NaN."""
    hist = info.get("history")
    if not isinstance(hist, Mapping) or not hist.get("epoch"):
        return History()
    h = History(epoch=list(hist["epoch"]))
    for k in HISTORY_KEYS[1:]:
        values = [math.nan if v is None else float(v) for v in hist.get(k) or []]
        setattr(h, k, values or [math.nan] * len(h.epoch))
    return h


def vectors(overview: "Overview") -> Vectors:
    """The codes of the encoded data set, for the clustering panel: labels when every item has one, the
    images ((N, H, W) or (N, C, H, W)) for its sample grid."""
    ck, enc = overview.checkpoint, overview.encoded
    images = None
    if ck.config.is_image:
        images = enc.x[:, 0] if enc.x.shape[1] == 1 else enc.x
    return Vectors(f"codes of the {ck.config.title}", enc.z, enc.labels if (enc.labels >= 0).all() else None, images,
                   enc.data.all_rows, enc.data.name)


# ------------------------------------------------------------------ grid, map, path length
@dataclass(frozen=True)
class Grid:
    """Decoded images over a grid of a 2D latent region (``columns`` × ``rows``), as one picture (top row at
    y_range[1])."""

    image: np.ndarray  # (rows*H, columns*W, C)
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    columns: int
    rows: int


def grid_shape(width_px: float, height_px: float) -> tuple[int, int]:
    """Columns and rows of a decoded grid that fills a view of this size with square cells of about
    :data:`GRID_CELL_PX` (between :data:`GRID_MIN` and :data:`GRID` per side): big enough to read a digit."""
    side = max(width_px, height_px, 1.0) / GRID
    cell = max(GRID_CELL_PX, side)
    return (int(np.clip(round(width_px / cell), GRID_MIN, GRID)), int(np.clip(round(height_px / cell), GRID_MIN, GRID)))


def manifold_job(reporter, model: "LatentModel", x_range: tuple[float, float], y_range: tuple[float, float],
                 columns: int = GRID, rows: int = GRID) -> Grid:
    from engines.latent.analysis import manifold_grid

    return Grid(manifold_grid(model, x_range, y_range, columns, rows), x_range, y_range, columns, rows)


def tsne_job(reporter, z: np.ndarray, seed: int = 0) -> "LatentMap":
    """t-SNE of the codes (run it in a process: scikit-learn holds the GIL)."""
    from engines.latent.maps import tsne_job as tsne

    return tsne(reporter, z, seed=seed)


@dataclass(frozen=True)
class Perceptual:
    """Perceptual path length over the same random prior pairs and times for each path mode: the density
    d / ε² (``raw``) and the decoder's stretch per unit latent step d / |Δz|² (``unit``)."""

    raw: dict[str, "PathLength"]
    unit: dict[str, "PathLength"]
    pairs: int
    distance: str  # the distance used ("feature" falls back to "pixel" for 2D points)
    curves: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]]  # ("raw"|"unit", mode) -> binned (t, mean)


def ppl_job(reporter, model: "LatentModel", pairs: int = PAIRS.default, distance: str = DISTANCE.default,
            seed: int = 0) -> Perceptual:
    from engines.latent.pathlength import binned, path_length_job

    raw = path_length_job(reporter, model, PAIRS.validate(pairs), DISTANCE.validate(distance), seed)
    unit = {m: r.per_unit_latent() for m, r in raw.items()}
    curves = {(key, m): binned(r) for key, results in (("raw", raw), ("unit", unit)) for m, r in results.items()}
    return Perceptual(raw, unit, pairs, next(iter(raw.values())).distance, curves)


# ------------------------------------------------------------------ the walk of ``run latent``
@dataclass(frozen=True)
class WalkRequest:
    """A walk between the items at rows ``start`` and ``end`` of the source (the file's rows, ``load_digits()``
    order; None: two test items of different labels) of ``data``
    (None: the checkpoint's own data set), or between two prior samples drawn with ``prior_seed``."""

    checkpoint: Optional[Path] = None  # None: the first bundled latent checkpoint
    data: Optional[DataSpec] = None
    start: Optional[int] = None
    end: Optional[int] = None
    prior_seed: Optional[int] = None
    steps: int = STEPS.default
    mode: str = MODE.default
    pairs: int = PAIRS.default


@dataclass
class Walk:
    request: WalkRequest
    checkpoint: "Checkpoint"
    interpolation: "Interpolation"
    items: Optional[tuple[int, int]]  # the source rows of the items walked between (None: prior samples)
    numbers: PathNumbers  # along the walk's mode
    perceptual: Perceptual
    note: Optional[str] = None  # what to know about the data set (its file changed since training)
    dataset: Optional[str] = None  # the data set walked in (a built-in name or the file read; None: prior samples)

    @property
    def codes(self) -> np.ndarray:
        return self.interpolation.codes[self.request.mode]

    @property
    def decoded(self) -> np.ndarray:
        return self.interpolation.decoded[self.request.mode]

    def metrics(self) -> dict[str, Any]:
        """The walk's numbers as ``metrics.json`` holds them."""
        from engines.latent.pathlength import EPSILON
        from engines.latent.statistics import expected_norm

        i, mode, n = self.interpolation, self.request.mode, self.checkpoint.model.latent_size
        p = self.perceptual
        return {
            "mode": mode, "steps": self.request.steps, "latent_size": n, "endpoints": list(i.endpoints),
            "items": list(self.items) if self.items else None,
            "norms": i.norms[mode].tolist(),
            "norms_lerp": i.norms["lerp"].tolist(), "norms_slerp": i.norms["slerp"].tolist(),
            "prior_shell_sqrt_n": float(np.sqrt(n)), "prior_expected_norm": expected_norm(n),
            "decoded_step_distance_sum": self.numbers.step_distance,
            "path_length_this_path": self.numbers.path_length,
            "perceptual_path_length": {m: {"mean": r.mean, "median": r.median, "pairs": p.pairs, "epsilon": EPSILON,
                                           "distance": p.distance} for m, r in p.raw.items()},
        }


def walk_job(reporter, request: WalkRequest) -> Walk:
    """Walk between two items (or two prior samples) in a model's latent space and measure the walk."""
    from engines.latent.analysis import check_fits, data_for, default_pair, encode, interpolate, interpolate_rows
    from engines.latent.analysis import prior_pair
    from engines.latent.checkpoint import load_checkpoint
    from engines.latent.data import load_data
    from tasks.bundled import bundled

    steps, mode = STEPS.validate(request.steps), MODE.validate(request.mode)
    PAIRS.validate(request.pairs)
    reporter.progress(0.0, "loading the model")
    ckpt = load_checkpoint(request.checkpoint or bundled("latent")[0].path)
    model = ckpt.model
    if request.prior_seed is not None:
        if request.start is not None or request.end is not None:
            raise InputError("a walk goes between two prior samples or between two items, not both; "
                             "give a prior seed or the items")
        z0, z1 = prior_pair(model.latent_size, request.prior_seed)
        interp = interpolate(model, z0, z1, steps, (f"prior sample (seed {request.prior_seed})", "prior sample"))
        items, note, spec = None, None, None
    else:
        spec, note = (request.data, None) if request.data else data_for(ckpt)
        data = load_data(spec)
        check_fits(ckpt, data)
        encoded = encode(model, data, reporter)
        # the items are rows of the data as the user knows it (load_digits() order, the file's rows)
        default = tuple(int(data.all_rows[k]) for k in default_pair(encoded))
        items = (default[0] if request.start is None else request.start, default[1] if request.end is None else request.end)
        interp = interpolate_rows(model, encoded, items, steps)
    numbers = path_numbers(model, interp, mode)
    perceptual = ppl_job(reporter, model, request.pairs, "pixel", seed=0)
    return Walk(request, ckpt, interp, items, numbers, perceptual, note, spec and (spec.path or spec.name))


# ------------------------------------------------------------------ training and saving
MODEL_FIELDS = frozenset(ModelConfig.__dataclass_fields__) - {"kind"}
TRAIN_FIELDS = frozenset(TrainConfig.__dataclass_fields__)


@dataclass(frozen=True)
class TrainRequest:
    """A training run: a model kind (see :data:`engines.latent.catalogue.MODELS`), its data and the settings
    that differ from the kind's defaults (only settings the kind takes)."""

    kind: str = MODELS.names[0]
    data: DataSpec = DataSpec("digits")
    settings: Mapping[str, Any] = field(default_factory=dict)

    def configs(self) -> tuple[ModelConfig, TrainConfig]:
        """The model and optimisation settings: the kind's defaults, overridden by ``settings`` (checked)."""
        kind = MODELS[self.kind]
        values = {**kind.defaults(), **kind.settings(self.settings)}
        model = ModelConfig(self.kind, **{k: v for k, v in values.items() if k in MODEL_FIELDS})
        return model, TrainConfig(**{k: v for k, v in values.items() if k in TRAIN_FIELDS}).validated()


def train_job(reporter, request: TrainRequest, device: str = "auto") -> "TrainSnapshot":
    """Train the model of ``request`` on ``device`` (a preference, resolved here); streams
    :class:`~engines.latent.training.TrainSnapshot` partials, returns the final one. Run it in a process."""
    from engines.device import pick_device
    from engines.latent.training import train_job as train

    model, settings = request.configs()
    return train(reporter, model, settings, request.data, device=pick_device(device))


def trained_info(snapshot: "TrainSnapshot") -> dict[str, Any]:
    """What a checkpoint's JSON records of a training run: its settings, data set, summary and curves."""
    from engines.latent.training import summary

    history = {k: [None if isinstance(v, float) and math.isnan(v) else v for v in getattr(snapshot.history, k)]
               for k in HISTORY_KEYS}
    return {"train": snapshot.train.as_dict(), "dataset": snapshot.data.as_dict(), "run": summary(snapshot),
            "history": history}


def save_job(reporter, path: Path, config: ModelConfig, state: Mapping[str, Any], info: Mapping[str, Any]
             ) -> dict[str, Any]:
    """Write ``path`` (.safetensors) and its JSON (the model, what ``info`` records of its training and where
    its data file lies, this application's version); returns the JSON written."""
    from engines.latent.checkpoint import save_checkpoint
    from tasks import __version__

    from engines.data.provenance import DATA_KEY, DataFile, record_data

    reporter.progress(None, f"saving {path}")
    extra = {k: v for k, v in info.items() if k in SAVED_INFO}
    recorded = DataFile.from_body(info)  # a loaded checkpoint saved again: its data where it was recorded
    places = [(info.get("dataset") or {}).get("path"), recorded.absolute if recorded else None]
    data = next((p for p in places if isinstance(p, str) and Path(p).exists()), None)
    if data is not None:  # where the data lies, for run latent to find it again
        extra[DATA_KEY] = record_data(data, path).as_dict()
    return save_checkpoint(path, state, config, extra, version=__version__)

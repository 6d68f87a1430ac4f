"""Clustering: the jobs that cluster points (the digits, a file of vectors, vectors another panel sent) and
the words of a segmented text, their requests, results and defaults, and what other panels send to the
clustering panel. The clustering panel and ``workbench run cluster`` are thin clients of this module.

Methods, embeddings and option ranges are in :mod:`engines.cluster.catalogue`. A method that holds the GIL
(InfoMap) or embeds with t-SNE runs in a job process: start it with ``process=in_process(request)``; the
word job always is.
Importing this module loads numpy only (torch loads when a job runs).
"""
from __future__ import annotations

import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional, Union

import numpy as np

from engines.cluster.catalogue import (EMBEDDINGS, K, LEVELS, METHOD, METHODS, NEIGHBOURS, REFINE, SEED, check_markov_time,
                                       default_refine)
from engines.cluster.data import ClusterData, from_arrays, load_data
from engines.errors import InputError

if TYPE_CHECKING:
    from engines.cluster.words import WordModules

DIGITS = "digits"  # the built-in data: sklearn's 1,797 8x8 digits


@dataclass(frozen=True)
class Vectors:
    """Points to cluster, sent with ``send_to("cluster", "vectors", Vectors(...))`` (e.g. a model's codes)."""

    name: str  # what they are: "codes of digits_vae"
    x: np.ndarray  # (N, D)
    labels: Optional[np.ndarray] = None  # (N,) true classes when known: scored with accuracy, NMI, ARI
    images: Optional[np.ndarray] = None  # (N, H, W) or (N, C, H, W) in [0, 1], for sample grids
    rows: Optional[np.ndarray] = None  # (N,) each point's row in its source data set (None: 0..N-1)
    dataset: Optional[str] = None  # that data set ("digits", a file's name): its clusters can colour it elsewhere


@dataclass(frozen=True)
class Words:
    """Segmented text whose words are clustered by co-occurrence (InfoMap on the word graph), sent with
    ``send_to("cluster", "words", Words(...))``."""

    name: str  # the corpus: "People's Daily 1998-01"
    lines: list[list[str]]  # sample lines, each a list of words


@dataclass(frozen=True)
class PointsRequest:
    """How to cluster points. ``embedding`` None: the method's own (see the catalogue); ``markov_time``
    None: automatic; ``refine`` None: the method's default (k-means/GMM on t-SNE get a majority vote)."""

    method: str = METHOD.default
    k: int = K.default
    embedding: Optional[str] = None
    neighbours: int = NEIGHBOURS.default
    markov_time: Optional[float] = None
    seed: int = SEED.default
    refine: Optional[int] = None
    levels: str = LEVELS.default

    def validated(self) -> "PointsRequest":
        """Checked against the catalogue (InputError naming the option and its range), with the method's
        default embedding and refinement filled in."""
        method = METHODS[self.method]
        embedding = EMBEDDINGS[self.embedding].name if self.embedding is not None else method.embedding
        refine = REFINE.validate(self.refine)
        return replace(self, k=K.validate(self.k), embedding=embedding, neighbours=NEIGHBOURS.validate(self.neighbours),
                       markov_time=check_markov_time(self.markov_time), seed=SEED.validate(self.seed),
                       refine=default_refine(self.method, embedding) if refine is None else refine,
                       levels=LEVELS.validate(self.levels))


# the panel's first launch: the best method on the digits (accuracy 0.95, tests/benchmarks/bench_cluster.py)
FIRST_LAUNCH = PointsRequest(method="kmeans", embedding="tsne")


@dataclass
class ClusterResult:
    method: str
    embedding: str
    assignments: np.ndarray  # (N,) cluster of each point
    projection: np.ndarray  # (N, 2) for the scatter
    metrics: dict
    seconds: float
    clu: Optional[str]  # InfoMap's .clu and .tree texts (None for the other methods)
    tree: Optional[str]
    data_name: str
    labels: Optional[np.ndarray]  # true classes when known
    images: Optional[np.ndarray]  # for sample grids
    rows: Optional[np.ndarray] = None  # (N,) each point's row in the input (None: 0..N-1), see ClusterData
    levels: Optional[list] = None  # InfoMap: engines.cluster.hierarchy.Level per level, the root first
    paths: Optional[np.ndarray] = None  # InfoMap: (N, depth) module numbers from the top module down
    dataset: Optional[str] = None  # the data set ``rows`` are of, when known (see ClusterData.dataset)


def in_process(request: PointsRequest) -> bool:
    """Whether the request must run in a job process: its method holds the GIL (InfoMap), or it embeds with
    t-SNE (seconds of work after seconds of first-use imports, which no cancellation check can interrupt in a
    thread; a job process is terminated at once on Cancel)."""
    method = METHODS[request.method]
    embedding = request.embedding if request.embedding is not None else method.embedding
    return method.holds_gil or (method.uses_embedding and embedding == "tsne")


def points_from_vectors(vectors: Vectors) -> ClusterData:
    """The points of a :class:`Vectors` payload, checked (InputError for anything unusable)."""
    if not isinstance(vectors, Vectors):
        raise InputError(f"expected clustering vectors (tasks.clustering.Vectors), got {type(vectors).__name__}")
    return from_arrays(vectors.name, vectors.x, vectors.labels, vectors.images, vectors.rows, vectors.dataset)


def checked_words(words: Words) -> Words:
    """``words`` if it holds lines of words (InputError otherwise)."""
    if not isinstance(words, Words):
        raise InputError(f"expected segmented text (tasks.clustering.Words), got {type(words).__name__}")
    if not all(isinstance(line, (list, tuple)) and all(isinstance(w, str) for w in line) for line in words.lines):
        raise InputError(f"{words.name}: expected lines of words (lists of strings)")
    if not any(words.lines):
        raise InputError(f"{words.name}: there are no words to cluster")
    return words


def cluster_points_job(reporter, data: Union[str, ClusterData], request: PointsRequest = PointsRequest(),
                       device: str = "auto", labels: Optional[str] = None) -> ClusterResult:
    """Job: cluster ``data`` (``"digits"``, a path of vectors, or points in memory) as ``request`` says on
    the ``device`` preference, and score it against the labels when there are any (``labels``: a file's
    label column or a labels file, see :func:`engines.cluster.data.load_data`)."""
    import torch

    from engines.cluster.embed import embed, pca
    from engines.cluster.methods import Problem, fit
    from engines.cluster.metrics import all_metrics
    from engines.cluster.refine import refine_labels
    from engines.device import pick_device

    request = request.validated()
    dev = pick_device(device)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        t0 = time.perf_counter()
        if isinstance(data, ClusterData):
            d = data
        else:
            reporter.progress(None, f"loading {data}")
            d = load_data(data, labels)
        if len(d.x) < request.k:
            raise InputError(f"{len(d.x)} points cannot make {request.k} clusters")
        reporter.progress(None, f"embedding ({request.embedding})")
        z = embed(d.x, request.embedding, request.seed, dev, reporter) if METHODS[request.method].uses_embedding else d.x
        problem = Problem(d, z, request.k, request.neighbours, request.markov_time, request.seed, dev, request.levels)
        found = fit(request.method, problem, reporter)
        assignments, extra = np.asarray(found.assignments), dict(found.extra)
        if request.refine:
            assignments = refine_labels(z, assignments, request.refine)
            extra["refine_neighbours"] = request.refine
        labels = found.labels if found.labels is not None else d.labels
        projection = z if z.shape[1] == 2 else pca(z if request.embedding != "raw" else d.x, 2, pad=True)
        metrics = all_metrics(labels, assignments) if labels is not None else {"clusters": int(len(np.unique(assignments)))}
        metrics.update(extra)
        metrics["points"] = int(len(d.x))
        reporter.progress(1.0, "done")
        return ClusterResult(request.method, request.embedding, np.asarray(assignments, np.int64), projection, metrics,
                             time.perf_counter() - t0, found.clu, found.tree, d.name, labels, d.images, d.rows,
                             *((found.hierarchy.levels, found.hierarchy.paths) if found.hierarchy else (None, None)),
                             dataset=d.dataset)
    finally:
        torch.set_num_threads(threads)


@dataclass(frozen=True)
class WordsRequest:
    """The word graph: the ``top`` most frequent words of at least ``min_len`` characters, linked when
    within ``window`` words on a line; InfoMap at ``markov_time``."""

    top: int = 1500
    window: int = 2
    min_len: int = 2
    markov_time: float = 1.0
    seed: int = 1
    levels: str = LEVELS.default


def cluster_words_job(reporter, words: Words, request: WordsRequest = WordsRequest()) -> "WordModules":
    """Job (run it with ``process=True``: InfoMap holds the GIL): InfoMap on the co-occurrence graph of the
    words of ``words``."""
    from engines.cluster.words import word_modules

    lines = checked_words(words).lines
    return word_modules(reporter, lines, request.top, request.window, request.min_len, request.markov_time,
                        request.seed, request.levels)


def write_clusters(result: Union[ClusterResult, "WordModules"], csv_path: Path, infomap_stem: Path,
                   levels_path: Optional[Path] = None) -> list[Path]:
    """The clustering as ``csv_path`` (index, cluster[, label]; words: index, word, cluster) and, for InfoMap,
    ``STEM.clu``, ``STEM.tree`` and ``levels_path`` (default ``STEM.levels.csv``: level, modules, codelength);
    returns the files written."""
    from engines.cluster.export import write_assignments, write_infomap, write_levels

    return [write_assignments(result, csv_path), *write_infomap(result, infomap_stem),
            *write_levels(result, levels_path or infomap_stem.with_name(infomap_stem.name + ".levels.csv"))]


def points_parameters(request: PointsRequest, result: ClusterResult, data: str, device: str) -> dict[str, Any]:
    """What reproduces a clustering of points (for sidecars); ``data`` names it, ``device`` is the preference."""
    return {"method": result.method, "data": data, "k": request.k, "embedding": result.embedding,
            "neighbours": request.neighbours, "markov_time": result.metrics.get("markov_time", request.markov_time),
            "seed": request.seed, "device": device, "refine": result.metrics.get("refine_neighbours", 0),
            "levels": request.levels}


def words_parameters(words: Words, request: WordsRequest) -> dict[str, Any]:
    """What reproduces a clustering of words (for sidecars)."""
    return {"method": "infomap", "data": words.name, "graph": "word co-occurrence", **asdict(request)}

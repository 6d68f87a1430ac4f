"""Clustering jobs: data -> embedding -> k-means / GMM / InfoMap / clustering VAE -> metrics.

``cluster_job`` is a top-level, picklable function (run it with ``process=True`` for InfoMap, which holds
the GIL). Methods: "kmeans" and "gmm" (torch), "infomap" (on a kNN graph of the embedding), "cluster-vae"
(the latent panel's VAE with a clustering prior, trained on the digits). Embeddings: "raw" (the data),
"pca", "tsne" (exact t-SNE in torch; the best digits results come from it). On a t-SNE embedding the
k-means/GMM labels are refined by a kNN majority vote on the embedding (``refine``, 0 turns it off).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from engines.cluster.metrics import all_metrics
from engines.errors import InputError

METHODS = ("kmeans", "gmm", "infomap", "cluster-vae")
EMBEDDINGS = ("raw", "pca", "tsne")
DEFAULT_EMBEDDING = {"kmeans": "raw", "gmm": "tsne", "infomap": "tsne", "cluster-vae": "raw"}


@dataclass
class ClusterData:
    name: str
    x: np.ndarray  # (N, D) float
    labels: np.ndarray | None
    images: np.ndarray | None = None  # (N, H, W) for sample grids


@dataclass
class ClusterResult:
    method: str
    embedding: str
    assignments: np.ndarray
    projection: np.ndarray  # (N, 2) for the scatter
    metrics: dict = field(default_factory=dict)
    seconds: float = 0.0
    clu: str | None = None
    tree: str | None = None
    data_name: str = ""
    labels: np.ndarray | None = None
    images: np.ndarray | None = None


def load_data(spec: str) -> ClusterData:
    """``digits`` (sklearn's 1,797 8x8 digits, all of them) or a .npy/.npz/.csv/.tsv file of vectors."""
    if spec == "digits":
        from engines.data import digits_split

        split = digits_split()
        images = split.all_x[..., 0]
        return ClusterData("digits", images.reshape(len(images), -1).astype(np.float64), split.all_y, images)
    path = Path(spec)
    if not path.exists():
        raise InputError(f"{path} does not exist")
    labels = None
    suffix = path.suffix.lower()
    try:
        if suffix in (".npy", ".npz"):
            from engines.data.files import _read_array

            array, labels = _read_array(path)
        elif suffix in (".csv", ".tsv", ".txt"):
            array = np.loadtxt(path, delimiter="," if suffix == ".csv" else None, ndmin=2)
        else:
            raise InputError(f"{path.name}: expected .npy, .npz, .csv or .tsv vectors")
    except ValueError as exc:
        raise InputError(f"{path.name}: not a numeric table ({exc})") from exc
    array = np.asarray(array)
    data = from_arrays(path.name, array, labels, array if array.ndim == 3 else None)
    data.name = path.stem
    return data


def from_arrays(name: str, array, labels=None, images=None) -> ClusterData:
    """Check (N, D...) numeric vectors, flattened to (N, D); ``labels`` are kept when there is one per point."""
    array = np.asarray(array)
    if array.dtype.kind not in "uifb" or array.ndim < 2:
        raise InputError(f"{name}: expected an (N, D) numeric array, got shape {array.shape}")
    x = array.reshape(len(array), -1).astype(np.float64)
    if not np.isfinite(x).all():
        raise InputError(f"{name}: contains NaN or infinite values")
    if labels is not None:
        labels = np.asarray(labels).reshape(-1)
        if len(labels) != len(x):
            labels = None
    if images is not None and len(images) != len(x):
        raise InputError(f"{name}: {len(images)} images for {len(x)} points")
    return ClusterData(name, x, labels, images)


def embed(x: np.ndarray, kind: str, seed: int = 0, device="cpu", reporter=None) -> np.ndarray:
    from engines.cluster.embed import pca, tsne

    if kind == "raw":
        return x
    if kind == "pca":
        return pca(x, min(10, x.shape[1]))
    if kind == "tsne":
        return tsne(x, seed=seed, device=device, reporter=reporter)
    raise InputError(f"unknown embedding {kind!r}; choose one of {', '.join(EMBEDDINGS)}")


def _cluster_vae(data: ClusterData, k: int, seed: int, device: str, reporter) -> np.ndarray:
    try:
        from engines.latent import DataSpec, ModelConfig, TrainConfig, build_model, train_job
        from engines.latent.analysis import encode
        from engines.latent.data import load_data as load_latent
    except ImportError as exc:  # the latent engine is developed separately
        raise InputError("the clustering VAE needs the latent engine (engines/latent), which is not installed") from exc
    if data.name != "digits":
        raise InputError("--method cluster-vae trains on the digits only (use the Latent panel for your own data)")
    spec = DataSpec("digits")
    snap = train_job(reporter, ModelConfig("cluster-vae", clusters=k), TrainConfig(epochs=100, seed=seed), spec, device)
    model = build_model(snap.config)
    model.load_state_dict({k: torch.as_tensor(np.asarray(v)) for k, v in snap.state.items()})
    model.eval()
    encoded = encode(model, load_latent(spec))
    labels = getattr(encoded, "labels", None)
    return np.asarray(encoded.clusters), (np.asarray(labels) if labels is not None else None)


def refine_labels(z: np.ndarray, labels: np.ndarray, k: int = 10, rounds: int = 10) -> np.ndarray:
    """Label smoothing on the embedding's kNN graph: each point takes its neighbours' majority (ties keep
    its own label); a few rounds fix the points stranded on the wrong side of a cluster boundary."""
    from engines.cluster.graph import knn_graph

    if k <= 0 or len(z) <= k:
        return labels
    _, dst, _ = knn_graph(z, k)
    nbr = dst.reshape(len(z), -1)
    n_labels = int(labels.max()) + 1
    out = labels.copy()
    for _ in range(rounds):
        votes = np.zeros((len(out), n_labels))
        np.add.at(votes, (np.repeat(np.arange(len(out)), nbr.shape[1]), out[nbr].ravel()), 1.0)
        votes[np.arange(len(out)), out] += 0.5
        new = votes.argmax(1)
        if (new == out).all():
            break
        out = new
    return out


MARKOV_TIMES = (1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0, 16.0, 24.0, 32.0, 48.0, 64.0)


def infomap_auto(n: int, src, dst, w, k: int, seed: int, reporter=None):
    """InfoMap at the smallest Markov time (from MARKOV_TIMES) that leaves at most 1.5 k modules: longer
    random-walk time scales merge the small modules a kNN graph breaks into (Lambiotte et al. 2008)."""
    from engines.cluster.graph import run_infomap

    res = None
    for mt in MARKOV_TIMES:
        if reporter is not None:
            reporter.progress(None, f"InfoMap, Markov time {mt:g}")
        res = run_infomap(n, src, dst, w, markov_time=mt, seed=seed)
        if res.modules.max() + 1 <= int(np.ceil(1.5 * k)):
            return res, mt
    return res, MARKOV_TIMES[-1]


def cluster_job(reporter, method: str = "kmeans", data: str | ClusterData = "digits", k: int = 10, embedding: str | None = None,
                neighbours: int = 15, markov_time: float | None = None, seed: int = 0, device: str = "cpu",
                refine: int | None = None) -> ClusterResult:
    """Job: cluster ``data`` (a :func:`load_data` spec, or points in memory) with ``method`` and score it
    against the labels when there are any."""
    from engines.cluster.embed import pca
    from engines.cluster.graph import knn_graph, run_infomap
    from engines.cluster.mixture import gmm, kmeans

    if method not in METHODS:
        raise InputError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    if not 2 <= k <= 1000:
        raise InputError(f"--k must be between 2 and 1000, got {k}")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        t0 = time.perf_counter()
        if isinstance(data, ClusterData):
            d = data
        else:
            reporter.progress(None, f"loading {data}")
            d = load_data(data)
        if len(d.x) < k:
            raise InputError(f"{len(d.x)} points cannot make {k} clusters")
        embedding = embedding or DEFAULT_EMBEDDING[method]
        reporter.progress(None, f"embedding ({embedding})")
        z = embed(d.x, embedding, seed, device, reporter) if method != "cluster-vae" else d.x
        clu = tree = None
        extra: dict = {}
        if method == "kmeans":
            assignments, _, inertia = kmeans(z, k, seed=seed, device=device, reporter=reporter)
            extra["inertia"] = inertia
        elif method == "gmm":
            assignments, ll = gmm(z, k, seed=seed, device=device, reporter=reporter)
            extra["log_likelihood"] = ll
        elif method == "infomap":
            reporter.progress(None, "InfoMap on the neighbour graph")
            src, dst, w = knn_graph(z, neighbours, device)
            if markov_time is None:
                res, markov_time = infomap_auto(len(z), src, dst, w, k, seed + 1, reporter)
            else:
                res = run_infomap(len(z), src, dst, w, markov_time=markov_time, seed=seed + 1)
            extra["markov_time"] = markov_time
            assignments = res.modules
            clu, tree = res.clu, res.tree
            extra.update(codelength=res.codelength, one_level_codelength=res.one_level_codelength,
                         codelength_saving=res.saving, links=int(len(src)))
        else:
            assignments, vae_labels = _cluster_vae(d, k, seed, device, reporter)
            if vae_labels is not None and len(vae_labels) == len(assignments):
                d.labels = vae_labels  # the latent engine's own item order
        if refine is None:
            refine = 10 if embedding == "tsne" and method in ("kmeans", "gmm") else 0
        if refine:
            assignments = refine_labels(z, np.asarray(assignments), refine)
            extra["refine_neighbours"] = refine
        projection = z if z.shape[1] == 2 else pca(z if embedding != "raw" else d.x, 2)
        metrics = all_metrics(d.labels, assignments) if d.labels is not None else {"clusters": int(len(np.unique(assignments)))}
        metrics.update(extra)
        metrics["points"] = int(len(d.x))
        reporter.progress(1.0, "done")
        return ClusterResult(method, embedding, np.asarray(assignments, np.int64), projection, metrics,
                             time.perf_counter() - t0, clu, tree, d.name, d.labels, d.images)
    finally:
        torch.set_num_threads(threads)


@dataclass
class WordModules:
    modules: list[list[tuple[str, int]]]  # per module: (word, count), most frequent first; biggest module first
    codelength: float
    one_level_codelength: float
    saving: float
    clu: str
    tree: str
    words: list[str]

    @property
    def assignments(self) -> np.ndarray:
        """The module (0 = biggest) of each word of ``words``."""
        module = {w: k for k, group in enumerate(self.modules) for w, _ in group}
        return np.array([module[w] for w in self.words], np.int64)


def word_cluster_job(reporter, lines: list[list[str]], top: int = 1500, window: int = 2, min_len: int = 2,
                     markov_time: float = 1.0, seed: int = 1) -> WordModules:
    """Job (run it with process=True): InfoMap on the co-occurrence graph of the ``top`` most frequent words."""
    from collections import Counter

    from engines.cluster.graph import run_infomap, word_graph

    reporter.progress(None, "counting words")
    counts = Counter(w for line in lines for w in line if len(w) >= min_len)
    vocab = [w for w, _ in counts.most_common(top)]
    if len(vocab) < 3:
        raise InputError("too few words to build a word graph")
    reporter.progress(None, f"co-occurrence graph of {len(vocab)} words")
    src, dst, w = word_graph(lines, vocab, window)
    # association rather than raw counts: weight links by PMI-like ratio so frequent words do not dominate
    freq = np.array([counts[v] for v in vocab], np.float64)
    w = w / np.sqrt(freq[src] * freq[dst])
    reporter.progress(None, f"InfoMap on {len(src):,} links")
    res = run_infomap(len(vocab), src, dst, w, markov_time=markov_time, seed=seed)
    groups: dict[int, list[tuple[str, int]]] = {}
    for i, m in enumerate(res.modules.tolist()):
        groups.setdefault(m, []).append((vocab[i], counts[vocab[i]]))
    modules = sorted((sorted(g, key=lambda t: -t[1]) for g in groups.values()), key=len, reverse=True)
    return WordModules(modules, res.codelength, res.one_level_codelength, res.saving, res.clu, res.tree, vocab)

"""What clustering offers, as plain data (no torch): the methods, the embeddings they cluster on, and
the options they take with their ranges. The panel's controls and ``workbench run cluster``'s options and
help are generated from here; a method's code is found through its ``function`` (imported when used).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from engines.catalogue import Catalogue, Entry, Option, seed_option
from engines.errors import InputError

# InfoMap's automatic Markov time tries these in turn (see engines.cluster.methods.infomap_auto)
MARKOV_TIMES = (1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0, 16.0, 24.0, 32.0, 48.0, 64.0)
REFINE_ON_TSNE = 10  # neighbours of the majority vote that k-means/GMM labels get on a t-SNE embedding

K = Option("k", "Clusters k", "int", 10, 2, 1000,
           help="number of clusters (InfoMap finds its own: k only bounds its automatic Markov time)")
NEIGHBOURS = Option("neighbours", "Neighbours", "int", 15, 2, 500, help="kNN graph degree for InfoMap")
MARKOV_TIME = Option("markov_time", "Markov time", "float", None, 0.0, none_label="auto", step=0.5, decimals=2,
                     help="InfoMap's Markov time, 'auto' or a positive number (auto: the smallest of "
                          + ", ".join(f"{t:g}" for t in MARKOV_TIMES[:4]) + f", ... {MARKOV_TIMES[-1]:g} that "
                          "leaves at most 1.5 k modules)")
REFINE = Option("refine", "Refine", "int", None, 0, 100,
                help=f"kNN majority-vote refinement of k-means/GMM labels, in neighbours (default {REFINE_ON_TSNE} "
                     "on t-SNE, else 0)")
LEVELS = Option("levels", "Levels", "choice", "two", choices=("two", "multi"), choice_labels=("two-level", "multilevel"),
                help="InfoMap's code: two (modules of nodes) or multi (modules within modules, Rosvall & "
                     "Bergstrom 2011; its codelength is never worse); multi writes levels.csv")
SEED = seed_option()


@dataclass(frozen=True)
class Method(Entry):
    """A clustering method: ``function`` ("module:name", imported when used) fits it to a
    :class:`engines.cluster.methods.Problem`; ``embedding`` is what it clusters on by default."""

    function: str = ""
    embedding: str = "raw"
    uses_embedding: bool = True  # False: it fits the data itself (the embedding only draws the scatter)
    holds_gil: bool = False  # run it in a job process so the window (and Ctrl+C) stay responsive


@dataclass(frozen=True)
class Embedding(Entry):
    """A space to cluster in; ``dims`` is its dimension (None: the data's own)."""

    dims: int | None = None


METHODS: Catalogue[Method] = Catalogue("method", (
    Method("kmeans", "k-means", "k-means++ seeding, best of 10 restarts", (K, REFINE),
           "Arthur & Vassilvitskii 2007: k-means++, the advantages of careful seeding",
           "https://dl.acm.org/doi/10.5555/1283383.1283494", function="engines.cluster.methods:fit_kmeans"),
    Method("gmm", "Gaussian mixture", "EM fit of a full-covariance Gaussian mixture, k-means initialised, "
           "best of 3", (K, REFINE), "Dempster, Laird & Rubin 1977: maximum likelihood from incomplete data "
           "via the EM algorithm", "https://doi.org/10.1111/j.2517-6161.1977.tb01600.x",
           function="engines.cluster.methods:fit_gmm", embedding="tsne"),
    Method("infomap", "InfoMap", "modules of a random walk on the kNN graph (the map equation); finds its own "
           "number of clusters", (K, NEIGHBOURS, MARKOV_TIME, LEVELS),
           "Rosvall & Bergstrom 2008: maps of random walks on complex networks reveal community structure",
           "https://arxiv.org/abs/0707.0609", function="engines.cluster.methods:fit_infomap", embedding="tsne",
           holds_gil=True),
    Method("cluster-vae", "Clustering VAE", "a VAE with a mixture prior (the latent engine's), trained 100 "
           "epochs on the digits", (K,), "Su Jianlin 2018: variational autoencoders (4), a one-step clustering "
           "scheme", "https://kexue.fm/archives/5887", function="engines.cluster.methods:fit_cluster_vae",
           uses_embedding=False),
))

EMBEDDINGS: Catalogue[Embedding] = Catalogue("embedding", (
    Embedding("raw", "raw", "the data as it is"),
    Embedding("pca", "PCA", "the first 10 principal components", dims=10),
    Embedding("tsne", "t-SNE", "exact t-SNE to 2-D (the best digits results come from it)",
              citation="van der Maaten & Hinton 2008: visualizing data using t-SNE",
              url="https://www.jmlr.org/papers/v9/vandermaaten08a.html", dims=2),
))

METHOD = Option("method", "Method", "choice", "kmeans", choices=METHODS.names,
                help="clustering method: " + "; ".join(f"{m.name}: {m.description}" for m in METHODS))
EMBEDDING = Option("embedding", "Embedding", "choice", None, choices=EMBEDDINGS.names,
                   help="what to cluster on (default: " + ", ".join(f"{m.embedding} for {m.name}" for m in METHODS
                                                                      if m.uses_embedding) + ")")


def default_refine(method: str, embedding: str) -> int:
    """The refinement a method gets when none is asked for: k-means/GMM labels on t-SNE, else none."""
    return REFINE_ON_TSNE if embedding == "tsne" and "refine" in {o.name for o in METHODS[method].options} else 0


def check_markov_time(value: float | None) -> float | None:
    """``value`` if it is None ("auto") or a positive number; InputError naming the option otherwise."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise InputError(f"markov_time must be auto or a positive number, got {value!r}")
    return float(value)


def parse_markov_time(text: str) -> float | None:
    """``"auto"`` (None) or a positive number."""
    if text.strip().lower() == "auto":
        return None
    try:
        value = float(text)
    except ValueError:
        raise InputError(f"markov_time must be auto or a positive number, got {text!r}") from None
    return check_markov_time(value)


# what each number of a clustering result is, as the panel says it: (label, format, tooltip)
METRICS: dict[str, tuple[str, str, str]] = {
    "accuracy": ("accuracy", "{:.3f}", "share of points in the cluster matched to their label (Hungarian matching)"),
    "purity": ("purity", "{:.3f}", "share of points whose cluster's most common label is theirs"),
    "nmi": ("NMI", "{:.3f}", "normalised mutual information between clusters and labels"),
    "ari": ("ARI", "{:.3f}", "adjusted Rand index between clusters and labels (0: chance, 1: the same)"),
    "clusters": ("clusters", "{:d}", "clusters found"),
    "points": ("points", "{:,d}", "points clustered"),
    "inertia": ("within-cluster sum of squares", "{:.4g}", "k-means' objective: squared distances to the centres"),
    "log_likelihood": ("log-likelihood", "{:.4g}", "the Gaussian mixture's mean log-likelihood per point"),
    "refine_neighbours": ("neighbour vote", "{:d}", "labels smoothed by a majority vote over this many neighbours"),
    "markov_time": ("Markov time", "{:g}", "InfoMap's random-walk time scale"),
    "codelength": ("codelength", "{:.3f} bits", "InfoMap's description length of the walk with these modules"),
    "one_level_codelength": ("one-module codelength", "{:.3f} bits", "the walk's description length without modules"),
    "codelength_saving": ("saving", "{:.1%}", "how much shorter the walk's description is with the modules"),
    "links": ("links", "{:,d}", "edges of the neighbour graph"),
}


def describe_metric(name: str, value) -> str:
    """``name value`` as a user reads it (the catalogue's label and format; unknown names as they are)."""
    label, fmt, _ = METRICS.get(name, (name.replace("_", " "), "{}", ""))
    try:
        return f"{label} {fmt.format(value)}"
    except (ValueError, TypeError):
        return f"{label} {value}"

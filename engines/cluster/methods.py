"""The clustering methods of :data:`engines.cluster.catalogue.METHODS`, one function each with the same
signature: ``fit_NAME(problem, reporter) -> Fit``. A new method is a function here (or anywhere, named by
its catalogue entry's ``function``) and one catalogue entry."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from engines.catalogue import load
from engines.cluster.catalogue import METHODS
from engines.cluster.data import ClusterData
from engines.errors import InputError


@dataclass
class Problem:
    """What a method is asked to cluster, and how."""

    data: ClusterData
    z: np.ndarray  # the embedding of data.x to cluster (data.x itself for "raw")
    k: int
    neighbours: int
    markov_time: float | None  # None: automatic
    seed: int
    device: torch.device
    levels: str = "two"  # InfoMap's code: "two" or "multi" (modules within modules)


@dataclass
class Fit:
    """A method's clustering: the cluster of each point, the method's own measures (inertia, codelength...),
    InfoMap's .clu/.tree texts, and the true classes when the method reorders the points."""

    assignments: np.ndarray
    extra: dict = field(default_factory=dict)
    clu: str | None = None
    tree: str | None = None
    labels: np.ndarray | None = None
    hierarchy: object | None = None  # InfoMap's engines.cluster.graph.InfomapResult (its levels and module paths)


def fit(method: str, problem: Problem, reporter) -> Fit:
    """Cluster ``problem`` with the catalogue's ``method``."""
    return load(METHODS[method].function)(problem, reporter)


def fit_kmeans(p: Problem, reporter) -> Fit:
    from engines.cluster.mixture import kmeans

    assignments, _, inertia = kmeans(p.z, p.k, seed=p.seed, device=p.device, reporter=reporter)
    return Fit(assignments, {"inertia": inertia})


def fit_gmm(p: Problem, reporter) -> Fit:
    from engines.cluster.mixture import gmm

    assignments, ll = gmm(p.z, p.k, seed=p.seed, device=p.device, reporter=reporter)
    return Fit(assignments, {"log_likelihood": ll})


def fit_infomap(p: Problem, reporter) -> Fit:
    """InfoMap on the kNN graph of the embedding, at ``p.markov_time`` or the automatic one."""
    from engines.cluster.graph import infomap_auto, knn_graph, run_infomap

    reporter.progress(None, "InfoMap on the neighbour graph")
    src, dst, w = knn_graph(p.z, p.neighbours, p.device)
    markov_time = p.markov_time
    if markov_time is None:
        res, markov_time = infomap_auto(len(p.z), src, dst, w, p.k, p.seed + 1, reporter, ids=p.data.row_ids,
                                        levels=p.levels)
    else:
        res = run_infomap(len(p.z), src, dst, w, markov_time=markov_time, seed=p.seed + 1, ids=p.data.row_ids,
                          levels=p.levels)
    extra = {"markov_time": markov_time, "codelength": res.codelength,
             "one_level_codelength": res.one_level_codelength, "codelength_saving": res.saving, "links": int(len(src))}
    return Fit(res.modules, extra, res.clu, res.tree, hierarchy=res)


def fit_cluster_vae(p: Problem, reporter) -> Fit:
    """The latent engine's VAE with a clustering prior, trained on the digits; its clusters are the argmax
    of the prior's component posterior."""
    from engines.latent.analysis import encode
    from engines.latent.config import ModelConfig, TrainConfig
    from engines.latent.data import DataSpec
    from engines.latent.data import load_data as load_latent
    from engines.latent.models import build_model
    from engines.latent.training import train_job

    if p.data.name != "digits":
        raise InputError("the clustering VAE trains on the digits only (use the Latent panel for your own data)")
    spec = DataSpec("digits")
    snap = train_job(reporter, ModelConfig("cluster-vae", clusters=p.k), TrainConfig(epochs=100, seed=p.seed), spec,
                     str(p.device))  # the device's name: read by the latent engine's own device helper
    model = build_model(snap.config)
    model.load_state_dict({k: torch.as_tensor(np.asarray(v)) for k, v in snap.state.items()})
    model.eval()
    encoded = encode(model, load_latent(spec))
    assignments = np.asarray(encoded.clusters)
    labels = getattr(encoded, "labels", None)  # the latent engine's own item order
    labels = np.asarray(labels) if labels is not None and len(labels) == len(assignments) else None
    return Fit(assignments, labels=labels)

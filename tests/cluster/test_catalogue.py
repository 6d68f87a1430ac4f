"""The clustering catalogue: every method resolves to its code, requests are validated against it, the
command's options and help come from it, and it (with the tasks module) imports no torch."""
import argparse
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from engines.cluster.catalogue import (EMBEDDINGS, MARKOV_TIMES, METHODS, default_refine, parse_markov_time)
from engines.errors import InputError
from tasks.clustering import PointsRequest

ROOT = Path(__file__).parents[2]


def test_every_method_resolves_to_its_fit_function_and_embedding():
    import importlib

    for method in METHODS:
        module, _, name = method.function.partition(":")
        assert callable(getattr(importlib.import_module(module), name)), method.name
        assert method.embedding in EMBEDDINGS and method.description and method.url
        assert {o.name for o in method.options} <= {"k", "neighbours", "markov_time", "refine", "levels"}
    assert [m.name for m in METHODS if m.holds_gil] == ["infomap"]


def test_requests_get_the_method_defaults_and_refuse_bad_values():
    assert PointsRequest("gmm").validated().embedding == "tsne"
    assert PointsRequest("kmeans").validated().embedding == "raw"
    assert PointsRequest("kmeans", embedding="tsne").validated().refine == 10
    assert PointsRequest("infomap").validated().refine == 0
    assert PointsRequest("kmeans", embedding="tsne", refine=0).validated().refine == 0
    assert default_refine("gmm", "pca") == 0
    for request, words in [(PointsRequest(k=1), "k must be between 2 and 1000, got 1"),
                           (PointsRequest(k=1001), "k must be between 2 and 1000"),
                           (PointsRequest(embedding="umap"), "unknown embedding 'umap'; choose one of raw, pca, tsne"),
                           (PointsRequest("dbscan"), "unknown method 'dbscan'"),
                           (PointsRequest(neighbours=1), "neighbours must be between 2 and 500"),
                           (PointsRequest(markov_time=0.0), "markov_time must be auto or a positive number"),
                           (PointsRequest(refine=-1), "refine must be between 0 and 100")]:
        with pytest.raises(InputError, match=words.replace("(", r"\(")):
            request.validated()


def test_markov_time_text():
    assert parse_markov_time("auto") is None and parse_markov_time(" AUTO ") is None
    assert parse_markov_time("2") == 2.0
    for text in ("0", "-1", "nan", "soon"):
        with pytest.raises(InputError, match="markov_time must be auto or a positive number"):
            parse_markov_time(text)


def parser():
    from cli import run_cluster

    p = argparse.ArgumentParser(prog="cluster")
    run_cluster.add_arguments(p)
    return p


def test_command_options_come_from_the_catalogue(capsys):
    p = parser()
    args = p.parse_args(["--out", "x"])
    assert (args.method, args.k, args.embedding, args.neighbours, args.markov_time, args.refine, args.seed) == \
        ("kmeans", 10, None, 15, None, None, 0)
    args = p.parse_args(["--out", "x", "--method", "infomap", "--markov-time", "2", "--k", "5"])
    assert (args.method, args.markov_time, args.k) == ("infomap", 2.0, 5)
    for bad, words in [(["--k", "1"], "k must be between 2 and 1000, got 1"),
                       (["--markov-time", "0"], "markov_time must be auto or a positive number"),
                       (["--method", "dbscan"], "invalid choice: 'dbscan'"),
                       (["--embedding", "umap"], "invalid choice: 'umap'")]:
        with pytest.raises(SystemExit):
            p.parse_args(["--out", "x", *bad])
        assert words in capsys.readouterr().err
    text = " ".join(p.format_help().split())
    for method in METHODS:
        assert method.name in text
    assert f"{MARKOV_TIMES[-1]:g}" in text and "between 2 and 1000" in text


def test_jobs_resolve_the_device_and_engines_take_strings_or_devices():
    import torch

    from engines.cluster.data import from_arrays
    from engines.cluster.mixture import kmeans
    from engines.jobs import run
    from tasks.clustering import cluster_points_job

    x = np.r_[np.zeros((20, 2)), np.full((20, 2), 9.0)] + np.random.default_rng(0).normal(size=(40, 2)) * 0.1
    labels = np.repeat([0, 1], 20)
    result = run(cluster_points_job, from_arrays("two", x, labels), PointsRequest("kmeans", 2, "raw"), "auto")
    assert result.metrics["accuracy"] == 1.0
    by_name, _, _ = kmeans(x, 2, device="cpu")
    by_device, _, _ = kmeans(x, 2, device=torch.device("cpu"))
    assert (by_name == by_device).all()


def test_catalogue_and_tasks_import_no_torch():
    code = ("import sys, engines.cluster.catalogue, tasks.clustering; "
            "print(sorted(m for m in ('torch', 'scipy', 'PySide6') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_every_number_a_result_can_hold_has_words(tmp_path):
    """The keys the engine's metrics and fits produce all have a label, a format and a tooltip."""
    import numpy as np

    from engines.cluster.catalogue import METRICS, describe_metric
    from tasks.clustering import PointsRequest, cluster_points_job
    from tasks.runner import run

    rng = np.random.default_rng(0)
    x = np.concatenate([rng.normal(0, 0.1, (30, 2)), rng.normal(3, 0.1, (30, 2))])
    path = tmp_path / "two.csv"
    path.write_text("a,b,label\n" + "\n".join(f"{p},{q},{i // 30}" for i, (p, q) in enumerate(x)))
    seen = set()
    for method in ("kmeans", "gmm", "infomap"):
        result = run(cluster_points_job, str(path), PointsRequest(method, 2, "raw", 5, None, refine=3))
        seen |= set(result.metrics)
    assert seen <= set(METRICS), seen - set(METRICS)
    assert describe_metric("accuracy", 0.95166) == "accuracy 0.952"
    assert describe_metric("points", 1797) == "points 1,797" and describe_metric("codelength_saving", 0.25) == "saving 25.0%"

"""Every job of tasks.clustering on tiny inputs, through the shared runner: k-means on 200 digits, InfoMap
(in a job process, as the panel and the command run it) on the kNN graph of three blobs, and the word
modules of a few hand-written lines."""
import numpy as np

from engines.cluster.data import load_data
from tasks.clustering import (PointsRequest, Vectors, Words, WordsRequest, cluster_points_job, cluster_words_job,
                              in_process, points_from_vectors)
from tasks.runner import run


def main() -> None:
    digits = load_data("digits")
    first = Vectors("200 digits", digits.x[:200], digits.labels[:200], digits.images[:200])
    result = run(cluster_points_job, points_from_vectors(first), PointsRequest("kmeans", 10, "raw"), "cpu")
    assert result.assignments.shape == (200,) and result.projection.shape == (200, 2)
    assert result.metrics["accuracy"] > 0.6 and result.metrics["points"] == 200, result.metrics

    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(3), 20)
    points = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])[labels] + rng.normal(size=(60, 2)) * 0.5
    request = PointsRequest("infomap", 3, "raw")  # 15 neighbours of 20 points per blob: three modules
    assert in_process(request)
    result = run(cluster_points_job, points_from_vectors(Vectors("blobs", points, labels)), request, "cpu", process=True)
    assert result.metrics["accuracy"] == 1.0 and result.metrics["clusters"] == 3, result.metrics
    assert result.metrics["codelength"] < result.metrics["one_level_codelength"]
    assert result.clu.count("\n") > 60 and result.tree

    lines = [["猫", "狗"], ["北京", "上海", "天津"], ["苹果", "香蕉", "橘子"]] * 10 + [["北京", "苹果"]]
    modules = run(cluster_words_job, Words("hand-written", lines), WordsRequest(top=20), process=True)
    groups = [{w for w, _ in group} for group in modules.modules]
    assert {"北京", "上海", "天津"} in groups and {"苹果", "香蕉", "橘子"} in groups, groups
    assert "猫" not in modules.words  # one character: shorter than min_len
    assert sorted(modules.assignments.tolist()) == sorted(i for i, g in enumerate(modules.modules) for _ in g)
    print("clustering tasks: ok")


if __name__ == "__main__":  # process jobs re-import the main module
    main()

"""InfoMap's hierarchy on the digits kNN graph: at least two levels of modules below the root, codelength no
worse than the two-level code, both checked against the infomap package run directly; levels.csv and the
multi-level .tree from the command."""
import warnings

import numpy as np
import pytest

from engines.cluster.graph import knn_graph, run_infomap
from engines.cluster.hierarchy import cut


@pytest.fixture(scope="module")
def graph():
    from sklearn.datasets import load_digits

    x = load_digits().data
    return len(x), *knn_graph(x, 15)


def direct(n, src, dst, w, flags):
    import infomap

    im = infomap.Infomap(f"{flags} --silent --seed 2 --num-trials 1 --markov-time 1.0")
    im.add_nodes(range(n))
    for a, b, ww in zip(src.tolist(), dst.tolist(), w.tolist()):
        im.add_link(a, b, ww)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = im.run()
        source = result if result is not None else im
        multi = dict(source.multilevel_modules() if result is not None else im.get_multilevel_modules())
        return float(source.codelength), multi


def test_multi_level_infomap_nests_modules_and_codes_shorter(graph):
    n, src, dst, w = graph
    multi = run_infomap(n, src, dst, w, seed=2, levels="multi")
    two = run_infomap(n, src, dst, w, seed=2, levels="two")
    want_multi, paths = direct(n, src, dst, w, "")
    want_two, _ = direct(n, src, dst, w, "--two-level")
    assert multi.codelength == pytest.approx(want_multi) and two.codelength == pytest.approx(want_two)
    assert multi.codelength <= two.codelength + 1e-9
    assert [lv.level for lv in multi.levels] == list(range(len(multi.levels))) and len(multi.levels) >= 3
    counts = [lv.modules for lv in multi.levels]
    assert counts[0] == 1 and counts[1] > 1 and counts[2] > counts[1]  # two levels below the root
    for node in (0, 17, n - 1):
        assert tuple(multi.paths[node, :len(paths[node])]) == tuple(paths[node])
    assert np.array_equal(multi.modules, multi.paths[:, 0] - 1)
    # level 1's codelength is the two-level code of the top modules: the package's own, given that partition
    assert multi.levels[1].codelength >= two.codelength - 1e-9  # the optimised two-level code is the shortest
    assert np.array_equal(cut(multi.paths, 1), np.unique(multi.paths[:, 0], return_inverse=True)[1].reshape(-1))
    tree_paths = [line.split(" ")[0] for line in multi.tree.splitlines() if line and not line.startswith("#")]
    assert len(tree_paths) == n and max(p.count(":") for p in tree_paths) >= 2


def test_the_command_writes_levels_csv(tmp_path):
    from cli import main

    out = tmp_path / "tree"
    assert main(["run", "cluster", "--method", "infomap", "--embedding", "raw", "--markov-time", "1", "--levels",
                 "multi", "--data", "digits", "--out", str(out)]) == 0
    rows = (out / "levels.csv").read_text(encoding="utf-8").splitlines()
    assert rows[0] == "level,modules,codelength" and len(rows) >= 4
    assert any(line.split(" ")[0].count(":") >= 2 for line in (out / "clusters.tree").read_text().splitlines()
               if not line.startswith("#"))
    assert main(["run", "cluster", "--method", "kmeans", "--data", "digits", "--out", str(out)]) == 0
    assert not (out / "levels.csv").exists()  # another method's run takes InfoMap's files away

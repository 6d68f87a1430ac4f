"""The store of clusterings the panels share (tasks.cluster_store) and the latent map's choice of clusters
(tasks.latent_map.map_clusters): the Clustering panel's clusters colour the map only when they are of the same
data set and cover every row shown; else the model's own, else k-means, and the caption says which."""
from types import SimpleNamespace

import numpy as np
import pytest

from tasks.cluster_store import ClusterStore
from tasks.clustering import ClusterResult, Vectors, points_from_vectors
from tasks.latent_map import map_clusters


def _result(assignments, rows=None, dataset="digits", method="infomap", name="digits"):
    a = np.asarray(assignments)
    return ClusterResult(method, "raw", a, np.zeros((len(a), 2)), {}, 0.0, None, None, name, None, None,
                         None if rows is None else np.asarray(rows), dataset=dataset)


def _encoded(rows, name="digits", clusters=None):
    return SimpleNamespace(data=SimpleNamespace(name=name, all_rows=np.asarray(rows)), clusters=clusters)


def test_a_published_clustering_gives_the_cluster_of_each_row_asked_for_in_any_order():
    store, heard = ClusterStore(), []
    store.subscribe(heard.append)
    rng = np.random.default_rng(0)
    rows = rng.permutation(50) + 100  # rows 100..149 in a shuffled order
    assignments = rng.integers(0, 4, 50)
    shared = store.publish(_result(assignments, rows))
    assert heard == [shared] and store.latest("digits") is shared and store.latest("moons") is None
    asked = rng.permutation(rows)[:30]
    by_row = dict(zip(rows.tolist(), assignments.tolist()))  # the plain reference: a row -> cluster table
    assert shared.for_rows(asked).tolist() == [by_row[r] for r in asked.tolist()]
    assert shared.for_rows(np.append(asked, 99)) is None  # row 99 was not clustered
    assert shared.for_rows(np.array([150])) is None
    assert shared.describe() == f"clusters from the Clustering panel: InfoMap on digits, {len(set(assignments))} modules"


def test_clusterings_of_no_data_set_or_of_a_row_twice_are_not_kept():
    store, heard = ClusterStore(), []
    store.subscribe(heard.append)
    assert store.publish(_result([0, 1], dataset=None)) is None
    assert store.publish(_result([0, 1, 0], rows=[3, 4, 3])) is None
    assert heard == [] and store.latest("digits") is None
    store.publish(_result([0, 1, 1], rows=None, method="kmeans", name="codes of the VAE"))  # rows 0..2
    assert store.latest("digits").for_rows(np.array([2, 0])).tolist() == [1, 0]
    assert store.latest("digits").describe().endswith("k-means on codes of the VAE, 2 clusters")


def test_the_map_takes_the_clustering_panels_clusters_of_the_same_rows():
    store = ClusterStore()
    shared = store.publish(_result([5, 6, 7, 8], rows=[10, 11, 12, 13], method="kmeans"))
    own, kmeans = np.array([0, 0, 1]), np.array([2, 2, 2])
    chosen = map_clusters(_encoded([13, 10, 12], clusters=own), shared, kmeans)
    assert chosen.clusters.tolist() == [8, 5, 7] and not chosen.needs_kmeans
    assert chosen.caption == "coloured by clusters from the Clustering panel:\nk-means on digits, 4 clusters"


@pytest.mark.parametrize("rows, name", [([13, 10, 14], "digits"), ([13, 10, 12], "moons")])
def test_other_rows_or_another_data_set_fall_back_to_the_models_clusters_then_k_means(rows, name):
    shared = ClusterStore().publish(_result([5, 6, 7, 8], rows=[10, 11, 12, 13], method="kmeans"))
    shared = shared if name == "digits" else None  # the panel asks the store for its own data set's
    own, kmeans = np.array([0, 0, 1]), np.array([2, 2, 3])
    chosen = map_clusters(_encoded(rows, name, own), shared, kmeans)
    assert chosen.clusters is own and chosen.caption.startswith("coloured by the model's clusters")
    assert ("are of other rows" in chosen.caption) == (name == "digits")
    chosen = map_clusters(_encoded(rows, name), shared, kmeans)
    assert chosen.clusters is kmeans and chosen.caption.startswith("coloured by k-means (k = 2) on the codes")
    waiting = map_clusters(_encoded(rows, name), shared, None)
    assert waiting.clusters is None and waiting.needs_kmeans


def test_the_digits_and_the_latent_panels_codes_name_the_same_rows_of_the_same_data_set():
    from engines.cluster.data import load_data
    from engines.latent.data import DataSpec
    from engines.latent.data import load_data as load_latent

    digits, latent = load_data("digits"), load_latent(DataSpec("digits"))
    assert digits.dataset == latent.name == "digits"
    assert sorted(digits.row_ids.tolist()) == sorted(latent.all_rows.tolist()) == list(range(1797))
    sent = points_from_vectors(Vectors("codes", np.zeros((3, 2)), rows=np.array([4, 5, 6]), dataset="digits"))
    assert sent.dataset == "digits" and sent.row_ids.tolist() == [4, 5, 6]

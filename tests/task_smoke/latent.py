"""Every job of tasks.latent on tiny inputs, through the shared runner: the bundled VAE loaded with its map
and first path, a path between prior samples, a small decoded grid of the 2D VAE, the path length with few
pairs, t-SNE of 60 codes (in a job process, as the panel runs it), one epoch of training on the digits,
saving and loading back, and the walk of ``run latent`` with its metrics (the numbers the panel shows)."""
import tempfile
from pathlib import Path

import numpy as np

from engines.errors import InputError
from engines.latent.data import DataSpec
from tasks import __version__
from tasks.bundled import bundled
from tasks.latent import (PathRequest, TrainRequest, WalkRequest, history_from_info, load_job, manifold_job,
                          path_job, ppl_job, save_job, train_job, trained_info, tsne_job, vectors, walk_job)
from tasks.runner import run


def main() -> None:
    vae, vae_2d = (b.path for b in bundled("latent")[:2])
    loaded = run(load_job, vae, steps=5)
    model, enc = loaded.checkpoint.model, loaded.overview.encoded
    assert model.latent_size == 16 and enc.z.shape == (1797, 16)
    first = loaded.paths
    assert first.request.start >= enc.n_train and first.interpolation.codes["slerp"].shape == (5, 16)
    assert first.numbers["lerp"].path_length > 0 and first.numbers["slerp"].step_distance > 0
    sent = vectors(loaded.overview)
    assert sent.x is enc.z and sent.images.shape == (1797, 8, 8) and (sent.labels == enc.labels).all()

    prior = run(path_job, model, enc, PathRequest(prior_seed=3, steps=4))
    norms = prior.interpolation.norms["slerp"]
    assert prior.interpolation.endpoints == ("prior sample", "prior sample") and norms.min() >= norms[[0, -1]].min() - 1e-9

    two_d = run(load_job, vae_2d)
    grid = run(manifold_job, two_d.checkpoint.model, (-2.0, 2.0), (-1.0, 1.0), 4, 4)
    assert grid.image.shape == (32, 32, 1) and 0 <= grid.image.min() and grid.image.max() <= 1 and grid.columns == grid.rows == 4
    np.testing.assert_allclose(two_d.paths.on_map["lerp"], two_d.paths.interpolation.codes["lerp"])

    ppl = run(ppl_job, model, 20, "feature")
    assert ppl.pairs == 20 and ppl.distance == "feature" and len(ppl.raw["lerp"].values) == 20
    assert ppl.raw["slerp"].mean > 0 and set(ppl.curves) == {(k, m) for k in ("raw", "unit") for m in ("lerp", "slerp")}

    tsne = run(tsne_job, enc.z[:60], process=True)
    assert tsne.method == "tsne" and tsne.xy.shape == (60, 2) and np.isfinite(tsne.xy).all()

    try:
        TrainRequest("vae", settings={"layers": 3}).configs()
        raise AssertionError("a VAE took the flow's coupling layers")
    except InputError as exc:
        assert "layers" in str(exc)
    request = TrainRequest("vae", DataSpec("digits"), {"epochs": 1, "latent": 2, "hidden": 32})
    snap = run(train_job, request, "cpu")
    assert snap.finished and snap.epoch == 1 and snap.config.latent == 2 and snap.config.data_shape == (1, 8, 8)
    assert snap.train.lr == 2e-3 and np.isfinite(snap.metrics["test_total"])
    adopted = run(load_job, snap)
    assert adopted.checkpoint.name == "trained-vae" and adopted.overview.encoded.z.shape == (1797, 2)

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "one_epoch.safetensors"
        body = run(save_job, path, snap.config, snap.state, trained_info(snap))
        assert body["workbench"] == __version__ and body["train"]["epochs"] == 1
        reloaded = run(load_job, path)
        assert reloaded.checkpoint.sha256 == body["sha256"] and reloaded.checkpoint.config == snap.config
        history = history_from_info(reloaded.checkpoint.info)
        assert history.epoch == [1] and history.total == snap.history.total

    walk = run(walk_job, WalkRequest(start=3, end=7, steps=5, mode="lerp", pairs=20))
    metrics = walk.metrics()
    assert metrics["items"] == [3, 7] and len(metrics["norms"]) == 5 and metrics["latent_size"] == 16
    assert metrics["perceptual_path_length"]["slerp"]["pairs"] == 20
    at = [enc.data.position_of(row) for row in (3, 7)]  # --from/--to are rows of load_digits(); the panel's are places
    same = run(path_job, model, enc, PathRequest(*at, None, 5))  # what the panel computes for these items
    assert same.numbers["lerp"] == walk.numbers and metrics["path_length_this_path"] == walk.numbers.path_length
    try:
        run(walk_job, WalkRequest(start=3, prior_seed=1))
        raise AssertionError("a walk took both items and a prior seed")
    except InputError:
        pass
    print("latent tasks: ok")


if __name__ == "__main__":  # process jobs re-import the main module
    main()

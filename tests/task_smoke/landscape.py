"""The job of tasks.landscape on tiny inputs, through the shared runner: the digits MLP trained for 20 steps
with its path on the PCA plane (in a job process, as the panel runs it), then the bundled VAE opened by its
declared format on a 3×3 fixed plane, whose centre is the checkpoint's own loss; then two optimizers trained
from that VAE's weights compared on one plane."""
import numpy as np

from tasks.bundled import bundled_path
from engines.landscape.formats import identify_checkpoint
from tasks.landscape import NetworkRequest, network_job, registry
from tasks.landscape_compare import CompareRequest, compare_job
from tasks.runner import run

VAE_TRAIN_NEG_ELBO = -55.8407  # the bundled digits VAE on the training split, reparameterisation noise seed 0


def main() -> None:
    known = registry()
    assert {"digits_mlp", "latent_vae", "latent_nice", "diffusion_mlp", "diffusion_conv"} <= set(known.architectures)
    assert set(known.formats) == {"workbench-latent", "workbench-diffusion", "workbench-exported:landscape"}
    assert known.bare is not None

    partials, progress = [], []
    request = NetworkRequest("sgd:lr=0.1,momentum=0.9", 20, plane="pca", n=5)
    trained = run(network_job, request, process=True, on_partial=partials.append, on_progress=progress.append)
    assert trained.stage == "done" and trained.plane == "pca" and trained.loss.shape == (5, 5)
    assert np.isfinite(trained.loss).all() and trained.path.shape == (3, 2)  # snapshots at steps 0, 10, 20
    assert trained.train_losses.shape == (20,) and trained.train_losses[-1] < trained.train_losses[0]
    assert 0 < trained.explained.sum() <= 1 and trained.test_metric > 0.5
    assert any(p.stage == "training" for p in partials) and any(p.stage == "landscape" for p in partials)
    fractions = [p.fraction for p in progress if p.fraction is not None]  # one bar over training and the plane
    assert fractions == sorted(fractions) and fractions[-1] == 1.0, fractions
    assert 0 < fractions[0] < 20 / (20 + 3 * 25) and any(p.message.startswith("projecting") for p in progress)
    assert trained.parameters() == {"optimizer": request.spec, "steps": 20, "plane": "pca", "grid": 5}

    vae = bundled_path("latent", "vae")
    assert identify_checkpoint(known, vae) == "workbench-latent"
    opened = run(network_job, NetworkRequest("", 0, plane="pca", n=3, checkpoint=str(vae)))
    assert opened.plane == "fixed" and opened.path is None and "negative ELBO" in opened.loss_name  # no path: no PCA
    assert opened.parameters()["checkpoint"] == str(vae) and opened.parameters()["plane"] == "fixed"
    assert abs(opened.loss[1, 1] - VAE_TRAIN_NEG_ELBO) < 2e-3, opened.loss[1, 1]  # the plane's centre

    # two optimizers from the bundled VAE's weights on one plane (tasks.landscape_compare), in a job process
    compare = CompareRequest(("sgd:lr=0.001", "adam:lr=0.0003"), plane="endpoints", steps=3, n=5, checkpoint=str(vae))
    progress.clear()
    compared = run(compare_job, compare, process=True, on_progress=progress.append)
    assert compared.stage == "done" and [r.bn for r in compared.runs] == [False, False]
    assert compared.runs[0].path_loss[0] == compared.runs[1].path_loss[0]  # both start from the checkpoint
    assert compared.landscapes[0].center == "the common start" and np.isfinite(compared.landscapes[0].loss).all()
    np.testing.assert_allclose(compared.runs[0].path[-1], [1, 0], atol=1e-6)
    fractions = [p.fraction for p in progress if p.fraction is not None]
    assert fractions == sorted(fractions), fractions
    print("landscape tasks: ok")


if __name__ == "__main__":  # process jobs re-import the main module
    main()

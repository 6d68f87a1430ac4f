"""The bundled checkpoints: small, loadable, hashes recorded, held-out numbers as recorded."""
import json

import pytest

from engines.export.sidecar import file_sha256
from engines.latent.checkpoint import load_checkpoint
from engines.latent.likelihood import held_out_nll
from engines.latent.training import evaluate
from tasks.bundled import bundled, bundled_path

NAMES = {"vae": ("vae", 16), "vae-2d": ("vae", 2), "nice": ("nice", 64)}


def test_the_bundled_list_is_these_three():
    assert [b.name for b in bundled("latent")] == list(NAMES)


@pytest.mark.parametrize("name", sorted(NAMES))
def test_bundled_checkpoint(name, digits):
    path = bundled_path("latent", name)
    assert path.stat().st_size < 600_000
    meta = json.loads(path.with_suffix(".json").read_text())
    assert meta["sha256"] == file_sha256(path)
    assert meta["dataset"]["name"] == "digits" and meta["train"]["seed"] == 0
    ck = load_checkpoint(path)
    kind, latent = NAMES[name]
    assert ck.config.kind == kind and ck.model.latent_size == latent
    m = evaluate(ck.model, digits)
    recorded = meta["run"]["metrics"]
    assert m["test_total"] == pytest.approx(recorded["test_total"], abs=1e-3)
    if kind == "nice":
        assert m["test_bits_per_dim"] < 3.0
        # the NLL `train latent` prints estimates -log P(k) of the discrete pixels (at the bins' centres), the
        # quantity the likelihood table bounds from above: at most that bound and a few nats from it (its
        # continuous density's NLL, test_total, lies D log L = 181 nats away)
        bound = held_out_nll(ck.model, digits.test_x, samples=1, seed=0).nll
        assert bound - 10 < m["test_discrete"] <= bound
    else:
        assert m["test_recon_mse"] < 0.5 * m["mean_image_mse"]

"""The geometry report: shell, angle laws (against closed forms and scipy), KL per dimension (against the
model's own KL), the held-out fit, and ``run latent --report --map``."""
import json

import numpy as np
import pytest
import torch
from scipy import stats

from cli import main
from engines.jobs import Reporter
from engines.latent.geometry import data_pair_angles, kl_per_dimension, shell
from engines.latent.models import gaussian_kl
from engines.latent.statistics import angle_fit, random_pair_angles
from tasks.latent_report import report_job


def test_the_ks_test_matches_scipy_against_the_closed_form_in_three_dimensions():
    # n = 3: p(theta) = sin(theta) / 2, so F(theta) = (1 - cos theta) / 2
    sample = random_pair_angles(3, 3000, seed=1)
    fit = angle_fit(sample, 3)
    ref = stats.kstest(sample, lambda t: (1 - np.cos(t)) / 2)
    assert fit.ks_statistic == pytest.approx(ref.statistic, abs=1e-5)
    assert fit.p_value == pytest.approx(ref.pvalue, rel=1e-2)


def test_encoded_pairs_pass_when_isotropic_and_fail_when_clustered():
    rng = np.random.default_rng(0)
    iso = rng.standard_normal((2000, 16))
    assert angle_fit(data_pair_angles(iso, 3000), 16).p_value > 0.01
    centres = rng.standard_normal((4, 16)) * 3
    clustered = centres[rng.integers(4, size=2000)] + 0.3 * rng.standard_normal((2000, 16))
    assert angle_fit(data_pair_angles(clustered, 3000), 16).p_value < 1e-6


def test_shell_deviation_is_zero_on_the_sphere_and_small_for_prior_samples():
    z = np.random.default_rng(0).standard_normal((500, 32))
    on_sphere = z / np.linalg.norm(z, axis=1, keepdims=True) * np.sqrt(32)
    s = shell(on_sphere)
    assert s.radius == pytest.approx(np.sqrt(32)) and s.relative_deviation == pytest.approx(0, abs=1e-12)
    assert s.mean == pytest.approx(np.sqrt(32))
    assert shell(z).relative_deviation == pytest.approx(s.prior_relative_deviation, rel=0.2)


def test_kl_per_dimension_sums_to_the_models_kl_and_finds_a_dead_dimension():
    from engines.latent.config import ModelConfig
    from engines.latent.models import build_model

    torch.manual_seed(0)
    model = build_model(ModelConfig("vae", data_shape=(1, 8, 8), latent=4, hidden=16)).double().eval()
    with torch.no_grad():  # coordinate 2: mean 0 and log-variance 0 for every input, so KL 0
        model.to_stats.weight[[2, 6]] = 0.0
        model.to_stats.bias[[2, 6]] = 0.0
    x = np.random.default_rng(0).uniform(size=(64, 1, 8, 8))
    kl = kl_per_dimension(model, x)
    with torch.no_grad():
        mean, logvar = model.encode(torch.from_numpy(x))
        ref = gaussian_kl(mean, logvar).mean().item()
    assert kl.sum() == pytest.approx(ref, rel=1e-9)
    assert kl[2] == pytest.approx(0.0, abs=1e-12) and (np.delete(kl, 2) > 1e-4).all()


def test_report_of_the_bundled_vae():
    from engines.latent.training import evaluate

    enc, report = report_job(Reporter(), None, angle_pairs=2000, path_pairs=50)
    d = report.as_dict()
    assert d["latent_size"] == 16 and d["items"] == 1797 and d["non_finite"] == []
    assert d["heldout"]["negative_elbo"] == pytest.approx(evaluate(enc.checkpoint.model, enc.encoded.data)["test_discrete"])
    kl = np.array(d["active_dimensions"]["kl_per_dimension"])
    assert d["active_dimensions"]["indices"] == [int(i) for i in np.argsort(-kl) if kl[i] > 0.01]
    # posterior means sit inside the prior's shell; their angles are not the isotropic law
    assert d["shell"]["codes_mean_norm"] < d["shell"]["sqrt_n"]
    assert d["angles"]["encoded_pairs"]["ks_p_value"] < 0.05 < d["angles"]["prior_pairs"]["ks_p_value"]
    assert "not those of independent isotropic directions" in d["angles"]["encoded_pairs_meaning"]
    assert d["path_length"]["slerp_over_lerp"] == pytest.approx(d["path_length"]["slerp"] / d["path_length"]["lerp"])


def test_non_finite_numbers_become_null_and_are_listed():
    from dataclasses import replace

    _, report = report_job(Reporter(), None, angle_pairs=200, path_pairs=10)
    d = replace(report, heldout={"negative_elbo": float("nan")}).as_dict()
    assert d["heldout"]["negative_elbo"] is None and d["non_finite"] == ["heldout.negative_elbo"]
    json.dumps(d, allow_nan=False)


def test_run_latent_writes_report_and_map(tmp_path, capsys):
    from sklearn.datasets import load_digits

    out = tmp_path / "r"
    assert main(["run", "latent", "--report", "--map", "pca", "--angle-pairs", "500", "--pairs", "20",
                 "--steps", "3", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "dimensions active (KL > 0.01 nats); held-out negative ELBO" in text
    report = json.loads((out / "report.json").read_text())
    assert report["angles"]["prior_pairs"]["pairs"] == 500 and report["path_length"]["pairs"] == 20
    table = np.genfromtxt(out / "map.csv", delimiter=",", names=True)
    assert len(table) == 1797
    np.testing.assert_array_equal(table["label"].astype(int), load_digits().target[table["index"].astype(int)])
    sidecar = json.loads((out / "sidecar.json").read_text())
    assert {"report.json", "map.csv"} <= {f["name"] for f in sidecar["files"]}
    assert sidecar["parameters"]["map"] == "pca" and sidecar["parameters"]["report"] is True


def test_run_latent_refuses_too_few_angle_pairs(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["run", "latent", "--report", "--angle-pairs", "5", "--out", str(tmp_path / "x")])
    assert "--angle-pairs" in capsys.readouterr().err


@pytest.mark.slow  # umap-learn's first call compiles with numba (about 25 s here)
def test_umap_separates_two_distant_clusters():
    from tasks.latent_map import map_job

    rng = np.random.default_rng(0)
    z = np.concatenate([rng.standard_normal((60, 8)), rng.standard_normal((60, 8)) + 20.0])
    m = map_job(Reporter(), z, "umap")
    assert m.method == "umap" and m.xy.shape == (120, 2) and np.isfinite(m.xy).all()
    a, b = m.xy[:60], m.xy[60:]
    gap = np.linalg.norm(a.mean(0) - b.mean(0))
    assert gap > 3 * max(a.std(0).max(), b.std(0).max())

"""Attribute vectors and per-dimension traversals; ``run latent --attribute A:B --strength S``."""
import json

import numpy as np
import pytest

from cli import main
from engines.errors import InputError
from engines.jobs import Reporter
from engines.latent.directions import attribute_vector, traversal


def test_attribute_vector_is_the_difference_of_label_means():
    rng = np.random.default_rng(0)
    z, labels = rng.standard_normal((40, 3)), np.repeat([0, 1, 2, -1], 10)
    np.testing.assert_allclose(attribute_vector(z, labels, 2, 0), z[20:30].mean(0) - z[:10].mean(0))
    with pytest.raises(InputError, match="no item has label 5"):
        attribute_vector(z, labels, 5, 0)


def test_traversal_varies_one_coordinate_over_three_sd():
    rng = np.random.default_rng(1)
    z = rng.standard_normal((200, 4)) * [1.0, 2.0, 0.5, 3.0]
    t = traversal(z[0], z, np.array([3, 1]), steps=5)
    assert t.codes.shape == (2, 5, 4)
    changed = np.abs(t.codes - z[0]) > 0
    assert changed[0][:, [0, 1, 2]].sum() == 0 and changed[1][:, [0, 2, 3]].sum() == 0
    np.testing.assert_allclose(t.codes[0, [0, -1], 3] - z[0, 3], [-3 * z[:, 3].std(), 3 * z[:, 3].std()])


def test_traversal_rows_are_ordered_by_kl():
    from tasks.latent_directions import traversal_job
    from tasks.latent_report import encoding_job

    enc = encoding_job(Reporter(), None)
    grid = traversal_job(Reporter(), enc.checkpoint.model, enc.encoded, 5, steps=4, rows=6)
    assert grid.decoded.shape == (6, 4, 8, 8, 1)
    np.testing.assert_array_equal(grid.dims, np.argsort(-grid.kl, kind="stable")[:6])


def test_run_latent_writes_the_attribute_strip(tmp_path, capsys):
    from tasks.latent_report import encoding_job

    out = tmp_path / "a"
    assert main(["run", "latent", "--attribute", "1:7", "--strength", "2", "--from", "20", "--to", "21",
                 "--steps", "3", "--pairs", "10", "--out", str(out)]) == 0
    assert "attribute: row 20 (label" in capsys.readouterr().out
    enc = encoding_job(Reporter(), None).encoded
    with np.load(out / "attribute.npz") as a:
        assert int(a["row"]) == 20 and list(a["labels"]) == [1, 7]
        z = enc.z[enc.data.position_of(20)]
        v = enc.z[enc.labels == 1].mean(0) - enc.z[enc.labels == 7].mean(0)
        np.testing.assert_allclose(a["vector"], v)
        np.testing.assert_allclose(a["latents"], z + np.linspace(0, 2, 9)[:, None] * v)
        assert a["decoded"].shape == (9, 8, 8, 1)
    sidecar = json.loads((out / "sidecar.json").read_text())
    assert {"attribute.png", "attribute.npz"} <= {f["name"] for f in sidecar["files"]}
    assert sidecar["parameters"]["attribute"] == "1:7"


def test_run_latent_refuses_a_malformed_attribute(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["run", "latent", "--attribute", "1-7", "--out", str(tmp_path / "x")])
    assert "--attribute: must be two labels A:B" in capsys.readouterr().err

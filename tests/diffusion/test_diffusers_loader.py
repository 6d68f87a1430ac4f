"""A local diffusers model folder (tiny random UNet2DModel built from a config) loads and samples."""
import json

import pytest
import torch

diffusers = pytest.importorskip("diffusers")


def test_tiny_unet_folder(tmp_path):
    from engines.diffusion.run import compare_job
    from engines.diffusion.sources import checkpoint_source
    from engines.jobs import run

    torch.manual_seed(0)
    unet = diffusers.UNet2DModel(sample_size=8, in_channels=1, out_channels=1, layers_per_block=1,
                                 block_out_channels=(8, 16), norm_num_groups=4,
                                 down_block_types=("DownBlock2D", "DownBlock2D"), up_block_types=("UpBlock2D", "UpBlock2D"))
    folder = tmp_path / "pipe"
    unet.save_pretrained(folder / "unet")
    (folder / "scheduler").mkdir()
    (folder / "scheduler" / "scheduler_config.json").write_text(json.dumps(
        {"_class_name": "DDPMScheduler", "num_train_timesteps": 1000, "beta_schedule": "linear",
         "prediction_type": "epsilon"}))
    source = checkpoint_source(folder)
    assert source.kind == "images" and source.model.shape == (1, 8, 8)
    x = torch.randn(2, 1, 8, 8)
    with torch.no_grad():
        t = 500.0
        expected = unet(x, torch.tensor([t, t])).sample
        assert torch.allclose(source.model.net(x, t), expected, atol=1e-6)
    result = run(compare_job, source, [("ddim", {}), ("dpmpp_2m", {})], 4, 3, 0)
    assert result.runs[0].frames.x.shape == (4, 3, 1, 8, 8) and torch.isfinite(torch.as_tensor(result.runs[1].samples)).all()


def test_not_a_diffusers_folder(tmp_path):
    from engines.diffusion.sources import checkpoint_source
    from engines.errors import InputError

    with pytest.raises(InputError, match="config.json"):
        checkpoint_source(tmp_path)
    (tmp_path / "config.json").write_text(json.dumps({"_class_name": "AutoencoderKL"}))
    with pytest.raises(InputError, match="cannot be sampled"):
        checkpoint_source(tmp_path)

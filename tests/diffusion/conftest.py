"""Diffusion tests: single-threaded torch (small tensors; the test machine's cores are shared), restored after."""
import pytest
import torch


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture
def panel(make_panel):
    """A diffusion panel sampling 200 points per sampler (for the panel tests)."""
    import workbench.panels.diffusion as diffusion

    widget = make_panel(diffusion)
    widget.controls.samples.setValue(200)
    return widget


def tiny_vp_model(seed: int = 0, prediction: str = "eps", width: int = 32):
    from engines.diffusion.models import VPModel
    from engines.diffusion.networks import MLPDenoiser
    from engines.diffusion.schedules import VPSchedule

    torch.manual_seed(seed)
    net = MLPDenoiser(dim=2, width=width, depth=2, emb=16).eval()
    return net, VPModel(net, VPSchedule.make("linear"), prediction)

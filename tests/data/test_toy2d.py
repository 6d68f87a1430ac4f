"""The built-in 2-D sets: the moons drawn without scikit-learn are scikit-learn's moons, and sampling the
bundled moons model never imports scikit-learn (an import no Cancel can interrupt)."""
import subprocess
import sys

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st


@settings(max_examples=30, deadline=None)
@given(n=st.integers(2, 3000), noise=st.sampled_from([0.0, 0.05, 0.3]), seed=st.integers(0, 2**31 - 1))
def test_moons_are_scikit_learns(n, noise, seed):
    from sklearn.datasets import make_moons as reference

    from engines.data.toy2d import make_moons

    x, y = make_moons(n, noise, seed)
    x_ref, y_ref = reference(n, noise=noise, random_state=seed)
    np.testing.assert_array_equal(x, x_ref)
    np.testing.assert_array_equal(y, y_ref)


def test_sampling_the_bundled_moons_model_leaves_scikit_learn_unloaded():
    code = ("import sys; from engines.jobs import run; from tasks.diffusion import SampleRequest, sample_job; "
            "run(sample_job, SampleRequest('bundled:moons', samples=50, nfe=4)); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'sklearn'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"

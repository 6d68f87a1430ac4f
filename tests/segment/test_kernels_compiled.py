"""The segmentation kernels compiled ahead of time (engines/segment/kernels/aot.py, numba.pycc) against
numba's just-in-time ones, bit for bit, and the loader's choice between the two."""
import importlib.util
import shutil
import sysconfig

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engines.segment import kernels
from engines.segment.kernels.aot import compile_module
from tests.segment.test_engine import word_index

pytestmark = pytest.mark.skipif(not (shutil.which("cc") or shutil.which("gcc")), reason="no C compiler")


@pytest.fixture(scope="module")
def compiled(tmp_path_factory):
    """A module compiled from this tree's sources in a folder of the test's own (not the installed one)."""
    path = tmp_path_factory.mktemp("aot") / f"{kernels.COMPILED}{sysconfig.get_config_var('EXT_SUFFIX')}"
    compile_module(path)
    spec = importlib.util.spec_from_file_location(kernels.COMPILED, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def both(compiled, name):
    return getattr(compiled, name), kernels.jit_kernel(name)


def test_the_module_is_stamped_with_the_sources_it_was_built_from(compiled):
    assert compiled.stamp() == kernels.source_stamp()
    assert all(callable(getattr(compiled, name)) for name in kernels.SIGNATURES)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2 ** 32 - 1), size=st.integers(0, 300))
def test_hash_tables_agree_bit_for_bit(compiled, seed, size):
    rng = np.random.default_rng(seed)
    keys = rng.integers(-2 ** 62, 2 ** 62, size)
    keys[: size // 3] = rng.integers(-5, 5, size // 3)  # repeated keys: the first keeps its row
    rows = rng.integers(-2, 1000, size)
    bits = max(4, int(np.ceil(np.log2(max(4 * size, 16)))))
    tables = [build(keys, rows, bits) for build in both(compiled, "build")]
    assert np.array_equal(*tables)
    query = np.concatenate([keys, rng.integers(-10, 10, 50)])
    assert np.array_equal(*(f(tables[0], bits, query) for f in both(compiled, "lookup")))
    gate = rng.integers(0, 3, query.size)
    for g in (gate, np.zeros(0, np.int64)):
        assert np.array_equal(*(f(tables[0], bits, query, g, 2) for f in both(compiled, "stored")))
    dense = compiled.build(keys, np.arange(size), bits)  # rows < size, as sums by row need
    weights = rng.standard_normal(query.size) * 10.0 ** rng.integers(-8, 8, query.size)  # order matters
    sums = []
    for add_at in both(compiled, "add_at"):
        out = np.zeros(size)
        add_at(dense, bits, query, weights, out)
        sums.append(out.tobytes())
    assert sums[0] == sums[1]
    tables = np.unique(keys), rng.integers(-5, 5, keys.size), np.unique(query), rng.integers(-5, 5, query.size)
    tables = (tables[0], tables[1][: tables[0].size], tables[2], tables[3][: tables[2].size])
    merged = [f(*tables) for f in both(compiled, "merge_sums")]
    assert all(np.array_equal(x, y) for x, y in zip(*merged))
    counted = [f(np.sort(query)) for f in both(compiled, "runs")]
    assert all(np.array_equal(x, y) for x, y in zip(*counted))


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2 ** 32 - 1), length=st.integers(0, 400), max_len=st.integers(1, 5))
def test_best_paths_and_min_pmi_agree_bit_for_bit(compiled, seed, length, max_len):
    rng = np.random.default_rng(seed)
    units = rng.integers(0, 8, length)  # 0: a separator
    words = sorted({tuple(int(u) for u in rng.integers(1, 8, rng.integers(1, max_len + 1))) for _ in range(30)})
    index = word_index(words)
    logp = np.log(rng.uniform(0.01, 1, len(words)))
    logp[: len(words) // 2] = np.round(logp[: len(words) // 2])  # ties: the shortest last word wins
    for forbid in (np.zeros(0, np.int64), rng.integers(0, max_len + 1, length)):
        paths = [f(units, index.table, index.bits, logp, max_len, -12.5, forbid) for f in both(compiled, "best_path")]
        assert np.array_equal(paths[0][0], paths[1][0]) and paths[0][1].tobytes() == paths[1][1].tobytes()
    n = max(max_len, 2)
    logc = np.log(rng.integers(1, 50, (n, length)).astype(np.float64))
    log_total = rng.uniform(5, 15)  # not a float32: a narrowed argument would show
    pmis = [f(logc, log_total, n) for f in both(compiled, "min_pmi")]
    assert pmis[0].tobytes() == pmis[1].tobytes()


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2 ** 32 - 1), length=st.integers(0, 400), max_n=st.integers(1, 7))
def test_ngram_and_word_hashes_agree_bit_for_bit(compiled, seed, length, max_n):
    rng = np.random.default_rng(seed)
    units = rng.integers(0, 2 ** 21, length) * (rng.random(length) > 0.2)  # code points, some separators
    codes = [f(units, max_n) for f in both(compiled, "ngram_hashes")]
    assert codes[0].shape == (max_n, length) and np.array_equal(*codes)
    flags = rng.random(length) < 0.5
    words = [f(units, flags, max_n) for f in both(compiled, "word_hashes")]
    assert all(np.array_equal(a, b) for a, b in zip(*words))


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2 ** 32 - 1), length=st.integers(0, 400))
def test_joined_words_agree_bit_for_bit(compiled, seed, length):
    rng = np.random.default_rng(seed)
    cp = rng.choice(np.array([10, 32, 0x4E00, 0x3002, 0x20000], np.int32), length)
    spaces, starts = (cp == 10) | (cp == 32), rng.random(length) < 0.5
    (out_a, words_a), (out_b, words_b) = (f(cp, spaces, starts) for f in both(compiled, "joined_words"))
    assert np.array_equal(out_a, out_b) and words_a == words_b


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2 ** 32 - 1), length=st.integers(0, 300), cnum=st.booleans())
def test_encodings_agree_bit_for_bit(compiled, seed, length, cnum):
    from engines.segment.units import _cnum_mask, class_table

    alphabet = np.array([ord(c) for c in "我一二十 ，。1２a.%\n𠀀"], np.int32)
    cp = np.random.default_rng(seed).choice(alphabet, length)
    done = [f(cp, class_table(), _cnum_mask(), cnum) for f in both(compiled, "encode_units")]
    assert all(np.array_equal(a, b) for a, b in zip(*done))


def test_a_module_built_from_other_sources_is_not_used(monkeypatch):
    monkeypatch.setattr(kernels, "source_stamp", lambda: -1)
    kernels.compiled_module.cache_clear()
    try:
        assert kernels.compiled_module() is None
    finally:
        monkeypatch.undo()
        kernels.compiled_module.cache_clear()

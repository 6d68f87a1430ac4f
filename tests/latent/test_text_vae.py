"""The text VAE: vocabulary, line reading, training, interpolation, hostile checkpoints, the CLI."""
import json
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from engines.errors import InputError
from engines.jobs import run
from engines.latent.text_data import lines_of, read_lines
from engines.latent.text_vocab import UNKNOWN, Vocabulary

POEMS = Path(__file__).parent / "data" / "poems.txt"
HAN = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.text(HAN, min_size=5, max_size=5), min_size=1, max_size=30))
def test_vocabulary_round_trip(lines):
    vocab = Vocabulary.build(lines, cap=10_000)
    again = Vocabulary.from_json(json.loads(json.dumps(vocab.as_json(), ensure_ascii=False)), "test")
    ids = again.encode(lines, 5)
    assert ids.min() >= 1 and [again.decode(row) for row in ids] == lines


def test_vocabulary_cap_maps_rare_characters_to_unknown():
    vocab = Vocabulary.build(["aaab", "aacc"], cap=3)  # room for two characters and the unknown id
    assert vocab.chars == ("a", "c") and vocab.decode(vocab.encode(["abca"], 4)[0]) == f"a{UNKNOWN}ca"


def test_poetry_lines_and_review_windows():
    assert list(lines_of("床前明月光，疑是地上霜。静夜思", 5, windows=False)) == ["床前明月光", "疑是地上霜"]
    assert list(lines_of("这个东西很好用abc不错", 3, windows=True)) == ["这个东", "西很好"]
    name, lines = read_lines(str(POEMS), 5, 1000)
    assert name == "poems.txt" and len(lines) == 20 and lines[0] == "床前明月光"
    assert read_lines(str(POEMS), 7, 1000)[1] == ["朝辞白帝彩云间", "千里江陵一日还", "两岸猿声啼不住", "轻舟已过万重山"]
    assert len(read_lines("reviews", 7, 50)[1]) == 50  # stops at max_lines


def test_a_file_without_such_lines_is_refused(tmp_path):
    path = tmp_path / "prose.txt"
    path.write_text("这是一段没有标点的很长的散文句子而已\n", encoding="utf-8")
    with pytest.raises(InputError, match="0 lines of exactly 5 Han characters"):
        read_lines(str(path), 5, 100)


def test_a_binary_file_is_refused(tmp_path):
    path = tmp_path / "noise.txt"
    path.write_bytes(bytes(range(256)) * 64)
    with pytest.raises(InputError, match="looks binary"):
        read_lines(str(path), 5, 100)


@pytest.fixture(scope="module")
def overfit():
    from engines.latent.text_training import train_text_vae

    lines = read_lines(str(POEMS), 5, 1000)[1]
    return lines, run(train_text_vae, "poems", {"epochs": 150, "batch_size": 20, "hidden": 64, "embed": 32,
                                                "latent": 16, "lr": 3e-3}, lines=lines)


def test_training_lowers_the_loss(overfit):
    _, result = overfit
    assert result.losses[-1] < 0.4 * result.losses[0]
    assert result.metrics["test_char_accuracy"] == 1.0  # 20 lines: held out are the training lines


def _accuracies(result, lines):
    """The share of characters decoded right from each line's own posterior mean, and from z = 0."""
    model = result.build()
    ids = torch.from_numpy(result.vocab.encode(lines, len(lines[0])))
    with torch.no_grad():
        own = model.decode(model.encode(ids)[0])
        zero = model.decode(torch.zeros(len(ids), model.latent_size))
    return float((own == ids).float().mean()), float((zero == ids).float().mean())


def test_a_few_distinct_lines_are_told_apart_by_their_codes(overfit):
    lines, result = overfit
    own, zero = _accuracies(result, lines)
    assert result.metrics["test_kl"] > 3.0  # ln 20 = 3.0 nats tell 20 lines apart
    assert own == 1.0 and zero < 0.3  # every line from its own code; the latent zeroed gives one line


def test_free_bits_keep_the_latent_in_use_where_the_elbo_would_drop_it():
    """Lines of independent uniform characters: a decoder without z already scores the best ELBO (the
    characters' entropy), so the plain ELBO collapses the posterior (KL near 0, reconstruction at chance);
    with free bits each dimension keeps about its free nats and the codes reconstruct well above chance."""
    from engines.latent.text_training import train_text_vae

    rng = np.random.default_rng(0)
    lines = ["".join(rng.choice(list("春夏秋冬风花雪月"), 5)) for _ in range(400)]
    common = {"epochs": 30, "hidden": 32, "embed": 16, "latent": 8, "lr": 1e-2, "batch_size": 64, "kl_warmup": 0}
    plain = run(train_text_vae, "random", {**common, "free_bits": 0}, lines=lines)
    free = run(train_text_vae, "random", {**common, "free_bits": 0.5}, lines=lines)  # 4 free nats in all
    assert plain.metrics["test_kl"] < 0.5 < 2.5 < free.metrics["test_kl"]
    own, zero = _accuracies(free, lines)
    assert own > zero + 0.25 and own > 0.125 + 0.25  # chance is 1/8
    assert own > _accuracies(plain, lines)[0] + 0.2


def test_interpolation_ends_reconstruct_the_lines(overfit):
    from engines.latent.text_walk import walk_text

    lines, result = overfit
    for mode in ("lerp", "slerp"):
        walk = walk_text(result.build(), result.vocab, lines[0], lines[7], steps=6, mode=mode)
        assert walk.lines[0] == lines[0] and walk.lines[-1] == lines[7] and len(walk.lines) == 6
        assert walk.codes.shape == (6, 16)
    with pytest.raises(InputError, match="has 3 characters; this model reads lines of 5"):
        walk_text(result.build(), result.vocab, "静夜思", lines[1])


@pytest.fixture(scope="module")
def saved(overfit, tmp_path_factory):
    from engines.latent.text_checkpoint import save_text_vae

    path = tmp_path_factory.mktemp("text") / "poems"
    save_text_vae(path, overfit[1].build(), overfit[1].vocab, {})
    return path


def test_checkpoint_round_trip(saved, overfit):
    from engines.latent.text_checkpoint import is_text_vae, load_text_vae

    ckpt = load_text_vae(saved)
    assert is_text_vae(saved) and ckpt.vocab == overfit[1].vocab
    ids = torch.from_numpy(ckpt.vocab.encode(overfit[0], 5))
    assert torch.equal(ckpt.model.decode(ckpt.model.encode(ids)[0]), ids)


@pytest.mark.parametrize("vocab, message", [
    ({"a": 1}, "not a list of characters"),
    (["床", "前床"], "not single printable characters"),
    (["床", "\x00"], "not single printable characters"),
    (["床", "床"], "lists a character twice"),
    (["x"] * 20_000, "holds 20000 characters"),
    (["床"], "holds 1 characters but the model was built for"),
])
def test_hostile_vocabulary_is_refused(saved, tmp_path, vocab, message):
    from engines.latent.text_checkpoint import load_text_vae

    body = json.loads(saved.with_suffix(".json").read_text(encoding="utf-8"))
    body["vocab"] = vocab
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(body), encoding="utf-8")
    (tmp_path / body["weights"]).write_bytes(saved.with_suffix(".safetensors").read_bytes())
    with pytest.raises(InputError, match=message):
        load_text_vae(bad)


def test_garbled_config_is_refused(saved, tmp_path):
    from engines.latent.text_checkpoint import load_text_vae

    body = json.loads(saved.with_suffix(".json").read_text(encoding="utf-8"))
    body["model"]["vocab_size"] = 10**9
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(body), encoding="utf-8")
    (tmp_path / body["weights"]).write_bytes(saved.with_suffix(".safetensors").read_bytes())
    with pytest.raises(InputError, match="vocab_size 1000000000 is not between 2 and 20000"):
        load_text_vae(bad)


def test_cli_train_then_interpolate(tmp_path, capsys):
    from cli import main

    ckpt = tmp_path / "poems"
    assert main(["train", "latent", "--model", "text-vae", "--text", str(POEMS), "--length", "5", "--epochs", "3",
                 "--hidden", "16", "--latent", "4", "--out", str(ckpt)]) == 0
    assert "trained a text VAE (5-character lines, vocabulary" in capsys.readouterr().out
    assert json.loads((tmp_path / "poems.json").read_text(encoding="utf-8"))["format"] == "workbench-text-vae"
    out = tmp_path / "walk"
    assert main(["run", "latent", "--checkpoint", str(ckpt), "--interpolate", "床前明月光", "春眠不觉晓",
                 "--steps", "4", "--out", str(out)]) == 0
    rows = (out / "interpolation.txt").read_text(encoding="utf-8").splitlines()
    assert [r.split("\t")[0] for r in rows] == ["0.000", "0.333", "0.667", "1.000"]
    assert all(len(r.split("\t")[1]) == 5 for r in rows)
    assert len((out / "samples.txt").read_text(encoding="utf-8").splitlines()) == 8


def test_cli_refuses_options_of_the_other_kind(tmp_path, capsys):
    from cli import main

    assert main(["train", "latent", "--model", "text-vae", "--text", "reviews", "--layers", "4",
                 "--out", str(tmp_path / "x")]) != 0
    assert "workbench: error: text-vae has no setting layers; it takes length" in capsys.readouterr().err
    assert main(["train", "latent", "--model", "vae", "--length", "7", "--out", str(tmp_path / "x")]) != 0
    assert "workbench: error: --text and length go with --model text-vae" in capsys.readouterr().err
    assert main(["run", "latent", "--checkpoint", str(tmp_path / "x"), "--interpolate", "床前明月光", "春眠不觉晓",
                 "--out", str(tmp_path / "w")]) != 0
    assert "workbench: error: " in capsys.readouterr().err

"""Files that change under a run: a corpus (or its gold file) truncated, rewritten, replaced or deleted
between the passes over it, or while a pass reads it, stops the run with a message naming the file and
what changed, before any output is written."""
import os
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cli
from engines.data.fingerprint import Fingerprint
from engines.errors import InputError
from engines.jobs import run
from engines.segment import counted as counted_mod
from engines.segment import pipeline
from engines.segment.build import build_lexicon
from engines.segment.corpus import iter_line_chunks, resolve
from engines.segment.counted import count_corpus
from engines.segment.params import SegmentParams
from engines.segment.segmenting import segment_corpus

WORDS = ["中国", "人民", "经济", "发展", "的", "了", "我们", "世界", "新年", "讲话"]


def _corpus(path, lines=400, seed=0):
    rng = random.Random(seed)
    text = "".join("".join(rng.choice(WORDS) for _ in range(12)) + "\n" for _ in range(lines))
    path.write_text(text, encoding="utf-8")
    return text


def _truncate(path):
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _rewrite_same_size(path):
    data = path.read_bytes()
    stat = path.stat()
    path.write_bytes(data[::-1][: len(data)])  # same size, other bytes
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


def _replace(path):
    other = path.with_name("other.txt")
    other.write_bytes(path.read_bytes())
    os.replace(other, path)


CHANGES = {"truncated": (_truncate, "size went from"), "rewritten": (_rewrite_same_size, "it was modified"),
           "replaced": (_replace, "replaced by another file"), "deleted": (os.unlink, "was deleted or moved")}


@pytest.mark.parametrize("change", CHANGES)
def test_fingerprint_names_what_changed(tmp_path, change):
    path = tmp_path / "c.txt"
    _corpus(path, 20)
    fingerprint = Fingerprint.of(path)
    fingerprint.check()  # unchanged: silent
    act, said = CHANGES[change]
    act(path)
    with pytest.raises(InputError, match=said):
        fingerprint.check()


@settings(max_examples=25, deadline=None)
@given(st.binary(min_size=1, max_size=300), st.binary(min_size=0, max_size=300))
def test_any_other_size_is_a_change(tmp_path_factory, before, after):
    path = tmp_path_factory.mktemp("f") / "f.txt"
    path.write_bytes(before)
    fingerprint = Fingerprint.of(path)
    stat = path.stat()
    path.write_bytes(after)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # even with the old modification time
    if len(after) != len(before):
        with pytest.raises(InputError, match=f"{len(before):,} to {len(after):,} bytes"):
            fingerprint.check()
    else:
        fingerprint.check()


@pytest.mark.parametrize("change", CHANGES)
def test_a_corpus_changed_between_passes_stops_the_next_pass(tmp_path, change):
    path = tmp_path / "c.txt"
    _corpus(path)
    counted = run(count_corpus, str(path), cache_limit=0)  # too big to keep: later passes read the file again
    assert counted.chunks is None
    act, said = CHANGES[change]
    act(path)
    with pytest.raises(InputError, match=f"c.txt (changed while the run was reading it|was deleted).*{said}|{said}"):
        run(build_lexicon, counted, SegmentParams())


def test_a_gold_file_changed_between_passes_stops_the_run(tmp_path):
    corpus, gold = tmp_path / "c.txt", tmp_path / "gold.txt"
    text = _corpus(corpus)
    gold.write_text(text, encoding="utf-8")  # words separated by nothing: a valid (trivial) gold file
    counted = run(count_corpus, str(corpus), str(gold), cache_limit=0)
    lexicon = run(build_lexicon, counted, SegmentParams())
    _truncate(gold)
    with pytest.raises(InputError, match="gold.txt changed while the run was reading it"):
        run(segment_corpus, counted, lexicon, SegmentParams())


def test_a_corpus_growing_while_it_is_read_stops_the_reading(tmp_path):
    path = tmp_path / "c.txt"
    _corpus(path, 2000)
    chunks = iter_line_chunks(resolve(path), chunk_bytes=4096)
    next(chunks)
    with path.open("a", encoding="utf-8") as handle:
        handle.write("中国人民\n" * 10)
    with pytest.raises(InputError, match="changed while the run was reading it.*size went from"):
        list(chunks)


@pytest.mark.parametrize("change", ["truncated", "deleted"])
def test_the_command_stops_with_the_message_and_leaves_the_old_outputs(tmp_path, monkeypatch, capsys, change):
    path = tmp_path / "c.txt"
    _corpus(path)
    out = tmp_path / "out"
    out.mkdir()
    (out / "segmented.txt").write_text("old output\n", encoding="utf-8")
    monkeypatch.setattr(counted_mod, "CACHE_LIMIT_CHARS", 0)
    real = pipeline.build_lexicon

    def change_then_build(*args, **kwargs):  # the file changes after the counting pass
        CHANGES[change][0](path)
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline, "build_lexicon", change_then_build)
    assert cli.main(["run", "segment", "--corpus", str(path), "--out", str(out)]) == 1
    said = capsys.readouterr().err.strip().splitlines()[-1]
    assert said.startswith(f"workbench: error: {path} ") and said.endswith("run it again once the file stays put")
    assert "Error" not in said  # no raw exception name
    assert (out / "segmented.txt").read_text(encoding="utf-8") == "old output\n"
    assert sorted(p.name for p in out.iterdir()) == ["segmented.txt"]

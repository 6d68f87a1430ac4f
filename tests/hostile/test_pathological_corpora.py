"""Pathological corpora: long lines come in bounded pieces and leave one output line each, random bytes are
refused as not text, an ASCII head does not hide a GB18030 body, invalid bytes past a small share are
warned about, and counting stops at its memory budget. Small files only (the sizes that matter are in
tests/benchmarks/bench_hostile_corpora.py)."""
import json
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cli
from engines.errors import InputError
from engines.jobs import run
from engines.segment import corpus
from engines.segment.corpus import ReadStats, iter_line_chunks, resolve
from engines.segment.counted import count_corpus
from engines.segment.pipeline import run_segmentation

WORDS = ["中国", "人民", "经济", "发展", "的", "了", "我们", "世界", "新年", "讲话", "希望", "建设"]
ASCII_HEAD = b"plain ASCII notes before the text, 0123456789\n" * 1600  # ~75 KB: past the sniffed 64 KB


def _chinese(n_words: int, seed: int = 0) -> str:
    rng = random.Random(seed)
    return "".join(rng.choice(WORDS) for _ in range(n_words))


def _whole_lines(chunks) -> list[str]:
    """The lines of ``iter_line_chunks`` with the pieces of long lines joined again."""
    out, pieces = [], []
    for chunk in chunks:
        lines = list(chunk)
        if pieces:
            lines[0] = "".join(pieces) + lines[0]
            pieces = []
        if chunk.open_end:
            pieces.append(lines.pop())
        out.extend(lines)
    assert not pieces, "the last chunk of a file never leaves a line open"
    return out


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 3000), min_size=1, max_size=6), st.integers(200, 2000), st.integers(64, 1500),
       st.sampled_from(["\n", "\r\n", "\r"]))
def test_lines_of_any_length_come_back_whole_from_bounded_pieces(tmp_path_factory, lengths, piece, block, end):
    text = end.join(_chinese(n // 2, seed=n)[:n] for n in lengths) + end
    path = tmp_path_factory.mktemp("c") / "c.txt"
    path.write_bytes(text.encode("utf-8"))
    stats = ReadStats()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(corpus, "SNIFF_BYTES", 256)  # the first block read
        chunks = list(iter_line_chunks(resolve(path), stats, chunk_bytes=block, piece_chars=piece))
    longest = max(len(line) for chunk in chunks for line in chunk)
    assert longest < piece + max(block, 256)  # a piece holds at most what was carried plus one block
    assert _whole_lines(chunks) == text.splitlines()
    assert stats.lines == len(lengths)


def test_one_long_line_without_newline_is_segmented_in_pieces_into_one_output_line(tmp_path, monkeypatch):
    text = _chinese(20_000)  # ~36,000 characters, no newline anywhere
    path = tmp_path / "long.txt"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setattr(corpus, "PIECE_CHARS", 4096)
    monkeypatch.setattr(corpus, "CHUNK_BYTES", 8192)
    monkeypatch.setattr(corpus, "SNIFF_BYTES", 8192)
    seen = []
    real = corpus.iter_line_chunks

    def spy(*args, **kwargs):
        for chunk in real(*args, **kwargs):
            seen.append(max(len(line) for line in chunk))
            yield chunk

    monkeypatch.setattr(corpus, "iter_line_chunks", spy)
    written = []
    done = run(run_segmentation, str(path), write_line=written.append)
    assert len(seen) > 5 and max(seen) < 4096 + 8192  # read in bounded pieces
    assert len(written) == 1 and written[0].replace(" ", "") == text
    assert done.counted.n_lines == 1 and done.counted.stats.lines == 1
    assert "中国" in written[0].split(" ")  # still segmented into words


def test_a_long_line_among_short_ones_keeps_the_line_count(tmp_path, monkeypatch):
    lines = [_chinese(5, 1), _chinese(3000, 2), "", _chinese(7, 3)]
    path = tmp_path / "mixed.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setattr(corpus, "PIECE_CHARS", 1000)
    monkeypatch.setattr(corpus, "CHUNK_BYTES", 2048)
    written = []
    run(run_segmentation, str(path), write_line=written.append)
    assert [w.replace(" ", "") for w in written] == lines


def test_random_high_bytes_are_refused_as_not_text(tmp_path):
    path = tmp_path / "noise.txt"
    path.write_bytes(np.random.default_rng(0).integers(0x80, 0x100, 200_000, dtype=np.uint8).tobytes())
    with pytest.raises(InputError, match="does not look like text.*random or binary"):
        list(iter_line_chunks(resolve(path)))


def test_random_bytes_after_an_ascii_head_are_still_refused(tmp_path):
    path = tmp_path / "noise.txt"
    path.write_bytes(ASCII_HEAD + np.random.default_rng(1).integers(0x80, 0x100, 100_000, dtype=np.uint8).tobytes())
    with pytest.raises(InputError, match="does not look like text"):
        list(iter_line_chunks(resolve(path)))


def test_a_file_mostly_undecodable_after_a_good_head_is_not_text(tmp_path):
    path = tmp_path / "broken.txt"
    good = (_chinese(20) + "\n").encode("utf-8") * 1500  # ~90 KB of good UTF-8 text
    path.write_bytes(good + b"\xff" * 400_000)
    with pytest.raises(InputError, match=r"broken.txt is not text: \d+% of its first [\d,]+ characters are invalid or "
                                         r"private-use in UTF-8"):
        list(iter_line_chunks(resolve(path), chunk_bytes=65536))


def test_garbled_gb18030_past_a_good_head_is_not_text(tmp_path):
    path = tmp_path / "mixed.txt"
    good = ("迈向充满希望的新世纪\n中共中央总书记、国家主席江泽民\n" * 2000).encode("gb18030")  # ~100 KB
    path.write_bytes(good + np.random.default_rng(2).integers(0x80, 0x100, 600_000, dtype=np.uint8).tobytes())
    with pytest.raises(InputError, match=r"mixed.txt is not text: 1\d% of its first [\d,]+ characters are invalid or "
                                         r"private-use in GB18030"):
        list(iter_line_chunks(resolve(path), chunk_bytes=65536))


def test_gb18030_behind_a_long_ascii_head_is_detected(tmp_path):
    body = "迈向充满希望的新世纪\n中共中央总书记、国家主席江泽民\n" * 200
    path = tmp_path / "gb.txt"
    path.write_bytes(ASCII_HEAD + body.encode("gb18030"))
    stats = ReadStats()
    lines = [line for chunk in iter_line_chunks(resolve(path), stats) for line in chunk]
    assert stats.encodings == {"gb.txt": "gb18030"} and stats.invalid_bytes == 0 and not stats.warnings
    assert lines == (ASCII_HEAD.decode("ascii") + body).splitlines()


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 40), st.integers(0, 2**32 - 1))
def test_invalid_bytes_past_one_percent_are_warned_about(tmp_path_factory, n_bad, seed):
    text = "".join(_chinese(30, seed % 97) + "\n" for _ in range(40))  # ~9.6 KB
    rng = random.Random(seed)
    cuts = sorted(rng.randrange(len(text)) for _ in range(n_bad))  # between characters
    data = b"\xff".join(text[a:b].encode("utf-8") for a, b in zip([0, *cuts], [*cuts, len(text)]))
    path = tmp_path_factory.mktemp("w") / "w.txt"
    path.write_bytes(data)
    stats = ReadStats()
    list(iter_line_chunks(resolve(path), stats))
    assert stats.invalid_bytes == n_bad
    if n_bad > 0.01 * len(data):
        assert stats.warnings and "w.txt" in stats.warnings[0] and "not valid UTF-8" in stats.warnings[0]
        assert "warning:" in stats.describe()
    else:
        assert not stats.warnings


def test_the_command_prints_the_encoding_warning_and_keeps_it_in_the_metrics(tmp_path, capsys):
    text = ("".join(_chinese(30, k) + "\n" for k in range(200))).encode("utf-8")
    path = tmp_path / "w.txt"
    path.write_bytes(text[:3000] + b"\xff" * 450 + text[3000:])  # 1.5% of the bytes
    assert cli.main(["run", "segment", "--corpus", str(path), "--out", str(tmp_path / "out")]) == 0
    err = capsys.readouterr().err
    assert "workbench: warning: w.txt: 450 of" in err and "not valid UTF-8" in err
    metrics = json.loads((tmp_path / "out" / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["corpus"]["warnings"] and metrics["corpus"]["invalid_bytes"] == 450


def test_counting_stops_at_its_memory_budget_with_the_estimate(tmp_path):
    path = tmp_path / "c.txt"
    path.write_text("".join(_chinese(30, k) + "\n" for k in range(2000)), encoding="utf-8")
    with pytest.raises(InputError, match=r"c.txt: counting its n-grams needs more memory.*MiB to merge, over the budget "
                                         r"of 0 MiB.*--max-lines"):
        run(count_corpus, str(path), memory_budget=10_000)
    assert run(count_corpus, str(path), memory_budget=1 << 30).n_lines == 2000


def test_blank_lines_and_spaces_count_towards_the_text_kept_in_memory(tmp_path):
    path = tmp_path / "blank.txt"
    path.write_text("中国人民\n" + "\n" * 30_000 + " " * 30_000 + "\n经济发展\n", encoding="utf-8")
    counted = run(count_corpus, str(path), cache_limit=20_000)
    assert counted.n_chars == 8 and counted.chunks is None  # read again later rather than held
    assert run(count_corpus, str(path), cache_limit=100_000).chunks is not None

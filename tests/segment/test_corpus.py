"""Corpus reading: encodings, invalid bytes, empty/binary files, compression, folders, streaming."""
import bz2
import codecs
import gzip
import lzma
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engines.errors import InputError
from engines.jobs import Cancelled, Reporter
from engines.segment.corpus import CHUNK_BYTES, ReadStats, even_chunk_bytes, garbled_count, iter_line_chunks, resolve

TEXT = "迈向充满希望的新世纪\n中共中央总书记、国家主席江泽民\n１９９８年新年讲话，ＣＤＭＡ手机。\n"


def _read(path, **kw):
    stats = ReadStats()
    lines = [line for chunk in iter_line_chunks(resolve(path), stats, **kw) for line in chunk]
    return lines, stats


@pytest.mark.parametrize("encoding, data_prefix, expected", [
    ("utf-8", b"", "utf-8"),
    ("utf-8", codecs.BOM_UTF8, "utf-8-sig"),
    ("gb18030", b"", "gb18030"),
    ("gbk", b"", "gb18030"),
    ("utf-16-le", codecs.BOM_UTF16_LE, "utf-16"),
    ("utf-16-be", codecs.BOM_UTF16_BE, "utf-16"),
])
def test_encodings_detected_and_decoded(tmp_path, encoding, data_prefix, expected):
    path = tmp_path / "c.txt"
    path.write_bytes(data_prefix + TEXT.encode(encoding))
    lines, stats = _read(path)
    assert lines == TEXT.splitlines()
    assert stats.encodings == {"c.txt": expected}
    assert stats.invalid_bytes == 0


def test_invalid_bytes_are_counted_and_replaced(tmp_path):
    path = tmp_path / "bad.txt"
    good = TEXT.encode("utf-8")
    path.write_bytes(good[:30] + b"\xff\xfe\xff" + good[30:])  # three bytes that cannot start UTF-8
    lines, stats = _read(path)
    assert stats.invalid_bytes == 3
    assert "\ufffd" in "".join(lines)
    assert "3 invalid bytes replaced" in stats.describe()


def test_empty_and_binary_files_get_clear_messages(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match="empty"):
        _read(empty)
    binary = tmp_path / "image.txt"
    binary.write_bytes(bytes(range(256)) * 20)
    with pytest.raises(InputError, match="binary"):
        _read(binary)
    with pytest.raises(InputError, match="does not exist"):
        resolve(tmp_path / "missing.txt")


def test_compressed_files_and_folders(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "a.gz").write_bytes(gzip.compress(TEXT.encode()))
    (folder / "b.bz2").write_bytes(bz2.compress(TEXT.encode("gb18030")))
    (folder / "c.xz").write_bytes(lzma.compress(TEXT.encode()))
    (folder / "d.txt").write_text(TEXT, encoding="utf-8")
    lines, stats = _read(folder)
    assert lines == TEXT.splitlines() * 4
    assert stats.encodings["b.bz2"] == "gb18030"
    assert stats.bytes_read == sum(p.stat().st_size for p in folder.iterdir())


def test_streaming_chunks_progress_in_bytes_and_cancel(tmp_path):
    path = tmp_path / "big.txt"
    path.write_text(TEXT * 4000, encoding="utf-8")
    fractions = []
    reporter = Reporter(on_progress=lambda p: fractions.append(p.fraction))
    chunks = list(iter_line_chunks(resolve(path), ReadStats(), reporter, chunk_bytes=50_000))
    assert len(chunks) > 5  # streamed, not read at once
    assert sum(len(c) for c in chunks) == 12000
    assert fractions == sorted(fractions) and fractions[-1] == pytest.approx(1.0)
    cancel = threading.Event()
    reporter = Reporter(on_progress=lambda p: cancel.set(), cancel_event=cancel)
    with pytest.raises(Cancelled):
        list(iter_line_chunks(resolve(path), ReadStats(), reporter, chunk_bytes=50_000))


def test_builtin_corpora():
    pd = resolve("peoples-daily")
    assert pd.gold_format == "wordtag" and pd.paths[0].name == "199801.txt"
    lines, _ = _read("reviews", max_lines=10)
    assert len(lines) == 10 and all(lines)


@settings(max_examples=200, deadline=None)
@given(st.text(st.one_of(st.characters(), st.sampled_from("\ue000\uf8ff\uf900\udfff\ud800\ufffd\ufffe"))))
def test_garbled_count_counts_private_use_and_replacement_characters(text):
    assert garbled_count(text) == sum(1 for ch in text if 0xE000 <= ord(ch) <= 0xF8FF or ch == "\ufffd")


def test_chunks_come_in_a_multiple_of_the_threads_and_no_larger_than_chunk_bytes():
    assert even_chunk_bytes(1000, 2) == CHUNK_BYTES  # one chunk
    for total in (CHUNK_BYTES + 1, 5_543_424, 10**9 + 7):
        for threads in (1, 2, 3, 4):
            size = even_chunk_bytes(total, threads)
            chunks = -(-total // size)
            assert size <= CHUNK_BYTES and chunks % threads == 0 and chunks < threads * (total / CHUNK_BYTES + 1)

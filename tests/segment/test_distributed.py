"""Segmentation on a Dask cluster: byte ranges at line ends, the same output as one machine, clear refusals."""
import gzip
import socket

import pytest

from cli import main
from engines.errors import InputError
from engines.jobs import run
from engines.segment import ranges
from engines.segment.corpus import builtin_paths, resolve
from engines.segment.gold import parse_gold
from engines.segment.pipeline import run_segmentation
from engines.segment.ranges import plan_ranges, range_line_chunks
from engines.segment.scheduler import check_scheduler


@pytest.fixture(scope="module")
def lines():
    text = builtin_paths("peoples-daily")[0].read_text(encoding="utf-8").splitlines()[:2000]
    return parse_gold(text, "wordtag").raw


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_ranges_hold_whole_lines_in_order(tmp_path, lines, encoding):
    text = "\r\n".join(lines[:400]) + "\n\n" + "\n".join(lines[400:800])  # CRLF, a blank line, no final newline
    path = tmp_path / "c.txt"
    path.write_bytes(text.encode(encoding))
    cut = plan_ranges(resolve(path), range_bytes=20_000)
    assert len(cut) > 5
    assert [r.start for r in cut[1:]] == [r.end for r in cut[:-1]] and cut[-1].end == path.stat().st_size
    data = path.read_bytes()
    assert all(data[r.end - 1:r.end] == b"\n" for r in cut[:-1])
    read = [line for r in cut for chunk in range_line_chunks(r, chunk_bytes=4096) for line in chunk]
    assert read == text.splitlines()  # str.splitlines is the reference


def test_compressed_file_is_one_range(tmp_path, lines):
    path = tmp_path / "c.txt.gz"
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode("utf-8")))
    cut = plan_ranges(resolve(path), range_bytes=1000)
    assert len(cut) == 1 and cut[0].encoding is None
    assert [line for chunk in range_line_chunks(cut[0]) for line in chunk] == lines


@pytest.mark.parametrize("text", ["local:0", "local:65", "local", "tcp://host", "http://host:8786", ""])
def test_scheduler_refused_with_its_form(text):
    with pytest.raises(InputError, match="local:N .* or tcp://HOST:PORT"):
        check_scheduler(text)


def test_silent_address_is_one_sentence(tmp_path, lines):
    (tmp_path / "c.txt").write_text("\n".join(lines[:50]), encoding="utf-8")
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(InputError, match=rf"^no Dask scheduler answers at tcp://127.0.0.1:{port} within \d+ s: [^.]*$"):
        run(run_segmentation, str(tmp_path / "c.txt"), scheduler=f"tcp://127.0.0.1:{port}")


@pytest.mark.slow
def test_local_cluster_writes_the_same_files(tmp_path, lines, monkeypatch):
    """Two worker processes, two files (a glob), the larger one cut into several byte ranges."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("\n".join(lines[:1500]) + "\n", encoding="utf-8")
    (corpus / "b.txt").write_text("\n".join(lines[1500:]) + "\n", encoding="utf-8")
    monkeypatch.setattr(ranges, "RANGE_BYTES", 60_000)
    assert len(plan_ranges(resolve(str(corpus / "*.txt")))) > 4
    args = ["run", "segment", "--corpus", str(corpus / "*.txt"), "--min-count", "2"]
    assert main([*args, "--out", str(tmp_path / "here")]) == 0
    assert main([*args, "--scheduler", "local:2", "--out", str(tmp_path / "dask")]) == 0
    for name in ("segmented.txt", "lexicon.tsv"):
        assert (tmp_path / "dask" / name).read_bytes() == (tmp_path / "here" / name).read_bytes()
    assert len((tmp_path / "dask" / "segmented.txt").read_text(encoding="utf-8").splitlines()) == len(lines)

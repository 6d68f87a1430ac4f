from pathlib import Path

import pytest

from engines.export import atomic_path, atomic_write, atomic_write_bytes, atomic_write_text


class Boom(Exception):
    pass


def test_atomic_write_replaces_on_success(tmp_path: Path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    atomic_write_text(target, "new")
    assert target.read_text() == "new"
    assert list(tmp_path.iterdir()) == [target]


def test_failed_write_keeps_old_file_and_leaves_no_temp(tmp_path: Path):
    target = tmp_path / "figure.png"
    target.write_bytes(b"old contents")
    with pytest.raises(Boom), atomic_write(target) as handle:
        handle.write(b"half of the new")
        handle.flush()
        raise Boom()
    assert target.read_bytes() == b"old contents"
    assert list(tmp_path.iterdir()) == [target]


def test_failed_first_write_leaves_nothing(tmp_path: Path):
    with pytest.raises(Boom), atomic_path(tmp_path / "movie.gif") as temp:
        assert temp.parent == tmp_path and temp.suffix == ".gif"
        temp.write_bytes(b"GIF89a partial")
        raise Boom()
    assert list(tmp_path.iterdir()) == []


def test_bytes_helper(tmp_path: Path):
    atomic_write_bytes(tmp_path / "a.bin", b"\x00\x01")
    assert (tmp_path / "a.bin").read_bytes() == b"\x00\x01"


def test_new_files_get_the_usual_permissions(tmp_path: Path):
    plain = tmp_path / "plain.txt"
    plain.write_text("x")
    atomic_write_text(tmp_path / "atomic.txt", "x")
    assert (tmp_path / "atomic.txt").stat().st_mode == plain.stat().st_mode

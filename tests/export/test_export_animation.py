from pathlib import Path

import imageio.v2 as iio2
import imageio.v3 as iio
import numpy as np
import pytest
from tests.export.export_samples import frame

from engines.export import mp4_available, write_gif, write_mp4
from engines.jobs import Cancelled


def test_gif_has_every_frame(tmp_path: Path):
    path = tmp_path / "steps.gif"
    seen = []
    assert write_gif(path, (frame(i) for i in range(7)), fps=10, on_frame=seen.append) == 7
    assert seen == list(range(7))
    frames = iio.imread(path, index=None)
    assert frames.shape[:3] == (7, 24, 33)
    assert iio.immeta(path, index=0)["duration"] == 100


def test_rgba_frames_are_accepted(tmp_path: Path):
    rgba = [np.dstack([frame(i), np.full((24, 33), 255, np.uint8)]) for i in range(3)]
    write_gif(tmp_path / "a.gif", rgba, fps=4)
    assert iio.imread(tmp_path / "a.gif", index=None).shape[0] == 3


def test_cancel_keeps_old_file_and_leaves_no_temp(tmp_path: Path):
    path = tmp_path / "steps.gif"
    path.write_bytes(b"old gif")

    def cancel_at_three(index: int) -> None:
        if index == 3:
            raise Cancelled()

    with pytest.raises(Cancelled):
        write_gif(path, (frame(i) for i in range(10)), fps=10, on_frame=cancel_at_three)
    assert path.read_bytes() == b"old gif"
    assert list(tmp_path.iterdir()) == [path]


def test_bad_frames_are_refused(tmp_path: Path):
    with pytest.raises(ValueError, match="frame 1"):
        write_gif(tmp_path / "x.gif", [frame(0), frame(1, size=(10, 10))], fps=5)
    with pytest.raises(ValueError, match="uint8"):
        write_gif(tmp_path / "x.gif", [np.zeros((4, 4, 3))], fps=5)
    with pytest.raises(ValueError, match="no frames"):
        write_gif(tmp_path / "x.gif", [], fps=5)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(not mp4_available(), reason="imageio-ffmpeg is not installed")
def test_mp4_has_every_frame_even_with_odd_size(tmp_path: Path):
    path = tmp_path / "steps.mp4"
    assert write_mp4(path, (frame(i, size=(31, 45)) for i in range(12)), fps=6) == 12
    with iio2.get_reader(path, format="FFMPEG") as reader:
        frames = list(reader.iter_data())
    assert len(frames) == 12
    assert frames[0].shape == (32, 46, 3)


def local_color_tables(data: bytes) -> list[bool]:
    """For each image of a GIF, whether it carries its own colour table (GIF89a block structure)."""
    def skip_sub_blocks(at: int) -> int:
        while data[at]:
            at += data[at] + 1
        return at + 1

    packed = data[10]
    at = 13 + (3 * 2 ** ((packed & 7) + 1) if packed & 0x80 else 0)
    local = []
    while data[at] != 0x3B:
        if data[at] == 0x21:  # extension: label, then sub-blocks
            at = skip_sub_blocks(at + 2)
        else:  # image descriptor, optional local table, LZW code size, sub-blocks
            flags = data[at + 9]
            local.append(bool(flags & 0x80))
            at += 10 + (3 * 2 ** ((flags & 7) + 1) if flags & 0x80 else 0)
            at = skip_sub_blocks(at + 1)
    return local


def test_gif_frames_share_one_palette(tmp_path: Path):
    path = tmp_path / "steps.gif"
    write_gif(path, (frame(i) for i in range(6)), fps=5)
    data = path.read_bytes()
    assert data[10] & 0x80  # a global colour table
    assert local_color_tables(data) == [False] * 6


def test_frames_fed_from_another_thread_are_encoded_and_abort_writes_nothing(tmp_path: Path):
    import threading

    from engines.export.animation import FrameFeed, write_animation_job
    from tasks.runner import run

    def render(feed: FrameFeed, frames: int, abort: bool) -> None:
        for i in range(frames):
            while not feed.has_room():
                pass
            feed.put(frame(i))
        feed.abort() if abort else feed.close()

    feed = FrameFeed(capacity=2)
    threading.Thread(target=render, args=(feed, 9, False)).start()
    progress = []
    path = tmp_path / "fed.gif"
    assert run(write_animation_job, write_gif, path, feed, 5.0, 9, on_progress=progress.append) == 9
    assert iio.imread(path, index=None).shape[0] == 9 and progress[-1].fraction == 1.0
    path.write_bytes(b"old")
    feed = FrameFeed()
    threading.Thread(target=render, args=(feed, 3, True)).start()
    with pytest.raises(Cancelled):
        run(write_animation_job, write_gif, path, feed, 5.0, 9)
    assert path.read_bytes() == b"old" and sorted(tmp_path.iterdir()) == [path]


def test_colours_that_appear_late_survive(tmp_path: Path):
    path = tmp_path / "late.gif"
    frames = [np.zeros((8, 8, 3), np.uint8) for _ in range(20)]
    frames[-1][:4] = (255, 0, 0)  # red only in the last frame
    frames[10][4:] = (0, 0, 255)
    write_gif(path, frames, fps=5)
    decoded = iio.imread(path, index=None)
    assert decoded.shape[0] >= 3
    assert tuple(decoded[-1][0, 0, :3]) == (255, 0, 0)
    assert any(tuple(f[7, 7, :3]) == (0, 0, 255) for f in decoded)

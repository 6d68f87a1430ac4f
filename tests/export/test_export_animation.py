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

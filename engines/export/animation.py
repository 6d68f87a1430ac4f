"""Frame sequences to GIF (Pillow through imageio) and MP4 (imageio-ffmpeg, when installed).

Frames are HxWx3 or HxWx4 uint8 arrays of one size; alpha is dropped. ``on_frame(i)`` is called after
each frame is taken: it may report progress and raise (e.g. ``engines.jobs.Cancelled``) to stop, in which
case nothing is written and an existing file is kept.
"""
from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterable, Iterator

import numpy as np

from engines.export.atomic import atomic_path

OnFrame = Callable[[int], None] | None


@functools.lru_cache(maxsize=1)
def mp4_available() -> bool:
    """True when imageio-ffmpeg and its ffmpeg binary are installed."""
    try:
        import imageio_ffmpeg

        return bool(imageio_ffmpeg.get_ffmpeg_exe())
    except (ImportError, RuntimeError):
        return False


def write_gif(path: str | os.PathLike[str], frames: Iterable[np.ndarray], fps: float, on_frame: OnFrame = None) -> int:
    """Write a looping GIF at ``fps``; return the number of frames taken.

    imageio's Pillow writer keeps the frames and encodes them on close; Pillow merges consecutive
    identical frames into one longer frame, so a decoder may count fewer.
    """
    import imageio.v3 as iio

    with atomic_path(path) as temp:
        with iio.imopen(temp, "w", extension=".gif", plugin="pillow") as writer:
            count = 0
            for count, frame in enumerate(_checked(frames, on_frame), start=1):
                writer.write(frame, is_batch=False, duration=1000.0 / fps, loop=0)
        if count == 0:
            raise ValueError("no frames to write")
    return count


def write_mp4(path: str | os.PathLike[str], frames: Iterable[np.ndarray], fps: float, on_frame: OnFrame = None) -> int:
    """Write an H.264 MP4 at ``fps`` (needs :func:`mp4_available`); return the number of frames.

    Odd sizes are padded by one edge pixel: yuv420p needs even sides and padding is sharper than the
    rescaling imageio would do otherwise.
    """
    import imageio.v2 as iio2

    if not mp4_available():
        raise RuntimeError("MP4 export needs imageio-ffmpeg (pip install imageio-ffmpeg)")
    with atomic_path(path) as temp:
        with iio2.get_writer(temp, format="FFMPEG", mode="I", fps=fps, codec="libx264",
                             pixelformat="yuv420p", macro_block_size=1) as writer:
            count = 0
            for count, frame in enumerate(_checked(frames, on_frame), start=1):
                h, w = frame.shape[:2]
                writer.append_data(np.pad(frame, ((0, h % 2), (0, w % 2), (0, 0)), mode="edge"))
        if count == 0:
            raise ValueError("no frames to write")
    return count


def _checked(frames: Iterable[np.ndarray], on_frame: OnFrame) -> Iterator[np.ndarray]:
    """RGB uint8 frames of one size; ``on_frame`` runs after each."""
    shape = None
    for index, frame in enumerate(frames):
        frame = np.asarray(frame)
        if frame.dtype != np.uint8 or frame.ndim != 3 or frame.shape[2] not in (3, 4):
            raise ValueError(f"frame {index}: expected HxWx3 or HxWx4 uint8, got {frame.dtype} {frame.shape}")
        if shape is not None and frame.shape[:2] != shape:
            raise ValueError(f"frame {index}: size {frame.shape[:2]} differs from the first frame's {shape}")
        shape = frame.shape[:2]
        yield np.ascontiguousarray(frame[:, :, :3])
        if on_frame is not None:
            on_frame(index)

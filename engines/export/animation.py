"""Frame sequences to GIF (Pillow, one palette for every frame) and MP4 (imageio-ffmpeg, when installed).

Frames are HxWx3 or HxWx4 uint8 arrays of one size; alpha is dropped. ``on_frame(i)`` is called after
each frame is taken: it may report progress and raise (e.g. ``engines.jobs.Cancelled``) to stop, in which
case nothing is written and an existing file is kept. A :class:`FrameFeed` hands frames rendered on one
thread (the GUI's) to :func:`write_animation_job`, which encodes them on another.
"""
from __future__ import annotations

import functools
import os
import threading
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator

import numpy as np

from engines.export.atomic import atomic_path
from engines.jobs import Cancelled

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

    Every frame is mapped, without dithering, onto one palette (median cut over pixels sampled from up to
    16 frames spread over the animation), written once as the global colour table, so colours never
    flicker between frames. Pillow merges consecutive identical frames into one longer frame, so a
    decoder may count fewer.
    """
    from PIL import Image

    # frames wait for the palette zlib-packed (plots pack 10-50x): memory is the palette images', not RGB's
    packed, shape = [], None
    for frame in _checked(frames, on_frame):
        shape = frame.shape
        packed.append(zlib.compress(frame.tobytes(), 1))
    if not packed:
        raise ValueError("no frames to write")

    def unpacked(k: int) -> np.ndarray:
        return np.frombuffer(zlib.decompress(packed[k]), np.uint8).reshape(shape)

    palette = _palette(len(packed), unpacked)
    images = []
    for k in range(len(packed)):
        images.append(Image.fromarray(unpacked(k), "RGB").quantize(palette=palette, dither=Image.Dither.NONE))
        packed[k] = b""
    with atomic_path(path) as temp:
        images[0].save(temp, format="GIF", save_all=True, append_images=images[1:], duration=round(1000.0 / fps),
                       loop=0, palette=bytes(images[0].getpalette()), optimize=True)  # one global table
    return len(images)


def _palette(count: int, frame: Callable[[int], np.ndarray], samples: int = 16, pixels: int = 250_000):
    """A 256-colour palette image for ``count`` frames (``frame(k)`` the k-th): median cut over a stack of
    evenly spaced frames, each thinned to about ``pixels / samples`` pixels."""
    from PIL import Image

    picked = [frame(i) for i in np.unique(np.linspace(0, count - 1, min(samples, count)).astype(int))]
    h, w = picked[0].shape[:2]
    step = max(1, int(np.sqrt(h * w * len(picked) / pixels)))
    stack = np.concatenate([f[::step, ::step] for f in picked], axis=0)
    return Image.fromarray(np.ascontiguousarray(stack), "RGB").quantize(256, method=Image.Quantize.MEDIANCUT)


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


class FrameFeed:
    """Frames from the thread that renders them to the thread that encodes them, at most ``capacity``
    waiting. The renderer checks :meth:`has_room` before each :meth:`put` and ends with :meth:`close`;
    iterating yields the frames until closed, and raises :class:`~engines.jobs.Cancelled` once
    :meth:`abort` is called."""

    def __init__(self, capacity: int = 4) -> None:
        self._frames: deque = deque()
        self._capacity = capacity
        self._closed = self._aborted = False
        self._changed = threading.Condition()

    def has_room(self) -> bool:
        with self._changed:
            return len(self._frames) < self._capacity

    def put(self, frame: np.ndarray) -> None:
        with self._changed:
            self._frames.append(frame)
            self._changed.notify_all()

    def close(self) -> None:
        with self._changed:
            self._closed = True
            self._changed.notify_all()

    def abort(self) -> None:
        with self._changed:
            self._aborted = True
            self._changed.notify_all()

    def __iter__(self) -> Iterator[np.ndarray]:
        while True:
            with self._changed:
                self._changed.wait_for(lambda: self._frames or self._closed or self._aborted)
                if self._aborted:
                    raise Cancelled()
                if not self._frames:
                    return
                frame = self._frames.popleft()
                self._changed.notify_all()
            yield frame


def write_animation_job(reporter, writer: Callable[..., int], path: str | os.PathLike[str], frames: Iterable[np.ndarray],
                        fps: float, count: int) -> int:
    """Job: ``writer`` (:func:`write_gif` or :func:`write_mp4`) over ``frames`` (a :class:`FrameFeed`),
    reporting each frame of ``count`` and stopping when cancelled; return the number of frames."""

    def on_frame(index: int) -> None:
        reporter.check()
        reporter.progress((index + 1) / max(count, 1), f"frame {index + 1} of {count}")

    return writer(path, frames, fps, on_frame)

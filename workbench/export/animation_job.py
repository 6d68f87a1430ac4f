"""Writing an animation without freezing the window: frames are rendered on the GUI thread one per
event-loop turn (they are pictures of widgets), handed through a bounded
:class:`~engines.export.animation.FrameFeed` to :func:`~engines.export.animation.write_animation_job`,
which encodes them in a worker thread. A modal progress dialog counts both and its Cancel is live
throughout: the job stops, nothing is written and an existing file is kept.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6 import QtCore, QtWidgets

from engines.export.animation import FrameFeed, write_animation_job
from engines.jobs import Cancelled
from workbench.jobs import JobError, JobManager
from workbench.panel import Animation


class _Renderer(QtCore.QObject):
    """Pulls frames from the animation one per timer tick while the feed has room."""

    def __init__(self, animation: Animation, feed: FrameFeed, rendered: Callable[[int], None]) -> None:
        super().__init__()
        self.frames = animation.frames()
        self.feed = feed
        self.rendered = rendered
        self.count = 0
        self.error: BaseException | None = None
        self.timer = QtCore.QTimer(self, interval=0)
        self.timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        if not self.feed.has_room():
            return
        try:
            frame = next(self.frames)
        except StopIteration:
            self.timer.stop()
            self.feed.close()
            return
        except Exception as exc:  # noqa: BLE001 (rendering runs the panel's drawing code)
            self.timer.stop()
            self.error = exc
            self.feed.abort()
            return
        self.feed.put(frame)
        self.count += 1
        self.rendered(self.count)

    def stop(self) -> None:
        self.timer.stop()
        self.feed.abort()


def write_animation(parent: QtWidgets.QWidget | None, jobs: JobManager, owner: str, animation: Animation, path: Path,
                    writer: Callable[..., int], screen: QtWidgets.QWidget | None = None) -> int:
    """Render ``animation`` and encode it into ``path`` with ``writer``; return the number of frames.
    ``screen`` (the panel) is not repainted meanwhile. Raises :class:`~engines.jobs.Cancelled` when the
    user cancels, or the rendering's or encoding's error."""
    count = max(0, int(animation.count()))
    feed = FrameFeed()
    progress = QtWidgets.QProgressDialog(f"Writing {path.name}…", "Cancel", 0, 2 * max(count, 1), parent)
    progress.setWindowTitle("Export animation")
    progress.setWindowModality(QtCore.Qt.WindowModality.WindowModal)
    progress.setMinimumDuration(0)
    done = {"rendered": 0, "encoded": 0}

    def show(key: str, value: int) -> None:
        done[key] = value
        progress.setValue(min(done["rendered"] + done["encoded"], progress.maximum() - 1))
        progress.setLabelText(f"Writing {path.name}: frame {done['rendered']} of {count} drawn, "
                              f"{done['encoded']} encoded…")

    renderer = _Renderer(animation, feed, lambda n: show("rendered", n))
    handle = jobs.launch(owner, f"Export {path.name}", write_animation_job, (writer, path, feed, animation.fps, count))
    handle.owner_reports_failure = True  # the export dialog says what went wrong, once
    outcome: dict = {}
    loop = QtCore.QEventLoop()
    handle.progress.connect(lambda p: show("encoded", round((p.fraction or 0) * count)))
    handle.succeeded.connect(lambda frames: outcome.update(frames=frames))
    handle.failed.connect(lambda error: outcome.update(error=error))
    handle.done.connect(loop.quit)

    def cancel() -> None:
        renderer.stop()
        handle.cancel()

    progress.canceled.connect(cancel)
    renderer.timer.start()
    if screen is not None:  # the frames are drawn off screen: repainting them on screen too would double the work
        screen.setUpdatesEnabled(False)
    try:
        if handle.running:
            loop.exec()
    finally:
        renderer.timer.stop()
        if screen is not None:
            screen.setUpdatesEnabled(True)
            screen.update()
        progress.close()
        progress.deleteLater()
    if renderer.error is not None:
        raise renderer.error
    if "error" in outcome:
        error: JobError = outcome["error"]
        raise RuntimeError(error.message)
    if "frames" not in outcome:
        raise Cancelled()
    return outcome["frames"]

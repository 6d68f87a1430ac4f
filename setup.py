"""Builds the segmentation kernels ahead of time (``engines/segment/kernels/aot.py``) as an optional
extension module: where it cannot be built (no C compiler), installing goes on and the kernels are compiled
by numba on first use instead. Everything else about the package is in ``pyproject.toml``."""
import sys
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

KERNELS = "engines.segment.kernels._compiled"


class BuildKernels(build_ext):
    """``build_ext`` that compiles :data:`KERNELS` with numba's AOT compiler instead of from C sources."""

    def build_extension(self, ext: Extension) -> None:
        if ext.name != KERNELS:
            super().build_extension(ext)
            return
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        try:
            from engines.segment.kernels.aot import compile_module

            compile_module(Path(self.get_ext_fullpath(ext.name)))
        except Exception as exc:  # noqa: BLE001 - optional: numba's just-in-time kernels stand in
            print(f"warning: the segmentation kernels were not compiled ahead of time ({exc}); numba will "
                  "compile them on first use", file=sys.stderr)
        finally:
            sys.path.pop(0)


setup(ext_modules=[Extension(KERNELS, sources=[], optional=True)], cmdclass={"build_ext": BuildKernels})

"""The kernels compiled ahead of time into one extension module (numba's AOT compiler, ``numba.pycc``), run
by ``setup.py`` at install time; the module loads without numba (:func:`compiled_module`).

Each kernel of :data:`SIGNATURES` is exported for its signature, with a ``stamp()`` returning the
:func:`source_stamp` it was built from. Its Python wrappers release the interpreter lock as numba's
``nogil=True`` ones do (pycc has no option for it: the ``release_gil`` flag is set on the compile flags it
uses), so that the chunks' threads run side by side. The code targets the generic CPU of the platform, so
that a module built on one machine runs on another (a packaged app).
"""
from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator
from pathlib import Path

from engines.segment.kernels import SIGNATURES, jit_kernel, source_stamp


def compile_module(path: Path) -> None:
    """Compile the extension module at ``path`` (its file name gives the module's name; the folder is made).
    Needs numba and a C compiler; raises what they raise."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # numba.pycc's pending deprecation
        from numba.pycc import CC

    name = path.name.split(".")[0]
    cc = CC(name)
    cc.output_dir = str(path.parent)
    cc.output_file = path.name
    for kernel, (_, signature) in SIGNATURES.items():
        cc.export(kernel, signature)(jit_kernel(kernel).py_func)
    cc.export("stamp", "int64()")(_constant(source_stamp()))
    path.parent.mkdir(parents=True, exist_ok=True)
    with _releasing_gil():
        cc.compile()


def _constant(value: int):
    """A function returning ``value`` (frozen into the compiled code)."""
    def stamp() -> int:
        return value
    return stamp


@contextlib.contextmanager
def _releasing_gil() -> Iterator[None]:
    """numba.pycc's compile flags with ``release_gil`` set, for the duration."""
    from numba.pycc import compiler

    flags = compiler.Flags

    class ReleasingGil(flags):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self.release_gil = True

    compiler.Flags = ReleasingGil
    try:
        yield
    finally:
        compiler.Flags = flags

"""The application layer: one Qt-free module per workflow, between the engines and their two clients.

Each workflow module (optimizer, landscape, latent, diffusion, segmentation, clustering) holds the jobs,
the request and result types and the defaults of that workflow. The panels under ``workbench/`` and the
commands under ``cli/`` are thin clients of it: the GUI runs these jobs through
:class:`workbench.jobs.JobManager`, the command line through :func:`tasks.runner.run`, so both run the same
code. Modules here import engines, numpy and ``resources`` (bundled files, through :mod:`tasks.bundled`);
never Qt, pyqtgraph or ``workbench``.
"""

__version__ = "0.1.0"

"""Optimizer trajectories on 2D surfaces and beyond (pure torch/numpy; never imports Qt).

Importing this package (and :mod:`~engines.optim.catalogue`, :mod:`~engines.optim.spec`) loads no torch.
The modules:

- ``catalogue``: the optimizers, wrappers and surfaces as plain data (names, defaults, ranges, citations);
- ``spec``: the one-line optimizer spec (``adam:lr=0.01+lookahead:k=5``) and its parser;
- ``optimizers`` (one module per family) and ``wrappers`` (the derived optimizers): batched steppers;
- ``surfaces`` and ``expression``: built-in 2-D test functions and user formulas;
- ``trajectories``, ``basins``, ``sweeps``: batched jobs; ``dynamics`` and ``quadratic``: the continuous-time
  view and the theory of momentum on quadratics; ``contours``: what a view draws of a loss grid.
"""

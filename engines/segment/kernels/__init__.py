"""The segmentation's compiled loops (numba, ``cache=True``: compiled once per machine, loaded from the
cache afterwards). Their modules are imported on first use, so that commands and windows that never
segment do not pay numba's start-up (~0.25 s to import, ~0.3 s to load the first cached kernel)."""

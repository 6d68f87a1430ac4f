"""PyInstaller entry script: the `workbench` console entry point (cli:main)."""
import multiprocessing

from cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()  # a frozen app's job subprocesses start through this same executable
    raise SystemExit(main())

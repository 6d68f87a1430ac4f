"""PyInstaller entry script: the `workbench` console entry point (workbench.cli:main)."""
from workbench.cli import main

raise SystemExit(main())

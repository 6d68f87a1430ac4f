#!/usr/bin/env bash
# One-folder PyInstaller build of Workbench: dist/workbench/workbench.
#   VENV=path  build venv to create or reuse (default: build/venv)
#   PYTHON=... interpreter used to create it (default: python3)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VENV:-$ROOT/build/venv}"
cd "$ROOT"

if [[ ! -x "$VENV/bin/python" ]]; then
    "${PYTHON:-python3}" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --upgrade pip
"$VENV/bin/python" -m pip install -c constraints.txt "$ROOT[video,packaging]"

# the segmentation kernels compiled ahead of time, beside their sources (the spec collects the source tree)
"$VENV/bin/python" setup.py build_ext --inplace
start=$(date +%s)
"$VENV/bin/pyinstaller" --noconfirm --clean \
    --workpath "$ROOT/build/pyinstaller" --distpath "$ROOT/dist" \
    packaging/workbench.spec
echo "pyinstaller took $(( $(date +%s) - start )) s"

"$ROOT/dist/workbench/workbench" --version
# the frozen app's compiled kernels and built-in corpora: a short segmentation run
"$ROOT/dist/workbench/workbench" run segment --corpus peoples-daily --max-lines 500 --out "$ROOT/build/smoke-segment"
du -sh "$ROOT/dist/workbench"

"""What ``workbench run segment`` does outside the pipeline (issue 18): no torch on the CPU, no other
command's modules, no numba where the kernels were compiled ahead of time (numba imports scipy.linalg for
its BLAS check: neither is imported then), no reference dictionary (nor jieba) without gold, the lexicon's
rows built once."""
import json
import subprocess
import sys

from engines.segment import kernels, reference
from engines.segment.lexicon import Lexicon
from engines.segment.params import SegmentParams
from tasks import segmentation
from tasks.runner import run

MODULES = ("jieba", "psutil", "PySide6", "sklearn", "torch", "imageio", "tasks.optimizer", "cli.run_optimizer",
           "tasks.clustering", "numpy.ma",  # numpy.ma: 12 ms, imported by the first np.unique without counts
           *(("numba", "scipy") if kernels.compiled_module() is not None else ()))
DRIVER = (f"MODULES = {MODULES!r}; "
          "import json, sys, threading, cli; code = cli.main(sys.argv[1:]); "
          "[t.join() for t in threading.enumerate() if t.name == 'numba-kernels']; "  # what it would have imported
          "print(json.dumps({m: m in sys.modules for m in MODULES})); "
          "sys.exit(code)")


def run_segment(*args: str) -> dict:
    """The modules a ``run segment`` process imported (the driver's last stdout line)."""
    done = subprocess.run([sys.executable, "-c", DRIVER, "run", "segment", *args], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def test_run_segment_imports_no_torch_nor_other_commands_and_jieba_only_for_gold(tmp_path):
    corpus = tmp_path / "c.txt"
    corpus.write_text("1998年我们爱北京，我们爱和平。\n" * 20, encoding="utf-8")  # a number: a class unit
    plain = run_segment("--corpus", str(corpus), "--min-count", "1", "--out", str(tmp_path / "plain"))
    assert plain == dict.fromkeys(MODULES, False)
    scored = run_segment("--corpus", "peoples-daily", "--gold", "peoples-daily", "--max-lines", "100",
                         "--out", str(tmp_path / "scored"))
    assert scored == {**dict.fromkeys(MODULES, False), "jieba": True}  # the reference dictionary of the OOV recall
    metrics = json.loads((tmp_path / "scored" / "metrics.json").read_text(encoding="utf-8"))
    assert 0.0 <= metrics["oov_recall"] <= 1.0


def test_the_headless_run_builds_the_rows_once_and_reads_no_dictionary_without_gold(tmp_path, monkeypatch):
    corpus = tmp_path / "c.txt"
    corpus.write_text("我们爱北京，我们爱和平。\n" * 20, encoding="utf-8")
    calls = []
    rows = Lexicon.rows
    monkeypatch.setattr(Lexicon, "rows", lambda self, *a, **k: calls.append(1) or rows(self, *a, **k))

    def refused(check=None):
        raise AssertionError("the reference dictionary was read")

    monkeypatch.setattr(reference, "reference_dictionary", refused)
    report = run(segmentation.run_job, segmentation.SegmentRequest(str(corpus), params=SegmentParams(min_count=1)))
    assert len(calls) == 1 and report.segmentation.reference is None
    assert [r.word for r in report.segmentation.rows][:1] == ["我们"]


def test_the_command_exits_at_once_with_its_output_flushed(tmp_path):
    corpus = tmp_path / "c.txt"
    corpus.write_text("我们爱北京，我们爱和平。\n" * 20, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "workbench", "run", "segment", "--corpus", str(corpus),
                           "--min-count", "1", "--out", str(tmp_path / "out")], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("240 characters, ") and done.stdout.endswith("sidecar.json to " + str(tmp_path / "out") + "\n")
    assert (tmp_path / "out" / "segmented.txt").read_text(encoding="utf-8").count("\n") == 20

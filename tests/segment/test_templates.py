"""Templates and parses of a segmented corpus: planted templates are found, the code length they report is
the one an explicit recoding of the corpus gives, every parse gives its line back, odd input never fails."""
import json
import math
import random
import re
from collections import Counter

from hypothesis import given, settings, strategies as st
from scipy.stats import entropy

from engines.jobs import Reporter
from engines.segment.parses import line_matches, parse_line, parse_lines
from engines.segment.templates import TemplateParams, find_templates
from tasks.segment_templates import template_lines, templates_job

FILLERS = [a + b for a in "甲乙丙丁戊己庚辛壬癸" for b in "子丑寅卯辰巳午未申酉戌亥"]


def planted(n_lines: int = 400, seed: int = 0) -> list[list[str]]:
    """Lines of random filler words; a third hold 在 X 中 (X one or two fillers), a third 如果 X 就 Y 了."""
    rng = random.Random(seed)
    lines = []
    for k in range(n_lines):
        line = rng.sample(FILLERS, rng.randint(1, 4))
        slot = rng.sample(FILLERS, rng.randint(1, 2))
        if k % 3 == 0:
            line += ["在", *slot, "中"]
        elif k % 3 == 1:
            line += ["如果", *slot, "就", rng.choice(FILLERS), "了"]
        lines.append(line + ["，"] + rng.sample(FILLERS, 2) + ["。"])
    return lines


def test_planted_templates_are_found_with_their_uses():
    result = find_templates(Reporter(), planted(), TemplateParams(min_count=20))
    found = {t.pattern: t for t in result.templates}
    assert found["在X中"].count == 134  # every planted use (k % 3 == 0 of 400 lines)
    assert found["如果X就Y了"].count == 133
    assert all(t.bits_saved > 0 and t.count >= 20 for t in result.templates)
    assert result.bits_templates < result.bits_words
    assert any(re.fullmatch(r"在\[\S+( \S+)?\]中", e) for e in found["在X中"].examples)


def test_the_saving_is_the_code_length_of_the_recoded_corpus():
    """Recode the corpus by hand (each match's literals become one template token) and measure it with
    scipy's entropy: the finder's bits after templates are that plus the slot lengths and the templates."""
    lines = planted(seed=3)
    params = TemplateParams(min_count=20)
    result = find_templates(Reporter(), lines, params)
    stream = result.stream
    tokens = [stream.vocab[i] for i, c in zip(stream.ids.tolist(), stream.clause.tolist()) if c >= 0]
    chars = sum(len(w) for line in lines for w in line)

    def bits(counter: Counter) -> float:
        c = list(counter.values())
        return entropy(c, base=2) * sum(c)

    words_bits = bits(Counter(tokens))
    assert math.isclose(result.bits_words * chars, words_bits, rel_tol=1e-9)
    recoded = Counter(stream.vocab[i] for i, c in zip(stream.ids.tolist(), stream.clause.tolist()) if c >= 0)
    extra = 0.0
    vocab_bits = math.log2(len(stream.vocab))
    for t, rows in zip(sorted(result.templates, key=lambda t: t.rank), result.matches):
        n, k = rows.shape
        for row in rows.tolist():
            for p in row:
                recoded[stream.vocab[stream.ids[p]]] -= 1
        recoded[("template", t.pattern)] += n
        for s in range(k - 1):
            extra += bits(Counter((rows[:, s + 1] - rows[:, s]).tolist()))
        extra += k * vocab_bits + (k - 1) * (params.max_gap - 1) / 2 * math.log2(n)
    recoded = +recoded  # drop words every use of which a template took
    assert math.isclose(result.bits_templates * chars, bits(recoded) + extra, rel_tol=1e-9)
    assert math.isclose(sum(t.bits_saved for t in result.templates), words_bits - bits(recoded) - extra, rel_tol=1e-9)


def test_a_parse_nests_a_template_in_another_ones_slot():
    rng = random.Random(1)
    lines = [["在", *rng.sample(FILLERS, 2), "中"] for _ in range(60)]
    lines += [["以", *rng.sample(FILLERS, 1), "为"] for _ in range(60)]
    lines += [["在", "以", "甲子", "为", "中"]] * 25
    result = find_templates(Reporter(), lines, TemplateParams(min_count=20))
    trees = [tree.bracketed() for tree in parse_lines(Reporter(), result)]
    assert trees[-1] == "{在 ({以 (甲子) 为}) 中}"
    assert re.fullmatch(r"\{在 \(\S+ \S+\) 中\}", trees[0])


line_words = st.lists(st.text(alphabet="在中的了，。甲乙 ab1", max_size=3), max_size=8)


@settings(max_examples=40, deadline=None)
@given(st.lists(line_words, max_size=40), st.integers(2, 5), st.integers(1, 3))
def test_odd_input_never_fails_and_parses_give_the_lines_back(lines, min_count, max_gap):
    written: list[str] = []
    done = templates_job(Reporter(), lines, TemplateParams(min_count=min_count, max_gap=max_gap),
                         write_parse=written.append)
    assert len(written) == len(lines)
    for words, tree in zip(lines, written):
        kept = [w for w in words if w and not w.isspace()]
        assert re.sub(r"[{}()]", "", tree).split() == " ".join(kept).split()
    r = done.result
    if r.templates:
        assert r.bits_templates < r.bits_words
    assert len(list(template_lines(done.templates))) == len(r.templates) + 1


def test_the_command_line_writes_templates_and_parses(tmp_path):
    from cli import main

    lines = ["".join(words) for words in planted(300)]
    src = tmp_path / "raw.txt"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", "segment", "--corpus", str(src), "--out", str(out), "--templates",
                 "--template-min-count", "20"]) == 0
    rows = [line.split("\t") for line in (out / "templates.tsv").read_text(encoding="utf-8").splitlines()]
    assert rows[0] == ["template", "count", "bits_saved"]
    assert all(int(count) >= 20 and float(saved) > 0 for _, count, saved in rows[1:])
    parses = (out / "parses.txt").read_text(encoding="utf-8").splitlines()
    segmented = (out / "segmented.txt").read_text(encoding="utf-8").splitlines()
    assert len(parses) == len(lines)
    assert [re.sub(r"[{}()]", "", p).split() for p in parses] == [s.split() for s in segmented]
    metrics = json.loads((out / "metrics.json").read_text())["templates"]
    assert metrics["bits_per_char_templates"] <= metrics["bits_per_char_words"]
    sidecar = json.loads((out / "sidecar.json").read_text())
    assert sidecar["parameters"]["template_min_count"] == 20


def test_one_line_parses_as_in_the_whole_pass():
    result = find_templates(Reporter(), planted(200, seed=5), TemplateParams(min_count=15))
    trees = list(parse_lines(Reporter(), result))
    assert any(t.bracketed().count("{") for t in trees)
    for k in (0, 1, 2, 57, 199):
        assert parse_line(result, k).bracketed() == trees[k].bracketed()
    first = line_matches(result, 0, 0) or line_matches(result, 0, 1)
    words = result.stream.line_words(0 if line_matches(result, 0, 0) else 1)
    assert [words[p] for p in first[0]] == list(result.templates[[t.rank for t in result.templates].index(0)].words)


def test_cancel_stops_the_job_at_each_step():
    from tests.cancelling import cancelled_at_first

    seen = cancelled_at_first(templates_job, planted(), TemplateParams(min_count=20), report="progress")
    assert len(seen) == 1 and "templates" in seen[0].message

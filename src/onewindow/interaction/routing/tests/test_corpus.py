from collections import Counter, defaultdict
from pathlib import Path

from onewindow.interaction.routing.categories import KINDS, KNOWN_DEPARTMENTS, tree_load
from onewindow.interaction.routing.corpus import (
    DEFAULT_SEED,
    LEAVES,
    corpus_generate,
    corpus_read,
    corpus_write,
)

FOLDER = Path(__file__).resolve().parents[5] / "catalog" / "interaction"
TREE = tree_load(FOLDER / "categories.yaml")


def test_the_committed_training_set_is_what_the_generator_makes(tmp_path):
    out = tmp_path / "training.jsonl"
    corpus_write(corpus_generate(TREE, seed=DEFAULT_SEED), out)
    assert out.read_bytes() == (FOLDER / "training.jsonl").read_bytes()


def test_the_same_seed_gives_the_same_requests_and_another_seed_others():
    first = corpus_generate(TREE, seed=3, per_category=10)
    assert corpus_generate(TREE, seed=3, per_category=10) == first
    other = corpus_generate(TREE, seed=4, per_category=10)
    assert len({r.text for r in first} & {r.text for r in other}) < len(first) // 10


def test_the_training_set_is_large_varied_and_labelled_with_known_codes():
    rows = corpus_read(FOLDER / "training.jsonl")
    assert len(rows) >= 4000
    assert (FOLDER / "training.jsonl").stat().st_size < 3_000_000
    assert len({r.text for r in rows}) == len(rows)
    assert {r.category for r in rows} == {leaf.code for leaf in TREE.leaves}
    assert {r.department for r in rows} <= KNOWN_DEPARTMENTS
    assert {r.kind for r in rows} == set(KINDS)
    assert len({r.district for r in rows}) == 11
    # Not one sentence with the blanks filled: the first six characters (past any greeting)
    # vary a lot within each category.
    openings: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        openings[r.category].add(r.text[:6])
    assert min(len(v) for v in openings.values()) >= 15


def test_no_two_categories_are_told_apart_by_nothing():
    by_category: dict[str, frozenset[str]] = defaultdict(frozenset)
    for r in corpus_read(FOLDER / "training.jsonl"):
        by_category[r.category] |= {r.text}
    texts = list(by_category.values())
    assert len(set(texts)) == len(texts)
    assert all(len(table.scenarios) >= 4 for table in LEAVES.values())


def test_neighbouring_departments_share_their_words():
    rows = corpus_read(FOLDER / "training.jsonl")
    noisy = Counter(r.department for r in rows if "吵" in r.text or "噪" in r.text)
    assert {"sthjj", "cgj", "gaj"} <= {d for d, n in noisy.items() if n >= 20}
    # Some construction noise went to the city management bureau, most to the environment's.
    construction = Counter(r.department for r in rows if r.category == "env.noise.construction")
    assert construction["sthjj"] > construction["cgj"] > 0

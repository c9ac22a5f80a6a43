"""Suggested routing: which category a request is in and which department should take it,
each with a probability, learnt from labelled requests.

Features are TF-IDF weights of jieba words (and word pairs) beside character 1–3-grams, so that
a typo or a word the dictionary splits still counts; on them, two linear support-vector
machines calibrated to probabilities (sigmoid, three folds) predict the category and the
department. Pure Python and scikit-learn: no Django. The model is saved with joblib under
a directory the caller gives (the platform's var dir)::

    report = train(corpus_read(path), seed=7)
    report.model.save(var_dir)
    RoutingModel.load(var_dir).suggest("楼下大排档吵到凌晨两点")
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import joblib
import numpy as np
import sklearn
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import train_test_split
from sklearn.pipeline import FeatureUnion
from sklearn.svm import LinearSVC

from .tokens import tokenize

MODEL_FILE = Path("interaction") / "routing.joblib"
FORMAT = 1


class Labelled(Protocol):
    """A request with the category and department it was routed to (a ``LabelledRequest``
    or anything with these attributes)."""

    @property
    def text(self) -> str: ...
    @property
    def category(self) -> str: ...
    @property
    def department(self) -> str: ...


class ModelFileError(RuntimeError):
    """The saved model is missing, of another format, or from another scikit-learn."""


@dataclass(frozen=True)
class Suggestion:
    category: str
    department: str  # where requests in this category went most often
    probability: float  # of the category


@dataclass(frozen=True)
class DepartmentSuggestion:
    department: str
    probability: float


@dataclass(frozen=True)
class Accuracy:
    """Share of held-back requests whose true label is the first suggestion (top1) or among
    the first three (top3), beside always suggesting the most frequent training labels."""

    top1: float
    top3: float
    baseline_top1: float
    baseline_top3: float


@dataclass(frozen=True)
class TrainReport:
    model: RoutingModel
    train_rows: int
    test_rows: int
    category: Accuracy | None  # None when nothing was held back
    department: Accuracy | None
    seconds: float


def _features() -> FeatureUnion:
    return FeatureUnion(
        [
            (
                "words",
                TfidfVectorizer(
                    tokenizer=tokenize,
                    token_pattern=None,
                    lowercase=False,
                    ngram_range=(1, 2),
                    min_df=2,
                    sublinear_tf=True,
                ),
            ),
            (
                "chars",
                TfidfVectorizer(analyzer="char", ngram_range=(1, 3), min_df=2, sublinear_tf=True),
            ),
        ]
    )


FOLDS = 3  # of the calibration: a category needs at least this many training requests


def _classifier(seed: int) -> CalibratedClassifierCV:
    # One machine fitted on all the rows, calibrated on the folds' out-of-fold scores: a third
    # of the size of keeping one machine a fold, and as accurate here.
    return CalibratedClassifierCV(LinearSVC(C=0.5, random_state=seed), cv=FOLDS, ensemble=False)


class RoutingModel:
    """A trained model: ``suggest`` for categories, ``suggest_departments`` for departments."""

    def __init__(
        self,
        features: FeatureUnion,
        categories: CalibratedClassifierCV,
        departments: CalibratedClassifierCV,
        category_departments: dict[str, str],
    ) -> None:
        self.features = features
        self.categories = categories
        self.departments = departments
        self.category_departments = category_departments

    @classmethod
    def fit(cls, rows: Sequence[Labelled], *, seed: int = 0) -> RoutingModel:
        """Learn from ``rows``; ValueError when a category has fewer than three of them."""
        few = [c for c, n in Counter(r.category for r in rows).items() if n < FOLDS]
        if few:
            raise ValueError(f"fewer than {FOLDS} requests in: {', '.join(sorted(few))}")
        features = _features()
        matrix = features.fit_transform([r.text for r in rows])
        for _, vectorizer in features.transformer_list:
            vectorizer.stop_words_ = None  # the terms min_df dropped: only size in the file
        categories = _classifier(seed).fit(matrix, [r.category for r in rows])
        departments = _classifier(seed).fit(matrix, [r.department for r in rows])
        counts: dict[str, Counter[str]] = {}
        for row in rows:
            counts.setdefault(row.category, Counter())[row.department] += 1
        usual = {code: c.most_common(1)[0][0] for code, c in sorted(counts.items())}
        return cls(features, categories, departments, usual)

    def _top(self, clf: CalibratedClassifierCV, texts: Sequence[str], k: int) -> list[list[Any]]:
        probabilities = clf.predict_proba(self.features.transform(list(texts)))
        order = np.argsort(-probabilities, axis=1, kind="stable")[:, :k]
        return [
            [(str(clf.classes_[j]), float(p[j])) for j in row]
            for row, p in zip(order, probabilities, strict=True)
        ]

    def suggest(self, text: str, *, k: int = 3) -> list[Suggestion]:
        """The ``k`` likeliest categories, likeliest first; their probabilities add up to at
        most 1. Any text, even one about nothing the model has seen, gets suggestions."""
        return [
            Suggestion(code, self.category_departments[code], p)
            for code, p in self._top(self.categories, [text], k)[0]
        ]

    def suggest_departments(self, text: str, *, k: int = 3) -> list[DepartmentSuggestion]:
        """The ``k`` likeliest departments, likeliest first."""
        return [DepartmentSuggestion(c, p) for c, p in self._top(self.departments, [text], k)[0]]

    def save(self, var_dir: Path) -> Path:
        """Write the model to ``var_dir/interaction/routing.joblib`` and return that path."""
        path = Path(var_dir) / MODEL_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        saved = {"format": FORMAT, "sklearn": sklearn.__version__, "model": self}
        tmp = path.with_suffix(".tmp")
        joblib.dump(saved, tmp, compress=3)
        tmp.replace(path)
        return path

    @classmethod
    def load(cls, var_dir: Path) -> RoutingModel:
        """The model saved under ``var_dir`` (a file this platform wrote: joblib files run
        code when loaded, so never point this at one from elsewhere)."""
        path = Path(var_dir) / MODEL_FILE
        if not path.exists():
            raise ModelFileError(f"no routing model at {path}")
        saved = joblib.load(path)
        if not isinstance(saved, dict) or saved.get("format") != FORMAT:
            raise ModelFileError(f"{path} is not a routing model of format {FORMAT}")
        if saved.get("sklearn") != sklearn.__version__:
            raise ModelFileError(
                f"{path} was saved by scikit-learn {saved.get('sklearn')}, "
                f"this is {sklearn.__version__}: train it again"
            )
        model = saved["model"]
        if not isinstance(model, cls):
            raise ModelFileError(f"{path} holds no routing model")
        return model


def _accuracy(
    model: RoutingModel,
    clf: CalibratedClassifierCV,
    test_texts: Sequence[str],
    truth: Sequence[str],
    train_labels: Sequence[str],
) -> Accuracy:
    top = model._top(clf, test_texts, 3)
    hits1 = sum(t == s[0][0] for t, s in zip(truth, top, strict=True))
    hits3 = sum(t in {c for c, _ in s} for t, s in zip(truth, top, strict=True))
    frequent = [label for label, _ in Counter(train_labels).most_common(3)]
    n = len(truth)
    return Accuracy(
        top1=hits1 / n,
        top3=hits3 / n,
        baseline_top1=sum(t == frequent[0] for t in truth) / n,
        baseline_top3=sum(t in frequent for t in truth) / n,
    )


def train(rows: Sequence[Labelled], *, holdout: float = 0.2, seed: int = 0) -> TrainReport:
    """Fit on all but a stratified ``holdout`` share of ``rows`` (by category) and measure on
    that share; with ``holdout=0`` fit on everything and measure nothing. The report's model
    is the one measured."""
    started = time.perf_counter()
    rows = list(rows)
    if holdout <= 0:
        model = RoutingModel.fit(rows, seed=seed)
        return TrainReport(model, len(rows), 0, None, None, time.perf_counter() - started)
    train_rows, test_rows = train_test_split(
        rows, test_size=holdout, random_state=seed, stratify=[r.category for r in rows]
    )
    model = RoutingModel.fit(train_rows, seed=seed)
    texts = [r.text for r in test_rows]
    category = _accuracy(
        model,
        model.categories,
        texts,
        [r.category for r in test_rows],
        [r.category for r in train_rows],
    )
    department = _accuracy(
        model,
        model.departments,
        texts,
        [r.department for r in test_rows],
        [r.department for r in train_rows],
    )
    return TrainReport(
        model, len(train_rows), len(test_rows), category, department, time.perf_counter() - started
    )


def main(argv: list[str] | None = None) -> None:
    """Train on a JSON-lines file, print what the held-back share says, save the model."""
    import argparse

    from .corpus import corpus_read

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--corpus", type=Path, default=Path("catalog/interaction/training.jsonl"))
    parser.add_argument("--var-dir", type=Path, help="save the model under this directory")
    parser.add_argument("--holdout", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    report = train(corpus_read(args.corpus), holdout=args.holdout, seed=args.seed)
    print(f"trained on {report.train_rows}, measured on {report.test_rows}", end=" ")
    print(f"in {report.seconds:.1f} s")
    for name, accuracy in (("category", report.category), ("department", report.department)):
        if accuracy is not None:
            print(
                f"{name}: top-1 {accuracy.top1:.3f} top-3 {accuracy.top3:.3f} "
                f"(most frequent: top-1 {accuracy.baseline_top1:.3f} top-3 "
                f"{accuracy.baseline_top3:.3f})"
            )
    if args.var_dir:
        print(f"saved to {report.model.save(args.var_dir)}")


if __name__ == "__main__":
    main()

"""How alike two Chinese texts are, for "这些回答可能已经解决您的问题" (knowledge-base hits) and
"附近已有类似诉求" (open requests nearby): jieba's search-mode tokens, common function words
dropped, cosine similarity over the token counts."""

from __future__ import annotations

import math
import re
from collections import Counter
from functools import lru_cache

import jieba

jieba.setLogLevel(60)  # jieba prints its dictionary loading to stderr otherwise

_STOPWORDS = (
    "的 了 是 在 我 我们 你 您 他 她 它 有 和 与 及 或 也 就 都 而 但 还 又 把 被 给 对 从 到 向 "
    "让 这 那 这个 那个 这些 那些 一个 一直 已经 没有 不 很 非常 能 可以 请 请问 怎么 如何 "
    "什么 为什么 哪里 吗 呢 吧 啊 呀 嘛 啦 哦 么 要 想 会 应该 需要 希望 问题 情况 相关 "
    "进行 处理 反映 关于 一下 现在 今天 昨天 每天 上 下 里 中 后 前 时 时候 多 少 大 小"
)
STOPWORDS = frozenset(_STOPWORDS.split())
_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)


@lru_cache(maxsize=4096)
def tokens(text: str) -> tuple[str, ...]:
    """The meaningful tokens of ``text`` (search mode: 公积金提取 gives 公积, 公积金, 提取 …)."""
    out = []
    for token in jieba.lcut_for_search(text or ""):
        token = _PUNCT.sub("", token).lower()
        if not token or token in STOPWORDS:
            continue
        if len(token) == 1 and not token.isdigit() and not token.isascii():
            continue  # single characters say little in Chinese
        out.append(token)
    return tuple(out)


def similarity(a: str, b: str) -> float:
    """Cosine similarity of the two texts' token counts, 0 … 1."""
    return cosine(Counter(tokens(a)), Counter(tokens(b)))


def cosine(x: Counter[str], y: Counter[str]) -> float:
    if not x or not y:
        return 0.0
    dot = sum(count * y[token] for token, count in x.items() if token in y)
    if not dot:
        return 0.0
    norm = math.sqrt(sum(c * c for c in x.values())) * math.sqrt(sum(c * c for c in y.values()))
    return dot / norm

from pathlib import Path

import pytest

from onewindow.interaction.routing.categories import (
    KINDS,
    KNOWN_DEPARTMENTS,
    CategoryTreeError,
    tree_load,
)

TREE = Path(__file__).resolve().parents[5] / "catalog" / "interaction" / "categories.yaml"


def test_the_default_tree_is_valid():
    tree = tree_load(TREE)
    codes = [n.code for n in tree.nodes]
    assert len(codes) == len(set(codes))
    assert len(tree.leaves) >= 50
    assert {leaf.department for leaf in tree.leaves} <= KNOWN_DEPARTMENTS
    assert all(leaf.department for leaf in tree.leaves)
    assert {n.depth for n in tree.nodes} == {1, 2, 3}
    assert set(tree.kinds) == set(KINDS)
    assert tree.kinds["complaint"] == "投诉"


def test_the_tree_routes_noise_by_its_source():
    tree = tree_load(TREE)
    assert tree.department_of("env.noise.construction") == "sthjj"
    assert tree.department_of("env.noise.commercial") == "cgj"
    assert tree.department_of("env.noise.social") == "gaj"
    assert tree.department_of("utilities.water") == "shuiwj"
    assert [n.name for n in tree.path("city.appearance.vendor")] == [
        "城市管理",
        "市容环境",
        "占道经营",
    ]


def _write(tmp_path, body):
    kinds = "\n".join(f"  {k}: {{name: x, name_en: x}}" for k in KINDS)
    path = tmp_path / "tree.yaml"
    path.write_text(f"kinds:\n{kinds}\ncategories:\n{body}", encoding="utf-8")
    return path


LEAF = "  - code: a\n    name: 甲\n    name_en: A\n    children:\n"


@pytest.mark.parametrize(
    ("children", "message"),
    [
        ("      - {code: a.b, name: 乙, name_en: B, department: nobody}\n", "unknown department"),
        (
            "      - {code: a.b, name: 乙, name_en: B, department: gaj}\n"
            "      - {code: a.b, name: 丙, name_en: C, department: gaj}\n",
            "repeated",
        ),
        ("      - {code: x.b, name: 乙, name_en: B, department: gaj}\n", "not under"),
        ("      - {code: a.b, name: 乙, department: gaj}\n", "no name"),
    ],
)
def test_a_broken_tree_is_refused(tmp_path, children, message):
    with pytest.raises(CategoryTreeError, match=message):
        tree_load(_write(tmp_path, LEAF + children))

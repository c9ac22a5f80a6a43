"""The demo city's hotline: categories, a dispatch catalogue, knowledge-base answers and the
printed residents' requests in every state of the loop; their replies on their citizen page.
Seeding again adds nothing."""

from __future__ import annotations

import pytest

from onewindow.core.home import home_section_collect
from onewindow.demo.citizen import demo_citizen_page_seed
from onewindow.demo.hotline import demo_hotline_seed
from onewindow.demo.services import demo_city_seed
from onewindow.identity.selectors import person_find_by_phone
from onewindow.interaction.models import Request
from onewindow.interaction.selectors import articles_search

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _storage(memory_storage: None) -> None:
    return None


def test_the_hotline_runs_the_loop_with_demo_data(django_capture_on_commit_callbacks) -> None:
    demo_city_seed(residents=40, companies=1, seed=7)
    with django_capture_on_commit_callbacks(execute=True):
        demo_citizen_page_seed()
        seeded = demo_hotline_seed()
    assert seeded.categories > 60 and seeded.rules > 60 and seeded.articles == 6
    assert seeded.requests == 7
    states = sorted(Request.objects.values_list("status", flat=True))
    print(
        "STATES",
        list(
            Request.objects.values_list(
                "number", "status", "category__code", "department__code", "reopen_count"
            )
        ),
    )
    assert states == sorted(
        [
            Request.Status.ANSWERED,
            Request.Status.CONCLUDED,
            Request.Status.SIGNED,
            Request.Status.DISPATCHED,
            Request.Status.DISPATCHED,  # re-opened: the same department signs for it again
            Request.Status.REGISTERED,
            Request.Status.MERGED,
        ]
    )
    reopened = Request.objects.get(reopen_count=1)
    assert reopened.moves.filter(action="visit").exists()  # the visit said: not solved
    stall = Request.objects.get(status=Request.Status.ANSWERED)
    assert stall.department is not None and stall.department.code == "gz-cgj-th"
    assert Request.objects.get(status=Request.Status.MERGED).merged_into == stall
    hits = articles_search(text="楼下有烧烤摊占道经营，该向哪里反映")
    assert hits[0].title.startswith("发现占道")
    first = person_find_by_phone(phone="13800000001")
    assert first is not None and first.user is not None
    replies = home_section_collect("replies", user=first.user, limit=5)
    assert replies.items and replies.items[0].key == stall.number and replies.items[0].urgent
    again = demo_hotline_seed()
    assert (again.categories, again.rules, again.articles, again.requests) == (0, 0, 0, 0)

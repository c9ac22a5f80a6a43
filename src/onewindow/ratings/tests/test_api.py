"""The resident's ratings in the API: what they may rate and rated, and rating once, with
the same checks and the platform's one error format."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from onewindow.ratings.models import Rating
from onewindow.ratings.tests.conftest import online

pytestmark = pytest.mark.django_db


def _post(client: Client, subject_id: object, body: dict[str, object]):
    return client.post(
        f"/api/v1/ratings/{subject_id}", data=json.dumps(body), content_type="application/json"
    )


def test_the_resident_rates_once_through_the_api(subject, rater_client):
    body = {"level": 5, "dimensions": online(5), "text": "很方便"}
    created = _post(rater_client, subject.pk, body)
    assert created.status_code == 201, created.content
    answer = created.json()
    assert {k: answer[k] for k in ("level", "level_label", "via", "text")} == {
        "level": 5,
        "level_label": "非常满意",
        "via": "api",
        "text": "很方便",
    }
    again = _post(rater_client, subject.pk, body)
    assert again.status_code == 409
    assert again.json()["errors"][0]["code"] == "already_rated"
    assert Rating.objects.count() == 1


def test_the_checks_answer_by_field(subject, rater_client):
    response = _post(rater_client, subject.pk, {"level": 2, "dimensions": online(2)})
    assert response.status_code == 422
    assert response.json() == {
        "errors": [
            {"code": "required", "message": "不满意时请至少选择一项原因。", "field": "reasons"}
        ]
    }
    shape = _post(rater_client, subject.pk, {"level": 9})
    assert shape.status_code == 422 and shape.json()["errors"][0]["field"] == "level"


def test_someone_elses_subject_is_not_found(subject, other):
    client = Client()
    client.force_login(other.user)
    response = _post(client, subject.pk, {"level": 5, "dimensions": online(5)})
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "subject_not_found"
    assert client.get("/api/v1/me/ratings").json() == []


def test_my_ratings_list_what_to_rate_and_what_was_rated(expect, rater_client):
    waiting = expect(channel="window")
    done = expect()
    _post(rater_client, done.pk, {"level": 4, "dimensions": online(4)})
    rows = {row["id"]: row for row in rater_client.get("/api/v1/me/ratings").json()}
    assert rows[waiting.pk]["rating"] is None
    assert rows[waiting.pk]["dimensions"] == [
        "overall",
        "service_efficiency",
        "service_skill",
        "service_manner",
    ]
    assert rows[done.pk]["rating"]["dimensions"]["overall"] == 4


def test_only_residents_rate(subject, handler):
    client = Client()
    client.force_login(handler)
    assert client.get("/api/v1/me/ratings").status_code == 403

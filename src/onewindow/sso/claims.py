"""What a relying party learns about a resident, by scope.

``sub`` is pairwise: an HMAC of the account and the client id, so two department systems
cannot join their records on it and it never reveals the database key."""

from __future__ import annotations

import hashlib
import hmac
from typing import TYPE_CHECKING, Any

from django.conf import settings

from onewindow.core.masking import mask_name, mask_phone

if TYPE_CHECKING:
    from onewindow.identity.models import User

SCOPE_OF_CLAIM = {
    "sub": "openid",
    "name": "profile",
    "phone_number": "phone",
    "realname": "realname",
    "citizen_id": "realname",
}


def pairwise_subject(*, user_id: int, client_id: str) -> str:
    key = hashlib.sha256(b"onewindow-oidc-sub|" + settings.SECRET_KEY.encode()).digest()
    message = f"{client_id}|{user_id}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:40]


def claims_for(*, user: User, client_id: str, scopes: set[str] | list[str]) -> dict[str, Any]:
    granted = set(scopes)
    person = getattr(user, "person", None)
    values: dict[str, Any] = {"sub": pairwise_subject(user_id=user.pk, client_id=client_id)}
    if person is not None:
        values["name"] = mask_name(person.name)
        values["phone_number"] = mask_phone(person.phone)
        values["realname"] = person.name
        values["citizen_id"] = person.id_number
    return {k: v for k, v in values.items() if SCOPE_OF_CLAIM[k] in granted and v}

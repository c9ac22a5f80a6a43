"""The daily purge (beat ``sso.purge``): expired tokens and the redeemed codes whose tokens
have all expired are deleted; anything still usable, and a recent code's checksum that a
replay would need, stays."""

from __future__ import annotations

import datetime

from django.utils import timezone
from oauth2_provider.models import AccessToken, RefreshToken

from onewindow.audit.models import AuditEvent
from onewindow.sso.models import RedeemedCode
from onewindow.sso.services import sso_expired_purge
from onewindow.sso.tests.conftest import Flow

MONTH = datetime.timedelta(days=30)


def test_the_purge_keeps_what_is_alive_and_drops_what_has_expired(flow: Flow):
    old = flow.token(flow.approve(flow.authorize())).json()
    fresh = flow.token(flow.approve(flow.authorize())).json()
    assert RedeemedCode.objects.count() == 2
    long_ago = timezone.now() - MONTH - datetime.timedelta(hours=1)
    old_token = AccessToken.objects.order_by("pk").first()
    assert old_token is not None
    AccessToken.objects.filter(pk=old_token.pk).update(expires=long_ago)
    RefreshToken.objects.filter(access_token=old_token).update(created=long_ago)
    RedeemedCode.objects.filter(access_token_checksum=old_token.token_checksum).update(
        redeemed_at=long_ago
    )

    counts = sso_expired_purge()

    assert counts == {"access_tokens": 1, "refresh_tokens": 1, "redeemed_codes": 1}
    assert flow.userinfo(fresh["access_token"]).status_code == 200
    assert flow.refresh(old["refresh_token"]).json()["error"] == "invalid_grant"
    kept = RedeemedCode.objects.get()
    assert kept.access_token_checksum != old_token.token_checksum
    event = AuditEvent.objects.get(action="sso.expired.purge")
    assert (event.actor_kind, event.changes) == ("system", counts)
    # run again: nothing more to do, said as such
    assert sso_expired_purge() == {"access_tokens": 0, "refresh_tokens": 0, "redeemed_codes": 0}

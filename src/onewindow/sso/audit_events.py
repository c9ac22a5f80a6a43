"""The audit trail's event types that single sign-on (sso) writes: ``audit_record(action=...)``.

Each string is part of the trail's history: rows already written carry it, and the trail
is read and checked by these names. Never change one; a new kind of event gets a new name."""

from __future__ import annotations

AUTHORIZE_REFUSE = "sso.authorize.refuse"
CLIENT_DEMO_SEED = "sso.client.demo_seed"
CLIENT_REGISTER = "sso.client.register"
CLIENT_ROTATE_SECRET = "sso.client.rotate_secret"
CLIENT_SCOPES = "sso.client.scopes"
CODE_REPLAY = "sso.code.replay"
EXPIRED_PURGE = "sso.expired.purge"
LOGOUT_REFUSE = "sso.logout.refuse"
REVOKE_REFUSE = "sso.revoke.refuse"
TOKEN_REFUSE = "sso.token.refuse"
USERINFO_REFUSE = "sso.userinfo.refuse"

# A protocol endpoint refused a request (``protocol_refusal_record(endpoint=...)``).
PROTOCOL_REFUSE = {
    "authorize": AUTHORIZE_REFUSE,
    "token": TOKEN_REFUSE,
    "revoke": REVOKE_REFUSE,
    "userinfo": USERINFO_REFUSE,
    "logout": LOGOUT_REFUSE,
}

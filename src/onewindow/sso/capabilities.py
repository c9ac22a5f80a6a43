"""What the provider serves, in one place: the validator and the views refuse everything
else, and the discovery document publishes exactly these values (OpenID Connect Discovery
1.0 §3 and RFC 9207 §3). A value added here must be served and tested before it is
advertised.

Imports nothing from Django: the settings, the validator and the views all read it."""

from __future__ import annotations

# Authorization code flow only: no implicit, no hybrid.
RESPONSE_TYPES = ("code",)
# The code comes back in the redirect URI's query; fragment and form_post are refused.
RESPONSE_MODES = ("query",)
GRANT_TYPES = ("authorization_code", "refresh_token")
# ID tokens are signed with the provider's RSA key; never HS256 (client secrets are stored
# as hashes, so they could not sign anyway) and never "none".
ID_TOKEN_SIGNING_ALGS = ("RS256",)
# `sub` is an HMAC of the account and the client id (onewindow.sso.claims).
SUBJECT_TYPES = ("pairwise",)
# Confidential clients only: a client without a secret ("none") is refused.
TOKEN_ENDPOINT_AUTH_METHODS = ("client_secret_basic", "client_secret_post")
CODE_CHALLENGE_METHODS = ("S256",)
PROMPT_VALUES = ("none", "login")
# Django's application model spells the grant and the algorithm its own way.
APPLICATION_GRANT = "authorization-code"
APPLICATION_ALGORITHM = "RS256"

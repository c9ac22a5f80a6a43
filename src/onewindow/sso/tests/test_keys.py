"""Signing keys: production refuses to start without one; a rotation publishes the old
public key beside the new one, so ID tokens issued before it still verify."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jwcrypto import jwk, jwt

from onewindow.sso.keys import MissingSigningKey, generate_rsa_pem, oidc_signing_keys
from onewindow.sso.tests.conftest import Flow


def test_production_requires_the_configured_key(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.delenv("ONEWINDOW_OIDC_RSA_KEY", raising=False)
    with pytest.raises(MissingSigningKey):
        oidc_signing_keys(production=True, var_dir=tmp_path)
    assert not list(tmp_path.iterdir())


def test_keys_come_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    current, old = generate_rsa_pem(), generate_rsa_pem()
    monkeypatch.setenv("ONEWINDOW_OIDC_RSA_KEY", current)
    monkeypatch.setenv("ONEWINDOW_OIDC_RSA_KEYS_INACTIVE", old)
    assert oidc_signing_keys(production=True, var_dir=tmp_path) == (current, [old])


def test_development_generates_one_key_and_keeps_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    monkeypatch.delenv("ONEWINDOW_OIDC_RSA_KEY", raising=False)
    first, _ = oidc_signing_keys(production=False, var_dir=tmp_path)
    second, _ = oidc_signing_keys(production=False, var_dir=tmp_path)
    assert first == second and "PRIVATE KEY" in first
    assert (tmp_path / "oidc-rsa-dev.pem").stat().st_mode & 0o077 == 0


@pytest.mark.django_db
def test_a_token_signed_before_a_rotation_still_verifies(flow: Flow, client, settings):
    id_token = flow.token(flow.approve(flow.authorize())).json()["id_token"]
    old = settings.OAUTH2_PROVIDER["OIDC_RSA_PRIVATE_KEY"]
    settings.OAUTH2_PROVIDER = {
        **settings.OAUTH2_PROVIDER,
        "OIDC_RSA_PRIVATE_KEY": generate_rsa_pem(),
        "OIDC_RSA_PRIVATE_KEYS_INACTIVE": [old],
    }
    keys = client.get("/o/.well-known/jwks.json").json()
    assert len(keys["keys"]) == 2
    keyset = jwk.JWKSet.from_json(json.dumps(keys))
    jwt.JWT(jwt=id_token, key=keyset, algs=["RS256"])  # raises if no published key fits
    new_token = flow.token(flow.approve(flow.authorize())).json()["id_token"]
    assert (
        jwt.JWT(jwt=new_token, key=keyset, algs=["RS256"]).token.jose_header["kid"]
        != (jwt.JWT(jwt=id_token, key=keyset, algs=["RS256"]).token.jose_header["kid"])
    )
    # after the old key is dropped, the old token no longer verifies
    settings.OAUTH2_PROVIDER = {**settings.OAUTH2_PROVIDER, "OIDC_RSA_PRIVATE_KEYS_INACTIVE": []}
    only_new = jwk.JWKSet.from_json(json.dumps(client.get("/o/.well-known/jwks.json").json()))
    with pytest.raises(Exception):  # noqa: B017 - jwcrypto raises different errors by version
        jwt.JWT(jwt=id_token, key=only_new, algs=["RS256"])

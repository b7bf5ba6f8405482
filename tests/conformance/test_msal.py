"""MSAL for Python (unmodified) against the emulator's identity platform."""
import requests

from conftest import (DEMO_PASSWORD, GRAPH_SCOPES, MEGAN, auth_code_sign_in, browser, page_kind,
                      public_app, sign_in_and_consent)


def test_auth_code_with_pkce_then_silent_refresh(emulator):
    app = public_app(emulator)
    result = auth_code_sign_in(emulator, app)
    assert "access_token" in result, result
    assert result["token_type"] == "Bearer"
    assert result["id_token_claims"]["preferred_username"] == MEGAN
    assert "refresh_token" in result, "MSAL adds offline_access, so a refresh token comes back"
    accounts = app.get_accounts()
    assert [a["username"] for a in accounts] == [MEGAN]
    cached = app.acquire_token_silent(GRAPH_SCOPES, account=accounts[0])
    assert cached["access_token"] == result["access_token"], "a valid cached token is reused"
    refreshed = app.acquire_token_silent(GRAPH_SCOPES, account=accounts[0], force_refresh=True)
    assert "access_token" in refreshed, refreshed
    assert refreshed["access_token"] != result["access_token"], "force_refresh redeems the refresh token"
    me = requests.get(emulator["graph"] + "/me", headers={"Authorization": "Bearer " + refreshed["access_token"]},
                      verify=emulator["ca_cert"])
    assert me.status_code == 200 and me.json()["userPrincipalName"] == MEGAN


def test_revoked_refresh_token_needs_interaction(emulator):
    app = public_app(emulator)
    auth_code_sign_in(emulator, app, login="adele.vance@contoso.example")
    account = app.get_accounts()[0]
    revoked = requests.post(emulator["admin"] + "/users/adele.vance@contoso.example/revoke-refresh-tokens",
                            verify=emulator["ca_cert"])
    assert revoked.status_code == 204
    result = app.acquire_token_silent_with_error(GRAPH_SCOPES, account=account, force_refresh=True)
    assert result and result.get("error") == "invalid_grant", result
    assert 50173 in result.get("error_codes", []), result


def test_device_code_flow(emulator):
    app = public_app(emulator)
    flow = app.initiate_device_flow(scopes=GRAPH_SCOPES)
    assert "user_code" in flow, flow
    session = browser(emulator)
    page = session.post(flow["verification_uri"], data={"otc": flow["user_code"]})
    assert page_kind(page.text) == "sign-in"
    done = sign_in_and_consent(emulator, session, page.text, "alex.wilber@contoso.example", DEMO_PASSWORD)
    assert page_kind(done.text) == "done", done.text[:300]
    result = app.acquire_token_by_device_flow(flow)
    assert "access_token" in result, result
    assert result["id_token_claims"]["preferred_username"] == "alex.wilber@contoso.example"


def test_admin_consent_required_is_reported(emulator):
    app = public_app(emulator, tenant="fabrikam.example")
    flow = app.initiate_auth_code_flow(GRAPH_SCOPES, redirect_uri="http://localhost:53100")
    session = browser(emulator)
    page = session.get(flow["auth_uri"])
    approval = sign_in_and_consent(emulator, session, page.text, "lee.gu@fabrikam.example", DEMO_PASSWORD)
    assert page_kind(approval.text) == "admin-approval"
    assert "AADSTS90094" in approval.text


def test_confidential_client_credentials(emulator):
    import msal
    app = msal.ConfidentialClientApplication(
        emulator["org_client_id"], client_credential=emulator["org_client_secret"],
        authority=emulator["authority"] + "/contoso.example", instance_discovery=False, verify=emulator["ca_cert"])
    result = app.acquire_token_for_client(scopes=["https://graph.microsoft.com/.default"])
    assert "access_token" in result, result
    user = requests.get(emulator["graph"] + "/users/megan.bowen@contoso.example",
                        headers={"Authorization": "Bearer " + result["access_token"]}, verify=emulator["ca_cert"])
    assert user.status_code == 200 and user.json()["id"]


def _certificate_app(emulator, credential):
    import msal
    return msal.ConfidentialClientApplication(
        emulator["org_client_id"], client_credential=credential,
        authority=emulator["authority"] + "/contoso.example", instance_discovery=False, verify=emulator["ca_cert"])


def _pem_blocks(path):
    text = open(path).read()
    key = text[text.index("-----BEGIN PRIVATE KEY-----"):]
    certificate = text[:text.index("-----BEGIN PRIVATE KEY-----")]
    return certificate, key


def test_confidential_client_with_a_certificate_sha1_thumbprint_rs256(emulator):
    """MSAL's long-standing way: the SHA-1 thumbprint given, an RS256 assertion with x5t."""
    _, key = _pem_blocks(emulator["org_certificate"])
    app = _certificate_app(emulator, {"private_key": key, "thumbprint": "2BC2DF453EB4BE8F4D24C4CE790EBAF3BB6816B9"})
    result = app.acquire_token_for_client(scopes=["https://graph.microsoft.com/.default"])
    assert "access_token" in result, result
    user = requests.get(emulator["graph"] + "/users/megan.bowen@contoso.example",
                        headers={"Authorization": "Bearer " + result["access_token"]}, verify=emulator["ca_cert"])
    assert user.status_code == 200


def test_confidential_client_with_a_certificate_sha256_ps256(emulator):
    """MSAL 1.35+ without a thumbprint: a PS256 assertion with x5t#S256 (and x5c)."""
    certificate, key = _pem_blocks(emulator["org_certificate"])
    app = _certificate_app(emulator, {"private_key": key, "public_certificate": certificate})
    result = app.acquire_token_for_client(scopes=["https://graph.microsoft.com/.default"])
    assert "access_token" in result, result


def test_a_certificate_with_the_wrong_thumbprint_is_refused_with_700027(emulator):
    _, key = _pem_blocks(emulator["org_certificate"])
    app = _certificate_app(emulator, {"private_key": key, "thumbprint": "00" * 20})
    result = app.acquire_token_for_client(scopes=["https://graph.microsoft.com/.default"])
    assert result.get("error") == "invalid_client", result
    assert 700027 in result.get("error_codes", []), result

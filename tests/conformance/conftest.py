"""Starts the emulator binary once per session and signs users in the way a browser would."""
import json
import os
import re
import subprocess
import urllib.parse

import msal
import pytest
import requests

# requests lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE override a Session's `verify`, which is how
# MSAL passes the emulator's CA; CI machines often set them, so the clients would never see it.
for _variable in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
    os.environ.pop(_variable, None)

DEMO_PASSWORD = "Demo-pass-1"
MEGAN = "megan.bowen@contoso.example"
REDIRECT_URI = "http://localhost:53100"
GRAPH_SCOPES = ["User.Read", "Calendars.ReadWrite"]


@pytest.fixture(scope="session")
def emulator():
    binary = os.environ["M365_EMULATOR_BIN"]
    process = subprocess.Popen(
        [binary, "serve", "--seed", "demo"],
        stdout=subprocess.PIPE,
        text=True,
    )
    line = process.stdout.readline()
    if not line:
        process.kill()
        raise RuntimeError("the emulator printed no JSON line")
    info = json.loads(line)
    yield info
    process.terminate()
    process.wait(timeout=10)


def public_app(emulator, tenant="organizations"):
    return msal.PublicClientApplication(
        emulator["client_id"],
        authority=f"{emulator['authority']}/{tenant}",
        instance_discovery=False,
        verify=emulator["ca_cert"],
    )


def forms(html):
    """The form action and hidden fields of an emulator page."""
    action = re.search(r'<form[^>]*action="([^"]+)"', html).group(1).replace("&amp;", "&")
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
    return action, fields


def page_kind(html):
    match = re.search(r'<meta name="emulator-page" content="([^"]+)"', html)
    return match.group(1) if match else ""


def browser(emulator):
    session = requests.Session()
    session.verify = emulator["ca_cert"]
    return session


def sign_in_and_consent(emulator, session, page, login, password):
    """Posts the sign-in form, then accepts the consent page if one is shown."""
    action, fields = forms(page)
    fields.update(login=login, passwd=password)
    response = session.post(emulator["authority"] + action, data=fields, allow_redirects=False)
    if response.status_code == 200 and page_kind(response.text) == "consent":
        action, fields = forms(response.text)
        fields["decision"] = "accept"
        response = session.post(emulator["authority"] + action, data=fields, allow_redirects=False)
    return response


def auth_code_sign_in(emulator, app, login=MEGAN, password=DEMO_PASSWORD, scopes=GRAPH_SCOPES):
    """MSAL's auth code + PKCE flow with the browser step done by posting the forms."""
    flow = app.initiate_auth_code_flow(scopes, redirect_uri=REDIRECT_URI, login_hint=login)
    session = browser(emulator)
    page = session.get(flow["auth_uri"], allow_redirects=False)
    assert page.status_code == 200 and page_kind(page.text) == "sign-in", page.text[:300]
    redirect = sign_in_and_consent(emulator, session, page.text, login, password)
    assert redirect.status_code == 302, redirect.text[:500]
    location = redirect.headers["Location"]
    assert location.startswith(REDIRECT_URI)
    auth_response = {k: v[0] for k, v in urllib.parse.parse_qs(urllib.parse.urlparse(location).query).items()}
    return app.acquire_token_by_auth_code_flow(flow, auth_response)


@pytest.fixture(scope="session")
def megan_token(emulator):
    result = auth_code_sign_in(emulator, public_app(emulator))
    assert "access_token" in result, result
    return result["access_token"]

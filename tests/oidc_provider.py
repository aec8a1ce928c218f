"""A small but real OpenID Connect provider for the sign-in tests (issue #18 point 4).

Authlib's server side on Flask, run as its own process by tests/signin/conftest.py:
discovery, the authorization code flow with PKCE (S256 required), the token
endpoint (client_secret_basic/post), userinfo and JWKS; ID tokens are RS256-signed
with a key generated at start.

There is no login page: the test plays the person at the provider by adding
`user=<sub>` to the authorization URL our service redirected to. Adding
`rogue_key=1` signs that code's ID token with a key the JWKS does not publish, as
a forged token would be.

    python tests/oidc_provider.py PORT USERS_JSON
"""

from __future__ import annotations

import json
import secrets
import sys
import time
from typing import Any

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import grants
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core.grants import OpenIDCode
from flask import Flask, jsonify, request
from joserfc.jwk import RSAKey

CLIENT_ID = "naravard-test"
CLIENT_SECRET = "provider-test-secret"  # noqa: S105 - a test provider's client

PORT = int(sys.argv[1])
ISSUER = f"http://127.0.0.1:{PORT}"
USERS: dict[str, dict[str, Any]] = {
    user["sub"]: user for user in json.loads(sys.argv[2])
}

SIGNING_KEY = RSAKey.generate_key(2048, parameters={"kid": "test-key", "use": "sig"})
ROGUE_KEY = RSAKey.generate_key(2048, parameters={"kid": "test-key", "use": "sig"})

app = Flask(__name__)
app.config["OAUTH2_TOKEN_EXPIRES_IN"] = {"authorization_code": 300}


class Client:
    """The one registered client: our service, redirecting back to any path of it."""

    client_id = CLIENT_ID
    id_token_signed_response_alg = "RS256"

    def get_client_id(self) -> str:
        return CLIENT_ID

    def get_default_redirect_uri(self) -> None:
        return None

    def get_allowed_scope(self, scope: str) -> str:
        allowed = {"openid", "email", "profile"}
        return " ".join(s for s in scope.split() if s in allowed)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri.startswith("http://testserver/")

    def check_client_secret(self, client_secret: str) -> bool:
        return secrets.compare_digest(client_secret, CLIENT_SECRET)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in {"client_secret_basic", "client_secret_post"}

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


class Code:
    def __init__(self, code: str, user: dict[str, Any], payload: Any) -> None:
        self.code = code
        self.user = user
        self.redirect_uri = payload.redirect_uri
        self.scope = payload.scope
        self.nonce = payload.data.get("nonce")
        self.code_challenge = payload.data.get("code_challenge")
        self.code_challenge_method = payload.data.get("code_challenge_method")
        self.rogue = payload.data.get("rogue_key") == "1"
        self.auth_time = int(time.time())

    def get_redirect_uri(self) -> str:
        return str(self.redirect_uri)

    def get_scope(self) -> str:
        return str(self.scope)

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.auth_time

    def get_acr(self) -> None:
        return None

    def get_amr(self) -> None:
        return None


CLIENT = Client()
CODES: dict[str, Code] = {}
TOKENS: dict[str, dict[str, Any]] = {}
ROGUE_CODES: set[str] = set()


def claims_of(user: dict[str, Any], scope: str) -> dict[str, Any]:
    claims: dict[str, Any] = {"sub": user["sub"]}
    if "email" in scope.split() and "email" in user:
        claims["email"] = user["email"]
        claims["email_verified"] = user.get("email_verified", True)
    if "profile" in scope.split():
        claims["name"] = user.get("name", "")
    return claims


class AuthorizationCodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

    def save_authorization_code(self, code: str, request: Any) -> Code:
        stored = Code(code, request.user, request.payload)
        CODES[code] = stored
        return stored

    def query_authorization_code(self, code: str, client: Any) -> Code | None:
        return CODES.get(code)

    def delete_authorization_code(self, authorization_code: Code) -> None:
        CODES.pop(authorization_code.code, None)
        if authorization_code.rogue:
            ROGUE_CODES.add(authorization_code.code)

    def authenticate_user(self, authorization_code: Code) -> dict[str, Any]:
        self.request.rogue = authorization_code.rogue
        return authorization_code.user


class IdToken(OpenIDCode):
    def resolve_client_private_key(self, client: Any) -> Any:
        return ROGUE_KEY if getattr(self.rogue_request, "rogue", False) else SIGNING_KEY

    def get_client_claims(self, client: Any) -> dict[str, Any]:
        return {"iss": ISSUER, "aud": [CLIENT_ID], "exp": int(time.time()) + 300}

    def get_encode_header(self, client: Any) -> dict[str, Any]:
        return {"alg": "RS256", "kid": "test-key"}

    def exists_nonce(self, nonce: str, request: Any) -> bool:
        return any(code.nonce == nonce for code in CODES.values())

    def generate_user_info(self, user: dict[str, Any], scope: str) -> dict[str, Any]:
        return claims_of(user, scope)

    def process_token(self, grant: Any, response: Any) -> Any:
        self.rogue_request = grant.request
        return super().process_token(grant, response)


def query_client(client_id: str) -> Client | None:
    return CLIENT if client_id == CLIENT_ID else None


def save_token(token: dict[str, Any], request: Any) -> None:
    TOKENS[token["access_token"]] = {"user": request.user, "scope": token["scope"]}


server = AuthorizationServer(app, query_client=query_client, save_token=save_token)
server.register_grant(
    AuthorizationCodeGrant,
    [IdToken(require_nonce=True), CodeChallenge(required=True)],
)


@app.get("/.well-known/openid-configuration")
def discovery() -> Any:
    return jsonify(
        issuer=ISSUER,
        authorization_endpoint=f"{ISSUER}/authorize",
        token_endpoint=f"{ISSUER}/token",
        userinfo_endpoint=f"{ISSUER}/userinfo",
        jwks_uri=f"{ISSUER}/jwks",
        response_types_supported=["code"],
        subject_types_supported=["public"],
        id_token_signing_alg_values_supported=["RS256"],
        scopes_supported=["openid", "email", "profile"],
        token_endpoint_auth_methods_supported=[
            "client_secret_basic",
            "client_secret_post",
        ],
        code_challenge_methods_supported=["S256"],
    )


@app.get("/jwks")
def jwks() -> Any:
    return jsonify(keys=[SIGNING_KEY.as_dict(private=False)])


@app.get("/authorize")
def authorize() -> Any:
    user = USERS.get(request.args.get("user", ""))
    if user is None:
        return "Okänd användare", 400
    return server.create_authorization_response(grant_user=user)


@app.post("/token")
def issue_token() -> Any:
    return server.create_token_response()


@app.get("/userinfo")
def userinfo() -> Any:
    header = request.headers.get("Authorization", "")
    stored = TOKENS.get(header.removeprefix("Bearer "))
    if not header.startswith("Bearer ") or stored is None:
        return jsonify(error="invalid_token"), 401
    return jsonify(claims_of(stored["user"], stored["scope"]))


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=PORT, threaded=True)

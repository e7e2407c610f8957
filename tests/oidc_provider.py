"""A small but real OpenID Connect provider for tests, run as its own process on loopback.

    python tests/oidc_provider.py --port 0 --client-id ID --client-secret SECRET

It prints "READY <port>" once it listens. The authorization code flow, as a district's provider would run it:
discovery document, /authorize (auto-approves the person the test configured, PKCE S256), /token (client secret
by POST or Basic, single-use codes, RS256-signed ID tokens), /jwks, /userinfo. A test chooses the person, and how
the next ID token is spoiled, by POSTing JSON to /_test/person:
    {"sub": "...", "email": "...", "email_verified": true, "name": "...",
     "spoil": null | "foreign_key" (signed with a key not in the JWKS) | "wrong_audience"}
"""

import argparse
import base64
import hashlib
import json
import secrets
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

KID = "assetlens-test-key"


class Provider:
    def __init__(self, client_id, client_secret):
        self.client_id, self.client_secret = client_id, client_secret
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.foreign_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.person = {"sub": "1", "email": "someone@example.org", "email_verified": True, "name": "Someone"}
        self.spoil = None
        self.codes = {}  # code -> grant
        self.tokens = {}  # access token -> claims
        self.lock = threading.Lock()
        self.issuer = ""

    def jwks(self):
        public = jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        return {"keys": [{**public, "kid": KID, "use": "sig", "alg": "RS256"}]}

    def id_token(self, claims, nonce):
        now = int(time.time())
        payload = {**claims, "iss": self.issuer, "aud": self.client_id, "iat": now, "exp": now + 300,
                   "jti": secrets.token_hex(8)}
        if nonce:
            payload["nonce"] = nonce
        key = self.key
        if self.spoil == "foreign_key":
            key = self.foreign_key
        elif self.spoil == "wrong_audience":
            payload["aud"] = "another-application"
        return jwt.encode(payload, key, algorithm="RS256", headers={"kid": KID})


def handler_for(provider):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # keep the test output quiet
            pass

        def send_json(self, data, status=200):
            body = json.dumps(data).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):  # noqa: N802 - http.server's name
            url = urlparse(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            if url.path == "/.well-known/openid-configuration":
                base = provider.issuer
                return self.send_json({
                    "issuer": base, "authorization_endpoint": f"{base}/authorize",
                    "token_endpoint": f"{base}/token", "userinfo_endpoint": f"{base}/userinfo",
                    "jwks_uri": f"{base}/jwks", "response_types_supported": ["code"],
                    "subject_types_supported": ["public"], "id_token_signing_alg_values_supported": ["RS256"],
                    "scopes_supported": ["openid", "email", "profile"],
                    "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
                    "code_challenge_methods_supported": ["S256"],
                })
            if url.path == "/jwks":
                return self.send_json(provider.jwks())
            if url.path == "/authorize":
                if query.get("client_id") != provider.client_id or query.get("response_type") != "code":
                    return self.send_json({"error": "unauthorized_client"}, 400)
                code = secrets.token_urlsafe(16)
                with provider.lock:
                    provider.codes[code] = {"person": dict(provider.person), "nonce": query.get("nonce"),
                                            "redirect_uri": query["redirect_uri"],
                                            "challenge": query.get("code_challenge")}
                back = query["redirect_uri"] + "?" + urlencode({"code": code, "state": query.get("state", "")})
                self.send_response(302)
                self.send_header("Location", back)
                self.end_headers()
                return None
            if url.path == "/userinfo":
                token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                claims = provider.tokens.get(token)
                if claims is None:
                    return self.send_json({"error": "invalid_token"}, 401)
                return self.send_json(claims)
            return self.send_json({"error": "not_found"}, 404)

        def do_POST(self):  # noqa: N802
            length = int(self.headers.get("Content-Length", "0"))
            raw = self.rfile.read(length).decode()
            if self.path == "/_test/person":
                data = json.loads(raw)
                provider.spoil = data.pop("spoil", None)
                provider.person = data
                return self.send_json({"ok": True})
            if self.path != "/token":
                return self.send_json({"error": "not_found"}, 404)
            form = {k: v[0] for k, v in parse_qs(raw).items()}
            client_id, secret = form.get("client_id"), form.get("client_secret")
            basic = self.headers.get("Authorization", "")
            if basic.startswith("Basic "):
                client_id, _, secret = base64.b64decode(basic[6:]).decode().partition(":")
            if client_id != provider.client_id or secret != provider.client_secret:
                return self.send_json({"error": "invalid_client"}, 401)
            with provider.lock:
                grant = provider.codes.pop(form.get("code", ""), None)  # a code works once
            if grant is None or grant["redirect_uri"] != form.get("redirect_uri"):
                return self.send_json({"error": "invalid_grant"}, 400)
            if grant["challenge"]:
                verifier = form.get("code_verifier", "")
                digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
                if digest != grant["challenge"]:
                    return self.send_json({"error": "invalid_grant", "error_description": "PKCE"}, 400)
            access = secrets.token_urlsafe(24)
            provider.tokens[access] = grant["person"]
            return self.send_json({"access_token": access, "token_type": "Bearer", "expires_in": 300,
                                   "id_token": provider.id_token(grant["person"], grant["nonce"])})

    return Handler


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--client-secret", required=True)
    args = parser.parse_args()
    provider = Provider(args.client_id, args.client_secret)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), handler_for(provider))
    provider.issuer = f"http://127.0.0.1:{server.server_address[1]}"
    print(f"READY {server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""allauth's OpenID Connect provider, checking the ID token's signature against the provider's published keys
even when the token came straight from the token endpoint (allauth trusts that channel and skips the check).
A district's own OpenID Connect server is less certain than Google's, and a token signed by any other key is
refused. Registered through SOCIALACCOUNT_PROVIDERS["openid_connect"]["provider_class"]; its URLs (same names
as allauth's) come from this package's urls.py."""

from allauth.socialaccount.internal import jwtkit
from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter


class SignedOpenIDConnectAdapter(OpenIDConnectOAuth2Adapter):
    def _decode_id_token(self, app, id_token):
        return jwtkit.verify_and_decode(
            credential=id_token,
            keys_url=self.openid_config["jwks_uri"],
            issuer=self.openid_config["issuer"],
            audience=app.client_id,
            lookup_kid=jwtkit.lookup_kid_jwk,
            verify_signature=True,
        )


class DistrictOpenIDConnectProvider(OpenIDConnectProvider):
    oauth2_adapter_class = SignedOpenIDConnectAdapter
    package = "accounts.oidc"

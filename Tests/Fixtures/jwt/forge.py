"""Signs JSON Web Tokens for the JWT authorizer's tests, with joserfc (which moto installs).

Reads a JSON request on stdin:
  {"keys": {"name": {"kid": "k1", "bits": 2048} | {"moto": true}},
   "tokens": [{"key": "name", "header": {...}, "claims": {...}}, ...]}
and writes {"jwks": {"name": <public JWKS of that key>}, "tokens": ["<compact JWS>", ...]}.
A key {"moto": true} is moto's own Cognito signing key: tokens moto would accept the
signature of, so a test can forge an expired token the issuer itself signed.
"""

import json
import sys

from joserfc import jwt
from joserfc.jwk import RSAKey
from moto.utilities.utils import load_resource


def main() -> None:
    request = json.load(sys.stdin)
    keys = {}
    for name, spec in request["keys"].items():
        if spec.get("moto"):
            # The key moto's Cognito signs with (moto.cognitoidp.models loads it the same way).
            keys[name] = RSAKey.import_key(load_resource("moto.cognitoidp.models", "resources/jwks-private.json"))
        else:
            keys[name] = RSAKey.generate_key(spec.get("bits", 2048), parameters={"kid": spec["kid"]}, private=True)
    tokens = []
    for token in request["tokens"]:
        header = {"alg": "RS256", **token.get("header", {})}
        tokens.append(jwt.encode(header, token["claims"], keys[token["key"]]))
    jwks = {name: {"keys": [key.as_dict(private=False)]} for name, key in keys.items()}
    json.dump({"jwks": jwks, "tokens": tokens}, sys.stdout)


if __name__ == "__main__":
    main()

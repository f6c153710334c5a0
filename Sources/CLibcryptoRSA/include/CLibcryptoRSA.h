#ifndef CLIBCRYPTORSA_H
#define CLIBCRYPTORSA_H

#include <stddef.h>
#include <stdint.h>

// RSA signature verification for the local API's JWT authorizer (RS256 against a JWKS key).
// A target of its own, apart from CLibcrypto, so that no bootstrap links OpenSSL's RSA code:
// only the developer tool needs it.

/// Verifies an RSASSA-PKCS1-v1_5 SHA-256 signature (JWS "RS256") of `data` with the public key
/// whose modulus and exponent are the big-endian bytes `modulus` and `exponent`.
/// Returns 1 when the signature is valid, 0 when it is not, -1 when the key is unusable.
int clibcrypto_rs256_verify(
    const uint8_t *modulus, size_t modulus_length, const uint8_t *exponent, size_t exponent_length,
    const void *data, size_t data_length, const uint8_t *signature, size_t signature_length);

#endif

#include "CLibcryptoRSA.h"

#if defined(__APPLE__)
int clibcrypto_rs256_verify(
    const uint8_t *modulus, size_t modulus_length, const uint8_t *exponent, size_t exponent_length,
    const void *data, size_t data_length, const uint8_t *signature, size_t signature_length) {
    return -1;  // The local API's JWT authorizer runs on Linux only.
}
#else
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

static EVP_PKEY *public_key(const uint8_t *modulus, size_t modulus_length, const uint8_t *exponent,
                            size_t exponent_length) {
    EVP_PKEY *key = NULL;
    BIGNUM *n = BN_bin2bn(modulus, (int)modulus_length, NULL);
    BIGNUM *e = BN_bin2bn(exponent, (int)exponent_length, NULL);
    OSSL_PARAM_BLD *builder = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *context = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
    if (n && e && builder && context && OSSL_PARAM_BLD_push_BN(builder, OSSL_PKEY_PARAM_RSA_N, n) &&
        OSSL_PARAM_BLD_push_BN(builder, OSSL_PKEY_PARAM_RSA_E, e) &&
        (params = OSSL_PARAM_BLD_to_param(builder)) != NULL && EVP_PKEY_fromdata_init(context) == 1) {
        if (EVP_PKEY_fromdata(context, &key, EVP_PKEY_PUBLIC_KEY, params) != 1) key = NULL;
    }
    EVP_PKEY_CTX_free(context);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(builder);
    BN_free(n);
    BN_free(e);
    return key;
}

int clibcrypto_rs256_verify(
    const uint8_t *modulus, size_t modulus_length, const uint8_t *exponent, size_t exponent_length,
    const void *data, size_t data_length, const uint8_t *signature, size_t signature_length) {
    EVP_PKEY *key = public_key(modulus, modulus_length, exponent, exponent_length);
    if (key == NULL) return -1;
    // RFC 7518 3.3: keys under 2048 bits must not be used for RS256.
    if (EVP_PKEY_get_bits(key) < 2048) {
        EVP_PKEY_free(key);
        return -1;
    }
    EVP_MD_CTX *context = EVP_MD_CTX_new();
    int result = -1;
    if (context && EVP_DigestVerifyInit(context, NULL, EVP_sha256(), NULL, key) == 1) {
        // PKCS#1 v1.5 padding is RSA's default in OpenSSL.
        result = EVP_DigestVerify(context, signature, signature_length, data, data_length) == 1 ? 1 : 0;
    }
    EVP_MD_CTX_free(context);
    EVP_PKEY_free(key);
    return result;
}
#endif

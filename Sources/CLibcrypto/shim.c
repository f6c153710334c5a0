#include "CLibcrypto.h"

#if defined(__APPLE__)
// macOS ships no OpenSSL headers; CommonCrypto gives the same two functions.
#include <CommonCrypto/CommonDigest.h>
#include <CommonCrypto/CommonHMAC.h>

int clibcrypto_sha256(const void *data, size_t length, uint8_t *digest) {
    CC_SHA256(data, (CC_LONG)length, digest);
    return 1;
}

int clibcrypto_hmac_sha256(const void *key, size_t key_length, const void *data, size_t length, uint8_t *mac) {
    CCHmac(kCCHmacAlgSHA256, key, key_length, data, length, mac);
    return 1;
}

int clibcrypto_md5(const void *data, size_t length, uint8_t *digest) {
    CC_MD5(data, (CC_LONG)length, digest);
    return 1;
}
#else
#include <openssl/evp.h>
#include <openssl/hmac.h>

int clibcrypto_sha256(const void *data, size_t length, uint8_t *digest) {
    unsigned int written = 0;
    return EVP_Digest(data, length, digest, &written, EVP_sha256(), NULL) == 1 && written == CLIBCRYPTO_SHA256_LENGTH;
}

int clibcrypto_hmac_sha256(const void *key, size_t key_length, const void *data, size_t length, uint8_t *mac) {
    unsigned int written = 0;
    // HMAC() with a NULL-safe key: an empty key is legal in HMAC but OpenSSL wants a pointer.
    static const unsigned char empty = 0;
    return HMAC(EVP_sha256(), key_length ? key : &empty, (int)key_length, data, length, mac, &written) != NULL
        && written == CLIBCRYPTO_SHA256_LENGTH;
}

int clibcrypto_md5(const void *data, size_t length, uint8_t *digest) {
    unsigned int written = 0;
    return EVP_Digest(data, length, digest, &written, EVP_md5(), NULL) == 1 && written == CLIBCRYPTO_MD5_LENGTH;
}
#endif

#ifndef CLIBCRYPTO_H
#define CLIBCRYPTO_H

#include <stddef.h>
#include <stdint.h>

// The two primitives SigV4 needs, from the libcrypto that libcurl already loads, so signing
// adds no library to a bootstrap. Kept to plain C types so Swift never sees OpenSSL's headers.

#define CLIBCRYPTO_SHA256_LENGTH 32

/// SHA-256 of `length` bytes at `data` into `digest` (32 bytes). Returns 1 on success.
int clibcrypto_sha256(const void *data, size_t length, uint8_t *digest);

/// HMAC-SHA-256 of `length` bytes at `data` under `key` into `mac` (32 bytes). Returns 1 on success.
int clibcrypto_hmac_sha256(const void *key, size_t key_length, const void *data, size_t length, uint8_t *mac);

#endif

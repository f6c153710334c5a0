#ifndef CLIBCRYPTO_H
#define CLIBCRYPTO_H

#include <stddef.h>
#include <stdint.h>

// The digests the kit needs (SigV4's two, and SQS's MD5 sums), from the libcrypto that libcurl
// already links, so hashing adds no library to a bootstrap. Plain C types only, so Swift never
// sees OpenSSL's headers.

#define CLIBCRYPTO_SHA256_LENGTH 32
#define CLIBCRYPTO_MD5_LENGTH 16

/// SHA-256 of `length` bytes at `data` into `digest` (32 bytes). Returns 1 on success.
int clibcrypto_sha256(const void *data, size_t length, uint8_t *digest);

/// HMAC-SHA-256 of `length` bytes at `data` under `key` into `mac` (32 bytes). Returns 1 on success.
int clibcrypto_hmac_sha256(const void *key, size_t key_length, const void *data, size_t length, uint8_t *mac);

/// MD5 of `length` bytes at `data` into `digest` (16 bytes). Returns 1 on success.
int clibcrypto_md5(const void *data, size_t length, uint8_t *digest);

#endif

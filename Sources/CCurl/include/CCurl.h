#ifndef CCURL_H
#define CCURL_H

#include <curl/curl.h>

// curl_easy_setopt and curl_easy_getinfo are variadic, which Swift cannot call:
// these typed wrappers are the whole reason this target exists.

typedef size_t (*ccurl_data_callback)(char *data, size_t size, size_t count, void *userdata);

/// curl_easy_init, after a one-time, thread-safe curl_global_init.
CURL *ccurl_easy_init(void);

CURLcode ccurl_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode ccurl_setopt_off(CURL *handle, CURLoption option, curl_off_t value);
CURLcode ccurl_setopt_pointer(CURL *handle, CURLoption option, const void *value);
CURLcode ccurl_setopt_callback(CURL *handle, CURLoption option, ccurl_data_callback callback);

CURLcode ccurl_getinfo_long(CURL *handle, CURLINFO info, long *value);

typedef int (*ccurl_trailer_callback)(struct curl_slist **list, void *userdata);

/// CURLOPT_TRAILERFUNCTION: the trailers of a chunked upload, asked for after its last chunk.
CURLcode ccurl_setopt_trailer_callback(CURL *handle, ccurl_trailer_callback callback);

#endif

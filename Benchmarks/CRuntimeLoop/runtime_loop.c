// The floor for a Lambda Runtime API loop: what a runtime costs when it does nothing but
// fetch an event and hand it back unchanged, over the same libcurl the Swift runtime uses.
// One easy handle for the process, so the connection to the Runtime API is kept alive, and one
// body buffer that only grows. Any failure of the Runtime API ends the process with status 1,
// which is what Lambda expects of a runtime that cannot talk to it.
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define REQUEST_ID_MAX 128  // Lambda's ids are 36-character UUIDs; anything longer is wrong.

static char *body;
static size_t body_len, body_cap;
static char request_id[REQUEST_ID_MAX];

static void die(const char *what, const char *detail) {
    fprintf(stderr, "runtime_loop: %s: %s\n", what, detail);
    exit(1);
}

static size_t append_body(char *data, size_t size, size_t count, void *unused) {
    (void)unused;
    size_t n = size * count;
    if (body_len + n > body_cap) {
        size_t cap = body_cap ? body_cap : 64 * 1024;
        while (cap < body_len + n) cap *= 2;
        char *grown = realloc(body, cap);
        if (!grown) return 0;  // curl then fails the transfer with CURLE_WRITE_ERROR
        body = grown;
        body_cap = cap;
    }
    memcpy(body + body_len, data, n);
    body_len += n;
    return n;
}

// The POST's answer ({"status":"OK"}) must not land in the buffer curl is sending from.
static size_t discard(char *data, size_t size, size_t count, void *unused) {
    (void)data, (void)unused;
    return size * count;
}

static size_t read_header(char *line, size_t size, size_t count, void *unused) {
    (void)unused;
    static const char name[] = "Lambda-Runtime-Aws-Request-Id:";
    size_t n = size * count, start = sizeof name - 1;
    if (n > start && strncasecmp(line, name, start) == 0) {
        while (start < n && (line[start] == ' ' || line[start] == '\t')) start++;
        size_t end = n;
        while (end > start && (line[end - 1] == '\r' || line[end - 1] == '\n' || line[end - 1] == ' ')) end--;
        if (end - start >= REQUEST_ID_MAX) return 0;
        memcpy(request_id, line + start, end - start);
        request_id[end - start] = '\0';
    }
    return n;
}

static void perform(CURL *curl, const char *what, long expected_status, const char *error) {
    CURLcode rc = curl_easy_perform(curl);
    if (rc != CURLE_OK) die(what, error[0] ? error : curl_easy_strerror(rc));
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    if (status != expected_status) {
        char detail[64];
        snprintf(detail, sizeof detail, "HTTP status %ld, expected %ld", status, expected_status);
        die(what, detail);
    }
}

int main(void) {
    const char *api = getenv("AWS_LAMBDA_RUNTIME_API");
    if (!api || !*api) die("AWS_LAMBDA_RUNTIME_API", "not set");

    char next_url[512], response_url[512 + REQUEST_ID_MAX];
    if ((size_t)snprintf(next_url, sizeof next_url, "http://%s/2018-06-01/runtime/invocation/next", api) >= sizeof next_url)
        die("AWS_LAMBDA_RUNTIME_API", "too long");

    if (curl_global_init(CURL_GLOBAL_ALL) != CURLE_OK) die("curl_global_init", "failed");
    CURL *curl = curl_easy_init();
    if (!curl) die("curl_easy_init", "failed");
    char error[CURL_ERROR_SIZE] = "";
    // Like the Swift client: no 100-continue round trip before a body over 1 KiB, and no
    // made-up form Content-Type on the response.
    struct curl_slist *headers = curl_slist_append(NULL, "Expect:");
    headers = curl_slist_append(headers, "Content-Type:");
    if (!headers) die("curl_slist_append", "out of memory");
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, read_header);
    // /next blocks for as long as Lambda has no event (or keeps the process frozen): no timeout.
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 0L);

    for (;;) {
        body_len = 0;
        request_id[0] = '\0';
        error[0] = '\0';
        curl_easy_setopt(curl, CURLOPT_URL, next_url);
        curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
        curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, append_body);
        perform(curl, "GET /runtime/invocation/next", 200, error);
        if (!request_id[0]) die("GET /runtime/invocation/next", "no Lambda-Runtime-Aws-Request-Id header");

        snprintf(response_url, sizeof response_url, "http://%s/2018-06-01/runtime/invocation/%s/response", api, request_id);
        curl_easy_setopt(curl, CURLOPT_URL, response_url);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body_len ? body : "");
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
        curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
        perform(curl, "POST /runtime/invocation/{id}/response", 202, error);
    }
}

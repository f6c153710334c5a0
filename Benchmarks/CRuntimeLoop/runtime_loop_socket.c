// The same loop as runtime_loop.c with HTTP/1.1 written and read by hand over one keep-alive
// TCP socket, no libcurl: what a Runtime API loop costs when nothing but the runtime formats its
// requests and parses the answers. It measures how much of runtime_loop.c's time per
// invocation is curl's own (its request formatting, its state machine, its polls), which is the
// one part of the warm path a runtime could cut below the C loop's (BENCHMARKS.md, issue 13).
// It is a measuring tool: it reads only what the Lambda Runtime API sends (Content-Length
// bodies, no chunked answers, no 1xx), and any failure ends the process with status 1.
#define _GNU_SOURCE  // memmem
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#define REQUEST_ID_MAX 128

static char *in;  // what has been received and not yet consumed
static size_t in_len, in_cap;

static void die(const char *what, const char *detail) {
    fprintf(stderr, "runtime_loop_socket: %s: %s\n", what, detail);
    exit(1);
}

static void receive_more(int fd) {
    if (in_len == in_cap) {
        in_cap = in_cap ? in_cap * 2 : 64 * 1024;
        if (!(in = realloc(in, in_cap))) die("realloc", "out of memory");
    }
    ssize_t n;
    do n = recv(fd, in + in_len, in_cap - in_len, 0); while (n < 0 && errno == EINTR);
    if (n <= 0) die("recv", n == 0 ? "the Runtime API closed the connection" : strerror(errno));
    in_len += (size_t)n;
}

static void send_all(int fd, struct iovec *parts, int count) {
    while (count > 0) {
        ssize_t n = writev(fd, parts, count);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) die("writev", strerror(errno));
        while (count > 0 && (size_t)n >= parts->iov_len) n -= (ssize_t)parts++->iov_len, count--;
        if (count > 0) parts->iov_base = (char *)parts->iov_base + n, parts->iov_len -= (size_t)n;
    }
}

// Reads one answer: its status, the request id header when asked for, and its body, which
// stays at the start of `in` for `*body_len` bytes until the next call.
static size_t consumed;
static long read_answer(int fd, char *request_id, size_t *body_len) {
    memmove(in, in + consumed, in_len - consumed);
    in_len -= consumed;
    char *end;
    while (!(end = memmem(in, in_len, "\r\n\r\n", 4))) receive_more(fd);
    size_t head = (size_t)(end - in) + 4;
    long status = in_len > 12 ? strtol(in + 9, NULL, 10) : 0;
    size_t length = 0;
    for (char *line = memchr(in, '\n', head) + 1; line < in + head - 2; line = memchr(line, '\n', head) + 1) {
        if (strncasecmp(line, "Content-Length:", 15) == 0) length = strtoul(line + 15, NULL, 10);
        if (request_id && strncasecmp(line, "Lambda-Runtime-Aws-Request-Id:", 30) == 0) {
            char *value = line + 30, *stop = strchr(value, '\r');
            while (*value == ' ') value++;
            if (!stop || stop - value >= REQUEST_ID_MAX) die("GET /next", "bad request id");
            memcpy(request_id, value, (size_t)(stop - value));
            request_id[stop - value] = '\0';
        }
    }
    while (in_len < head + length) receive_more(fd);
    memmove(in, in + head, in_len - head);  // the body first, for the caller
    in_len -= head;
    consumed = length;
    *body_len = length;
    return status;
}

int main(void) {
    const char *api = getenv("AWS_LAMBDA_RUNTIME_API");
    if (!api) die("AWS_LAMBDA_RUNTIME_API", "not set");
    char host[256];
    const char *colon = strrchr(api, ':');
    if (!colon || (size_t)(colon - api) >= sizeof host) die("AWS_LAMBDA_RUNTIME_API", api);
    memcpy(host, api, (size_t)(colon - api));
    host[colon - api] = '\0';
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *address;
    if (getaddrinfo(host, colon + 1, &hints, &address) != 0) die("getaddrinfo", api);
    int fd = socket(address->ai_family, SOCK_STREAM, 0), one = 1;
    if (fd < 0 || connect(fd, address->ai_addr, address->ai_addrlen) != 0) die("connect", strerror(errno));
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    freeaddrinfo(address);

    char next[512], post[512], request_id[REQUEST_ID_MAX];
    int next_len = snprintf(next, sizeof next, "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: %s\r\n\r\n", api);
    char *body = NULL;
    size_t body_cap = 0;
    for (;;) {
        request_id[0] = '\0';
        send_all(fd, (struct iovec[]){{next, (size_t)next_len}}, 1);
        size_t length;
        long status = read_answer(fd, request_id, &length);
        if (status != 200) die("GET /2018-06-01/runtime/invocation/next", "status is not 200");
        if (!request_id[0]) die("GET /2018-06-01/runtime/invocation/next", "no Lambda-Runtime-Aws-Request-Id header");
        // The event is answered unchanged; it is copied out, as a handler would hold it.
        if (length > body_cap && !(body = realloc(body, body_cap = length))) die("realloc", "out of memory");
        memcpy(body, in, length);
        int post_len = snprintf(post, sizeof post,
            "POST /2018-06-01/runtime/invocation/%s/response HTTP/1.1\r\nHost: %s\r\nContent-Length: %zu\r\n\r\n",
            request_id, api, length);
        send_all(fd, (struct iovec[]){{post, (size_t)post_len}, {body, length}}, 2);
        if (read_answer(fd, NULL, &length) != 202) die("POST .../response", "status is not 202");
    }
}

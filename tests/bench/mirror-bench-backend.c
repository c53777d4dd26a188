/* mirror-bench-backend.c - the slow / blackholed v2 of tests/bench/mirror-bench.sh, in C.
 *
 * Same interface and behaviour as mirror-bench-backend.py (which stays as the fallback when no
 * C compiler is around), but cheap: one epoll loop, a waiting request costs a queue entry, so
 * the slow v2 uses about the CPU nginx would. That matters because the harness pins the
 * backends to the proxy's core: a backend that burns 100 us per request measures itself, not
 * the proxy.
 *
 *   --port N        listen on 127.0.0.1:N (required)
 *   --delay-ms MS   answer every request after MS milliseconds (the "slow v2"; default 200)
 *   --blackhole     accept, read and count requests, never answer
 *   --body TEXT     response body (default {"msg":"hello from v2"})
 *
 * GET /__status answers at once in nginx stub_status format (the counter includes the status
 * request itself, like nginx). Keep-alive and pipelining: responses go out in request order.
 * Chunked request bodies are answered 501 and closed. SIGTERM/SIGINT stop it.
 *
 * Build: cc -O2 -o mirror-bench-backend mirror-bench-backend.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_HEAD (64 * 1024)
#define MAX_FDS 65536

enum { SLOT_NORMAL, SLOT_STATUS, SLOT_501 };

struct slot {
    int kind, ready, close, head;
    char *status; /* stub_status text for SLOT_STATUS */
};

struct conn {
    int open;
    unsigned gen;
    char *in;
    size_t inLen, inCap;
    char *out;
    size_t outLen, outOff, outCap;
    struct slot *slots;
    size_t slotHead, slotLen, slotCap; /* compacted when drained */
    int closing;  /* stop reading; close once out is flushed */
    int swallow;  /* after a Connection: close request, ignore further input */
};

struct due {
    int64_t at;
    int fd;
    unsigned gen;
};

static struct conn conns[MAX_FDS];
static struct due *dues;
static size_t dueHead, dueLen, dueCap;
static int epfd;
static long long statAccepted, statActive, statRequests;
static volatile sig_atomic_t stopping;
static int delayMs = 200, blackhole;
static const char *body = "{\"msg\":\"hello from v2\"}";

static int64_t nowMs(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void *grow(void *p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return p;
    size_t c = *cap ? *cap : 16;
    while (c < need)
        c *= 2;
    p = realloc(p, c * elem);
    if (!p) {
        perror("realloc");
        exit(2);
    }
    *cap = c;
    return p;
}

static void closeConn(int fd)
{
    struct conn *c = &conns[fd];
    if (!c->open)
        return;
    epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL);
    close(fd);
    for (size_t i = c->slotHead; i < c->slotLen; ++i)
        free(c->slots[i].status);
    c->open = 0;
    c->gen++;
    c->inLen = c->outLen = c->outOff = 0;
    c->slotHead = c->slotLen = 0;
    statActive--;
}

static void append(struct conn *c, const char *data, size_t n)
{
    c->out = grow(c->out, &c->outCap, c->outLen + n, 1);
    memcpy(c->out + c->outLen, data, n);
    c->outLen += n;
}

static void writeOut(int fd)
{
    struct conn *c = &conns[fd];
    while (c->outOff < c->outLen) {
        ssize_t w = write(fd, c->out + c->outOff, c->outLen - c->outOff);
        if (w < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.fd = fd};
                epoll_ctl(epfd, EPOLL_CTL_MOD, fd, &ev);
                return;
            }
            closeConn(fd);
            return;
        }
        c->outOff += (size_t)w;
    }
    c->outOff = c->outLen = 0;
    if (c->closing) {
        closeConn(fd);
        return;
    }
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};
    epoll_ctl(epfd, EPOLL_CTL_MOD, fd, &ev);
}

/* Moves the ready prefix of the slot queue to the output buffer, in request order. */
static void flushSlots(int fd)
{
    struct conn *c = &conns[fd];
    char hdr[256];
    while (c->slotHead < c->slotLen && c->slots[c->slotHead].ready) {
        struct slot *s = &c->slots[c->slotHead++];
        const char *b = s->kind == SLOT_STATUS ? s->status
                        : s->kind == SLOT_501  ? "chunked bodies not supported\n"
                                               : body;
        int code = s->kind == SLOT_501 ? 501 : 200;
        const char *type = s->kind == SLOT_NORMAL ? "application/json" : "text/plain";
        size_t n = strlen(b);
        int h = snprintf(hdr, sizeof hdr,
                         "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%s\r\n",
                         code, code == 200 ? "OK" : "Not Implemented", type, n,
                         s->close ? "Connection: close\r\n" : "");
        append(c, hdr, (size_t)h);
        if (!s->head)
            append(c, b, n);
        free(s->status);
        s->status = NULL;
        if (s->close) {
            c->closing = 1;
            break;
        }
    }
    if (c->slotHead == c->slotLen) {
        c->slotHead = c->slotLen = 0;
    } else if (c->slotHead > 1024) { /* a long pipeline that never drains */
        memmove(c->slots, c->slots + c->slotHead, (c->slotLen - c->slotHead) * sizeof *c->slots);
        c->slotLen -= c->slotHead;
        c->slotHead = 0;
    }
    if (c->outLen > c->outOff)
        writeOut(fd);
}

static int headerHas(const char *head, size_t len, const char *name, const char *needle,
                     long *number)
{
    /* Case-insensitive header lookup in the raw head; returns 1 when found (and, with needle,
     * when the value contains it). */
    size_t nl = strlen(name);
    const char *p = head, *end = head + len;
    while (p < end) {
        const char *eol = memmem(p, (size_t)(end - p), "\r\n", 2);
        if (!eol)
            eol = end;
        if ((size_t)(eol - p) > nl && strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
            const char *v = p + nl + 1;
            while (v < eol && (*v == ' ' || *v == '\t'))
                ++v;
            if (number)
                *number = strtol(v, NULL, 10);
            if (!needle)
                return 1;
            char value[256];
            size_t vl = (size_t)(eol - v) < sizeof value - 1 ? (size_t)(eol - v) : sizeof value - 1;
            memcpy(value, v, vl);
            value[vl] = 0;
            return strcasestr(value, needle) != NULL;
        }
        p = eol + 2;
    }
    return 0;
}

static void onRequest(int fd, const char *head, size_t headLen, int *stop)
{
    struct conn *c = &conns[fd];
    statRequests++;
    const char *sp1 = memchr(head, ' ', headLen);
    const char *sp2 = sp1 ? memchr(sp1 + 1, ' ', headLen - (size_t)(sp1 + 1 - head)) : NULL;
    const char *eol = memmem(head, headLen, "\r\n", 2);
    if (!sp1 || !sp2 || (eol && sp2 > eol)) {
        closeConn(fd);
        *stop = 1;
        return;
    }
    int isStatus = (size_t)(sp2 - sp1 - 1) == strlen("/__status")
                   && memcmp(sp1 + 1, "/__status", strlen("/__status")) == 0;
    if (blackhole && !isStatus)
        return; /* swallowed: counted, never answered */
    int http11 = memmem(head, eol ? (size_t)(eol - head) : headLen, "HTTP/1.1", 8) != NULL;
    int keep = http11 ? !headerHas(head, headLen, "connection", "close", NULL)
                      : headerHas(head, headLen, "connection", "keep-alive", NULL);
    c->slots = grow(c->slots, &c->slotCap, c->slotLen + 1, sizeof *c->slots);
    struct slot *s = &c->slots[c->slotLen++];
    memset(s, 0, sizeof *s);
    s->close = !keep;
    s->head = (size_t)(sp1 - head) == 4 && memcmp(head, "HEAD", 4) == 0;
    if (headerHas(head, headLen, "transfer-encoding", "chunked", NULL)) {
        s->kind = SLOT_501;
        s->close = 1;
        s->ready = 1;
    } else if (isStatus) {
        s->kind = SLOT_STATUS;
        s->ready = 1;
        if (asprintf(&s->status,
                     "Active connections: %lld \nserver accepts handled requests\n %lld %lld %lld \n"
                     "Reading: 0 Writing: %lld Waiting: 0 \n",
                     statActive, statAccepted, statAccepted, statRequests, statActive)
            < 0)
            exit(2);
    } else {
        dues = grow(dues, &dueCap, dueLen + 1, sizeof *dues);
        dues[dueLen++] = (struct due){nowMs() + delayMs, fd, c->gen};
    }
    if (s->close) {
        c->swallow = 1;
        *stop = 1;
    }
}

static void onReadable(int fd)
{
    struct conn *c = &conns[fd];
    for (;;) {
        c->in = grow(c->in, &c->inCap, c->inLen + 16384, 1);
        ssize_t r = read(fd, c->in + c->inLen, c->inCap - c->inLen);
        if (r == 0) {
            closeConn(fd);
            return;
        }
        if (r < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                break;
            closeConn(fd);
            return;
        }
        if (c->swallow)
            continue;
        c->inLen += (size_t)r;
    }
    size_t off = 0;
    int stop = 0;
    while (!stop && !c->swallow) {
        char *end = memmem(c->in + off, c->inLen - off, "\r\n\r\n", 4);
        if (!end) {
            if (c->inLen - off > MAX_HEAD) {
                closeConn(fd);
                return;
            }
            break;
        }
        size_t headLen = (size_t)(end - (c->in + off));
        long clen = 0;
        headerHas(c->in + off, headLen, "content-length", NULL, &clen);
        size_t need = headLen + 4 + (clen > 0 ? (size_t)clen : 0);
        if (c->inLen - off < need)
            break;
        onRequest(fd, c->in + off, headLen, &stop);
        if (!conns[fd].open)
            return;
        off += need;
    }
    memmove(c->in, c->in + off, c->inLen - off);
    c->inLen -= off;
    flushSlots(fd);
}

static void onSignal(int sig)
{
    (void)sig;
    stopping = 1;
}

int main(int argc, char **argv)
{
    int port = -1;
    for (int i = 1; i < argc; ++i) {
        if (!strcmp(argv[i], "--port") && i + 1 < argc)
            port = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--delay-ms") && i + 1 < argc)
            delayMs = (int)atof(argv[++i]);
        else if (!strcmp(argv[i], "--blackhole"))
            blackhole = 1;
        else if (!strcmp(argv[i], "--body") && i + 1 < argc)
            body = argv[++i];
        else if (!strcmp(argv[i], "--host") && i + 1 < argc)
            ++i; /* loopback only */
        else {
            fprintf(stderr, "usage: %s --port N [--delay-ms MS] [--blackhole] [--body TEXT]\n",
                    argv[0]);
            return 2;
        }
    }
    if (port < 0 || port > 65535) {
        fprintf(stderr, "mirror-bench-backend: --port is required\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    struct sigaction sa = {.sa_handler = onSignal};
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    int ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(ls, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(ls, 4096) < 0) {
        perror("mirror-bench-backend: bind/listen");
        return 2;
    }
    epfd = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event lev = {.events = EPOLLIN, .data.fd = ls};
    epoll_ctl(epfd, EPOLL_CTL_ADD, ls, &lev);

    struct epoll_event events[256];
    while (!stopping) {
        int timeout = -1;
        if (dueHead < dueLen) {
            int64_t wait = dues[dueHead].at - nowMs();
            timeout = wait < 0 ? 0 : (int)wait;
        }
        int n = epoll_wait(epfd, events, 256, timeout);
        if (n < 0 && errno != EINTR)
            break;
        for (int i = 0; i < n; ++i) {
            int fd = events[i].data.fd;
            if (fd == ls) {
                for (;;) {
                    int cfd = accept4(ls, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
                    if (cfd < 0)
                        break;
                    if (cfd >= MAX_FDS) {
                        close(cfd);
                        continue;
                    }
                    setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    struct conn *c = &conns[cfd];
                    c->open = 1;
                    c->closing = c->swallow = 0;
                    statAccepted++;
                    statActive++;
                    struct epoll_event ev = {.events = EPOLLIN, .data.fd = cfd};
                    epoll_ctl(epfd, EPOLL_CTL_ADD, cfd, &ev);
                }
                continue;
            }
            if (!conns[fd].open)
                continue;
            if (events[i].events & EPOLLOUT)
                writeOut(fd);
            if (conns[fd].open && (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
                onReadable(fd);
        }
        /* The delay is the same for every request, so the queue is already in due order. */
        const int64_t now = nowMs();
        while (dueHead < dueLen && dues[dueHead].at <= now) {
            struct due d = dues[dueHead++];
            struct conn *c = &conns[d.fd];
            if (!c->open || c->gen != d.gen)
                continue;
            for (size_t k = c->slotHead; k < c->slotLen; ++k) {
                if (!c->slots[k].ready) {
                    c->slots[k].ready = 1;
                    break;
                }
            }
            flushSlots(d.fd);
        }
        if (dueHead == dueLen)
            dueHead = dueLen = 0;
        else if (dueHead > 4096 && dueHead * 2 > dueLen) {
            memmove(dues, dues + dueHead, (dueLen - dueHead) * sizeof *dues);
            dueLen -= dueHead;
            dueHead = 0;
        }
    }
    fprintf(stderr, "mirror-bench-backend: requests=%lld accepted=%lld\n", statRequests,
            statAccepted);
    return 0;
}

/*
 * loadgen: a lean HTTP/1.1 load generator for the benchmark (GET and POST over keep-alive connections on loopback), so
 * that the client sharing the machine's two cores with the service and PostgreSQL costs little and adds no pauses of its
 * own (a .NET client's thread pool and garbage collector do). One thread and epoll.
 *
 *   loadgen -p PORT -f PATHS [-h HOST] [-H "Name: value"]... -c CONNECTIONS -d SECONDS [-s | -r RATE -w SECONDS] [-e SEGMENTS] [-o FILE] [-t]
 *
 * PATHS is a file with one request per line: a path to GET, or "POST path body" (the body sent as application/json,
 * to the end of the line). Closed loop (no -r): each connection sends its next request as soon
 * as the last is answered, connection i taking path (i * 7919 + n) modulo the count for its n-th request, or with -s
 * (each connection its own requests, as writers that each keep to their own streams) path (i + n * CONNECTIONS) modulo
 * the count, which must then be a multiple of the connections; a latency counts from the send. Open loop (-r RATE): request n is due at n / RATE seconds and takes path n modulo the count; it
 * goes out on a free connection when due, or waits for one, and its latency counts from when it was due, so queueing
 * shows (as wrk2 measures). Requests due in the first -w seconds are sent but not timed (a warm-up at the rate).
 *
 * -e SEGMENTS: writes as a client that keeps the version it last saw. A POST's resource is its path's first SEGMENTS
 * segments (with 3, /api/commitments/w-1/progress is about /api/commitments/w-1); it is sent with If-Match and the ETag
 * the last successful answer about the same resource carried (none before the first, nor from a server that sends none;
 * a 412, or a connection lost while a write was in flight, forgets it, so the next write goes without). In the open loop
 * a write whose resource has one in flight waits for it (still timed from when it was due; later writes to other
 * resources go out meanwhile), so two never race on one version. A path with fewer segments has no resource.
 *
 * Prints one line: requests=N errors=N seconds=S p50=MS p95=MS p99=MS max=MS (errors: answers not 2xx, and requests
 * on a connection the server closed, which is then opened again). A write or a connect that fails, or an answer that is
 * not HTTP/1.1 as Kestrel writes it (no trailers, nothing unasked for), ends the run with the reason on stderr. -o writes every timed latency to FILE, in ascending
 * order, as unsigned 32-bit microseconds in the machine's byte order. -t prints, on stderr, each quarter-second's
 * requests (by when they were due, or sent in a closed loop): how many, the slowest and the mean latency, after the
 * wall-clock time the run started, to line up with a log.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNECTIONS 1024
#define MAX_HEADERS 16
#define BUFFER 65536

struct connection {
    int fd;
    int busy;
    double since;      /* when the request in flight was due (open loop) or sent (closed loop), in seconds */
    int timed;         /* whether its latency counts */
    long sent;         /* requests this connection has sent (the closed loop's n) */
    long which;        /* the path of the request in flight */
    char etag[128];    /* the ETag of the answer being read (-e) */
    char in[BUFFER];
    size_t have;       /* bytes in `in` not yet consumed */
};

static struct sockaddr_in address;
static const char *host = "127.0.0.1";
static char **paths;   /* each request's path; its body, if any, in bodies (POST) */
static char **bodies;
static int conditional;      /* -e: the segments of a path that name its resource */
static long *resource_of;    /* each path's resource (-e): an index into etags and in_flight, or -1 for none */
static char (*etags)[128];   /* the last ETag seen for each resource, empty before the first */
static int *in_flight;       /* requests in flight per resource */
static int *waiting;         /* requests held per resource (open loop) */
static long *held_which;     /* the open loop's held requests, in the order they were due */
static double *held_due;
static long held_count, held_capacity;
static long resource_count;
static long path_count;
static char headers[4096];
static struct connection *connections;
static int connection_count;
static int epoll_fd;
static uint32_t *latencies; /* microseconds */
static long latency_count, latency_capacity;
static long errors, completed;
static int sticky;
static int tracing;
static double started_at;
#define TRACE_WINDOWS 4096
static struct { long count; double max, sum; } windows[TRACE_WINDOWS];

/* The closed loop's next request on connection i. */
static long closed_loop_request(long i, long n)
{
    return (sticky ? i + n * connection_count : i * 7919 + n) % path_count;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static void fail(const char *what)
{
    perror(what);
    exit(2);
}

static void open_connection(struct connection *c)
{
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (c->fd < 0) fail("socket");
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(c->fd, (struct sockaddr *)&address, sizeof address) < 0) fail("connect");
    struct epoll_event event = {.events = EPOLLIN, .data.ptr = c};
    if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, c->fd, &event) < 0) fail("epoll_ctl");
    c->busy = 0;
    c->have = 0;
}

static void record(double latency_seconds)
{
    if (latency_count == latency_capacity) {
        latency_capacity = latency_capacity ? latency_capacity * 2 : 1 << 20;
        latencies = realloc(latencies, latency_capacity * sizeof *latencies);
        if (!latencies) fail("realloc");
    }
    latencies[latency_count++] = (uint32_t)(latency_seconds * 1e6);
}

static struct connection *free_connection(void)
{
    for (int i = 0; i < connection_count; i++)
        if (!connections[i].busy) return &connections[i];
    return NULL;
}

/* Holds an open-loop write until its resource is free. */
static void hold(long which, double due)
{
    if (held_count == held_capacity) {
        held_capacity = held_capacity ? held_capacity * 2 : 256;
        held_which = realloc(held_which, held_capacity * sizeof *held_which);
        held_due = realloc(held_due, held_capacity * sizeof *held_due);
        if (!held_which || !held_due) fail("realloc");
    }
    held_which[held_count] = which;
    held_due[held_count++] = due;
}

/* The resource a request writes to (-e), or -1: a GET, a path too short, or no -e. */
static long resource(long which)
{
    return conditional && bodies[which] ? resource_of[which] : -1;
}

static void send_request(struct connection *c, long which, double since, int timed)
{
    char request[16384], condition[160] = "";
    const char *path = paths[which], *body = bodies[which];
    long r = resource(which);
    if (r >= 0) {
        if (etags[r][0]) snprintf(condition, sizeof condition, "If-Match: %s\r\n", etags[r]);
        in_flight[r]++;
    }
    int length = body
        ? snprintf(request, sizeof request, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n%s%s\r\n%s",
                   path, host, strlen(body), headers, condition, body)
        : snprintf(request, sizeof request, "GET %s HTTP/1.1\r\nHost: %s\r\n%s\r\n", path, host, headers);
    if (length <= 0 || length >= (int)sizeof request) { fputs("loadgen: request too long\n", stderr); exit(2); }
    for (int written = 0; written < length;) {
        ssize_t n = write(c->fd, request + written, length - written);
        if (n < 0) {
            if (errno == EINTR) continue;
            fail("write"); /* a loopback socket's buffer takes a request: anything else is the server gone */
        }
        written += (int)n;
    }
    c->busy = 1;
    c->which = which;
    c->since = since;
    c->timed = timed;
    c->sent++;
}

/*
 * How many bytes of `c->in` one whole response takes, or 0 while it is incomplete; its status in *status. Handles a
 * Content-Length body and a chunked one (Kestrel chunks what an endpoint streams).
 */
static size_t whole_response(struct connection *c, int *status)
{
    char *in = c->in;
    char *end = memmem(in, c->have, "\r\n\r\n", 4);
    if (!end) return 0;
    size_t head = (size_t)(end - in) + 4;
    if (c->have < 12 || memcmp(in, "HTTP/1.1 ", 9) != 0) { fputs("loadgen: not an HTTP/1.1 response\n", stderr); exit(2); }
    *status = atoi(in + 9);
    long content_length = -1;
    int chunked = 0;
    for (char *line = memmem(in, head, "\r\n", 2) + 2; line < end; line = memmem(line, (size_t)(end - line) + 2, "\r\n", 2) + 2) {
        if (strncasecmp(line, "content-length:", 15) == 0) content_length = atol(line + 15);
        else if (conditional && strncasecmp(line, "etag:", 5) == 0) {
            char *value = line + 5, *line_end = memmem(line, (size_t)(end - line) + 2, "\r\n", 2);
            while (*value == ' ') value++;
            size_t length = (size_t)(line_end - value);
            if (length >= sizeof c->etag) { fputs("loadgen: ETag too long\n", stderr); exit(2); }
            memcpy(c->etag, value, length);
            c->etag[length] = 0;
        }
        else if (strncasecmp(line, "transfer-encoding:", 18) == 0) {
            char *line_end = memmem(line, (size_t)(end - line) + 2, "\r\n", 2);
            if (memmem(line, (size_t)(line_end - line), "chunked", 7)) chunked = 1;
        }
    }
    if (!chunked) {
        size_t total = head + (size_t)(content_length < 0 ? 0 : content_length);
        return c->have >= total ? total : 0;
    }
    size_t at = head;
    for (;;) {
        char *size_end = memmem(in + at, c->have - at, "\r\n", 2);
        if (!size_end) return 0;
        long size = strtol(in + at, NULL, 16);
        at = (size_t)(size_end - in) + 2;
        if (size == 0) {
            /* no trailers from Kestrel: the last chunk is followed by one empty line */
            return c->have >= at + 2 ? at + 2 : 0;
        }
        if (c->have < at + (size_t)size + 2) return 0;
        at += (size_t)size + 2;
    }
}

/* Reads what arrived on a connection; returns 1 when its response is complete (the connection is then free). */
static int receive(struct connection *c, double at)
{
    for (;;) {
        if (c->have == sizeof c->in) { fputs("loadgen: response larger than the buffer\n", stderr); exit(2); }
        ssize_t n = read(c->fd, c->in + c->have, sizeof c->in - c->have);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            /* the server closed the connection or it failed: the request in flight is an error; open another */
            if (c->busy) {
                errors++;
                completed++;
                long r = resource(c->which);
                if (r >= 0) {
                    in_flight[r]--;
                    etags[r][0] = 0; /* whether the write was recorded is not known */
                }
            }
            epoll_ctl(epoll_fd, EPOLL_CTL_DEL, c->fd, NULL);
            close(c->fd);
            open_connection(c);
            return 1;
        }
        c->have += (size_t)n;
        break;
    }
    int status = 0;
    c->etag[0] = 0;
    size_t used = whole_response(c, &status);
    if (!used) return 0;
    if (!c->busy) { fputs("loadgen: an answer to no request\n", stderr); exit(2); }
    memmove(c->in, c->in + used, c->have - used);
    c->have -= used;
    if (c->have) { fputs("loadgen: bytes after a response\n", stderr); exit(2); }
    if (status < 200 || status > 299) errors++;
    long r = resource(c->which);
    if (r >= 0) {
        in_flight[r]--;
        if (status >= 200 && status <= 299 && c->etag[0]) strcpy(etags[r], c->etag);
        else if (status == 412) etags[r][0] = 0;
    }
    completed++;
    if (c->timed) record(at - c->since);
    if (tracing) {
        long w = (long)((c->since - started_at) * 4);
        if (w >= 0 && w < TRACE_WINDOWS) {
            double latency = (at - c->since) * 1000;
            windows[w].count++;
            windows[w].sum += latency;
            if (latency > windows[w].max) windows[w].max = latency;
        }
    }
    c->busy = 0;
    return 1;
}

static int compare(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static double percentile(double p)
{
    if (!latency_count) return 0;
    long index = (long)(p * (latency_count - 1) + 0.5);
    return latencies[index] / 1000.0;
}

static void read_paths(const char *file)
{
    FILE *f = fopen(file, "r");
    if (!f) fail(file);
    char line[8192];
    long capacity = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = 0;
        if (!*line) continue;
        if (path_count == capacity) {
            capacity = capacity ? capacity * 2 : 64;
            paths = realloc(paths, capacity * sizeof *paths);
            bodies = realloc(bodies, capacity * sizeof *bodies);
            if (!paths || !bodies) fail("realloc");
        }
        char *body = NULL, *path = line;
        if (strncmp(line, "POST ", 5) == 0) {
            path = line + 5;
            body = strchr(path, ' ');
            if (!body) { fprintf(stderr, "loadgen: a POST line needs a body: %s\n", line); exit(2); }
            *body++ = 0;
        }
        paths[path_count] = strdup(path);
        bodies[path_count++] = body ? strdup(body) : NULL;
    }
    fclose(f);
    if (!path_count) { fputs("loadgen: no paths\n", stderr); exit(2); }
}

/* Each path's resource: its first -e segments. A few hundred resources at most: found by a scan. */
static void find_resources(void)
{
    resource_of = malloc(path_count * sizeof *resource_of);
    etags = calloc((size_t)path_count, sizeof *etags);
    in_flight = calloc((size_t)path_count, sizeof *in_flight);
    waiting = calloc((size_t)path_count, sizeof *waiting);
    char **names = malloc(path_count * sizeof *names);
    if (!resource_of || !etags || !in_flight || !waiting || !names) fail("malloc");
    for (long i = 0; i < path_count; i++) {
        const char *end = paths[i];
        int segments = 0;
        while (segments < conditional && *end == '/') {
            end++; /* past the segment's leading slash */
            while (*end && *end != '/' && *end != '?') end++;
            segments++;
        }
        if (segments < conditional) {
            resource_of[i] = -1;
            continue;
        }
        size_t length = (size_t)(end - paths[i]);
        long r = 0;
        while (r < resource_count && !(strlen(names[r]) == length && strncmp(names[r], paths[i], length) == 0)) r++;
        if (r == resource_count) names[resource_count++] = strndup(paths[i], length);
        resource_of[i] = r;
    }
}

int main(int argc, char **argv)
{
    int port = 0, option;
    double duration = 0, rate = 0, warm_up = 0;
    const char *path_file = NULL, *latency_file = NULL;
    while ((option = getopt(argc, argv, "h:p:f:H:c:d:r:w:o:ste:")) != -1) {
        switch (option) {
        case 'h': host = optarg; break;
        case 'p': port = atoi(optarg); break;
        case 'f': path_file = optarg; break;
        case 'H':
            if (strlen(headers) + strlen(optarg) + 3 > sizeof headers) { fputs("loadgen: headers too long\n", stderr); return 2; }
            strcat(headers, optarg);
            strcat(headers, "\r\n");
            break;
        case 'c': connection_count = atoi(optarg); break;
        case 'd': duration = atof(optarg); break;
        case 'r': rate = atof(optarg); break;
        case 'w': warm_up = atof(optarg); break;
        case 'o': latency_file = optarg; break;
        case 's': sticky = 1; break;
        case 't': tracing = 1; break;
        case 'e':
            conditional = atoi(optarg);
            if (conditional < 1) { fputs("loadgen: -e takes the number of segments that name a resource (1 or more)\n", stderr); return 2; }
            break;
        default:
            fputs("usage: loadgen -p PORT -f PATHS [-h HOST] [-H header]... -c CONNECTIONS -d SECONDS [-s | -r RATE -w SECONDS] [-e SEGMENTS] [-o FILE] [-t]\n", stderr);
            return 2;
        }
    }
    if (!port || !path_file || connection_count < 1 || connection_count > MAX_CONNECTIONS || duration <= 0 || rate < 0) {
        fputs("loadgen: -p, -f, -c (1-1024) and -d are required\n", stderr);
        return 2;
    }
    read_paths(path_file);
    if (conditional) find_resources();
    if (sticky && path_count % connection_count != 0) {
        fputs("loadgen: with -s the number of requests must be a multiple of the connections\n", stderr);
        return 2;
    }
    /* a write to a connection the server reset fails with EPIPE (and is reported) rather than killing the process */
    signal(SIGPIPE, SIG_IGN);
    address.sin_family = AF_INET;
    address.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &address.sin_addr) != 1) { fputs("loadgen: -h takes an IPv4 address\n", stderr); return 2; }
    epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    if (epoll_fd < 0) fail("epoll_create1");
    connections = calloc((size_t)connection_count, sizeof *connections);
    if (!connections) fail("calloc");
    for (int i = 0; i < connection_count; i++) open_connection(&connections[i]);

    latency_capacity = rate > 0 ? (long)(rate * (warm_up + duration)) + 1024 : 1 << 22;
    latencies = malloc(latency_capacity * sizeof *latencies);
    if (!latencies) fail("malloc");
    struct epoll_event events[MAX_CONNECTIONS];
    double start = now();
    started_at = start;
    if (tracing) {
        struct timeval wall;
        gettimeofday(&wall, NULL);
        struct tm utc;
        gmtime_r(&wall.tv_sec, &utc);
        fprintf(stderr, "trace starts %02d:%02d:%02d.%03ld UTC\n", utc.tm_hour, utc.tm_min, utc.tm_sec, (long)(wall.tv_usec / 1000));
    }
    double end = start + warm_up + duration;
    long next = 0;   /* open loop: the next request number to send */
    long sent = 0;
    if (rate == 0) {
        for (int i = 0; i < connection_count; i++) {
            struct connection *c = &connections[i];
            send_request(c, closed_loop_request(i, c->sent), now(), 1);
            sent++;
        }
    }
    for (;;) {
        double at = now();
        if (rate > 0) {
            /* first the writes held for their resource, in the order they were due, once it is free */
            for (long h = 0; h < held_count;) {
                long which = held_which[h], r = resource(which);
                struct connection *c = free_connection();
                if (!c) break;
                if (in_flight[r]) { h++; continue; }
                send_request(c, which, held_due[h], held_due[h] - start >= warm_up);
                sent++;
                waiting[r]--;
                memmove(held_which + h, held_which + h + 1, (size_t)(held_count - h - 1) * sizeof *held_which);
                memmove(held_due + h, held_due + h + 1, (size_t)(held_count - h - 1) * sizeof *held_due);
                held_count--;
            }
            /* every request now due goes out on a free connection; the rest wait for one, still timed from when due; a
               write to a resource with one in flight or held is held behind it */
            while (next < (long)((now() - start) * rate) + 1 && start + next / rate < end) {
                long which = next % path_count, r = resource(which);
                double due = start + next / rate;
                if (r >= 0 && (in_flight[r] || waiting[r])) {
                    hold(which, due);
                    waiting[r]++;
                    next++;
                    continue;
                }
                struct connection *c = free_connection();
                if (!c) break;
                send_request(c, which, due, due - start >= warm_up);
                next++;
                sent++;
            }
            if (start + next / rate >= end && completed == sent && held_count == 0) break;
        } else if (at >= end && completed == sent) {
            break;
        }
        /* until the next request is due; when it is due already, at once if a connection is free, or else until an
           answer frees one (the 10 ms only bounds a wait that an answer ends first) */
        struct timespec wait = {0, 10 * 1000 * 1000};
        if (rate > 0 && start + next / rate < end) {
            double until = start + next / rate - now();
            if (until > 0) {
                wait.tv_sec = (time_t)until;
                wait.tv_nsec = (long)((until - (double)wait.tv_sec) * 1e9);
            } else {
                for (int i = 0; i < connection_count; i++) {
                    if (!connections[i].busy) { wait.tv_nsec = 0; break; }
                }
            }
        }
        int ready = epoll_pwait2(epoll_fd, events, connection_count, &wait, NULL);
        if (ready < 0) {
            if (errno == EINTR) continue;
            fail("epoll_pwait2");
        }
        at = now();
        for (int e = 0; e < ready; e++) {
            struct connection *c = events[e].data.ptr;
            if (!receive(c, at) || rate > 0) continue;
            if (at < end) {
                send_request(c, closed_loop_request(c - connections, c->sent), at, 1);
                sent++;
            }
        }
    }
    double elapsed = now() - start - warm_up;
    for (long w = 0; tracing && w < TRACE_WINDOWS; w++) {
        if (windows[w].count)
            fprintf(stderr, "trace %6ld ms: %5ld sent, max %7.1f ms, mean %6.1f\n", w * 250, windows[w].count, windows[w].max,
                    windows[w].sum / windows[w].count);
    }
    qsort(latencies, (size_t)latency_count, sizeof *latencies, compare);
    if (latency_file) {
        FILE *out = fopen(latency_file, "wb");
        if (!out || fwrite(latencies, sizeof *latencies, (size_t)latency_count, out) != (size_t)latency_count || fclose(out) != 0)
            fail(latency_file);
    }
    printf("requests=%ld errors=%ld seconds=%.3f p50=%.3f p95=%.3f p99=%.3f max=%.3f\n", latency_count, errors, elapsed,
           percentile(0.50), percentile(0.95), percentile(0.99), latency_count ? latencies[latency_count - 1] / 1000.0 : 0.0);
    return 0;
}

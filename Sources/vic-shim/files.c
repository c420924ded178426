/* vic-shim: files in the state directory, and Docker's json-file log. */
#define _GNU_SOURCE
#include "shim.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

const char *state_dir;
int log_fd = -1;
static char partial[2][BUF];
static size_t partial_len[2];

void path_in(char *out, size_t size, const char *name) { snprintf(out, size, "%s/%s", state_dir, name); }

void write_file(const char *name, const char *text) {
    char path[4096], tmp[4096];
    path_in(path, sizeof path, name);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return;
    if (write(fd, text, strlen(text)) < 0) { /* reported by the missing file */ }
    /* No fsync: these files matter only while the machine runs (a reboot ends the container). */
    close(fd);
    rename(tmp, path);
}

void write_all(int fd, const void *data, size_t len) {
    const char *p = data;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) { if (errno == EINTR) continue; return; }
        p += n; len -= (size_t)n;
    }
}

void now_rfc3339(char *out, size_t size) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char base[32];
    strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, size, "%s.%09ldZ", base, ts.tv_nsec);
}

/* One json-file log entry, as Docker writes it. */
static void log_entry(int stream, const char *data, size_t len) {
    if (log_fd < 0) return;
    static char json[BUF * 6 + 256];
    size_t o = 0;
    o += (size_t)snprintf(json + o, sizeof json - o, "{\"log\":\"");
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)data[i];
        if (c == '"' || c == '\\') { json[o++] = '\\'; json[o++] = (char)c; }
        else if (c == '\n') { json[o++] = '\\'; json[o++] = 'n'; }
        else if (c == '\r') { json[o++] = '\\'; json[o++] = 'r'; }
        else if (c == '\t') { json[o++] = '\\'; json[o++] = 't'; }
        else if (c < 0x20) o += (size_t)snprintf(json + o, sizeof json - o, "\\u%04x", c);
        else json[o++] = (char)c;
    }
    char stamp[64];
    now_rfc3339(stamp, sizeof stamp);
    o += (size_t)snprintf(json + o, sizeof json - o, "\",\"stream\":\"%s\",\"time\":\"%s\"}\n",
                          stream == 1 ? "stdout" : "stderr", stamp);
    write_all(log_fd, json, o);
}

/* Logs complete lines; keeps a trailing partial line until it completes or the buffer fills. */
void log_output(int stream, const char *data, size_t len, int flush) {
    int s = stream - 1;
    for (size_t i = 0; i < len; i++) {
        partial[s][partial_len[s]++] = data[i];
        if (data[i] == '\n' || partial_len[s] == BUF) {
            log_entry(stream, partial[s], partial_len[s]);
            partial_len[s] = 0;
        }
    }
    if (flush && partial_len[s] > 0) { log_entry(stream, partial[s], partial_len[s]); partial_len[s] = 0; }
}

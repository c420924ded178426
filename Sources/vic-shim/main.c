/*
 * vic-shim: supervises one container for vchd, like containerd-shim or conmon.
 *
 * It becomes the container's subreaper, holds its stdio, serves attach clients on
 * STATE/attach.sock, and at START runs `RUNTIME run --detach`; it writes the json-file log and
 * records the exit status in STATE/exit when the container ends. It outlives vchd, so a
 * restarted vchd re-adopts it. Holding the launch until START lets vchd attach first (no byte
 * is missed) and costs one runtime process instead of two (`create`, then `start`).
 *
 * Usage: vic-shim RUNTIME RUNTIME_ROOT ID BUNDLE STATE [tty] [stdin] [stdinonce] [hide=MOUNT]
 *        vic-shim RUNTIME RUNTIME_ROOT ID PROCESS.json STATE exec [attachfirst] [tty] [stdin] [hide=MOUNT]
 *        vic-shim --hide-mount MOUNT EXECUTABLE [ARGS...]
 *
 * With hide=MOUNT the runtime runs in a private mount namespace without MOUNT (crun on hybrid
 * cgroups); --hide-mount runs any runtime command that way for vchd (kill, delete, state).
 *
 * In exec mode it runs `RUNTIME exec --detach --process PROCESS.json` in the running container
 * ID instead of `create`, writes no log file, and otherwise behaves the same: STATE is the
 * exec's own directory. With `attachfirst` it starts the process only after the first ATTACH
 * client has been acknowledged, so that client sees every byte (docker exec without -d).
 *
 * Attach protocol: a client connects to STATE/attach.sock and sends one line:
 *   "ATTACH <stdin> <stdout> <stderr>\n"  gets "OK\n", then output (raw with a TTY, else Docker's
 *                                          8-byte stream framing) and sends input; a half-close
 *                                          of its side closes the container's stdin when the
 *                                          shim has stdinonce (Docker's StdinOnce) or is an exec's.
 *   "WAIT\n"                               the connection closes after STATE/exit is written.
 *   "RESIZE <rows> <cols>\n"               resizes the TTY.
 *   "START\n"                              runs the container (once) and answers "OK <pid>\n", or
 *                                          "ERR <the runtime's last words>\n" and the shim exits;
 *                                          later STARTs, and every START to an exec, get "OK\n".
 *                                          vchd sends it after its pending attaches are
 *                                          acknowledged, so they miss no output. Without a START
 *                                          within 60 s the shim gives up.
 * Files in STATE: shim.pid; ready (container: listening, waiting for START) or created (exec:
 * started) | create-failed; init.pid (by the runtime); container.log; exit.
 */
#define _GNU_SOURCE
#include "shim.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#define MAX_CLIENTS 64

enum { C_NONE, C_PENDING, C_ATTACH, C_WAIT };
struct client { int fd; int kind; int in, out, err; char line[128]; int len; };

static struct client clients[MAX_CLIENTS];
static int stdin_fd = -1;          /* container stdin: pipe write end, or the pty master */
static int out_fd = -1, err_fd = -1; /* container stdout/stderr read ends (out_fd = pty with tty) */
static int tty;
static struct runtime rt;
static int exec_mode;              /* an exec's shim: launched at once, START does nothing */
static int stdin_once;             /* close the process's stdin when an attach's input ends */
static int started;                /* the process was launched */
static int init_pid;               /* its pid, once started */
static struct launch launch;       /* how to launch it */

static void fail(const char *what);
static void launch_failed(const char *why);

/* Launches the process; on success it runs and stdio is wired to the shim. -1 with `why` set
 * on failure. */
static int launch_now(char *why, size_t size) {
    int master = -1;
    pid_t pid = launch_process(&rt, &launch, &master, why, size);
    if (launch.console_fd >= 0) {
        close(launch.console_fd);
        unlink(launch.console_path);
        launch.console_fd = -1;
        stdin_fd = out_fd = master;
    }
    /* The process holds its ends now (or failed to start): ours go. */
    if (launch.in >= 0) close(launch.in);
    if (launch.out >= 0) close(launch.out);
    if (launch.err >= 0) close(launch.err);
    launch.in = launch.out = launch.err = -1;
    if (pid < 0) return -1;
    init_pid = pid;
    started = 1;
    return 0;
}

static void close_client(int i) {
    if (clients[i].kind != C_NONE) close(clients[i].fd);
    clients[i].kind = C_NONE;
}

static void fanout(int stream, const char *data, size_t len) {
    unsigned char header[8] = {(unsigned char)stream, 0, 0, 0,
        (unsigned char)(len >> 24), (unsigned char)(len >> 16), (unsigned char)(len >> 8), (unsigned char)len};
    for (int i = 0; i < MAX_CLIENTS; i++) {
        struct client *c = &clients[i];
        if (c->kind != C_ATTACH || (stream == 1 && !c->out) || (stream == 2 && !c->err)) continue;
        if (!tty) write_all(c->fd, header, 8);
        write_all(c->fd, data, len);
    }
}

static int read_output(int fd, int stream) {
    char buf[BUF];
    ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) return -1;
    log_output(stream, buf, (size_t)n, 0);
    fanout(stream, buf, (size_t)n);
    return 0;
}

static void handle_line(int i) {
    struct client *c = &clients[i];
    c->line[c->len] = 0;
    int a, b, d;
    if (sscanf(c->line, "ATTACH %d %d %d", &a, &b, &d) == 3) {
        c->kind = C_ATTACH; c->in = a; c->out = b; c->err = d;
        /* Acknowledge, so the client knows output from now on reaches it. */
        write_all(c->fd, "OK\n", 3);
        if (!a) shutdown(c->fd, SHUT_RD);
    } else if (strncmp(c->line, "WAIT", 4) == 0) {
        c->kind = C_WAIT;
    } else if (strncmp(c->line, "START", 5) == 0) {
        char reply[1100] = "OK\n", why[1024];
        if (!started && !exec_mode) {
            if (launch_now(why, sizeof why) < 0) {
                snprintf(reply, sizeof reply, "ERR %s\n", why);
                write_all(c->fd, reply, strlen(reply));
                launch_failed(why); /* exits */
            }
            snprintf(reply, sizeof reply, "OK %d\n", init_pid);
        }
        write_all(c->fd, reply, strlen(reply));
        close_client(i);
    } else if (sscanf(c->line, "RESIZE %d %d", &a, &b) == 2) {
        if (tty && stdin_fd >= 0) {
            struct winsize ws = {.ws_row = (unsigned short)a, .ws_col = (unsigned short)b};
            ioctl(stdin_fd, TIOCSWINSZ, &ws);
        }
        close_client(i);
    } else {
        close_client(i);
    }
}

static void client_readable(int i) {
    struct client *c = &clients[i];
    char buf[BUF];
    if (c->kind == C_PENDING) {
        ssize_t n = read(c->fd, c->line + c->len, 1);
        if (n <= 0) { close_client(i); return; }
        if (c->line[c->len] == '\n' || c->len == (int)sizeof c->line - 2) { handle_line(i); return; }
        c->len++;
        return;
    }
    ssize_t n = read(c->fd, buf, sizeof buf);
    if (n > 0) {
        if (c->kind == C_ATTACH && c->in && stdin_fd >= 0) write_all(stdin_fd, buf, (size_t)n);
        return;
    }
    if (c->kind == C_ATTACH && c->in) {
        /* The client's input ended (EOF, or it detached): the process's stdin closes too when it
         * is Docker's StdinOnce (docker run -i) or an exec's; otherwise it stays open for the
         * next attach (docker run -di, then detach keys). */
        if (!tty && stdin_fd >= 0 && (stdin_once || exec_mode)) { close(stdin_fd); stdin_fd = -1; }
        c->in = 0;
        if (n == 0) return; /* keep sending output */
    }
    close_client(i);
}

static int listen_unix(const char *name) {
    char path[4096];
    path_in(path, sizeof path, name);
    unlink(path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (fd < 0 || strlen(path) >= sizeof addr.sun_path) return -1;
    strcpy(addr.sun_path, path);
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(fd, 16) < 0) return -1;
    chmod(path, 0600);
    return fd;
}

/* Accepts clients until one attaches (WAIT clients are kept); gives up after 30 s of silence. */
static void wait_for_attach(int attach_fd) {
    for (;;) {
        struct pollfd pfd = {.fd = attach_fd, .events = POLLIN};
        if (poll(&pfd, 1, 30000) <= 0) { errno = ETIMEDOUT; fail("wait for attach"); }
        int fd = accept4(attach_fd, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0) continue;
        int slot = -1;
        for (int i = 0; i < MAX_CLIENTS && slot < 0; i++) if (clients[i].kind == C_NONE) slot = i;
        if (slot < 0) { close(fd); continue; }
        clients[slot] = (struct client){.fd = fd, .kind = C_PENDING};
        while (clients[slot].kind == C_PENDING) {
            struct pollfd cfd = {.fd = fd, .events = POLLIN};
            if (poll(&cfd, 1, 5000) <= 0) { close_client(slot); break; }
            client_readable(slot);
        }
        if (clients[slot].kind == C_ATTACH) return;
    }
}

static void launch_failed(const char *why) {
    char text[1100];
    snprintf(text, sizeof text, "%s\n", why);
    write_file("create-failed", text);
    exit(1);
}

static void fail(const char *what) {
    char text[512];
    snprintf(text, sizeof text, "%s: %s", what, strerror(errno));
    launch_failed(text);
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "--hide-mount") == 0) return hide_mount_main(argc, argv);
    if (argc < 6) { fprintf(stderr, "usage: vic-shim RUNTIME ROOT ID BUNDLE STATE [tty] [stdin] [stdinonce] [hide=MOUNT]\n"); return 2; }
    const char *runtime = argv[1], *root = argv[2], *id = argv[3], *bundle = argv[4];
    state_dir = argv[5];
    int want_stdin = 0, attach_first = 0;
    for (int i = 6; i < argc; i++) {
        if (strcmp(argv[i], "tty") == 0) tty = 1;
        if (strcmp(argv[i], "stdin") == 0) want_stdin = 1;
        if (strcmp(argv[i], "stdinonce") == 0) stdin_once = 1;
        if (strcmp(argv[i], "exec") == 0) exec_mode = 1;
        if (strcmp(argv[i], "attachfirst") == 0) attach_first = 1;
        if (strncmp(argv[i], "hide=", 5) == 0) rt.hide = argv[i] + 5;
    }
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    char pidtext[32];
    snprintf(pidtext, sizeof pidtext, "%d\n", getpid());
    write_file("shim.pid", pidtext);

    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGCHLD);
    sigaddset(&mask, SIGPIPE);
    sigprocmask(SIG_BLOCK, &mask, NULL);
    sigdelset(&mask, SIGPIPE);
    int sfd = signalfd(-1, &mask, SFD_CLOEXEC);

    char log_path[4096], pid_path[4096], console_path[4096];
    path_in(log_path, sizeof log_path, "container.log");
    path_in(pid_path, sizeof pid_path, "init.pid");
    path_in(console_path, sizeof console_path, "console.sock");
    /* An exec's output goes to its attach clients only, as with Docker. */
    if (!exec_mode) log_fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    int attach_fd = listen_unix("attach.sock");
    if (attach_fd < 0) fail("attach socket");
    if (attach_first) wait_for_attach(attach_fd);

    int console_fd = -1;
    int in_pipe[2] = {-1, -1}, out_pipe[2] = {-1, -1}, err_pipe[2] = {-1, -1};
    if (tty) {
        console_fd = listen_unix("console.sock");
        if (console_fd < 0) fail("console socket");
    } else if ((want_stdin && pipe2(in_pipe, O_CLOEXEC) < 0) || pipe2(out_pipe, O_CLOEXEC) < 0 || pipe2(err_pipe, O_CLOEXEC) < 0) {
        fail("pipes");
    }
    if (!tty) {
        stdin_fd = in_pipe[1];
        out_fd = out_pipe[0];
        err_fd = err_pipe[0];
    }
    char runtime_log[4096];
    path_in(runtime_log, sizeof runtime_log, "runtime.log");
    rt.path = runtime; rt.root = root; rt.log = runtime_log;
    launch = (struct launch){.id = id, .spec = bundle, .exec = exec_mode, .pid_path = pid_path,
        .console_path = console_path, .console_fd = console_fd, .in = in_pipe[0], .out = out_pipe[1], .err = err_pipe[1]};
    if (exec_mode) {
        char why[1024];
        if (launch_now(why, sizeof why) < 0) launch_failed(why);
        write_file("created", "ok\n");
    } else {
        write_file("ready", "ok\n");
    }
    int exit_code = -1, status = 0;
    for (;;) {
        struct pollfd fds[MAX_CLIENTS + 4];
        int map[MAX_CLIENTS + 4];
        int count = 0;
        fds[count] = (struct pollfd){.fd = sfd, .events = POLLIN}; map[count++] = -1;
        fds[count] = (struct pollfd){.fd = attach_fd, .events = POLLIN}; map[count++] = -2;
        if (out_fd >= 0) { fds[count] = (struct pollfd){.fd = out_fd, .events = POLLIN}; map[count++] = -3; }
        if (err_fd >= 0) { fds[count] = (struct pollfd){.fd = err_fd, .events = POLLIN}; map[count++] = -4; }
        for (int i = 0; i < MAX_CLIENTS; i++)
            if (clients[i].kind != C_NONE && (clients[i].kind == C_PENDING || clients[i].in || clients[i].kind == C_WAIT)) {
                fds[count] = (struct pollfd){.fd = clients[i].fd, .events = POLLIN}; map[count++] = i;
            }
        int ready = poll(fds, (nfds_t)count, exit_code >= 0 ? 200 : started ? -1 : 60000);
        if (ready < 0 && errno != EINTR) break;
        if (ready == 0 && !started) launch_failed("no START within 60 s");
        if (ready == 0 && exit_code >= 0) break; /* output drained after exit */
        for (int k = 0; k < count && ready > 0; k++) {
            if (!fds[k].revents) continue;
            if (map[k] == -1) {
                struct signalfd_siginfo info;
                if (read(sfd, &info, sizeof info) < 0) {}
                pid_t pid;
                while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
                    if (started && pid == init_pid)
                        exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
                }
            } else if (map[k] == -2) {
                int fd = accept4(attach_fd, NULL, NULL, SOCK_CLOEXEC);
                for (int i = 0; fd >= 0 && i < MAX_CLIENTS; i++)
                    if (clients[i].kind == C_NONE) { clients[i] = (struct client){.fd = fd, .kind = C_PENDING}; fd = -1; }
                if (fd >= 0) close(fd);
            } else if (map[k] == -3) {
                if (read_output(out_fd, 1) < 0) { close(out_fd); if (stdin_fd == out_fd) stdin_fd = -1; out_fd = -1; }
            } else if (map[k] == -4) {
                if (read_output(err_fd, 2) < 0) { close(err_fd); err_fd = -1; }
            } else {
                client_readable(map[k]);
            }
        }
        if (exit_code >= 0 && out_fd < 0 && err_fd < 0) break;
    }
    log_output(1, "", 0, 1);
    log_output(2, "", 0, 1);
    char stamp[64], text[160];
    now_rfc3339(stamp, sizeof stamp);
    snprintf(text, sizeof text, "{\"code\":%d,\"finishedAt\":\"%s\"}\n", exit_code, stamp);
    write_file("exit", text);
    for (int i = 0; i < MAX_CLIENTS; i++) close_client(i);
    char sock_path[4096];
    path_in(sock_path, sizeof sock_path, "attach.sock");
    unlink(sock_path);
    return 0;
}

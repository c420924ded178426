/* vic-shim: declarations shared by its files (see main.c for what the shim does). */
#ifndef VIC_SHIM_H
#define VIC_SHIM_H
#include <stddef.h>
#include <sys/types.h>

#define BUF 32768

/* files.c: the state directory, the json-file log. */
extern const char *state_dir;
extern int log_fd;
void path_in(char *out, size_t size, const char *name);
void write_file(const char *name, const char *text);
void write_all(int fd, const void *data, size_t len);
void now_rfc3339(char *out, size_t size);
void log_output(int stream, const char *data, size_t len, int flush);

/* runtime.c: running the OCI runtime. */
struct runtime {
    const char *path;   /* the runtime binary */
    const char *root;   /* its --root */
    const char *log;    /* its --log, in the state directory */
    const char *hide;   /* a mount it must not see (crun on hybrid cgroups), or NULL */
};
/* Starts `args` (args[0] is the runtime) with stdin, stdout and stderr on the given descriptors
 * (-1: /dev/null) and every signal unblocked; with rt->hide, in a private mount namespace
 * without that mount. Returns the pid, or -1 with errno set. */
pid_t spawn_runtime(const struct runtime *rt, const char *const args[], int in, int out, int err);
/* What to launch: a container (`RUNTIME run --detach --bundle SPEC`) or an exec
 * (`RUNTIME exec --detach --process SPEC`), both with --pid-file PID_PATH and, when console_fd
 * listens on console_path, --console-socket. */
struct launch {
    const char *id;
    const char *spec;
    int exec;
    const char *pid_path;
    const char *console_path;
    int console_fd;     /* -1 without a TTY */
    int in, out, err;   /* the process's ends of its stdio pipes (-1: /dev/null) */
};
/* Runs the runtime for `l` and waits for it. Returns the process's pid, with a TTY the pty
 * master in *master; or -1 with the runtime's last words in `why`. */
pid_t launch_process(const struct runtime *rt, const struct launch *l, int *master, char *why, size_t size);
/* The last non-empty line of the runtime's log, or `fallback`. */
void runtime_last_words(const struct runtime *rt, const char *fallback, char *out, size_t size);
/* `vic-shim --hide-mount MOUNT EXECUTABLE ARGS...`: runs EXECUTABLE where MOUNT is hidden.
 * Returns only on failure. */
int hide_mount_main(int argc, char **argv);

#endif

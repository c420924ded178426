/* vic-shim: running the OCI runtime, in a mount namespace without the hybrid cgroup2 mount
 * when it must not see it (crun 1.8 refuses hybrid cgroups). */
#define _GNU_SOURCE
#include "shim.h"
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* What the per-call wrapper (`unshare --mount --propagation private sh -c 'umount -l M; exec
 * crun'`) did, as three system calls in the calling process: a fresh private copy of the
 * current mounts (so the rootfs and /run/netns mounts made a moment ago are there), without M.
 * Only for a single-threaded caller (unshare(CLONE_NEWNS) refuses a shared fs context). */
static int enter_hidden(const char *hide) {
    if (unshare(CLONE_NEWNS) < 0) return -1;
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) return -1;
    /* Not mounted is fine: there is nothing to hide. */
    umount2(hide, MNT_DETACH);
    return 0;
}

static int dup_or_null(int fd, int target, int flags) {
    if (fd < 0) fd = open("/dev/null", flags | O_CLOEXEC);
    if (fd < 0) return -1;
    if (fd == target) return fcntl(fd, F_SETFD, 0);
    return dup2(fd, target) < 0 ? -1 : 0;
}

pid_t spawn_runtime(const struct runtime *rt, const char *const args[], int in, int out, int err) {
    /* The shim is single-threaded, so fork is cheap and safe; the child only makes system calls
     * before exec. dup2 clears close-on-exec on the targets; every other descriptor of the shim
     * is close-on-exec. */
    pid_t pid = fork();
    if (pid != 0) return pid;
    if (rt->hide && enter_hidden(rt->hide) < 0) _exit(126);
    if (dup_or_null(in, 0, O_RDONLY) < 0 || dup_or_null(out, 1, O_WRONLY) < 0 || dup_or_null(err, 2, O_WRONLY) < 0)
        _exit(126);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    execv(args[0], (char *const *)args);
    _exit(127);
}

void runtime_last_words(const struct runtime *rt, const char *fallback, char *out, size_t size) {
    char line[1024];
    snprintf(out, size, "%s", fallback);
    FILE *lf = fopen(rt->log, "r");
    while (lf && fgets(line, sizeof line, lf)) {
        line[strcspn(line, "\n")] = 0;
        if (line[0]) snprintf(out, size, "%s", line);
    }
    if (lf) fclose(lf);
}

static int receive_fd(int sock) {
    char data[1];
    struct iovec iov = {.iov_base = data, .iov_len = 1};
    char control[CMSG_SPACE(sizeof(int))];
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control};
    if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) < 0) return -1;
    struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
    if (!cm || cm->cmsg_type != SCM_RIGHTS) return -1;
    int fd;
    memcpy(&fd, CMSG_DATA(cm), sizeof fd);
    return fd;
}

pid_t launch_process(const struct runtime *rt, const struct launch *l, int *master, char *why, size_t size) {
    const char *args[20];
    int n = 0;
    args[n++] = rt->path; args[n++] = "--root"; args[n++] = rt->root; args[n++] = "--log"; args[n++] = rt->log;
    if (l->exec) { args[n++] = "exec"; args[n++] = "--detach"; args[n++] = "--process"; }
    else { args[n++] = "run"; args[n++] = "--detach"; args[n++] = "--bundle"; }
    args[n++] = l->spec; args[n++] = "--pid-file"; args[n++] = l->pid_path;
    if (l->console_fd >= 0) { args[n++] = "--console-socket"; args[n++] = l->console_path; }
    args[n++] = l->id; args[n] = NULL;
    /* With a TTY the process's stdio is the pty the runtime sends back; the runtime's is /dev/null. */
    pid_t runtime_pid = spawn_runtime(rt, args, l->in, l->out, l->err);
    if (runtime_pid < 0) { snprintf(why, size, "spawn the runtime: %s", strerror(errno)); return -1; }
    if (l->console_fd >= 0) {
        int conn = accept4(l->console_fd, NULL, NULL, SOCK_CLOEXEC);
        *master = conn >= 0 ? receive_fd(conn) : -1;
        if (conn >= 0) close(conn);
        if (*master < 0) kill(runtime_pid, SIGKILL);
    }
    int status = 0;
    while (waitpid(runtime_pid, &status, 0) < 0 && errno == EINTR) {}
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        runtime_last_words(rt, l->exec ? "runtime exec failed" : "runtime run failed", why, size);
        return -1;
    }
    FILE *pf = fopen(l->pid_path, "r");
    int pid = 0;
    if (!pf || fscanf(pf, "%d", &pid) != 1 || pid <= 0) {
        snprintf(why, size, "read the process's pid from %s", l->pid_path);
        if (pf) fclose(pf);
        return -1;
    }
    fclose(pf);
    return pid;
}

int hide_mount_main(int argc, char **argv) {
    if (argc < 4 || argv[3][0] != '/') {
        fprintf(stderr, "usage: vic-shim --hide-mount MOUNT /PATH/TO/EXECUTABLE [ARGS...]\n");
        return 2;
    }
    if (enter_hidden(argv[2]) < 0) { perror("vic-shim: private mount namespace"); return 126; }
    execv(argv[3], argv + 3);
    fprintf(stderr, "vic-shim: exec %s: %s\n", argv[3], strerror(errno));
    return 127;
}

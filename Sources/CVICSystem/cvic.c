#define _GNU_SOURCE
#include "cvic.h"
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <unistd.h>

extern char **environ;

int cvic_enter_netns(const char *path) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    int rc = setns(fd, CLONE_NEWNET);
    int saved = errno;
    close(fd);
    errno = saved;
    return rc;
}

#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>

/* iproute2's netns_add, step for step. */
int cvic_create_netns(const char *directory, const char *path) {
    if (mkdir(directory, 0755) < 0 && errno != EEXIST) return -1;
    /* Shared, so a namespace mounted here reaches mount namespaces copied from this one (and
     * unmounting it there too); a bind mount onto itself makes the directory a mount point. */
    if (mount("", directory, "none", MS_SHARED | MS_REC, NULL) < 0) {
        if (errno != EINVAL) return -1;
        if (mount(directory, directory, "none", MS_BIND | MS_REC, NULL) < 0) return -1;
        if (mount("", directory, "none", MS_SHARED | MS_REC, NULL) < 0) return -1;
    }
    int file = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
    if (file < 0) return -1;
    close(file);
    int saved = 0;
    int original = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    if (original < 0) { saved = errno; unlink(path); errno = saved; return -1; }
    if (unshare(CLONE_NEWNET) < 0) { saved = errno; close(original); unlink(path); errno = saved; return -1; }
    char own[64];
    snprintf(own, sizeof own, "/proc/self/task/%ld/ns/net", (long)syscall(SYS_gettid));
    int rc = mount(own, path, "none", MS_BIND, NULL);
    if (rc < 0) saved = errno;
    /* Back home; the new namespace lives on through the bind mount. */
    if (setns(original, CLONE_NEWNET) < 0 && rc == 0) { saved = errno; rc = -1; umount2(path, MNT_DETACH); }
    close(original);
    if (rc < 0) { unlink(path); errno = saved; }
    return rc;
}

pid_t cvic_spawn_detached(const char *const argv[], const char *log_path) {
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attr;
    pid_t pid = -1;
    int rc;
    if ((rc = posix_spawn_file_actions_init(&actions)) != 0) { errno = rc; return -1; }
    if ((rc = posix_spawnattr_init(&attr)) != 0) {
        posix_spawn_file_actions_destroy(&actions);
        errno = rc;
        return -1;
    }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, log_path, O_WRONLY | O_CREAT | O_APPEND, 0640);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    // A detached child outlives its parent: it must not keep the parent's sockets (vchd's API
    // listener would stay bound after vchd dies) or files open. glibc 2.34+.
    posix_spawn_file_actions_addclosefrom_np(&actions, 3);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&attr, &none);
    sigset_t all;
    sigfillset(&all);
    posix_spawnattr_setsigdefault(&attr, &all);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    rc = posix_spawn(&pid, argv[0], &actions, &attr, (char *const *)argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    if (rc != 0) { errno = rc; return -1; }
    return pid;
}

pid_t cvic_spawn_piped(const char *const argv[], int *out, int *err) {
    int o[2], e[2];
    if (pipe2(o, O_CLOEXEC) != 0) return -1;
    if (pipe2(e, O_CLOEXEC) != 0) { close(o[0]); close(o[1]); return -1; }
    posix_spawn_file_actions_t actions;
    pid_t pid = -1;
    int rc = posix_spawn_file_actions_init(&actions);
    if (rc == 0) {
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_adddup2(&actions, o[1], 1);
        posix_spawn_file_actions_adddup2(&actions, e[1], 2);
        posix_spawn_file_actions_addclosefrom_np(&actions, 3);
        rc = posix_spawn(&pid, argv[0], &actions, NULL, (char *const *)argv, environ);
        posix_spawn_file_actions_destroy(&actions);
    }
    close(o[1]);
    close(e[1]);
    if (rc != 0) {
        close(o[0]);
        close(e[0]);
        errno = rc;
        return -1;
    }
    *out = o[0];
    *err = e[0];
    return pid;
}

int cvic_process_exists(pid_t pid) {
    if (pid <= 0) return 0;
    return kill(pid, 0) == 0 || errno == EPERM;
}

#include <sys/sysmacros.h>
#include <sys/xattr.h>

int cvic_lsetxattr(const char *path, const char *name, const void *value, size_t size) {
    return lsetxattr(path, name, value, size, 0);
}

dev_t cvic_makedev(unsigned int major, unsigned int minor) {
    return makedev(major, minor);
}

ssize_t cvic_lgetxattr(const char *path, const char *name, void *value, size_t size) {
    return lgetxattr(path, name, value, size);
}

#include <linux/openat2.h>

int cvic_open_in_root(int root_fd, const char *path, int flags, mode_t mode) {
    struct open_how how = {
        .flags = (unsigned long long)(flags | O_CLOEXEC),
        .mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0,
        .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
    };
    return (int)syscall(SYS_openat2, root_fd, path, &how, sizeof how);
}

int cvic_o_path(void) { return O_PATH; }

int cvic_rename_noreplace(int from_dir, const char *from, int to_dir, const char *to) {
    return (int)syscall(SYS_renameat2, from_dir, from, to_dir, to, 1u /* RENAME_NOREPLACE */);
}

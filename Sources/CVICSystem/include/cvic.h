#ifndef CVIC_H
#define CVIC_H
#include <sys/types.h>

/// Moves the calling thread into the network namespace at `path` (CLONE_NEWNET).
/// Returns 0, or -1 with errno set. Affects only the calling thread and the threads it creates later.
int cvic_enter_netns(const char *path);

/// What `ip netns add` does, without its process: makes /run/netns (`directory`) a shared mount
/// point (a bind mount onto itself first when it is not a mount point), creates `path` in it,
/// gives the calling thread a new network namespace and bind-mounts it onto `path`, then moves
/// the thread back to the namespace it was in. Only the calling thread's namespace changes, and
/// only for the duration. Returns 0, or -1 with errno set and nothing left behind.
/// Privilege: CAP_SYS_ADMIN. Call it on a dedicated thread.
int cvic_create_netns(const char *directory, const char *path);

/// Starts `argv[0]` (an absolute path) detached: in a new session, stdin on /dev/null,
/// stdout and stderr appended to `log_path`. Returns the pid, or -1 with errno set.
pid_t cvic_spawn_detached(const char *const argv[], const char *log_path);

/// Spawns argv[0] (an absolute path) with stdin on /dev/null and stdout and stderr on new
/// pipes, whose read ends (close-on-exec) are stored in *out and *err; no other descriptor is
/// inherited. The caller reaps the child. Returns the pid, or -1 with errno set.
pid_t cvic_spawn_piped(const char *const argv[], int *out, int *err);

/// Whether a process with this pid exists (kill(pid, 0)); a zombie counts as alive.
int cvic_process_exists(pid_t pid);

/// openat2(2) with RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS: `path` is resolved as if `root_fd`
/// were the root directory, so `..`, absolute paths and absolute symbolic links cannot leave
/// it. `flags` gets O_CLOEXEC added. Returns the descriptor, or -1 with errno set (ENOSYS
/// before Linux 5.6).
int cvic_open_in_root(int root_fd, const char *path, int flags, mode_t mode);

/// renameat2(RENAME_NOREPLACE): moves `from` (in `from_dir`) to `to` (in `to_dir`) unless `to`
/// exists, which fails with EEXIST. Neither name is followed if it is a link. -1 and errno on failure.
int cvic_rename_noreplace(int from_dir, const char *from, int to_dir, const char *to);

/// O_PATH, which Swift's Glibc module does not export.
int cvic_o_path(void);

/// lsetxattr(2) and makedev(3), which Swift's Glibc module does not export.
int cvic_lsetxattr(const char *path, const char *name, const void *value, size_t size);
dev_t cvic_makedev(unsigned int major, unsigned int minor);
ssize_t cvic_lgetxattr(const char *path, const char *name, void *value, size_t size);

#endif

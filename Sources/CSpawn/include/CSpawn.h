#ifndef CSPAWN_H
#define CSPAWN_H

#include <spawn.h>

// GNU extensions that Swift's Glibc module does not expose.

/// pipe2(fds, O_CLOEXEC): a pipe no spawned child inherits by accident.
int cspawn_pipe_cloexec(int fds[2]);

/// posix_spawn_file_actions_addchdir_np: the child's working directory, set before exec.
int cspawn_addchdir(posix_spawn_file_actions_t *actions, const char *path);

#endif

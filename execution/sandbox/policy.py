"""SandboxPolicy: the limits one run of user code gets, as frozen data.

Kernel-enforced inside the sandbox (rlimits the runner sets before any user code, hard = soft
so the code cannot raise them): address space, CPU seconds, processes (threads count too),
size of one written file, open files; the private /tmp is a size-capped tmpfs. Enforced by the
server from outside: the wall-clock limit and the output cap (the code's prints and its result,
read through pipes).
"""

from __future__ import annotations

from dataclasses import dataclass

MIB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class SandboxPolicy:
    # Address space of the code's process (RLIMIT_AS).
    memory_mb: int = 100
    # CPU time of the code's process (RLIMIT_CPU), start-up not counted.
    cpu_seconds: int = 10
    # Wall-clock time from handing the job over to its verdict (sleeping code counts).
    wall_seconds: float = 15.0
    # Bytes the code may print (stdout and stderr together), and bytes of its JSON result.
    max_output_bytes: int = 1 * MIB
    # Processes and threads the sandbox's user may have (RLIMIT_NPROC, counted inside the
    # sandbox's own user namespace: the runner and bubblewrap's init are two of them).
    max_processes: int = 16
    # Largest file the code may write (RLIMIT_FSIZE).
    max_file_bytes: int = 8 * MIB
    # Size of the private /tmp (a tmpfs: its pages are memory).
    tmp_bytes: int = 16 * MIB
    # Open file descriptors (RLIMIT_NOFILE).
    max_open_files: int = 64

    def runner_limits(self) -> dict[str, int]:
        """What the runner inside the sandbox applies (passed on its command line)."""
        return {
            "memory_bytes": self.memory_mb * MIB,
            "cpu_seconds": self.cpu_seconds,
            "processes": self.max_processes,
            "file_bytes": self.max_file_bytes,
            "open_files": self.max_open_files,
        }

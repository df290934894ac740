"""The bubblewrap command line around the sandboxed interpreter, and who it runs as.

Namespaces: all of them (`--unshare-all`: user, mount, pid, network, ipc, uts, cgroup), so the
code sees its own loopback only, its own pids (the server's /proc/<pid> does not exist in
there), and a root file system built from nothing: /usr (and the interpreter's prefix when it
lives elsewhere) bound read-only, a fresh /proc and a minimal /dev, a private size-capped /tmp
as its working directory, and / and /dev remounted read-only. No /etc, no home, no project
files. `--clearenv` (and an empty environment for bubblewrap itself) leaves no variable of
the server's; `--cap-drop ALL`, `--disable-userns` (no nested user namespaces),
`--new-session` (no terminal to push input into), `--die-with-parent`.

Run as root, the server starts bubblewrap as `nobody` (65534, through setpriv): as host root, the process limit
(RLIMIT_NPROC) is not enforced by the kernel at all, and a process that got out of its
namespaces would still be root. As any other user, bubblewrap runs as that user (unprivileged
user namespaces must be allowed, as on Debian).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from execution.sandbox.policy import SandboxPolicy

NOBODY = 65534
SANDBOX_TMP = "/tmp"
# Top-level system paths the interpreter may need: symlinks (merged /usr) are recreated, real
# directories bound read-only.
_SYSTEM_PATHS = ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")


def runner_source() -> str:
    return resources.files("execution.sandbox").joinpath("runner.py").read_text(encoding="utf-8")


def own_interpreter() -> str:
    """This server's Python, resolved past venvs and symlinks (a venv's python is a link)."""
    return os.path.realpath(getattr(sys, "_base_executable", None) or sys.executable)


def interpreter_candidates(configured: str) -> tuple[str, ...]:
    """Interpreters to try in the sandbox, in order: the configured one alone, else this server's
    own and Debian's (the server's may live where `nobody` cannot read, e.g. under /root)."""
    if configured:
        return (configured,)
    ours = own_interpreter()
    return (ours,) if ours == "/usr/bin/python3" else (ours, "/usr/bin/python3")


def _prefix(interpreter: str) -> str:
    """The installation an interpreter belongs to: <prefix>/bin/python3 → <prefix>."""
    return str(Path(os.path.realpath(interpreter)).parent.parent)


@dataclass(frozen=True, slots=True)
class SandboxCommand:
    bwrap: str
    # The interpreter's path, the same inside the sandbox as outside.
    python: str
    runner: str = field(default_factory=runner_source, repr=False)

    @classmethod
    def build(cls, bwrap: str, python: str) -> SandboxCommand:
        """A bwrap that is not on PATH stays as given (the probe reports it); the interpreter is
        resolved past its symlinks, whose own directory may not be in the sandbox."""
        return cls(shutil.which(bwrap) or bwrap, os.path.realpath(python))

    def drop_root(self) -> list[str]:
        """The command that drops root to nobody before bubblewrap runs (none when not root).
        util-linux's setpriv, not subprocess's user=/group=: those make CPython fork() instead of
        vfork(), and a fork() of this multi-threaded process runs gRPC's fork handlers in the
        child, which can crash it before it ever reaches exec."""
        if os.geteuid() != 0:
            return []
        return [shutil.which("setpriv") or "/usr/bin/setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}",
                "--clear-groups", "--"]

    def argv(self, policy: SandboxPolicy, info_fd: int) -> list[str]:
        args = [
            *self.drop_root(),
            self.bwrap,
            "--unshare-all", "--unshare-user", "--disable-userns",
            "--die-with-parent", "--new-session", "--clearenv", "--cap-drop", "ALL",
            "--info-fd", str(info_fd),
            "--ro-bind", "/usr", "/usr",
        ]
        for path in _SYSTEM_PATHS:
            if os.path.islink(path):
                args += ["--symlink", os.readlink(path), path]
            elif os.path.isdir(path):
                args += ["--ro-bind", path, path]
        prefix = _prefix(self.python)
        if prefix != "/usr" and not prefix.startswith("/usr/"):
            args += ["--ro-bind", prefix, prefix]
        args += [
            "--proc", "/proc",
            "--dev", "/dev",
            "--size", str(policy.tmp_bytes), "--tmpfs", SANDBOX_TMP,
            "--remount-ro", "/dev",
            "--remount-ro", "/",
            "--chdir", SANDBOX_TMP,
            "--setenv", "HOME", SANDBOX_TMP,
            "--", self.python, "-I", "-S", "-X", "utf8", "-c", self.runner, json.dumps(policy.runner_limits()),
        ]
        return args

"""The program inside the sandbox: applies the limits, says it is ready, runs one job, reports.

Run by the sandboxed interpreter as `python -I -S -X utf8 -c <this file's text> <limits JSON>`
(execution.sandbox.command): standard library only, and nothing of flowexec is importable in
there. It is trusted code that runs first, so the limits it sets (as hard limits: the user code
cannot raise them again) are in force before a line of user code runs.

Channels: stdin carries the job (`{"code": …, "inputs": …}`, read to EOF); the original
stdout becomes the private verdict channel — `ready` once the limits are set, then one JSON
line — and fd 1 is pointed at stderr, so whatever the code prints (either stream) reaches the
server as its output, which the server caps. Only the runner's own process reports: a child
the code forked that falls back into this file leaves silently.

The verdict: {"ok": true, "result": {...}} or {"ok": false, "kind": K, "message": M}, where K
is `error` (the code raised, or its result is unusable), or the limit it hit: `memory`,
`processes`, `file_size`, `disk`.
"""

import builtins
import errno
import gc
import json
import linecache
import os
import resource
import sys
import traceback

FILENAME = "<custom_code>"
MEMORY_VERDICT = b'{"ok": false, "kind": "memory", "message": "ran out of memory"}\n'


def apply_limits(limits):
    def hard(kind, value):
        resource.setrlimit(kind, (value, value))

    hard(resource.RLIMIT_CORE, 0)
    hard(resource.RLIMIT_NOFILE, limits["open_files"])
    hard(resource.RLIMIT_FSIZE, limits["file_bytes"])
    hard(resource.RLIMIT_NPROC, limits["processes"])
    hard(resource.RLIMIT_AS, limits["memory_bytes"])
    # CPU seconds from about now (the whole seconds of start-up, which costs a fraction of one, are
    # not counted); SIGXCPU at the soft limit, SIGKILL a second later.
    used = resource.getrusage(resource.RUSAGE_SELF)
    soft = int(used.ru_utime + used.ru_stime) + limits["cpu_seconds"]
    resource.setrlimit(resource.RLIMIT_CPU, (soft, soft + 1))


def send(fd, data):
    while data:
        data = data[os.write(fd, data):]


def failure(kind, message):
    return {"ok": False, "kind": kind, "message": message}


def where(exc):
    """` (line N, in f)` for the innermost frame of the user's code, if any."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == FILENAME]
    return f" (line {frames[-1].lineno}, in {frames[-1].name})" if frames else ""


def classify(exc):
    if isinstance(exc, MemoryError):
        return failure("memory", "ran out of memory")
    if isinstance(exc, OSError) and exc.errno == errno.EAGAIN:
        return failure("processes", f"could not start another process{where(exc)}")
    if isinstance(exc, RuntimeError) and "can't start new thread" in str(exc):
        return failure("processes", f"could not start another thread{where(exc)}")
    if isinstance(exc, OSError) and exc.errno == errno.EFBIG:
        return failure("file_size", f"wrote a file past the size limit{where(exc)}")
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return failure("disk", f"filled its temporary directory{where(exc)}")
    if isinstance(exc, SystemExit):
        return failure("error", f"called exit({exc.code!r}) instead of returning from main{where(exc)}")
    text = str(exc)
    return failure("error", f"{type(exc).__name__}{': ' + text if text else ''}{where(exc)}")


def run(code, inputs):
    linecache.cache[FILENAME] = (len(code), None, code.splitlines(True), FILENAME)
    try:
        compiled = compile(code, FILENAME, "exec")
    except SyntaxError as exc:
        return failure("error", f"SyntaxError: {exc.msg} (line {exc.lineno})")
    namespace = {"__name__": "__custom_code__", "__builtins__": builtins}
    try:
        exec(compiled, namespace)
        entry = namespace.get("main")
        if not callable(entry):
            return failure("error", "the code defines no function main(inputs)")
        result = entry(inputs)
    except MemoryError:
        namespace.clear()
        gc.collect()
        return None  # the pre-encoded verdict: building a message may need memory there is none of
    except BaseException as exc:  # SystemExit and KeyboardInterrupt are the code's doing too
        return classify(exc)
    if not isinstance(result, dict):
        return failure("error", f"main returned {type(result).__name__}; it must return a dict (a JSON object)")
    return {"ok": True, "result": result}


def encode(verdict):
    if verdict is None:
        return MEMORY_VERDICT
    try:
        return json.dumps(verdict, ensure_ascii=False, allow_nan=False).encode() + b"\n"
    except MemoryError:
        return MEMORY_VERDICT
    except (TypeError, ValueError, RecursionError) as exc:
        return encode(failure("error", f"main's result is not JSON: {type(exc).__name__}: {exc}"))


def main():
    limits = json.loads(sys.argv[1])
    me = os.getpid()
    os.closerange(3, 1024)  # bubblewrap's info pipe and anything else inherited
    verdict_fd = os.dup(1)
    os.dup2(2, 1)
    apply_limits(limits)
    send(verdict_fd, b"ready\n")
    job = json.loads(sys.stdin.buffer.read())
    sys.stdin.close()
    verdict = run(job["code"], job["inputs"])
    if os.getpid() != me:  # a child the code forked came back here
        os._exit(0)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BaseException:  # the code may have closed or replaced them
        pass
    send(verdict_fd, encode(verdict))
    os._exit(0)  # no atexit handlers, no waiting for the code's threads


main()

"""Figure 12: a custom_code node's round trip, warm and cold — the whole run of a one-node flow
through the engine (validate, plan, run, events), user code `main` summing its inputs.

- warm: the sandbox's pool holds a started worker (bubblewrap up, interpreter waiting, limits
  set); the run hands it the job. The pool refills between runs, outside the timing.
- cold: no pool; each run starts its sandbox (bubblewrap, then the interpreter) and pays for it.
Floor for cold: the same interpreter started bare (`python -I -S -c pass`, no sandbox), which is
what a sandbox costs at the least. Targets (issue 13): warm ≤ 30 ms, cold ≤ 150 ms, per run.
"""

from __future__ import annotations

import asyncio
import shutil
import time

from bench.report import Figure
from bench.stats import median, percentile
from execution.engine import Engine
from execution.events import NodeStatus, NodeStatusChanged
from execution.graph.model import FlowRequest, Node
from execution.ids import FlowId, NodeId
from execution.nodes.builtin import builtin_registry
from execution.sandbox import CodeSandbox, SandboxSettings
from execution.services import Services

WARM_TARGET_MS = 30.0
COLD_TARGET_MS = 150.0
CODE = "def main(inputs):\n    return {'sum': sum(inputs.get('numbers', [1, 2, 3]))}\n"


def code_flow() -> FlowRequest:
    return FlowRequest(FlowId("custom-code"), (Node(NodeId("code"), "custom_code", {"code": CODE}),), ())


async def _runs(sandbox: CodeSandbox, count: int, *, warm: bool) -> list[float]:
    engine = Engine(builtin_registry(), Services(sandbox=sandbox))
    flow = code_flow()
    samples = []
    for _ in range(count + 1):  # the first one warms the interpreter's imports up
        if warm:
            await sandbox.wait_warm()
        await asyncio.sleep(0.05)  # let the last sandbox's reaping finish outside the timing
        started = time.perf_counter()
        events = await engine.run(flow)
        samples.append((time.perf_counter() - started) * 1000)
        [status] = [e.body.status for e in events
                    if isinstance(e.body, NodeStatusChanged) and e.body.status.terminal]
        assert status is NodeStatus.COMPLETE, f"the custom_code node ended {status}"
    return samples[1:]


async def _bare_interpreter(python: str, count: int) -> list[float]:
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        proc = await asyncio.create_subprocess_exec(python, "-I", "-S", "-c", "pass")
        await proc.wait()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


async def custom_code(quick: bool) -> list[Figure]:
    if shutil.which("bwrap") is None:
        return [Figure("12 custom code", "round trip (bubblewrap missing: scripts/ensure_bubblewrap.sh)", "ms",
                       float("nan"))]
    count = 10 if quick else 30
    settings = {"allow_custom_code": True}
    warm_box = CodeSandbox(SandboxSettings.explicit(**settings, warm_workers=1))
    cold_box = CodeSandbox(SandboxSettings.explicit(**settings, warm_workers=0))
    try:
        await warm_box.start()
        await cold_box.start()
        warm = await _runs(warm_box, count, warm=True)
        cold = await _runs(cold_box, count, warm=False)
        assert cold_box.command is not None
        bare = await _bare_interpreter(cold_box.command.python, count)
    finally:
        await warm_box.aclose()
        await cold_box.aclose()
    return [
        Figure("12 custom code", "node round trip, warm worker", "ms", median(warm), target=f"≤ {WARM_TARGET_MS:g} ms",
               ok=median(warm) <= WARM_TARGET_MS,
               note=f"one-node flow through the engine; p90 {percentile(warm, 90):.1f} ms over {count} runs",
               extra={"samples": warm}),
        Figure("12 custom code", "node round trip, cold start", "ms", median(cold), median(bare),
               target=f"≤ {COLD_TARGET_MS:g} ms", ok=median(cold) <= COLD_TARGET_MS,
               note=f"bubblewrap + interpreter started per run; p90 {percentile(cold, 90):.1f} ms; "
                    "floor = the same interpreter started bare, no sandbox",
               extra={"samples": cold, "floor_samples": bare}),
    ]

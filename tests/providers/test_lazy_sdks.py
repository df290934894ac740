"""Vendor SDKs load lazily: an idle server (no keys set) and dry runs (`prepare`, an image
vendor's `plan`) import neither `openai` nor `anthropic` (nor their httpx2 transport, which
the image vendors use too); each SDK is imported when a provider of its vendor first creates a
client. Checked in a fresh interpreter, since this test process has long since imported both."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from execution.providers.settings import ProviderSettings

# jsonschema is not among them: the pipeline library and the task table are checked with it at
# start-up.
SDKS = ("openai", "anthropic", "httpx2", "boto3", "botocore")

SCRIPT = f"""
import json, sys
import server.main, execution.nodes.builtin
from execution.messages import ChatMessage
from execution.providers.chat import ChatRequest
from execution.providers.image_vendors.generation import GenerationRequest
from execution.services import Services

def loaded():
    return sorted(name for name in {SDKS!r} if name in sys.modules)

services = Services.from_env()
idle = loaded()
request = ChatRequest(messages=(ChatMessage("user", "hello"),), model="some-model")
for provider_id in services.llm.ids:
    services.llm.get(provider_id).prepare(request)
for vendor in services.images.providers.generators.values():
    vendor.plan("", GenerationRequest("hello", width=512, height=512))
dry_run = loaded()
services.llm.get("ollama").client()  # needs no key; creating a client sends nothing
print(json.dumps({{"idle": idle, "dry_run": dry_run, "openai_client": loaded()}}))
"""


def test_idle_server_and_dry_runs_do_not_import_vendor_sdks(tmp_path: Path) -> None:
    key_vars = {str(field.validation_alias) for name, field in ProviderSettings.model_fields.items()
                if name.endswith("_api_key")}
    env = {k: v for k, v in os.environ.items() if k not in key_vars}
    result = subprocess.run([sys.executable, "-c", SCRIPT], cwd=tmp_path,  # cwd: no .env
                            env=env, capture_output=True, text=True, timeout=60, check=True)
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert loaded == {"idle": [], "dry_run": [], "openai_client": ["httpx2", "openai"]}

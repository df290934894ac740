"""AI providers: credentials, base URLs and SDK clients, plus the resilience they share.

    settings.py         every key, base URL, default model and policy knob (env / .env)
    catalog.py          the LLM provider table: id → vendor, key rule → Endpoint
    endpoint.py         what one provider needs; missing pieces → NotConfiguredError
    chat.py             our request / chunk types and the TextProvider protocol
    openai_compat/      mistral, glm, openrouter, huggingface, ollama, openai (AsyncOpenAI)
    claude/             claude (AsyncAnthropic)
                        each: provider.py (client), adapter.py (vendor stream → ChatChunk),
                        errors.py (the vendor's one error boundary); the SDK itself is
                        imported only when a provider first sends, never at import time
    vendor_errors.py    the error map both boundaries apply (drawn there)
    streaming.py        one streamed completion under retries, timeout and concurrency slot
    resilience.py       retry policy, per-call timeout, per-provider concurrency limits
    llm.py              LlmProviders: the registry executors use (Services.llm)
    image_vendors/      huggingface, glm, fireworks text-to-image (and Florence-2), one folder
                        each, over httpx2 (see its docstring)
    vision_messages.py  image-bearing chat messages
"""

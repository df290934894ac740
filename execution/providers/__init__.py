"""AI providers: credentials, base URLs and SDK clients, plus the resilience they share.

    settings.py         every key, base URL, default model and policy knob (env / .env)
    catalog.py          the LLM provider table: id → provider class (the vendor), key rule,
                        vision model; each row's Endpoint read from settings
    endpoint.py         what one provider needs; missing pieces → NotConfiguredError
    chat.py             our request / chunk types and the TextProvider protocol
    profile.py          ProviderProfile: prompt dialect, image policy, vision model, which
                        models take a temperature — read instead of switching on vendors
    vision_messages.py  chat messages carrying images (vendor-neutral parts)
    sdk_provider.py     what the SDK-backed providers share (endpoint, profile, lazy client)
    openai_compat/      mistral, glm, openrouter, huggingface, ollama, openai (AsyncOpenAI)
    claude/             claude (AsyncAnthropic)
                        each: provider.py (client, prepare, send), messages.py (our messages →
                        the vendor's request), adapter.py (vendor stream → ChatChunk),
                        errors.py (the vendor's one error boundary), profile.py (what its
                        models can do); the SDK itself is imported only when a provider first
                        sends, never at import time
    vendor_errors.py    the error map every boundary applies (drawn there)
    call.py             ChatCall: one prepared chat, its ProviderCall record, dry run or send
    streaming.py        one streamed completion under retries, timeout and concurrency slot
    resilience.py       retry policy, per-call timeout, per-provider concurrency limits
    llm.py              LlmProviders: the registry executors use (Services.llm)
    image_vendors/      huggingface, glm, fireworks text-to-image (and Florence-2), one folder
                        each, over httpx2 (see its docstring)
"""

"""Aptos: reading an account and building (or, when the server allows, submitting) entry-function
transactions, against a fullnode's REST API (APTOS_NODE_URL).

- `client.py`        the REST calls (httpx2), retries, capped replies
- `errors.py`        the one error boundary (HTTP and transport failures → our errors)
- `builder.py`       a transaction from JSON: ABI types, sequence number, chain id; submitting
- `transactions.py`  RawTransaction / EntryFunction in BCS, the signing message, signed form
- `arguments.py`     JSON arguments ⇄ BCS by Move type
- `move_types.py`    addresses and type tags
- `bcs.py`           the encoding itself
- `signer.py`        the server's Ed25519 account (APTOS_PRIVATE_KEY)
- `settings.py`      APTOS_NODE_URL, APTOS_PRIVATE_KEY, FLOWEXEC_APTOS_*

Why not the Aptos SDK (PyPI `aptos-sdk`): its current releases (0.12) need Python ≥ 3.12 (flowexec
supports 3.11); the last that installs here (0.11.0) pins httpx 0.28 (a second HTTP stack beside
httpx2), ecdsa ==0.19.1, and installs `behave` (a BDD test runner) and a GraphQL client as
runtime dependencies. What the nodes need of it — BCS for one transaction shape, type tags, an
Ed25519 signature, five REST calls — is about a thousand lines here (docstrings included), checked byte for byte against the
SDK's own validated corpus (raw and signed transaction) in tests/aptos.
"""

"""custom_script's calls: a node's inputs and parameters POSTed as JSON to an endpoint the
server allows, without letting a node reach the server's own network.

- `urls.py`       endpoint URLs: one parser, the allow-list test, what messages may show
- `addresses.py`  which IP addresses may be called; resolving a host once
- `client.py`     ScriptClient: the call (pinned address, manual redirects, time and size
                  limits) and its one error boundary
- `settings.py`   FLOWEXEC_CUSTOM_SCRIPT_*, checked at start-up into a ScriptPolicy
"""

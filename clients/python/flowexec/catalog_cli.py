"""`flowexec node-types` and `flowexec model-defaults`: the server's node-type catalogue and its
model defaults (ListNodeTypes, GetModelDefaults), as text or as JSON."""

from __future__ import annotations

import argparse
import sys

from google.protobuf import json_format

from flowexec.client import FlowClient
from flowexec.runs_cli import add_connection_options, call_server
from flowexec.v1 import catalog_pb2

# Options shown per setting in the one-line listing before "… N more".
SHOWN_OPTIONS = 6


def _model(ref: catalog_pb2.ModelRef) -> str:
    return f"{ref.provider_id} / {ref.model or '(its default model)'}"


def _field(field: catalog_pb2.NodeField, *, every_option: bool) -> str:
    traits = [field.type or "any"]
    if field.options:
        shown = list(field.options) if every_option else list(field.options[:SHOWN_OPTIONS])
        more = len(field.options) - len(shown)
        listed = ", ".join(shown) + (f", … {more} more" if more else "")
        traits.append(f"{'e.g. ' if field.options_open else 'one of '}{listed}")
    if field.HasField("minimum") or field.HasField("maximum"):
        low = f"{field.minimum:g}" if field.HasField("minimum") else ""
        high = f"{field.maximum:g}" if field.HasField("maximum") else ""
        traits.append(f"{low}…{high}")
    if field.required:
        traits.append("required")
    return f"{field.name} ({'; '.join(traits)})"


def _ports(ports: list[catalog_pb2.NodePort], is_open: bool) -> str:
    names = [f"{p.name}{'*' if p.required else ''}" for p in ports]
    if is_open:
        names.append("(any name)")
    return ", ".join(names) or "—"


def show_type(node_type: catalog_pb2.NodeType) -> None:
    print(f"{node_type.type}  [{node_type.family}] {node_type.display_name} (v{node_type.version}, {node_type.origin})")
    print(f"  {node_type.description}")
    for field in node_type.fields:
        print(f"  setting  {_field(field, every_option=True)}")
    print(f"  inputs   {_ports(list(node_type.inputs), node_type.inputs_open)}")
    print(f"  outputs  {_ports(list(node_type.outputs), node_type.outputs_open)}"
          + ("  (they follow its settings)" if node_type.ports_from_settings else ""))
    if node_type.calls_provider:
        default = _model(node_type.default_model) if node_type.HasField("default_model") else "the flow's provider"
        print(f"  model    {default}")
    cache = catalog_pb2.CacheDefault.Name(node_type.cache_default).removeprefix("CACHE_DEFAULT_").lower()
    print(f"  cache    {cache}")


def cmd_node_types(args: argparse.Namespace) -> int:
    async def body(client: FlowClient) -> int:
        response = await client.list_node_types(family=args.family or "")
        if args.types:
            wanted = set(args.types)
            unknown = wanted - {t.type for t in response.node_types}
            if unknown:
                print(f"error: no such node type: {', '.join(sorted(unknown))}", file=sys.stderr)
                return 1
            kept = [t for t in response.node_types if t.type in wanted]
            del response.node_types[:]
            response.node_types.extend(kept)
        if args.json:
            print(json_format.MessageToJson(response))
            return 0
        if args.types:
            for node_type in response.node_types:
                show_type(node_type)
            return 0
        for family in response.families:
            members = [t for t in response.node_types if t.family == family]
            if members:
                print(family)
            for node_type in members:
                print(f"  {node_type.type:<24} {node_type.display_name}"
                      + (f"  [{node_type.origin}]" if node_type.origin != "builtin" else ""))
        for plugin in response.plugins:
            where = f" ({plugin.distribution} {plugin.version})" if plugin.distribution else ""
            state = f"refused: {plugin.error}" if plugin.error else ", ".join(plugin.node_types)
            print(f"plugin {plugin.name}{where}: {state}")
        return 0
    return call_server(args, body)


def cmd_model_defaults(args: argparse.Namespace) -> int:
    async def body(client: FlowClient) -> int:
        response = await client.get_model_defaults(node_type=args.node_type or "", provider_id=args.provider or "")
        if args.json:
            print(json_format.MessageToJson(response))
            return 0
        for node in response.node_types:
            default = _model(node.default_model) if node.HasField("default_model") else "the flow's provider"
            print(f"{node.node_type:<24} {default}")
        for provider in response.providers:
            kind = catalog_pb2.ProviderKind.Name(provider.kind).removeprefix("PROVIDER_KIND_").lower()
            extras = [f"vision: {provider.vision_model}"] if provider.vision_model else []
            if kind == "image" and provider.provider_id == response.default_image_provider:
                extras.append("the default image vendor")
            print(f"{kind} provider {provider.provider_id:<12} {provider.default_model or '(a node must name one)'}"
                  + (f"  ({'; '.join(extras)})" if extras else ""))
        if not args.node_type and not args.provider:
            print(f"tasks (the server's mode: {response.default_execution_mode}):")
            for task in response.tasks:
                local = "  always local" if task.always_local else ""
                print(f"  task:{task.name:<16} eco {_model(task.eco)}   fast {_model(task.fast)}{local}")
        return 0
    return call_server(args, body)


def add_catalog_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    types = sub.add_parser("node-types", help="list the node types the server runs (its catalogue)")
    types.add_argument("types", nargs="*", metavar="TYPE", help="show these node types in full")
    types.add_argument("--family", help="only node types of this family (e.g. text, flow_control)")
    types.add_argument("--json", action="store_true", help="print the ListNodeTypes response as JSON")
    add_connection_options(types)
    types.set_defaults(func=cmd_node_types)

    defaults = sub.add_parser("model-defaults", help="show the default provider and model of node types and providers")
    defaults.add_argument("--node-type", help="only this node type")
    defaults.add_argument("--provider", help="only this provider")
    defaults.add_argument("--json", action="store_true", help="print the GetModelDefaults response as JSON")
    add_connection_options(defaults)
    defaults.set_defaults(func=cmd_model_defaults)

"""Aptos elements, against the fullnode at APTOS_NODE_URL (execution.aptos).

aptos_read — settings `query` and what it needs; the result is its `value` output:
    resources   every resource of `address` (a list of {type, data})
    resource    one resource of `address`: `resource_type` (`0x1::account::Account`)
    balance     `address`'s balance of `coin_type` (default APT), in its smallest unit, as a
                decimal string
    view        the return values (a list) of view function `function` with `type_arguments`
                and `arguments` (JSON, as the REST API takes them)
  `ledger_version` reads at that version. Inputs `address` and `arguments` override the settings.

aptos_build_transaction — an entry-function transaction, built for `sender` and returned
unsigned for a wallet: `raw_transaction_bcs` (hex), `signing_message` (hex: what an Ed25519 key
signs) and `transaction` (its JSON). Settings: `function`, `type_arguments`, `arguments`,
`argument_types` (else read from the module's ABI), `max_gas_amount` (100000),
`gas_unit_price` (100), `expiration_seconds` (600), `sequence_number` and `chain_id` (else the
node's). Inputs `sender`, `arguments`, `type_arguments` override the settings.
  With `submit: true` the server signs with its own key and submits — only when the server
  allows it (FLOWEXEC_APTOS_ALLOW_SUBMIT=true and APTOS_PRIVATE_KEY set; else the node ends
  NOT_CONFIGURED, saying which) — for its own account (a `sender` that is another account is
  INVALID_INPUT), then waits for the commit (`wait`, default true): outputs `hash`,
  `committed`, `success`, `vm_status`, `version` beside the rest.

In a dry run neither node calls the node: its output says what it would ask.
"""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any

from pydantic import Field, field_validator, model_validator

from execution.aptos.builder import TransactionSpec, build_transaction, submit_transaction
from execution.aptos.move_types import format_address, parse_address, parse_function, parse_type
from execution.context import NodeContext
from execution.errors import InvalidNodeInput
from execution.nodes.ports import NodePorts, PortSet, value_port
from execution.nodes.setting_types import ElementSettings, Options, WholeNumber, must
from execution.nodes.spec import NodeFamily, NodeSpec
from execution.nodes.value_inputs import value_output
from execution.outputs import NodeOutput

APT = "0x1::aptos_coin::AptosCoin"
QUERIES = ("resources", "resource", "balance", "view")
U64 = 2**64 - 1


def _address(value: str) -> str:
    if value:
        parse_address(value)
    return value


def _type(value: str) -> str:
    if value:
        parse_type(value)
    return value


def _types(values: list[str]) -> list[str]:
    for value in values:
        parse_type(value)
    return values


class AptosReadSettings(ElementSettings):
    # `must` refuses "" too; Options lists the queries in the catalogue.
    query: Annotated[str, must(lambda v: v in QUERIES, f"must be one of {', '.join(QUERIES)}"), Options(QUERIES)] = \
        "resources"
    """What to read: resources, resource, balance or view."""
    address: str = ""
    """The account read (resources, resource, balance); the input address overrides it."""
    resource_type: str = ""
    """The resource read by resource, e.g. 0x1::account::Account."""
    coin_type: str = APT
    """The coin whose balance is read (default APT)."""
    function: str = ""
    """The view function called by view: address::module::function."""
    type_arguments: list[str] = Field(default_factory=list)
    """The view function's type arguments."""
    arguments: list[Any] = Field(default_factory=list)
    """The view function's arguments, as JSON the REST API takes; the input arguments overrides them."""
    ledger_version: Annotated[int | None, WholeNumber(0, U64)] = None
    """Read at this ledger version (unset: the latest)."""

    _check_address = field_validator("address")(_address)
    _check_types = field_validator("resource_type", "coin_type")(_type)
    _check_type_arguments = field_validator("type_arguments")(_types)

    @field_validator("function")
    @classmethod
    def _check_function(cls, value: str) -> str:
        if value:
            parse_function(value)
        return value

    @model_validator(mode="after")
    def _needs(self) -> AptosReadSettings:
        if self.query == "resource" and not self.resource_type:
            raise ValueError("'resource_type' is required for query 'resource'")
        if self.query == "view" and not self.function:
            raise ValueError("'function' is required for query 'view'")
        return self


READ_PORTS = NodePorts(PortSet((value_port("address", description="the account read (overrides the setting)"),
                                 value_port("arguments", description="the view function's arguments (override the "
                                                                     "setting)"))),
                       PortSet((value_port("value", description="what the query read"),)))


def _input_address(ctx: NodeContext[Any], given: str, what: str) -> bytes:
    value = ctx.values.get(what, given)
    if not value:
        raise InvalidNodeInput(f"no {what}: set '{what}' or connect an input '{what}'")
    try:
        return parse_address(value)
    except ValueError as exc:
        raise InvalidNodeInput(f"{what}: {exc}") from None


def _input_list(ctx: NodeContext[Any], name: str, given: list[Any]) -> list[Any]:
    value = ctx.values.get(name, given)
    if not isinstance(value, list):
        raise InvalidNodeInput(f"input '{name}' must be a list, not {type(value).__name__}")
    return value


async def aptos_read(ctx: NodeContext[AptosReadSettings]) -> NodeOutput:
    settings, client = ctx.settings, ctx.services.aptos
    base = client.require_node()
    version = settings.ledger_version
    if settings.query == "view":
        arguments = _input_list(ctx, "arguments", settings.arguments)
        if ctx.dry_run:
            return _dry(f"POST {base}/view {settings.function}")
        value: Any = await client.view(settings.function, settings.type_arguments, arguments, version)
        return value_output({"value": value})
    address = _input_address(ctx, settings.address, "address")
    if ctx.dry_run:
        return _dry(f"GET {base}/accounts/{format_address(address)} {settings.query}")
    if settings.query == "resources":
        value = await client.resources(address, version)
    elif settings.query == "resource":
        value = await client.resource(address, settings.resource_type, version)
    else:
        value = await client.balance(address, settings.coin_type, version)
    return value_output({"value": value})


def _dry(request: str) -> NodeOutput:
    return dataclasses.replace(value_output({"value": {"dry_run": request}}), dry_run=True)


class AptosBuildSettings(ElementSettings):
    function: Annotated[str, must(lambda v: isinstance(v, str) and bool(v), "must name an entry function "
                                  "(address::module::function)")] = Field(default=None, validate_default=True)
    """The entry function called: address::module::function."""
    sender: str = ""
    """The account that will sign (the input sender overrides it)."""
    type_arguments: list[str] = Field(default_factory=list)
    """The function's type arguments."""
    arguments: list[Any] = Field(default_factory=list)
    """The function's arguments, as JSON (the input arguments overrides them)."""
    argument_types: list[str] | None = None
    """The arguments' Move types; unset: read from the module's ABI."""
    max_gas_amount: Annotated[int | None, WholeNumber(1, U64)] = None
    """Gas the transaction may use (default 100000)."""
    gas_unit_price: Annotated[int | None, WholeNumber(0, U64)] = None
    """Price of a gas unit, in octas (default 100)."""
    expiration_seconds: Annotated[int | None, WholeNumber(1, 10 * 365 * 24 * 3600)] = None
    """Seconds until the transaction expires (default 600)."""
    sequence_number: Annotated[int | None, WholeNumber(0, U64)] = None
    """The sender's sequence number; unset: read from the node."""
    chain_id: Annotated[int | None, WholeNumber(1, 255)] = None
    """The chain's id; unset: read from the node."""
    submit: bool = False
    """Sign with the server's key and submit (only where the server allows it, for its own account)."""
    wait: bool = True
    """After submitting, wait for the commit (default true)."""

    _check_sender = field_validator("sender")(_address)
    _check_type_arguments = field_validator("type_arguments")(_types)

    @field_validator("function")
    @classmethod
    def _check_function(cls, value: str) -> str:
        parse_function(value)
        return value

    @field_validator("argument_types")
    @classmethod
    def _check_argument_types(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else _types(value)


BUILD_OUTPUTS = {
    "raw_transaction_bcs": "the unsigned transaction, BCS as hex",
    "signing_message": "what the sender's Ed25519 key signs, as hex",
    "transaction": "the transaction as JSON",
    "hash": "submitted: the transaction's hash",
    "committed": "submitted: whether it was committed while the node waited",
    "success": "submitted: whether it succeeded",
    "vm_status": "submitted: the VM's status",
    "version": "submitted: the ledger version it was committed at",
}
BUILD_PORTS = NodePorts(
    PortSet((value_port("sender", description="the account that will sign (overrides the setting)"),
             value_port("arguments", description="the function's arguments (override the setting)"),
             value_port("type_arguments", description="the function's type arguments (override the setting)"))),
    PortSet(tuple(value_port(name, description=BUILD_OUTPUTS[name]) for name in BUILD_OUTPUTS)))


async def aptos_build_transaction(ctx: NodeContext[AptosBuildSettings]) -> NodeOutput:
    settings, client = ctx.settings, ctx.services.aptos
    base = client.require_node()
    account = client.submitting_account() if settings.submit else None
    if account is not None and not (ctx.values.get("sender") or settings.sender):
        sender = account.address
    else:
        sender = _input_address(ctx, settings.sender, "sender")
    if account is not None and sender != account.address:
        raise InvalidNodeInput(f"sender {format_address(sender)} is not the server's account "
                               f"{format_address(account.address)}, the only one it can submit for")
    defaults = TransactionSpec(settings.function)
    spec = TransactionSpec(
        function=settings.function,
        type_arguments=tuple(_strings(_input_list(ctx, "type_arguments", settings.type_arguments), "type_arguments")),
        arguments=tuple(_input_list(ctx, "arguments", settings.arguments)),
        argument_types=None if settings.argument_types is None else tuple(settings.argument_types),
        max_gas_amount=_or(settings.max_gas_amount, defaults.max_gas_amount),
        gas_unit_price=_or(settings.gas_unit_price, defaults.gas_unit_price),
        expiration_seconds=_or(settings.expiration_seconds, defaults.expiration_seconds),
        sequence_number=settings.sequence_number,
        chain_id=settings.chain_id,
    )
    if ctx.dry_run:
        return _dry(f"build {settings.function} for {format_address(sender)} at {base}"
                    + (" and submit it" if account is not None else ""))
    built = await build_transaction(client, sender, spec)
    values = built.values()
    if account is not None:
        values |= await submit_transaction(client, account, built, wait=settings.wait)
    return value_output(values)


def _or(value: int | None, default: int) -> int:
    return default if value is None else value


def _strings(values: list[Any], name: str) -> list[str]:
    if not all(isinstance(v, str) for v in values):
        raise InvalidNodeInput(f"'{name}' must be a list of Move types (strings)")
    return values


APTOS_READ = NodeSpec(
    "aptos_read", NodeFamily.BLOCKCHAIN, aptos_read, AptosReadSettings,
    display_name="Aptos Read",
    description="Reads an Aptos account (resources, one resource, a coin balance) or calls a view function.",
    inputs=READ_PORTS.inputs.ports, outputs=READ_PORTS.outputs.ports,
)
APTOS_BUILD_TRANSACTION = NodeSpec(
    "aptos_build_transaction", NodeFamily.BLOCKCHAIN, aptos_build_transaction, AptosBuildSettings,
    display_name="Aptos Build Transaction",
    description="Builds an entry-function transaction, unsigned (BCS hex and JSON) for a wallet to sign; "
                "submits it signed with the server's key only when the server allows it and the node asks.",
    inputs=BUILD_PORTS.inputs.ports, outputs=BUILD_PORTS.outputs.ports,
)

NODE_SPECS: tuple[NodeSpec[Any], ...] = (APTOS_READ, APTOS_BUILD_TRANSACTION)

"""What `/schema/openapi.json` says beyond the handlers' signatures: the problem-details shape of
every refusal, the status codes each `/api/v1` route can answer, the JSON bodies the handlers
read themselves, and how each route is authenticated."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, TypeAlias

import msgspec
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import OpenAPIMediaType, Operation, RequestBody
from litestar.params import PathParameter

from server.errors import InvalidInput

PROBLEM_JSON = "application/problem+json"

# Why each refusal happens, in the words an integrator reads in the API docs.
_WHY = {
    400: "The request is malformed: a parameter or the JSON body is missing, of the wrong type "
    "or out of bounds (`detail` names the field).",
    401: "No valid credential: send the team's API key as `Authorization: Bearer KEY` "
    "(the sync endpoint: a logged-in session).",
    403: "The credential is valid but may not do this (another team's resource, a cross-site "
    "request, an account no longer active).",
    404: "The resource (or the token's record) does not exist, or nothing matches.",
    409: "The resource changed state meanwhile (already used, already closed, a required report "
    "missing).",
    413: "The request body is larger than this route accepts.",
    422: "Well formed, but a rule of the domain refuses it (`detail` says which).",
    429: "Too many attempts: wait the `Retry-After` seconds.",
}

# Public routes (the service worker's token calls) need no credential: `{}` says so in
# OpenAPI, where an empty list would fall back to the document's API-key requirement.
NO_CREDENTIAL: list[dict[str, list[str]]] = [{}]
SESSION: list[dict[str, list[str]]] = [{"session": []}]


# A record's id in a path. A number past SQLite's 64 bits failed when bound to a query (a 500):
# outside these bounds the request is refused with a 400 before any query. The bound is
# JavaScript's largest exact integer, far beyond any id, and exact in the JSON schema.
RowId: TypeAlias = Annotated[int, PathParameter(ge=1, le=2**53 - 1)]


class Problem(msgspec.Struct, kw_only=True):
    """RFC 9457 problem details, as `server.error_handler.problem` writes them."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    code: str = ""


class TokenIn(msgspec.Struct, kw_only=True):
    """The body of the service worker's token calls (acknowledge, approve)."""

    token: str


def token_in(body: bytes, refusal: str) -> str:
    """The token of a TokenIn body, read by the handler itself (the call has no form and no
    CSRF token); anything else is refused with `refusal`, the route's own 400 message."""
    try:
        return msgspec.json.decode(body, type=dict[str, str])["token"]
    except (msgspec.DecodeError, msgspec.ValidationError, KeyError):
        raise InvalidInput(refusal) from None


class Outcome(msgspec.Struct, kw_only=True):
    """What a token call answers: the record it acted on, and that record's status now."""

    id: int
    status: str


def refusals(*statuses: int) -> dict[int, ResponseSpec]:
    """The `responses=` of a route handler: each status it can refuse with, as problem JSON."""
    return {
        status: ResponseSpec(
            data_container=Problem,
            description=_WHY[status],
            media_type=PROBLEM_JSON,
            generate_examples=False,
        )
        for status in statuses
    }


def success(status: int, shape: Any, description: str, media_type: str = "application/json"):
    """A success answer the handler's return type cannot tell (a `Response` it builds itself,
    plain text, or a second success status): `{status: ResponseSpec}` for `responses=`."""
    return {
        status: ResponseSpec(
            data_container=shape,
            description=description,
            media_type=media_type,
            generate_examples=False,
        )
    }


def json_body(shape: Any, description: str = "") -> type[Operation]:
    """An `operation_class` documenting the JSON body a handler decodes itself with msgspec
    (so it keeps its own messages and size limits): the schema is msgspec's own, inlined."""
    schema = _inline(msgspec.json.schema(shape))
    _mark_instants(schema, msgspec.inspect.type_info(shape))

    @dataclass
    class WithJsonBody(Operation):
        def __post_init__(self) -> None:
            self.request_body = RequestBody(
                content={"application/json": OpenAPIMediaType(schema=schema)},  # type: ignore[arg-type]
                description=description or None,
                required=True,
            )

    return WithJsonBody


def _inline(schema: dict) -> dict:
    """msgspec's `$defs` point at the root of its own document: in OpenAPI's they would dangle,
    so each reference is replaced by its definition (the bodies are not recursive)."""
    definitions = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if ref.startswith("#/$defs/"):
                return resolve(definitions[ref.removeprefix("#/$defs/")])
            return {key: resolve(value) for key, value in node.items()}
        if isinstance(node, list):
            return [resolve(item) for item in node]
        return node

    return resolve(schema)


def _mark_instants(node: dict, kind: msgspec.inspect.Type) -> None:
    """msgspec writes a datetime as a bare string: say which strings are instants
    (`format: date-time`), walking the schema beside the type it was made from."""
    inspect = msgspec.inspect
    if isinstance(kind, inspect.Metadata):
        _mark_instants(node, kind.type)
    elif isinstance(kind, inspect.DateTimeType):
        node["format"] = "date-time"
    elif isinstance(kind, inspect.StructType):
        properties = node.get("properties", {})
        for field in kind.fields:
            if field.encode_name in properties:
                _mark_instants(properties[field.encode_name], field.type)
    elif isinstance(kind, inspect.ListType | inspect.SetType | inspect.VarTupleType):
        _mark_instants(node.get("items", {}), kind.item_type)
    elif isinstance(kind, inspect.DictType) and isinstance(node.get("additionalProperties"), dict):
        _mark_instants(node["additionalProperties"], kind.value_type)
    elif isinstance(kind, inspect.UnionType):
        for option in node.get("anyOf", []):
            for member in kind.types:
                if _describes(option, member):
                    _mark_instants(option, member)


def _describes(option: dict, kind: msgspec.inspect.Type) -> bool:
    """Whether `option`, one schema of an `anyOf`, is the one msgspec wrote for `kind`."""
    if isinstance(kind, msgspec.inspect.Metadata):
        return _describes(option, kind.type)
    if isinstance(kind, msgspec.inspect.StructType):
        return option.get("title") == kind.cls.__name__
    return isinstance(kind, msgspec.inspect.DateTimeType) and option.get("type") == "string"

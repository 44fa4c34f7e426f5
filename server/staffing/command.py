"""`astreinte staffing-check FILE|-`: read a call volume and an objective as JSON, print the
Erlang C staffing on one JSON line (README "Needs analysis")."""

from __future__ import annotations

import io
import json
from typing import TextIO

import msgspec

from server.rest.command import (
    EXIT_FAILURE,
    EXIT_INVALID_INPUT,
    EXIT_OK,
    InvalidInput,
    describe_error,
    one_line,
    read_json,
)
from server.staffing.erlang import Demand, Staffing, staffing

_FIELDS = Demand.__struct_fields__


def staffing_check_main(source: str, stdin: TextIO, stdout: TextIO, stderr: TextIO) -> int:
    """Run `staffing-check` on `source` (a path, or "-" for stdin); return the exit status."""
    try:
        demand, ignored = read_demand(source, stdin)
    except InvalidInput as error:
        stderr.write(f"error: {one_line(str(error))}\n")
        return EXIT_INVALID_INPUT
    try:
        answer = staffing(demand)
    # The contract promises one line and never a traceback, even on a bug.
    except Exception as error:
        stderr.write(f"error: internal error in the staffing engine: {one_line(repr(error))}\n")
        return EXIT_FAILURE
    for name in ignored:
        stderr.write(f"warning: {one_line(name)} is not a known field; it is ignored\n")
    stdout.write(render_staffing(answer) + "\n")
    return EXIT_OK


def read_demand(source: str, stdin: TextIO) -> tuple[Demand, list[str]]:
    """The validated input and the fields it has beyond the contract's four (left out with a
    warning, as rest-check does: all four are required, so a misspelt one is reported missing,
    and a note beside them is harmless). InvalidInput names the field otherwise."""
    text = stdin.read() if source == "-" else None
    try:
        parsed = read_json(source, io.StringIO(text or ""))
    except InvalidInput as error:
        parsed = _with_infinities(source, text, error)
    if not isinstance(parsed, dict):
        raise InvalidInput(f"input must be a JSON object with the fields {', '.join(_FIELDS)}")
    ignored = [name for name in parsed if name not in _FIELDS]
    known = {name: value for name, value in parsed.items() if name in _FIELDS}
    for name in _FIELDS:
        # JSON true is no number, though Python counts it as 1.
        if isinstance(known.get(name), bool):
            raise InvalidInput(f"{name} must be a number, not {json.dumps(known[name])}")
    try:
        demand = msgspec.convert(known, Demand)
    except msgspec.ValidationError as error:
        message = str(error)
        # Demand's own checks start with the field's name; msgspec's are located by a path.
        if message.split(" ", 1)[0] in _FIELDS:
            raise InvalidInput(message) from None
        raise InvalidInput(describe_error(message)) from None
    return demand, ignored


def _with_infinities(source: str, text: str | None, error: InvalidInput) -> object:
    """A number too large for a float (1e999) makes msgspec refuse the whole document without
    saying where; Python's reader makes it infinity, which Demand then refuses by name."""
    if "out of range" not in str(error):
        raise error
    try:
        if text is None:
            with open(source, encoding="utf-8-sig") as file:
                text = file.read()
        return json.loads(text.removeprefix("\ufeff"))
    except (OSError, ValueError):
        raise error from None


def render_staffing(answer: Staffing) -> str:
    """One line, the keys in the contract's order, numbers as JSON numbers: agents a whole
    number, the rest decimals (5.0, 0.625), separated by ", " and ": " as the contract shows."""
    return json.dumps({name: getattr(answer, name) for name in answer.__struct_fields__})

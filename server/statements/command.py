"""`astreinte statement-check FILE|-`: read PAY.md's JSON input, print the month's statement."""

import re
from typing import TextIO
from zoneinfo import ZoneInfo

import msgspec

from server.models import Base
from server.rest.command import (
    EXIT_FAILURE,
    EXIT_INVALID_INPUT,
    EXIT_OK,
    InvalidInput,
    describe_error,
    one_line,
    read_instant,
    read_json,
)
from server.statements.models import (
    Count,
    Period,
    PeriodKind,
    Statement,
    StatementPolicy,
    parse_month,
)
from server.statements.rules import compute_statement

# msgspec's words for a value outside a Literal, e.g. "… - at `$.periods[2].kind`".
_BAD_CHOICE = re.compile(r"Invalid enum value (?P<given>.*) - at `\$\.(?P<path>.*)`", re.DOTALL)


class PeriodInput(Base, kw_only=True):
    """A period as written: timestamps stay text until the policy's zone is known."""

    kind: PeriodKind
    start: str
    end: str
    travel_minutes: Count = 0


class StatementInput(Base, kw_only=True):
    """PAY.md's input. Unknown keys are refused at every level (Base): a misspelt policy
    field, `travel_minutes` or `policy` itself must not silently pay 0."""

    month: str
    # null as if left out: PAY.md's defaults.
    policy: StatementPolicy | None = None
    periods: list[PeriodInput]


def statement_check_main(source: str, stdin: TextIO, stdout: TextIO, stderr: TextIO) -> int:
    """Run `statement-check` on `source` (a path, or "-" for stdin); return the exit status."""
    try:
        document = read_input(source, stdin)
        policy = document.policy or StatementPolicy()
        statement = compute_statement(policy, _periods(document.periods, policy), document.month)
    except InvalidInput as error:
        stderr.write(f"error: {one_line(str(error))}\n")
        return EXIT_INVALID_INPUT
    # The contract promises one line and never a traceback, even on an engine bug.
    except Exception as error:
        stderr.write(f"error: internal error in the statement engine: {one_line(repr(error))}\n")
        return EXIT_FAILURE
    stdout.write(render_statement(statement).decode() + "\n")
    return EXIT_OK


def read_input(source: str, stdin: TextIO) -> StatementInput:
    """Read and validate the document, raising InvalidInput with one line naming the field."""
    parsed = read_json(source, stdin)
    try:
        document = msgspec.convert(_whole_numbers(parsed), StatementInput)
        parse_month(document.month)
    except msgspec.ValidationError as error:
        raise InvalidInput(_explain(str(error))) from None
    except ValueError as error:  # the month, whose message starts with its name
        raise InvalidInput(str(error)) from None
    return document


def _explain(message: str) -> str:
    """One line naming the field; the two closed lists of PAY.md are spelt out."""
    if found := _BAD_CHOICE.fullmatch(message):
        path, given = found["path"], found["given"]
        if path.endswith(".kind"):
            return f"{path} must be oncall or intervention, not {given}"
        if path == "policy.holidays":
            return f'{path} must be "FR", "FR-alsace-moselle" or a list of dates, not {given}'
    return describe_error(message)


def _whole_numbers(value: object) -> object:
    """JSON has one kind of number: 100.0 is the whole number 100, while 1.5 (and true)
    stay what they are and are refused where a whole number is due."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _whole_numbers(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_whole_numbers(item) for item in value]
    return value


def _periods(given_periods: list[PeriodInput], policy: StatementPolicy) -> list[Period]:
    """The periods as instants; one without an offset is read in the policy's zone (fold=0)."""
    zone = ZoneInfo(policy.timezone)
    periods = []
    for index, given in enumerate(given_periods):
        where = f"periods[{index}]"
        start = read_instant(given.start, zone, f"{where}.start")
        end = read_instant(given.end, zone, f"{where}.end")
        try:
            periods.append(
                Period(kind=given.kind, start=start, end=end, travel_minutes=given.travel_minutes)
            )
        except ValueError as error:
            raise InvalidInput(f"{where}.{error}") from None
    return periods


def render_statement(statement: Statement) -> bytes:
    """The statement as PAY.md's JSON: keys sorted, lists in their order, indented."""
    return msgspec.json.format(msgspec.json.encode(statement, order="sorted"), indent=2)

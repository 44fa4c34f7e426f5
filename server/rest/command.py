"""`astreinte rest-check FILE`: read a JSON timeline, print the rest engine's JSON report."""

import re
from datetime import UTC, datetime, timedelta, tzinfo
from typing import TextIO

import msgspec

from server.models import Base
from server.rest.models import Kind, Period, RestPolicy, RestReport
from server.rest.rules import check_rest

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_INVALID_INPUT = 2

# RFC 3339 wants seconds; people writing timelines by hand often leave them out.
_NO_SECONDS = re.compile(r"(\d{4}-\d\d-\d\d[Tt ]\d\d:\d\d)([Zz]|[+-]\d\d:\d\d)?")
# msgspec reports where an error is as "… - at `$.periods[2].end`".
_LOCATED = re.compile(r"(?P<text>.*?)(?: - at `\$\.?(?P<path>.*)`)?", re.DOTALL)
_FIELD_ERROR = re.compile(
    r"Object (?P<what>missing required|contains unknown) field `(?P<f>.*)`", re.DOTALL
)
# Input text quoted in a message (a field name, a timestamp) may hold line breaks.
_LINE_BREAKING = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")
# Errors from the models' __post_init__ start with the field they are about.
_OWN_ERROR = re.compile(r"[a-z_]+ ")
# Timestamps outside these years are typos, and could overflow date arithmetic.
_YEARS = range(1900, 2200)


class PeriodInput(Base, kw_only=True):
    """A period as written: timestamps stay text until the policy's zone is known."""

    kind: Kind
    start: str
    end: str


class RestCheckInput(Base, kw_only=True):
    policy: RestPolicy | None = None
    periods: list[PeriodInput]


_DOCUMENT_FIELDS = frozenset(RestCheckInput.__struct_fields__)
_POLICY_FIELDS = frozenset(RestPolicy.__struct_fields__)
_PERIOD_FIELDS = frozenset(PeriodInput.__struct_fields__)


class InvalidInput(Exception):
    """Input the command refuses; the message is one line naming the field."""


def rest_check_main(source: str, stdin: TextIO, stdout: TextIO, stderr: TextIO) -> int:
    """Run `rest-check` on `source` (a path, or "-" for stdin); return the exit status."""
    try:
        policy, periods, ignored = read_timeline(source, stdin)
    except InvalidInput as error:
        stderr.write(f"error: {one_line(str(error))}\n")
        return EXIT_INVALID_INPUT
    try:
        report = check_rest(policy, periods)
    # The contract promises one line and never a traceback, even on an engine bug.
    except Exception as error:
        stderr.write(f"error: internal error in the rest engine: {one_line(repr(error))}\n")
        return EXIT_FAILURE
    for name in ignored:
        stderr.write(f"warning: {one_line(name)} is not a known field; it is ignored\n")
    stdout.write(render_report(report).decode() + "\n")
    return EXIT_OK


def read_json(source: str, stdin: TextIO) -> object:
    """The JSON document of a file, or of standard input for "-", as the check commands take
    it (rest-check, statement-check); InvalidInput with one line when it cannot be read."""
    try:
        if source == "-":
            raw = stdin.read()
        else:
            with open(source, "rb") as file:
                raw = file.read().decode()
    except OSError as error:
        raise InvalidInput(f"cannot read {source}: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise InvalidInput("input is not valid UTF-8") from None
    try:
        # Editors on Windows may start the file with a byte order mark.
        parsed = msgspec.json.decode(raw.removeprefix("\ufeff"))
    except msgspec.DecodeError as error:
        raise InvalidInput(f"input is not valid JSON: {error}") from None
    return parsed


def read_timeline(source: str, stdin: TextIO) -> tuple[RestPolicy, list[Period], list[str]]:
    """Read and validate the input document, raising InvalidInput; fields the contract does
    not name are left out, and their paths returned for a warning."""
    parsed = read_json(source, stdin)
    ignored = _leave_out_unknown_fields(parsed)
    try:
        document = msgspec.convert(parsed, RestCheckInput)
    except msgspec.ValidationError as error:
        raise InvalidInput(describe_error(str(error))) from None
    policy = document.policy or RestPolicy()
    periods = []
    for index, given in enumerate(document.periods):
        where = f"periods[{index}]"
        start = read_instant(given.start, policy.zone, f"{where}.start")
        end = read_instant(given.end, policy.zone, f"{where}.end")
        try:
            periods.append(Period(kind=given.kind, start=start, end=end))
        except ValueError as error:
            raise InvalidInput(f"{where}.{error}") from None
    return policy, periods, ignored


def _leave_out_unknown_fields(document: object) -> list[str]:
    """Remove, in place, the fields LAW.md's input does not name (a scenario's title, a
    period's note); return their paths. The contract refuses only what it lists, so such
    a field is no error, but a misspelt policy key must not pass unseen either."""
    if not isinstance(document, dict):
        return []
    found = _drop(document, _DOCUMENT_FIELDS, "")
    policy = document.get("policy")
    if isinstance(policy, dict):
        found += _drop(policy, _POLICY_FIELDS, "policy.")
        # A whole number of weeks written as a float (12.0) is that number.
        weeks = policy.get("avg_weeks")
        if isinstance(weeks, float) and weeks.is_integer():
            policy["avg_weeks"] = int(weeks)
    periods = document.get("periods")
    if isinstance(periods, list):
        for index, period in enumerate(periods):
            if isinstance(period, dict):
                found += _drop(period, _PERIOD_FIELDS, f"periods[{index}].")
    return found


def _drop(fields: dict, known: frozenset[str], prefix: str) -> list[str]:
    unknown = [name for name in fields if name not in known]
    for name in unknown:
        del fields[name]
    return [prefix + name for name in unknown]


def describe_error(message: str) -> str:
    """Turn a msgspec validation message into one line that starts with the field."""
    located = _LOCATED.fullmatch(message)
    assert located is not None  # the pattern matches any text
    text, path = located["text"], located["path"] or ""
    if field := _FIELD_ERROR.fullmatch(text):
        name = f"{path}.{field['f']}" if path else field["f"]
        problem = "is missing" if field["what"] == "missing required" else "is not a known field"
        return f"{name} {problem}"
    if path and _OWN_ERROR.match(text):
        return f"{path}.{text}"
    if path.endswith("kind") and text.startswith("Invalid enum value"):
        given = text.removeprefix("Invalid enum value ")
        return f"{path} must be one of work, oncall, intervention, not {given}"
    return f"{path or 'input'}: {text[:1].lower()}{text[1:]}"


def one_line(message: str) -> str:
    """The message on one line: line breaks and other separators written as escapes."""
    return _LINE_BREAKING.sub(lambda char: repr(char[0])[1:-1], message)


def read_instant(text: str, zone: tzinfo, field: str) -> datetime:
    """Parse an RFC 3339 timestamp; one without an offset is read in `zone`."""
    if short := _NO_SECONDS.fullmatch(text):
        text = f"{short[1]}:00{short[2] or ''}"
    try:
        moment = msgspec.convert(text, datetime)
    except msgspec.ValidationError:
        raise InvalidInput(f"{field} is not an RFC 3339 timestamp: {text!r}") from None
    if moment.year not in _YEARS:
        raise InvalidInput(f"{field} is out of range (years {_YEARS[0]}–{_YEARS[-1]})")
    if moment.tzinfo is None:
        # fold=0: a repeated local time (autumn) is its first occurrence, and a
        # skipped one (spring) is shifted forward by the jump, as calendars do.
        moment = moment.replace(tzinfo=zone)
    return moment


def _text(moment: datetime, *, round_up: bool = False) -> str:
    """An instant in its own zone, to the second; a deadline rounds up, never earlier."""
    if round_up and moment.microsecond:
        later = moment.astimezone(UTC) + timedelta(microseconds=1_000_000 - moment.microsecond)
        moment = later.astimezone(moment.tzinfo)
    return moment.isoformat(timespec="seconds")


def render_report(report: RestReport) -> bytes:
    """The report as LAW.md's JSON: sorted keys and lists, hours to 2 decimals."""
    returns = report.earliest_return
    document = {
        "earliest_return": _text(returns, round_up=True) if returns else None,
        "interruptions": [
            {"at": _text(i.at), "rest_due_until": _text(i.rest_due_until, round_up=True)}
            for i in report.interruptions
        ],
        # The engine already sorts both lists by `at` (then rule), and writes the
        # instants in the policy's zone.
        "violations": [msgspec.to_builtins(v) for v in report.violations],
        "work_hours": {day: round(hours, 2) for day, hours in report.work_hours.items()},
    }
    return msgspec.json.format(msgspec.json.encode(document, order="sorted"), indent=2)

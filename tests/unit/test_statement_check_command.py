"""`astreinte statement-check FILE|-` through the CLI: PAY.md's JSON in and out, one error line
naming the field and exit 2 on bad input."""

import io
import json
import sys

import pytest

from server.cli import main

# PAY.md's example: its input, with the policy it states for the example.
PAY_INPUT = """
{
  "month": "2026-12",
  "policy": {
    "oncall_cents_per_hour": {"weekday": 100, "saturday": 150, "sunday": 200, "holiday": 250},
    "oncall_night_cents_per_hour": 50,
    "hourly_wage_cents": 2000,
    "intervention_premium_percent": {"sunday": 50, "holiday": 100, "night": 25}
  },
  "periods": [
    {"kind": "oncall", "start": "2026-12-24T18:00:00+01:00", "end": "2026-12-26T08:00:00+01:00"},
    {"kind": "intervention", "start": "2026-12-25T02:00:00+01:00", "end": "2026-12-25T03:00:00+01:00", "travel_minutes": 30}
  ]
}
"""  # noqa: E501
# PAY.md's output, exactly as printed there.
PAY_OUTPUT = """
{
  "days": [
    {"date": "2026-12-24", "intervention_minutes": 0, "oncall_minutes": 360},
    {"date": "2026-12-25", "intervention_minutes": 90, "oncall_minutes": 1440},
    {"date": "2026-12-26", "intervention_minutes": 0, "oncall_minutes": 480}
  ],
  "intervention_count": 1,
  "intervention_minutes": {"holiday": 90, "night": 90, "saturday": 0, "sunday": 0, "total": 90, "weekday": 0},
  "intervention_pay_cents": 6750,
  "month": "2026-12",
  "oncall_minutes": {"holiday": 1440, "night": 1080, "saturday": 480, "sunday": 0, "total": 2280, "weekday": 360},
  "oncall_pay_cents": 8700,
  "oncall_rest_minutes": 0
}
"""  # noqa: E501


def run(capsys, monkeypatch, document: str | dict, *, path: str = "-") -> tuple[int, str, str]:
    text = document if isinstance(document, str) else json.dumps(document)
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))
    status = main(["statement-check", path])
    out, err = capsys.readouterr()
    return status, out, err


def keys_in_order(text: str) -> list[list[str]]:
    """The keys of every JSON object in `text`, in the order they are written."""
    found: list[list[str]] = []
    json.loads(text, object_pairs_hook=lambda pairs: found.append([k for k, _ in pairs]) or {})
    return found


def test_pay_example_from_standard_input_prints_pay_output(capsys, monkeypatch):
    status, out, err = run(capsys, monkeypatch, PAY_INPUT)

    assert (status, err) == (0, "")
    assert json.loads(out) == json.loads(PAY_OUTPUT)
    assert keys_in_order(out) == keys_in_order(PAY_OUTPUT)
    assert all(keys == sorted(keys) for keys in keys_in_order(out))


def test_pay_example_from_a_file(capsys, monkeypatch, tmp_path):
    source = tmp_path / "december.json"
    source.write_text(PAY_INPUT, encoding="utf-8")

    status, out, err = run(capsys, monkeypatch, "", path=str(source))

    assert (status, err) == (0, "")
    assert json.loads(out) == json.loads(PAY_OUTPUT)


def example(**changes) -> dict:
    document = json.loads(PAY_INPUT)
    document.update(changes)
    return document


def test_times_without_offset_are_read_in_the_policys_zone(capsys, monkeypatch):
    local = example()
    for period in local["periods"]:
        period["start"] = period["start"].removesuffix("+01:00")
        period["end"] = period["end"].removesuffix(":00+01:00")  # seconds left out too

    status, out, err = run(capsys, monkeypatch, local)

    assert (status, err) == (0, "")
    assert json.loads(out) == json.loads(PAY_OUTPUT)


def test_whole_numbers_written_with_a_decimal_point_are_those_numbers(capsys, monkeypatch):
    written = example()
    written["policy"]["hourly_wage_cents"] = 2000.0
    written["periods"][1]["travel_minutes"] = 30.0

    status, out, err = run(capsys, monkeypatch, written)

    assert (status, err) == (0, "")
    assert json.loads(out) == json.loads(PAY_OUTPUT)


def test_without_a_policy_every_rate_is_zero(capsys, monkeypatch):
    document = example()
    del document["policy"]

    status, out, err = run(capsys, monkeypatch, document)

    assert (status, err) == (0, "")
    printed = json.loads(out)
    assert printed["oncall_minutes"] == json.loads(PAY_OUTPUT)["oncall_minutes"]
    assert (printed["oncall_pay_cents"], printed["intervention_pay_cents"]) == (0, 0)


def with_policy(**fields) -> dict:
    document = example()
    document["policy"].update(fields)
    return document


def with_period(**fields) -> dict:
    document = example()
    document["periods"][1].update(fields)
    return document


REFUSED = [
    ("not JSON", '{"month": "2026-12",', "input is not valid JSON"),
    ("a month out of range", example(month="2026-13"), "month must be YYYY-MM"),
    ("a month with the day", example(month="2026-12-01"), "month must be YYYY-MM"),
    ("no month", {"periods": []}, "month is missing"),
    ("an unknown kind", with_period(kind="work"), "periods[1].kind must be oncall or interv"),
    ("end before start", with_period(end="2026-12-25T01:00:00+01:00"), "periods[1].end must be"),
    ("end at start", with_period(end="2026-12-25T02:00:00+01:00"), "periods[1].end must be"),
    ("not a timestamp", with_period(start="Christmas"), "periods[1].start is not an RFC 3339"),
    ("unknown zone", with_policy(timezone="Europe/Pariss"), "policy.timezone is not a known"),
    ("a negative rate", with_policy(hourly_wage_cents=-1), "policy.hourly_wage_cents"),
    ("a rate in decimals", with_policy(hourly_wage_cents=1.5), "policy.hourly_wage_cents"),
    ("a rate that is a boolean", with_policy(hourly_wage_cents=True), "policy.hourly_wage_cents"),
    ("a rate that is text", with_policy(oncall_night_cents_per_hour="50"), "policy.oncall_night"),
    (
        "a negative day rate",
        with_policy(oncall_cents_per_hour={"sunday": -200}),
        "policy.oncall_cents_per_hour.sunday",
    ),
    (
        "negative rest minutes",
        with_policy(oncall_rest_minutes_per_hour={"weekday": -1}),
        "policy.oncall_rest_minutes_per_hour.weekday",
    ),
    (
        "a percent in decimals",
        with_policy(intervention_premium_percent={"night": 12.5}),
        "policy.intervention_premium_percent.night",
    ),
    ("negative travel", with_period(travel_minutes=-10), "periods[1].travel_minutes"),
    ("travel in decimals", with_period(travel_minutes=7.5), "periods[1].travel_minutes"),
    ("a time not HH:MM", with_policy(night_start="9:00"), "policy.night_start must be a time"),
    ("24:00", with_policy(night_end="24:00"), "policy.night_end must be a time"),
    ("an unknown calendar", with_policy(holidays="DE"), "policy.holidays must be"),
    ("a bad date in the list", with_policy(holidays=["2026-02-30"]), "policy.holidays[0]"),
    (
        "a misspelt day in rates",
        with_policy(oncall_cents_per_hour={"sundy": 200}),
        "policy.oncall_cents_per_hour.sundy is not a known field",
    ),
    (
        "a misspelt night premium",
        with_policy(intervention_premium_percent={"nigth": 25}),
        "policy.intervention_premium_percent.nigth is not a known field",
    ),
    ("a misspelt policy field", with_policy(hourly_wage=2000), "policy.hourly_wage is not a kno"),
    ("a misspelt travel", with_period(travel=30), "periods[1].travel is not a known field"),
    ("a misspelt policy", {"month": "2026-12", "polcy": {}, "periods": []}, "polcy is not a kn"),
]


@pytest.mark.parametrize(
    ("document", "message"), [case[1:] for case in REFUSED], ids=[case[0] for case in REFUSED]
)
def test_bad_input_exits_2_with_one_line_naming_the_field(capsys, monkeypatch, document, message):
    status, out, err = run(capsys, monkeypatch, document)

    assert status == 2
    assert out == ""
    assert err.startswith("error: ") and err.endswith("\n") and err.count("\n") == 1
    assert message in err


def test_a_field_name_with_a_line_break_still_gives_one_line(capsys, monkeypatch):
    status, _, err = run(capsys, monkeypatch, with_policy(oncall_cents_per_hour={"sun\nday": 1}))

    assert status == 2
    assert err.count("\n") == 1 and "sun\\nday" in err


def test_a_missing_file_exits_2(capsys, monkeypatch, tmp_path):
    status, out, err = run(capsys, monkeypatch, "", path=str(tmp_path / "absent.json"))

    assert (status, out) == (2, "")
    assert err.startswith("error: cannot read ") and err.count("\n") == 1

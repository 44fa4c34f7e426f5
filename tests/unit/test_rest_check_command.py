"""The `astreinte rest-check` contract: JSON in, LAW.md's JSON out, one error line on bad input."""

import io
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.rest.command import rest_check_main

# LAW.md's example, input and output, exactly as printed there.
LAW_INPUT = """
{
  "policy": {
    "timezone": "Europe/Paris",
    "daily_rest_hours": 11,
    "weekly_rest_hours": 35,
    "max_daily_work_hours": 10,
    "max_weekly_work_hours": 48,
    "max_avg_weekly_work_hours": 44,
    "avg_weeks": 12
  },
  "periods": [
    {"kind": "work", "start": "2026-03-02T08:00:00+01:00", "end": "2026-03-02T18:00:00+01:00"},
    {"kind": "oncall", "start": "2026-03-02T18:00:00+01:00", "end": "2026-03-03T08:00:00+01:00"},
    {"kind": "intervention", "start": "2026-03-03T02:00:00+01:00", "end": "2026-03-03T03:30:00+01:00"},
    {"kind": "work", "start": "2026-03-03T08:00:00+01:00", "end": "2026-03-03T17:00:00+01:00"}
  ]
}
"""  # noqa: E501
LAW_OUTPUT = """
{
  "earliest_return": "2026-03-04T04:00:00+01:00",
  "interruptions": [
    {"at": "2026-03-03T02:00:00+01:00", "rest_due_until": "2026-03-03T14:30:00+01:00"}
  ],
  "violations": [
    {"at": "2026-03-03", "rule": "max_daily_work"},
    {"at": "2026-03-03T08:00:00+01:00", "rule": "daily_rest"}
  ],
  "work_hours": {"2026-03-02": 10.0, "2026-03-03": 10.5}
}
"""


def run(document: str | dict, source: str = "-") -> tuple[int, str, str]:
    text = document if isinstance(document, str) else json.dumps(document)
    stdout, stderr = io.StringIO(), io.StringIO()
    status = rest_check_main(source, io.StringIO(text), stdout, stderr)
    return status, stdout.getvalue(), stderr.getvalue()


def check(document: str | dict) -> dict:
    status, out, err = run(document)
    assert (status, err) == (0, "")
    return json.loads(out)


def keys_in_order(text: str) -> list[list[str]]:
    """The keys of every JSON object in `text`, in the order they are written."""
    found: list[list[str]] = []
    json.loads(text, object_pairs_hook=lambda pairs: found.append([k for k, _ in pairs]) or {})
    return found


def test_law_example_2_prints_law_output():
    status, out, err = run(LAW_INPUT)

    assert (status, err) == (0, "")
    assert out.endswith("}\n")
    printed, expected = json.loads(out), json.loads(LAW_OUTPUT)
    # Violations may carry more keys for people; LAW.md's tests compare rule and at.
    assert {"hours", "limit", "detail"} >= set().union(*printed["violations"]) - {"at", "rule"}
    printed["violations"] = [{"at": v["at"], "rule": v["rule"]} for v in printed["violations"]]
    assert printed == expected


def test_output_keys_and_lists_are_sorted():
    status, out, _ = run(LAW_INPUT)

    assert status == 0
    assert all(keys == sorted(keys) for keys in keys_in_order(out))
    violations = json.loads(out)["violations"]
    assert [(v["at"], v["rule"]) for v in violations] == sorted(
        (v["at"], v["rule"]) for v in violations
    )


def test_work_hours_are_floats_rounded_to_two_decimals():
    out = check(
        {
            "periods": [
                {"kind": "work", "start": "2026-03-02T08:00:00", "end": "2026-03-02T18:00:00"},
                {"kind": "work", "start": "2026-03-03T08:00:00", "end": "2026-03-03T08:20:00"},
            ]
        }
    )
    assert out["work_hours"] == {"2026-03-02": 10.0, "2026-03-03": 0.33}

    _, text, _ = run(
        {
            "periods": [
                {"kind": "work", "start": "2026-03-02T08:00:00Z", "end": "2026-03-02T18:00:00Z"}
            ]
        }
    )
    assert '"2026-03-02": 10.0' in text


def test_reads_a_file(tmp_path: Path):
    path = tmp_path / "timeline.json"
    path.write_text(LAW_INPUT, encoding="utf-8-sig")  # with a byte order mark, as Notepad does
    stdout, stderr = io.StringIO(), io.StringIO()

    status = rest_check_main(str(path), io.StringIO("not read"), stdout, stderr)

    assert (status, stderr.getvalue()) == (0, "")
    assert json.loads(stdout.getvalue())["earliest_return"] == "2026-03-04T04:00:00+01:00"


def test_policy_is_optional_and_defaults_to_paris():
    out = check(
        {
            "periods": [
                {"kind": "work", "start": "2026-07-01T09:00:00Z", "end": "2026-07-01T17:00:00Z"}
            ]
        }
    )

    assert out == {
        "earliest_return": "2026-07-01T19:00:00+02:00",
        "interruptions": [],
        "violations": [],
        "work_hours": {"2026-07-01": 8.0},
    }


def test_timestamps_without_offset_are_read_in_the_policy_zone():
    out = check(
        {
            "policy": {"timezone": "Asia/Tokyo"},
            "periods": [
                {"kind": "work", "start": "2026-03-02T20:00:00", "end": "2026-03-03T08:00:00"}
            ],
        }
    )

    assert out["work_hours"] == {"2026-03-02": 4.0, "2026-03-03": 8.0}
    assert out["earliest_return"] == "2026-03-03T08:00:00+09:00"


def test_instants_are_printed_in_the_policy_zone_whatever_the_input_offset():
    out = check(
        {
            "policy": {"timezone": "America/New_York"},
            "periods": [
                {
                    "kind": "work",
                    "start": "2026-03-02T14:00:00Z",
                    "end": "2026-03-02T23:00:00+01:00",
                }
            ],
        }
    )

    assert out["earliest_return"] == "2026-03-02T17:00:00-05:00"


@pytest.mark.parametrize(
    ("start", "end", "day", "hours", "returns"),
    [
        # 02:30 does not exist on 29 March: read as 03:30 summer time (the clocks' jump).
        (
            "2026-03-29T02:30:00",
            "2026-03-29T05:00:00",
            "2026-03-29",
            1.5,
            "2026-03-29T05:00:00+02:00",
        ),
        # 02:30 happens twice on 25 October: the first one, still summer time.
        (
            "2026-10-25T02:30:00",
            "2026-10-25T03:00:00",
            "2026-10-25",
            1.5,
            "2026-10-25T03:00:00+01:00",
        ),
        # Seconds left out, as people often write them.
        (
            "2026-03-02T08:00",
            "2026-03-02T09:30+01:00",
            "2026-03-02",
            1.5,
            "2026-03-02T09:30:00+01:00",
        ),
    ],
)
def test_local_times_across_daylight_saving_changes(start, end, day, hours, returns):
    out = check({"periods": [{"kind": "work", "start": start, "end": end}]})

    assert out["work_hours"] == {day: hours}
    assert out["earliest_return"] == returns


def test_empty_timeline_prints_null_earliest_return():
    assert check({"periods": []}) == {
        "earliest_return": None,
        "interruptions": [],
        "violations": [],
        "work_hours": {},
    }


def test_deadlines_with_fractions_of_a_second_round_up():
    out = check(
        {
            "periods": [
                {"kind": "work", "start": "2026-03-02T08:00:00Z", "end": "2026-03-02T17:00:00Z"},
                {"kind": "oncall", "start": "2026-03-02T17:00:00Z", "end": "2026-03-03T07:00:00Z"},
                {
                    "kind": "intervention",
                    "start": "2026-03-03T01:00:00.250Z",
                    "end": "2026-03-03T02:00:00.250Z",
                },
            ]
        }
    )

    assert out["interruptions"] == [
        {"at": "2026-03-03T02:00:00+01:00", "rest_due_until": "2026-03-03T14:00:01+01:00"}
    ]
    assert out["earliest_return"] == "2026-03-03T14:00:01+01:00"


def period(kind="work", start="2026-03-02T08:00:00+01:00", end="2026-03-02T17:00:00+01:00"):
    return {"kind": kind, "start": start, "end": end}


BAD_INPUTS = [
    ("not JSON", "input is not valid JSON"),
    ("", "input is not valid JSON"),
    ("[]", "input: expected `object`, got `array`"),
    ("{}", "periods is missing"),
    ({"periods": {}}, "periods: expected `array`, got `object`"),
    (
        {"periods": [period(kind="day off")]},
        "periods[0].kind must be one of work, oncall, intervention, not 'day off'",
    ),
    (
        {"periods": [period(), period(), period(end="2026-03-02T07:00:00+01:00")]},
        "periods[2].end must be after start",
    ),
    ({"periods": [period(end="2026-03-02T08:00:00+01:00")]}, "periods[0].end must be after start"),
    ({"periods": [{"kind": "work", "start": "2026-03-02T08:00:00Z"}]}, "periods[0].end is missing"),
    ({"periods": [period(start=1772438400)]}, "periods[0].start: expected `str`, got `int`"),
    ({"periods": [period(start="yesterday")]}, "periods[0].start is not an RFC 3339 timestamp"),
    ({"periods": [period(end="2026-02-30T08:00:00Z")]}, "periods[0].end is not an RFC 3339"),
    ({"periods": [period(start="0001-01-01T00:00:00+01:00")]}, "periods[0].start is out of range"),
    ({"policy": {"timezone": "Mars/Olympus"}, "periods": []}, "policy.timezone is not a known"),
    (
        {"policy": {"daily_rest_hours": -1}, "periods": []},
        "policy.daily_rest_hours must not be negative",
    ),
    (
        {"policy": {"max_weekly_work_hours": -48}, "periods": []},
        "policy.max_weekly_work_hours must",
    ),
    (
        {"policy": {"daily_rest_hours": 30}, "periods": []},
        "policy.daily_rest_hours must be at most 24",
    ),
    ({"policy": {"avg_weeks": 0}, "periods": []}, "policy.avg_weeks must be at least 1"),
    ({"policy": {"avg_weeks": 1.5}, "periods": []}, "policy.avg_weeks: expected `int`"),
    (
        {"policy": {"daily_rest_hours": "11"}, "periods": []},
        "policy.daily_rest_hours: expected `float`",
    ),
    ({"policy": [], "periods": []}, "policy: expected `object | null`, got `array`"),
]


@pytest.mark.parametrize(("document", "message"), BAD_INPUTS)
def test_bad_input_exits_2_with_one_line_naming_the_field(document, message):
    status, out, err = run(document)

    assert status == 2
    assert out == ""
    assert err.startswith(f"error: {message}")
    assert err.endswith("\n") and err.count("\n") == 1


def test_fields_the_contract_does_not_name_are_ignored_with_a_warning():
    plain = {"policy": {"avg_weeks": 12}, "periods": [period()]}
    labelled = {
        "title": "a normal day",
        "policy": {"avg_weeks": 12.0, "weekly_rest": 35},
        "periods": [{**period(), "note": "x"}],
    }

    status, out, err = run(labelled)

    assert status == 0
    assert out == run(plain)[1]
    assert err.splitlines() == [
        "warning: title is not a known field; it is ignored",
        "warning: policy.weekly_rest is not a known field; it is ignored",
        "warning: periods[0].note is not a known field; it is ignored",
    ]


def test_unreadable_file_exits_2(tmp_path: Path):
    stdout, stderr = io.StringIO(), io.StringIO()

    status = rest_check_main(str(tmp_path / "missing.json"), io.StringIO(), stdout, stderr)

    assert status == 2
    assert stdout.getvalue() == ""
    assert (
        stderr.getvalue()
        == f"error: cannot read {tmp_path / 'missing.json'}: No such file or directory\n"
    )


def test_file_that_is_not_utf8_exits_2(tmp_path: Path):
    path = tmp_path / "latin1.json"
    path.write_bytes(b'{"periods": [{"kind": "w\xe9rk"}]}')
    stdout, stderr = io.StringIO(), io.StringIO()

    status = rest_check_main(str(path), io.StringIO(), stdout, stderr)

    assert (status, stdout.getvalue()) == (2, "")
    assert stderr.getvalue().startswith("error: ") and stderr.getvalue().count("\n") == 1


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
TIMESTAMPS = st.sampled_from(
    ["2026-03-02T08:00:00+01:00", "2026-03-02T09:00:00", "2026-03-29T02:30", "x", "", "2026-03-02"]
)
NEAR_MISSES = st.fixed_dictionaries(
    {
        "periods": st.lists(
            st.fixed_dictionaries(
                {
                    "kind": st.sampled_from(["work", "oncall", "intervention", "Work"]),
                    "start": TIMESTAMPS,
                    "end": TIMESTAMPS,
                }
            ),
            max_size=3,
        )
    },
    optional={
        "policy": st.dictionaries(
            st.sampled_from(["timezone", "avg_weeks", "daily_rest_hours"]), JSON_VALUES, max_size=2
        )
    },
)


@settings(max_examples=200, deadline=None)
@given(st.one_of(JSON_VALUES, NEAR_MISSES))
def test_any_document_gets_a_report_or_one_error_line(document):
    status, out, err = run(document)

    if status == 0:
        assert all(line.startswith("warning: ") for line in err.splitlines())
        assert set(json.loads(out)) == {
            "earliest_return",
            "interruptions",
            "violations",
            "work_hours",
        }
    else:
        assert (status, out) == (2, "")
        assert err.startswith("error: ") and err.count("\n") == 1

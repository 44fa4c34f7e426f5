"""`astreinte staffing-check FILE|-` through the real CLI: the contract's public cases byte for
byte, one error line naming the field and exit 2 on bad input."""

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from server.cli import main

FIRST = {"calls_per_hour": 100, "handle_seconds": 180, "answer_within_seconds": 20,
         "service_level": 0.8}  # fmt: skip
FIRST_OUTPUT = (
    '{"agents": 8, "traffic_erlangs": 5.0, "wait_probability": 0.1673, "service_level": 0.8801, '
    '"average_answer_seconds": 10.0, "occupancy": 0.625}\n'
)
ASTREINTE = Path(sys.executable).parent / "astreinte"


def run(capsys, monkeypatch, document: str | dict, *, path: str = "-") -> tuple[int, str, str]:
    text = document if isinstance(document, str) else json.dumps(document)
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))
    status = main(["staffing-check", path])
    out, err = capsys.readouterr()
    return status, out, err


def test_the_installed_command_prints_the_first_public_case_byte_for_byte(tmp_path) -> None:
    source = tmp_path / "volume.json"
    source.write_text(json.dumps(FIRST))
    done = subprocess.run(
        [str(ASTREINTE), "staffing-check", str(source)], capture_output=True, text=True, check=False
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, FIRST_OUTPUT, "")


def test_standard_input_and_the_second_public_case(capsys, monkeypatch) -> None:
    status, out, err = run(capsys, monkeypatch, FIRST | {"calls_per_hour": 200})
    answer = json.loads(out)
    assert (status, err, answer["agents"], answer["service_level"]) == (0, "", 14, 0.8884)
    assert list(answer) == [
        "agents", "traffic_erlangs", "wait_probability", "service_level",
        "average_answer_seconds", "occupancy",
    ]  # fmt: skip
    assert out.count("\n") == 1


def test_a_thousand_calls_an_hour_works(capsys, monkeypatch) -> None:
    status, out, _ = run(capsys, monkeypatch, FIRST | {"calls_per_hour": 1000})
    assert status == 0 and json.loads(out)["agents"] == 56


def test_answering_at_once_is_allowed(capsys, monkeypatch) -> None:
    status, out, _ = run(capsys, monkeypatch, FIRST | {"answer_within_seconds": 0})
    assert status == 0 and json.loads(out)["service_level"] == 0.8327


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"calls_per_hour": 0}, "calls_per_hour"),
        ({"calls_per_hour": -3}, "calls_per_hour"),
        ({"handle_seconds": 0}, "handle_seconds"),
        ({"handle_seconds": -180}, "handle_seconds"),
        ({"answer_within_seconds": -1}, "answer_within_seconds"),
        ({"service_level": 0}, "service_level"),
        ({"service_level": 1}, "service_level"),
        ({"service_level": 80}, "service_level"),
        ({"service_level": "0.8"}, "service_level"),
        ({"calls_per_hour": True}, "calls_per_hour"),
        ({"calls_per_hour": None}, "calls_per_hour"),
        ({"calls_per_hour": 1e40}, "calls_per_hour"),
    ],
)
def test_bad_values_exit_2_with_one_line_naming_the_field(
    capsys, monkeypatch, change: dict, named: str
) -> None:
    status, out, err = run(capsys, monkeypatch, FIRST | change)
    assert (status, out) == (2, "")
    assert err.startswith(f"error: {named}") and err.count("\n") == 1


def test_a_missing_field_is_named(capsys, monkeypatch) -> None:
    document = {k: v for k, v in FIRST.items() if k != "handle_seconds"}
    status, _, err = run(capsys, monkeypatch, document)
    assert (status, err) == (2, "error: handle_seconds is missing\n")


@pytest.mark.parametrize("text", ["not json", "[100, 180]", '{"calls_per_hour": 100,'])
def test_not_a_json_object_exits_2(capsys, monkeypatch, text: str) -> None:
    status, out, err = run(capsys, monkeypatch, text)
    assert (status, out) == (2, "") and err.startswith("error: input") and err.count("\n") == 1


def test_an_unknown_field_is_ignored_with_a_warning(capsys, monkeypatch) -> None:
    status, out, err = run(capsys, monkeypatch, FIRST | {"note": "night desk"})
    assert (status, out) == (0, FIRST_OUTPUT)
    assert err == "warning: note is not a known field; it is ignored\n"


def test_a_missing_file_exits_2(capsys, tmp_path) -> None:
    status = main(["staffing-check", str(tmp_path / "nowhere.json")])
    assert status == 2 and "cannot read" in capsys.readouterr().err


def test_a_number_too_large_for_a_float_is_named(capsys, monkeypatch, tmp_path) -> None:
    text = json.dumps(FIRST).replace('"handle_seconds": 180', '"handle_seconds": 1e999')
    status, out, err = run(capsys, monkeypatch, text)
    assert (status, out, err) == (2, "", "error: handle_seconds must be a finite number\n")
    source = tmp_path / "big.json"
    source.write_text(text)
    assert main(["staffing-check", str(source)]) == 2
    assert capsys.readouterr().err == "error: handle_seconds must be a finite number\n"

"""A person's alert channels (Settings → How alerts reach me) are theirs to change, and every
change is in the audit log with the channels before and after."""

from __future__ import annotations

import json

from tests.conftest import Company


def rule_entries(database, user_id: int) -> list[dict]:
    return database.query(
        "SELECT * FROM audit_log WHERE action = 'notification_rules.set' AND entity_type = 'user' "
        "AND entity_id = ? ORDER BY id",
        (str(user_id),),
    )


def test_changing_one_s_channels_is_audited_with_before_and_after(
    company: Company, database, browsers
) -> None:
    sophie = browsers("staff.a@test.fr")
    me = company.staff_a.id
    assert rule_entries(database, me) == []

    saved = sophie.post_form("/settings/channels", {"push": "2"})
    assert saved.status_code == 303, saved.text
    (entry,) = rule_entries(database, me)
    assert (entry["actor"], entry["actor_user_id"]) == ("staff.a@test.fr", me)
    # Before: what applied without rules of her own (push at once, e-mail after 5 minutes).
    assert json.loads(entry["before"]) == {
        "rules": [
            {"channel": "push", "delay_minutes": 0},
            {"channel": "email", "delay_minutes": 5},
        ]
    }
    assert json.loads(entry["after"]) == {"rules": [{"channel": "push", "delay_minutes": 2}]}

    assert sophie.post_form("/settings/channels", {"push": "0"}).status_code == 303
    second = rule_entries(database, me)[-1]
    assert json.loads(second["before"]) == {"rules": [{"channel": "push", "delay_minutes": 2}]}
    assert json.loads(second["after"]) == {"rules": [{"channel": "push", "delay_minutes": 0}]}


def test_a_refused_change_leaves_neither_rules_nor_audit_entry(
    company: Company, database, browsers
) -> None:
    sophie = browsers("staff.a@test.fr")
    before = database.scalar("SELECT COUNT(*) FROM audit_log")
    refused = sophie.post_form("/settings/channels", {"push": ""})
    assert refused.status_code == 400
    assert "Gardez au moins un moyen de recevoir les alertes." in refused.text
    assert database.scalar("SELECT COUNT(*) FROM audit_log") == before
    assert database.query("SELECT * FROM notification_rules") == []

"""The demo company seeded on a first start outside production: two teams, nine people
(people.py), seeded by company.py, its schedule kept alive by schedule.py, its own SQL in
store.py."""

from server.demo.company import is_empty, seed_demo
from server.demo.people import DEMO_PASSWORD, IT_SUPPORT, MAINTENANCE, PEOPLE, logins_text
from server.demo.schedule import demo_team_ids, keep_demo_schedule

__all__ = [
    "DEMO_PASSWORD",
    "IT_SUPPORT",
    "MAINTENANCE",
    "PEOPLE",
    "demo_team_ids",
    "is_empty",
    "keep_demo_schedule",
    "logins_text",
    "seed_demo",
]

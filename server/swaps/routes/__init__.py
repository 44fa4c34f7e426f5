"""The swaps package's HTML controllers, by topic; HANDLERS is what the app registers (the
JSON approval from a notification is server/swaps/api.py)."""

from server.swaps.routes.requests import SwapsController
from server.swaps.routes.skills import ShiftHistoryController, SkillsController

HANDLERS = [SwapsController, ShiftHistoryController, SkillsController]

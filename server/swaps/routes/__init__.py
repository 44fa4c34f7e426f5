"""The swaps package's HTML controllers, by topic; HANDLERS is what the app registers (the
JSON approval from a notification is server/swaps/api.py). The qualifications a rotation
requires are set on the qualifications' pages (server/qualifications/routes.py)."""

from server.swaps.routes.history import ShiftHistoryController
from server.swaps.routes.requests import SwapsController

HANDLERS = [SwapsController, ShiftHistoryController]

"""The schedules package's HTML controllers, by topic; HANDLERS is what the app registers
(the JSON API is server/schedules/api.py)."""

from server.schedules.routes.changes import ShiftChangesController
from server.schedules.routes.feeds import CalendarFeedController, FeedsController
from server.schedules.routes.manage import ManageScheduleController
from server.schedules.routes.rotations import RotationsController
from server.schedules.routes.schedule import ScheduleController

HANDLERS = [
    ScheduleController,
    FeedsController,
    ManageScheduleController,
    ShiftChangesController,
    RotationsController,
    CalendarFeedController,
]

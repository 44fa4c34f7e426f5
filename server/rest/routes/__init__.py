"""The rest package's HTML controllers, by topic: a person's own rest (the Rest tab, working
hours and days off) and a manager's view of the team (state, violations, policy); HANDLERS is
what the app registers."""

from server.rest.routes.person import RestController
from server.rest.routes.team import RestTeamController

HANDLERS = [RestController, RestTeamController]

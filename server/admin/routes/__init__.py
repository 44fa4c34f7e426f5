"""The administration pages: the admin home, teams (/admin/teams) and people (/people, for
managers too). They sit above auth, accounts and teams, whose guards, services and stores they
call (a controller in accounts or teams could not take the login guard from auth, which reads
accounts)."""

from server.admin.routes.home import AdminHomeController
from server.admin.routes.people import PeopleController
from server.admin.routes.teams import TeamsAdminController

ROUTES = [AdminHomeController, PeopleController, TeamsAdminController]

__all__ = ["ROUTES", "AdminHomeController", "PeopleController", "TeamsAdminController"]

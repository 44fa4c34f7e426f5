"""What a call, an alert's page and the phone's offline list read of a client: small values,
shaped for each reader (the phone's list is kept short: 10,000 clients fit on a phone)."""

from __future__ import annotations

from datetime import datetime

import msgspec

from server.models import Value


class CallerSite(Value, kw_only=True):
    """The site an alert or an intervention names, as the team's members see it."""

    id: int
    name: str
    address: str
    # Members of the client's team only: never in notifications, exports or surveys.
    access_instructions: str = ""
    access_codes: str = ""


class ClientCard(Value, kw_only=True):
    """A client named on an alert: enough to say who calls and where to go."""

    id: int
    team_id: int
    name: str
    contact_name: str
    site: CallerSite | None = None


class ListedSite(Value, kw_only=True, omit_defaults=True):
    id: int
    name: str = ""
    address: str = ""
    lat: float | None = None
    lon: float | None = None
    instructions: str = ""
    # Only for the teams where the person is on call now (see codes_until).
    codes: str = ""


class ListedClient(Value, kw_only=True, omit_defaults=True):
    id: int
    team_id: int
    name: str
    contact: str = ""
    phones: list[str] = msgspec.field(default_factory=list)
    sites: list[ListedSite] = msgspec.field(default_factory=list)
    # "Do not ask me again": the form offers no survey QR code (sent only when true).
    no_surveys: bool = False


class ListedTeam(Value, kw_only=True):
    id: int
    # The end of the person's duty when the list carries this team's access codes: the phone
    # forgets them then, even without a network to ask again.
    codes_until: datetime | None = None


class PhoneList(Value, kw_only=True):
    """GET /api/v1/me/clients: the clients of the person's teams, for the form's offline
    search. `version` is the ETag: the phone asks again with If-None-Match."""

    version: str
    teams: tuple[ListedTeam, ...]
    clients: tuple[ListedClient, ...]

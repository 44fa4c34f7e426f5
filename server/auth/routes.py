"""Log in, log out (here or everywhere), and accept an invitation by setting a password."""

from __future__ import annotations

from datetime import timedelta

import anyio
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from server.accounts.models import MIN_PASSWORD, PasswordSet
from server.accounts.passwords import hash_password, password_problem, verify_password
from server.accounts.store import accept_invitation, invitation_user, user_row_by_email
from server.auth.actor import actor_of
from server.auth.guards import public, requires_login
from server.auth.identity import SESSION_COOKIE
from server.auth.rules import lock_seconds, safe_next
from server.auth.store import (
    clear_failures,
    create_session,
    end_all_sessions,
    end_session,
    failures,
    record_failure,
)
from server.deps import Config, Db, Now
from server.errors import InvalidInput
from server.i18n import gettext as _
from server.web import read_form


def client_address(request: Request, settings: Config) -> str:
    """The address the login limit counts. Behind the proxy, the RIGHTMOST X-Forwarded-For entry:
    nginx's `$proxy_add_x_forwarded_for` appends the address it saw to whatever the client sent,
    so every entry to its left is written by the client and proves nothing."""
    if settings.trust_proxy:
        forwarded = request.headers.get("x-forwarded-for", "")
        appended = forwarded.rsplit(",", 1)[-1].strip()
        if appended:
            return appended
    return request.client.host if request.client else "unknown"


def session_cookie_response(response: Response, token: str, settings: Config) -> Response:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_days * 86400,
        httponly=True,
        secure=settings.https,
        samesite="lax",
        path="/",
    )
    return response


def logged_out() -> Response:
    """Back to the login page, the browser's session cookie removed."""
    response = Redirect("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


class AuthController(Controller):
    include_in_schema = False

    @get("/login", guards=[public])
    async def login_page(self, request: Request, next: FromQuery[str] = "/") -> Response:
        if request.scope.get("user"):
            return Redirect(safe_next(next), status_code=303)
        return Template("login.html", context={"next": safe_next(next), "email": ""})

    @post("/login", guards=[public])
    async def login(self, request: Request, db: Db, clock: Now, settings: Config) -> Response:
        form = await request.form()
        email = str(form.get("email", "")).strip().lower()[:254]
        password = str(form.get("password", ""))
        target = safe_next(str(form.get("next", "/")))
        address = client_address(request, settings)
        now = clock.now()
        since = now - timedelta(minutes=settings.login_lock_minutes)
        by_account, by_address = failures(db, account=email, address=address, since=since)
        wait = lock_seconds(by_account, by_address, settings=settings, now=now)
        if wait:
            minutes = max(1, (wait + 59) // 60)
            message = _("Too many failed attempts. Try again in %(minutes)s min.", minutes=minutes)
            return Template(
                "login.html",
                context={"next": target, "email": email, "error": message},
                status_code=429,
                headers={"Retry-After": str(wait)},
            )
        row = user_row_by_email(db, email) if email else None
        stored = row["password_hash"] if row and row["active"] else None
        # argon2 costs tens of milliseconds: keep the event loop free while it runs.
        ok = await anyio.to_thread.run_sync(verify_password, stored, password)
        if not ok:
            record_failure(
                db,
                account=email,
                address=address,
                now=now,
                locked_seconds=lock_seconds(
                    [*by_account, now], [*by_address, now], settings=settings, now=now
                ),
            )
            return Template(
                "login.html",
                context={"next": target, "email": email, "error": _("Wrong email or password.")},
                status_code=400,
            )
        clear_failures(db, email)
        token = create_session(
            db,
            row["id"],
            now=now,
            days=settings.session_days,
            user_agent=request.headers.get("user-agent", ""),
            address=address,
        )
        return session_cookie_response(Redirect(target, status_code=303), token, settings)

    @post("/logout", guards=[requires_login])
    async def logout(self, request: Request, db: Db, clock: Now) -> Response:
        end_session(db, request.user.session_id, actor=actor_of(request), now=clock.now())
        return logged_out()

    @post("/logout/everywhere", guards=[requires_login])
    async def logout_everywhere(self, request: Request, db: Db, clock: Now) -> Response:
        end_all_sessions(db, request.user.id, actor=actor_of(request), now=clock.now())
        return logged_out()

    @get("/invite/{token:str}", guards=[public])
    async def invitation_page(self, token: FromPath[str], db: Db, clock: Now) -> Template:
        user = invitation_user(db, token, clock.now())
        return Template("invite.html", context={"invited": user, "token": token})

    @post("/invite/{token:str}", guards=[public])
    async def accept(
        self, request: Request, token: FromPath[str], db: Db, clock: Now, settings: Config
    ) -> Response:
        user = invitation_user(db, token, clock.now())
        try:
            form = await read_form(request, PasswordSet)
        except InvalidInput as error:
            return Template(
                "invite.html",
                context={"invited": user, "token": token, "error": error.message},
                status_code=400,
            )
        problem = password_problem(form.new_password, form.confirm_password)
        if problem:
            return Template(
                "invite.html",
                context={"invited": user, "token": token, "error": _(problem, min=MIN_PASSWORD)},
                status_code=400,
            )
        password_hash = await anyio.to_thread.run_sync(hash_password, form.new_password)
        accept_invitation(db, token, password_hash, now=clock.now())
        session = create_session(
            db,
            user.id,
            now=clock.now(),
            days=settings.session_days,
            user_agent=request.headers.get("user-agent", ""),
            address=client_address(request, settings),
        )
        return session_cookie_response(Redirect("/?welcome=1", status_code=303), session, settings)

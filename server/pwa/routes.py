"""Serve the web app manifest, the service worker (versioned) and the offline page."""

from __future__ import annotations

from litestar import Controller, Request, Response, get
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from server.auth.guards import public
from server.auth.identity import LANG_COOKIE
from server.auth.rules import safe_next
from server.i18n import LOCALES
from server.i18n import gettext as _
from server.web import SERVICE_WORKER_DIR

NO_CACHE = {"Cache-Control": "no-cache"}


class ShellController(Controller):
    include_in_schema = False
    guards = [public]

    @get("/manifest.webmanifest")
    async def manifest(self, request: Request) -> Response:
        version = request.app.state.asset_version
        icon = "/static/icons/icon-{size}.png?v=" + version
        body = {
            "id": "/",
            "name": "Astreinte",
            "short_name": "Astreinte",
            "description": _("On-call duty: shifts, alerts, interventions and rest."),
            "lang": "fr",
            "dir": "ltr",
            "start_url": "/?source=pwa",
            "scope": "/",
            "display": "standalone",
            "orientation": "portrait",
            "theme_color": "#0b3d91",
            "background_color": "#ffffff",
            "categories": ["business", "productivity"],
            "icons": [
                {
                    "src": icon.format(size=192),
                    "sizes": "192x192",
                    "type": "image/png",
                    "purpose": "any",
                },
                {
                    "src": icon.format(size=512),
                    "sizes": "512x512",
                    "type": "image/png",
                    "purpose": "any",
                },
                {
                    "src": "/static/icons/maskable-512.png?v=" + version,
                    "sizes": "512x512",
                    "type": "image/png",
                    "purpose": "maskable",
                },
            ],
        }
        return Response(content=body, media_type="application/manifest+json", headers=NO_CACHE)

    @get("/sw.js")
    async def service_worker(self, request: Request) -> Response:
        source = (SERVICE_WORKER_DIR / "sw.js").read_text(encoding="utf-8")
        source = source.replace("__ASTREINTE_VERSION__", request.app.state.asset_version)
        headers = {**NO_CACHE, "Service-Worker-Allowed": "/"}
        return Response(content=source, media_type="text/javascript", headers=headers)

    @get("/sw/{name:str}")
    async def service_worker_module(self, request: Request, name: FromPath[str]) -> Response:
        path = SERVICE_WORKER_DIR / name
        if not name.endswith(".js") or "/" in name or not path.is_file():
            return Response(content="", status_code=404, media_type="text/javascript")
        version = request.app.state.asset_version
        source = path.read_text(encoding="utf-8").replace("__ASTREINTE_VERSION__", version)
        # Imported with ?v=<version>: that URL's content never changes, so update checks can
        # use the HTTP cache instead of downloading the modules again.
        versioned = request.query_params.get("v") == version
        headers = (
            {"Cache-Control": "public, max-age=31536000, immutable"} if versioned else NO_CACHE
        )
        return Response(content=source, media_type="text/javascript", headers=headers)

    @get("/offline")
    async def offline(self) -> Template:
        return Template("offline.html", context={"area": None})

    @get("/lang/{code:str}")
    async def language(self, code: FromPath[str], next: FromQuery[str] = "/") -> Response:
        response = Redirect(safe_next(next) if next != "/login" else "/login", status_code=303)
        if code in LOCALES:
            response.set_cookie(
                LANG_COOKIE, code, max_age=365 * 86400, samesite="lax", httponly=True
            )
        return response

    @get("/healthz")
    async def health(self, request: Request) -> dict:
        request.app.state.database.ping()
        return {"status": "ok", "version": request.app.state.asset_version}

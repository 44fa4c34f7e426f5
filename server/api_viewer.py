"""The API viewer at /schema: Swagger UI served from this server and asking nothing of any other.

A self-hosted install may have no way out to the internet, and its admins should not see their
API docs tell a CDN who reads them: Litestar's viewer takes its favicon (a Litestar badge) from
jsDelivr, and Swagger UI may send the document to validator.swagger.io for a badge. Here the
icon is our own and the validator is off."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.openapi.plugins import SwaggerRenderPlugin

ASSETS = "/schema/assets"
FAVICON = "<link rel='icon' type='image/png' href='/static/icons/icon-56.png'>"
# Swagger UI's option anchored on one it always writes; the page fails loudly if it moves.
_ANCHOR = b"deepLinking: true,"


class ApiViewer(SwaggerRenderPlugin):
    def __init__(self) -> None:
        super().__init__(
            js_url=f"{ASSETS}/swagger-ui-bundle.js",
            css_url=f"{ASSETS}/swagger-ui.css",
            standalone_preset_js_url=f"{ASSETS}/swagger-ui-standalone-preset.js",
            favicon=FAVICON,
        )

    def render(self, request: Request, openapi_schema: dict[str, Any]) -> bytes:
        page = super().render(request, openapi_schema)
        if _ANCHOR not in page:
            raise RuntimeError("Swagger UI's page changed: validatorUrl could not be set")
        return page.replace(_ANCHOR, b"validatorUrl: null,\n                  " + _ANCHOR, 1)

"""`python -m bench.survey_sinks GATEWAY_PORT SMTP_PORT`: the SMS gateway (the webhook) and an
SMTP server for bench/surveys.py, in a process of their own so that receiving a thousand
surveys takes nothing from the benchmark's process (which times the alerts' pushes). GET
/stats answers the wall-clock times each survey came at."""

from __future__ import annotations

import asyncio
import sys
import time

from aiohttp import web
from aiosmtpd.controller import Controller

# A real SMS gateway takes a moment to answer; the SMTP server answers at once.
GATEWAY_DELAY_S = 0.1


class Sinks:
    def __init__(self) -> None:
        self.sms: list[float] = []
        self.mails: list[float] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # aiosmtpd's handler
        self.mails.append(time.time())
        return "250 Message accepted"

    async def sms_in(self, request: web.Request) -> web.Response:
        body = await request.json()
        await asyncio.sleep(GATEWAY_DELAY_S)
        if str(body.get("kind", "")).startswith("survey"):
            self.sms.append(time.time())
        return web.Response(status=200)

    async def stats(self, request: web.Request) -> web.Response:
        return web.json_response({"sms": self.sms, "mails": self.mails})

    async def clear(self, request: web.Request) -> web.Response:
        self.sms.clear()
        self.mails.clear()
        return web.json_response({})


def main() -> None:
    gateway_port, smtp_port = int(sys.argv[1]), int(sys.argv[2])
    sinks = Sinks()
    smtp = Controller(sinks, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    app = web.Application()
    app.router.add_post("/sms", sinks.sms_in)
    app.router.add_get("/stats", sinks.stats)
    app.router.add_post("/clear", sinks.clear)
    app.router.add_get("/healthz", lambda request: web.Response(text="ok"))
    try:
        web.run_app(app, host="127.0.0.1", port=gateway_port, print=None, access_log=None)
    finally:
        smtp.stop()


if __name__ == "__main__":
    main()

"""create_app(settings) -> Litestar: wiring only (routes, dependencies, middleware, lifespan)."""

from __future__ import annotations

from typing import Any

from litestar import Litestar
from litestar.config.compression import CompressionConfig
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import CacheControlHeader, State
from litestar.di import NamedDependency, Provide
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme
from litestar.static_files import create_static_files_router
from litestar_htmx import HTMXPlugin

from server.admin.routes import AdminHomeController, PeopleController, TeamsAdminController
from server.alerts.api import AlertsApiController, PushAckController
from server.alerts.notices import register_notices as register_alert_notices
from server.alerts.routes import AlertsController, EscalationController
from server.api_viewer import ApiViewer
from server.apikeys.api import WhoAmIController
from server.apikeys.routes import ApiKeysAdminController
from server.apikeys.store import KeyCache
from server.auth.middleware import IdentifyMiddleware
from server.auth.routes import AuthController
from server.auth.store import SessionCache
from server.badges import register_badge
from server.checkpoint import Checkpointer
from server.clients.api import PhoneClientsController
from server.clients.routes import ClientsController, TeamClientsController
from server.clock import Clock, SystemClock
from server.db import Database, open_database
from server.engine import Engine
from server.error_handler import handle_exception
from server.interventions.api import SyncController
from server.interventions.routes import InterventionsController
from server.metrics.api import MetricsApiController
from server.metrics.routes import FiguresController
from server.notifications.dispatch import Dispatcher
from server.notifications.routes import NotificationsController
from server.notifications.store import unread_count
from server.page_cache import ViewCache
from server.pages.routes import PagesController, SettingsController
from server.procedures.notices import register_notices as register_procedure_notices
from server.procedures.offline_routes import (
    OfflineProceduresController,
    register_offline_procedures,
)
from server.procedures.routes import ProceduresController, TeamProceduresController
from server.push.routes import PushApiController, PushController
from server.push.sender import PushSender
from server.push.vapid import VapidKeys
from server.pwa.routes import ShellController
from server.qualifications.reminders import register_notices as register_qualification_notices
from server.qualifications.routes import HANDLERS as QUALIFICATION_HANDLERS
from server.quality.hooks import register_quality
from server.quality.routes import QualityQueueController, ReviewController
from server.rest.routes import HANDLERS as REST_HANDLERS
from server.reviews.routes import ReviewActionsController, ReviewsController
from server.schedules.api import OnCallApiController
from server.schedules.oncall_cache import OnCallCache
from server.schedules.routes import HANDLERS as SCHEDULE_HANDLERS
from server.security import SecurityHeadersMiddleware
from server.settings import Settings, check_production
from server.staffing.routes import NeedsController
from server.statements.api import StatementDownloadsController, StatementsApiController
from server.statements.notices import register_notices as register_statement_notices
from server.statements.routes import (
    StatementsController,
    TeamStatementsController,
    WageController,
)
from server.surveys.notices import register_notices as register_survey_notices
from server.surveys.qr_routes import QrAnswerController, QrPoolController, register_qr_binding
from server.surveys.results_routes import OwnSatisfactionController, TeamSatisfactionController
from server.surveys.routes import SurveyPageController
from server.swaps.api import SwapApiController
from server.swaps.push import register_notices as register_swap_notices
from server.swaps.routes import HANDLERS as SWAP_HANDLERS
from server.training.routes import TeamTrainingController, TrainingController
from server.web import STATIC_DIR, SWAGGER_DIR, VENDOR_DIRS, asset_version, template_config

CONTROLLERS = [
    AuthController,
    PagesController,
    *REST_HANDLERS,
    SettingsController,
    PeopleController,
    TeamsAdminController,
    AdminHomeController,
    ApiKeysAdminController,
    WhoAmIController,
    ShellController,
    *SCHEDULE_HANDLERS,
    OnCallApiController,
    NotificationsController,
    PushController,
    PushApiController,
    PushAckController,
    AlertsApiController,
    AlertsController,
    EscalationController,
    SyncController,
    PhoneClientsController,
    OfflineProceduresController,
    InterventionsController,
    *SWAP_HANDLERS,
    *QUALIFICATION_HANDLERS,
    SwapApiController,
    StatementsApiController,
    StatementDownloadsController,
    StatementsController,
    TeamStatementsController,
    WageController,
    FiguresController,
    MetricsApiController,
    ReviewsController,
    ReviewActionsController,
    NeedsController,
    SurveyPageController,
    QualityQueueController,
    ReviewController,
    TeamClientsController,
    ClientsController,
    TeamProceduresController,
    ProceduresController,
    QrPoolController,
    QrAnswerController,
    TeamSatisfactionController,
    OwnSatisfactionController,
    TeamTrainingController,
    TrainingController,
]


def register_domains() -> None:
    """Each domain tells the layers below it what they show of it: how its notifications read
    and what they carry (server/notifications/kinds.py), its navigation counts
    (server/badges.py). Whoever builds a Dispatcher without create_app calls this too."""
    register_alert_notices()
    register_swap_notices()
    register_statement_notices()
    register_survey_notices()
    register_procedure_notices()
    register_qualification_notices()
    register_quality()
    register_qr_binding()
    register_offline_procedures()
    register_badge(
        "unread_notifications", lambda database, user, now: unread_count(database, user.id)
    )


def create_app(
    settings: Settings, *, clock: Clock | None = None, database: Database | None = None
) -> Litestar:
    check_production(settings)
    database = database or open_database(settings.database_path)
    clock = clock or SystemClock()
    version = asset_version(settings.release)
    vapid = VapidKeys(settings.data_path)
    register_domains()
    dispatcher = Dispatcher(database, settings, PushSender(vapid, settings.vapid_contact))
    engine = Engine(database, clock, dispatcher, settings.engine_interval)
    state = State(
        {
            "settings": settings,
            "database": database,
            "clock": clock,
            "asset_version": version,
            "engine": engine,
            "vapid": vapid,
            "sessions": SessionCache(database),
            "api_keys": KeyCache(database),
            "on_call": OnCallCache(),
            "views": ViewCache(),
        }
    )

    checkpointer = Checkpointer(database)

    async def start_engine() -> None:
        checkpointer.start()
        if settings.engine_interval > 0:
            engine.start()

    async def stop_engine() -> None:
        await engine.stop()
        checkpointer.stop()

    # Asset URLs carry the version (?v=…), so a browser may keep them for a year.
    immutable = CacheControlHeader(max_age=31536000, public=True, immutable=True)
    static = create_static_files_router(
        path="/static",
        directories=[STATIC_DIR],
        include_in_schema=False,
        cache_control=immutable,
        name="static",
    )
    vendor = create_static_files_router(
        path="/static/vendor",
        directories=[VENDOR_DIRS["htmx.min.js"].parent],
        include_in_schema=False,
        cache_control=immutable,
        name="vendor",
    )
    api_viewer = create_static_files_router(
        path="/schema/assets",
        directories=[SWAGGER_DIR],
        include_in_schema=False,
        name="api-viewer",
    )
    return Litestar(
        route_handlers=[*CONTROLLERS, vendor, api_viewer, static],
        state=state,
        dependencies={
            # Chained on purpose: Litestar resolves sibling dependencies in a task group per
            # request, a large share of a page's cost; one after the other they are free.
            "db": Provide(lambda: database, sync_to_thread=False),
            "clock": Provide(_after_db(clock), sync_to_thread=False),
            "settings": Provide(_after_clock(settings), sync_to_thread=False),
        },
        middleware=[
            DefineMiddleware(SecurityHeadersMiddleware, https=settings.https),
            IdentifyMiddleware,
        ],
        csrf_config=CSRFConfig(
            secret=settings.secret_key,
            cookie_secure=settings.https,
            exclude=["/api/"],
            cookie_name="astreinte_csrf",
            header_name="x-csrftoken",
        ),
        compression_config=CompressionConfig(
            backend="gzip", minimum_size=512, gzip_compress_level=6
        ),
        template_config=template_config(version),
        plugins=[HTMXPlugin()],
        exception_handlers={Exception: handle_exception},
        request_max_body_size=settings.max_body_bytes,
        openapi_config=OpenAPIConfig(
            title="Astreinte API",
            version="1",
            path="/schema",
            render_plugins=[ApiViewer()],
            components=Components(
                security_schemes={
                    "apiKey": SecurityScheme(type="http", scheme="bearer"),
                    # The sync endpoint is the phone's own, with the person's session cookie.
                    "session": SecurityScheme(
                        type="apiKey", name="astreinte_session", security_scheme_in="cookie"
                    ),
                }
            ),
            security=[{"apiKey": []}],
        ),
        on_startup=[start_engine],
        on_shutdown=[stop_engine],
        debug=False,
    )


def _after_db(clock: Clock):
    def provide_clock(db: NamedDependency[Any]) -> Clock:
        return clock

    return provide_clock


def _after_clock(settings: Settings):
    def provide_settings(clock: NamedDependency[Any]) -> Settings:
        return settings

    return provide_settings

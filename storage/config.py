"""Configuration: a TOML file validated by pydantic-settings, with environment overrides.

Precedence: environment (`GRIDBOT_WECHAT__MP__APP_SECRET`) over the file over defaults. The file
is `--config F`, else `$GRIDBOT_CONFIG`, else `./config.toml` when it exists.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from storage.sla import parse_duration


class Section(BaseModel):
    """A config section: unknown keys are refused (a typo must not pass silently)."""

    model_config = ConfigDict(extra="forbid")


def _duration(v: str) -> str:
    parse_duration(v)
    return v.strip()


class ServerConfig(Section):
    host: str = "0.0.0.0"
    port: int = Field(8080, ge=0, le=65535)  # 0: any free port
    reply_budget_seconds: float = Field(4.0, gt=0, le=4.8)
    timestamp_window_seconds: int = Field(300, ge=10)
    max_body_bytes: int = Field(64 * 1024, ge=1024)
    messages_per_minute: int = Field(20, ge=1)  # flood limit per resident: more wait
    # staff working a backlog (接单 twenty tickets in a row) are slowed only above this
    staff_messages_per_minute: int = Field(120, ge=1)
    # where the flood counters live: per process, or in Redis shared by all workers
    flood_store: Literal["memory", "redis"] = "memory"
    redis_url: str = "redis://127.0.0.1:6379/0"
    # a message being processed is taken over by the recovery sweep (or a WeChat retry) once
    # this passes without its commit: the worker processing it died
    inbound_lease_seconds: float = Field(30.0, ge=5)


class DatabaseConfig(Section):
    url: str = "sqlite+aiosqlite:///gridbot.db"
    # SQLite's writer: "inline" runs a burst's statements on the loop's thread and only the
    # commit on a thread, the hot path's writes on sqlite3 directly (storage.fast); "thread"
    # runs every statement on aiosqlite's thread, a hop each. Measured in the README.
    sqlite_writer: Literal["thread", "inline"] = "inline"
    # PostgreSQL's group commit (storage.pg_group): a worker's concurrent units share a
    # transaction, this many bursts in flight at once; 0: a transaction per unit, as before
    pg_lanes: int = Field(2, ge=0, le=8)


class MpConfig(Section):
    app_id: str = ""
    app_secret: str = ""
    token: str = ""
    encoding_aes_key: str = ""
    mode: Literal["plain", "compatible", "safe"] = "safe"
    api_base_url: str = "https://api.weixin.qq.com"
    template_id: str = ""  # template for notices once the 48 h window is closed (optional)

    @model_validator(mode="after")
    def _aes_key(self) -> MpConfig:
        if self.mode != "plain" and self.encoding_aes_key and len(self.encoding_aes_key) != 43:
            raise ValueError("encoding_aes_key must be 43 characters (mode compatible/safe)")
        return self


class WorkConfig(Section):
    corp_id: str = ""
    agent_id: int = 0
    secret: str = ""
    token: str = ""
    encoding_aes_key: str = ""
    api_base_url: str = "https://qyapi.weixin.qq.com"
    max_per_minute: int = Field(20, ge=1, le=30)  # WeCom drops more than 30/min per member

    @field_validator("encoding_aes_key")
    @classmethod
    def _key_len(cls, v: str) -> str:
        if v and len(v) != 43:
            raise ValueError("encoding_aes_key must be 43 characters")
        return v


class WechatConfig(Section):
    mp: MpConfig = MpConfig()
    work: WorkConfig = WorkConfig()


class AdminConfig(Section):
    token: str = ""


class ConsoleConfig(Section):
    """The command centre's web console (/console/)."""

    # signs session cookies; empty: a random key per process (sessions end at restart and do
    # not carry across workers), so set it in production (GRIDBOT_CONSOLE__SECRET)
    secret: str = ""
    idle_minutes: int = Field(30, ge=1)  # a session unused this long signs out
    session_hours: int = Field(12, ge=1)  # and any session ends after this
    secure_cookie: Literal["auto", "always", "never"] = "auto"  # auto: when served over HTTPS
    # reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (IPs or CIDRs)
    trusted_proxies: list[str] = Field(default_factory=list)
    login_failures_per_user: int = Field(5, ge=1)  # within login_window_minutes
    login_failures_per_address: int = Field(20, ge=1)
    login_window_minutes: int = Field(15, ge=1)
    poll_seconds: int = Field(10, ge=2)  # open pages ask for new urgent tickets this often
    page_size: int = Field(50, ge=10, le=500)
    wecom_login: bool = False  # 企业微信网页授权 for people in the district file
    wecom_authorize_url: str = "https://open.weixin.qq.com/connect/oauth2/authorize"


class SlaLevel(Section):
    respond: str
    resolve: str
    _v = field_validator("respond", "resolve")(_duration)


def _default_sla() -> dict[str, SlaLevel]:
    return {
        "urgent": SlaLevel(respond="30m", resolve="24h"),
        "high": SlaLevel(respond="4h", resolve="2d"),
        "normal": SlaLevel(respond="1d", resolve="10d"),
    }


class CategoryConfig(Section):
    slot: str = "officer"  # officer | police | property: who in the grid gets it
    respond: str | None = None  # override of the normal-urgency deadlines
    resolve: str | None = None
    _v = field_validator("respond", "resolve")(lambda v: None if v is None else _duration(v))


def _default_categories() -> dict[str, CategoryConfig]:
    return {"public_order": CategoryConfig(slot="police"),
            "property": CategoryConfig(slot="property")}


class OutboxConfig(Section):
    poll_seconds: float = Field(1.0, gt=0)
    max_attempts: int = Field(6, ge=1)
    backoff_seconds: float = Field(5.0, gt=0)  # doubled each attempt
    batch: int = Field(50, ge=1)
    # WeCom notices held back by the per-member pace are folded into digests once this many
    # of one priority wait for the same member (0: never)
    fold_after: int = Field(10, ge=0)


class HttpConfig(Section):
    timeout_seconds: float = Field(5.0, gt=0)
    retries: int = Field(2, ge=0, le=5)


class ConversationConfig(Section):
    draft_minutes: int = Field(30, ge=1)  # how long a draft waits for its place
    # a detail sent this soon after the resident's own report is added to it (a piece)
    piece_minutes: int = Field(10, ge=0)
    # the same words as the resident's own open report this recent make no second ticket
    repeat_hours: int = Field(12, ge=0)
    rating_days: int = Field(3, ge=1)
    # below this classifier confidence the resident picks between the two likeliest
    # categories (0 turns the question off); urgent reports are never asked
    choice_below: float = Field(0.5, ge=0, le=1)


class EmergencyConfig(Section):
    fire: str = "119"
    police: str = "110"
    gas: str = ""  # 燃气抢修 number of the local gas company
    lift: str = "96333"  # the lift emergency line (电梯应急救援)
    ambulance: str = "120"  # 急救: a person fainted, fallen, unconscious, in the water


class CalendarConfig(Section):
    holidays: list[str] = []
    workdays: list[str] = []
    # a working-day deadline ends at this time of its last working day (Asia/Shanghai)
    workday_end: str = "18:00"
    _t = field_validator("workday_end")(lambda v: _clock_time(v))


_WEEKDAYS = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def _clock_time(v: str) -> str:
    hour, _, minute = v.strip().partition(":")
    if not (hour.isdigit() and minute.isdigit() and len(minute) == 2
            and 0 <= int(hour) <= 23 and 0 <= int(minute) <= 59):
        raise ValueError(f"{v!r} is not a time of day like 08:30")
    return f"{int(hour):02d}:{minute}"


class SchedulerConfig(Section):
    enabled: bool = True
    sweep_seconds: int = Field(60, ge=5)
    digest_time: str = "08:30"  # daily digest to officers (Asia/Shanghai)
    weekly_day: _WEEKDAYS = "mon"
    weekly_time: str = "09:00"  # weekly summary to community and street leaders
    reminder_fraction: float = Field(0.75, gt=0, lt=1)  # of a deadline's period
    _t = field_validator("digest_time", "weekly_time")(_clock_time)


class FollowupConfig(Section):
    """Unrated resolved tickets: `d` here are whole days of clock time, not working days."""

    ask_after: str = "1d"
    close_after: str = "3d"
    _v = field_validator("ask_after", "close_after")(_duration)


class BindingConfig(Section):
    code_days: int = Field(14, ge=1)  # a bind code is valid this long after it is issued
    max_failures: int = Field(5, ge=1)  # wrong codes from one sender before a lockout
    lockout_minutes: int = Field(60, ge=1)


class CorrespondentsConfig(Section):
    """Grid correspondents (issue 5): delivery riders reporting from the road, for points."""

    verify_first: bool = True  # a non-urgent report goes to the community's liaison first
    points_verified: int = Field(5, ge=0)  # when the liaison verifies a report (核实)
    points_resolved: int = Field(5, ge=0)  # when the officer resolves it (办结), once


class NlpConfig(Section):
    # the deployment's own classifier, written by `gridbot nlp train` (corpus + officers'
    # 改类 corrections); until it exists the shipped model serves. Running servers pick up a
    # new file without a restart.
    model_path: str = "nlp-model.json"


class LoggingConfig(Section):
    level: str = "INFO"


class LocationConfig(Section):
    # a point outside every grid polygon still goes to the nearest grid this close
    nearest_grid_metres: float = Field(300.0, ge=0)
    # a LOCATION event's position places a later report made within this many minutes
    position_minutes: int = Field(30, ge=1)


class DuplicatesConfig(Section):
    enabled: bool = True
    window_days: int = Field(7, ge=1)  # an open ticket this recent may be seconded (附议)
    radius_metres: float = Field(250.0, ge=0)  # "the same place" when both have coordinates


class MediaConfig(Section):
    poll_seconds: float = Field(5.0, gt=0)  # how often the downloader looks for due media
    max_attempts: int = Field(8, ge=1)
    backoff_seconds: float = Field(30.0, gt=0)  # first retry delay, doubled each attempt
    lease_seconds: float = Field(120.0, gt=0)  # a claimed download is retried after this
    batch: int = Field(20, ge=1)
    # a resident's photo joins their ticket made this recently (else it starts a draft)
    attach_minutes: int = Field(10, ge=1)
    # an officer's photo sent before 进度/办结 is attached to it when sent this recently
    officer_photo_minutes: int = Field(30, ge=1)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="GRIDBOT_", env_nested_delimiter="__", extra="forbid",
        nested_model_default_partial_update=True,
    )

    server: ServerConfig = ServerConfig()
    database: DatabaseConfig = DatabaseConfig()
    wechat: WechatConfig = WechatConfig()
    admin: AdminConfig = AdminConfig()
    console: ConsoleConfig = ConsoleConfig()
    sla: dict[str, SlaLevel] = Field(default_factory=_default_sla)
    categories: dict[str, CategoryConfig] = Field(default_factory=_default_categories)
    outbox: OutboxConfig = OutboxConfig()
    http: HttpConfig = HttpConfig()
    conversation: ConversationConfig = ConversationConfig()
    emergency: EmergencyConfig = EmergencyConfig()
    calendar: CalendarConfig = CalendarConfig()
    scheduler: SchedulerConfig = SchedulerConfig()
    followup: FollowupConfig = FollowupConfig()
    correspondents: CorrespondentsConfig = CorrespondentsConfig()
    binding: BindingConfig = BindingConfig()
    logging: LoggingConfig = LoggingConfig()
    nlp: NlpConfig = NlpConfig()
    location: LocationConfig = LocationConfig()
    duplicates: DuplicatesConfig = DuplicatesConfig()
    media: MediaConfig = MediaConfig()
    media_dir: str = "media"
    district_file: str = ""  # optional: imported at start by `serve`

    @field_validator("sla")
    @classmethod
    def _sla_levels(cls, v: dict[str, SlaLevel]) -> dict[str, SlaLevel]:
        merged = _default_sla()
        merged.update(v)
        unknown = set(merged) - {"urgent", "high", "normal"}
        if unknown:
            raise ValueError(f"unknown urgency {sorted(unknown)}; use urgent, high, normal")
        return merged

    @field_validator("categories")
    @classmethod
    def _categories(cls, v: dict[str, CategoryConfig]) -> dict[str, CategoryConfig]:
        from nlp.taxonomy import CATEGORIES

        unknown = set(v) - set(CATEGORIES)
        if unknown:
            raise ValueError(f"unknown category {sorted(unknown)}")
        merged = _default_categories()
        merged.update(v)
        return merged

    @classmethod
    def settings_customise_sources(
        cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource, dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        path = _CONFIG_PATH.get("path")
        if path:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=path))
        return tuple(sources)


_CONFIG_PATH: dict[str, Path | None] = {"path": None}


class ConfigError(Exception):
    """A config that cannot start: the message names each bad key and why."""


def config_path(explicit: str | None) -> Path | None:
    if explicit:
        return Path(explicit)
    env = os.environ.get("GRIDBOT_CONFIG")
    if env:
        return Path(env)
    default = Path("config.toml")
    return default if default.exists() else None


def load_settings(path: str | Path | None = None, *, required: bool = False,
                  **overrides: Any) -> Settings:
    """Load and validate; raise ConfigError naming the key and the reason."""
    p = Path(path) if path else None
    if p is not None and not p.exists():
        raise ConfigError(f"config file {p} not found")
    if p is None and required:
        raise ConfigError("no config: pass --config F, set GRIDBOT_CONFIG or create ./config.toml")
    _CONFIG_PATH["path"] = p
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        lines = [f"invalid config{f' in {p}' if p else ''}:"]
        for err in exc.errors():
            key = ".".join(str(x) for x in err["loc"])
            lines.append(f"  {key}: {err['msg']}")
        raise ConfigError("\n".join(lines)) from None
    except ValueError as exc:  # TOML syntax
        raise ConfigError(f"invalid config{f' in {p}' if p else ''}: {exc}") from None
    finally:
        _CONFIG_PATH["path"] = None

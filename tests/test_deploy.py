"""Deployment files: what operators rely on in docker-compose.yml, Dockerfile and .dockerignore.

No Docker engine needed: the files are parsed as YAML/text. Each check returns the problems it
finds; the tests run every check on the real files (no problems) and on deliberately broken
copies (at least one problem), so no check can pass vacuously.
"""

from __future__ import annotations

import copy
import json
import re
import shlex
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"

SECRET_NAME = re.compile(r"KEY|PASSWORD|PASSWD|SECRET|TOKEN|DATABASE_URL", re.IGNORECASE)
INTERPOLATION = re.compile(r"^\$\{[A-Z0-9_]+(:?[-?][^}]*)?\}$")
# postgresql://user:password@host:port/database, where each part may be a `${...}` interpolation
# (whose `:-default` would confuse urllib).
_PART = r"(?:\$\{[^}]*\}|[^:@/${}]+)"
DATABASE_URL = re.compile(
    rf"^postgres(?:ql)?://(?P<user>{_PART}):(?P<password>{_PART})@(?P<host>{_PART})"
    rf"(?::(?P<port>{_PART}))?/(?P<database>{_PART})$"
)

Compose = dict[str, Any]
Instruction = tuple[str, str]  # (KEYWORD, arguments)


# --- loading -------------------------------------------------------------------------------


def load_compose() -> Compose:
    data = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    assert isinstance(data, dict), "docker-compose.yml is not a mapping"
    return data


def parse_dockerfile(text: str) -> list[Instruction]:
    """Instructions with continuation lines joined and comment lines dropped, as Docker does."""
    instructions: list[Instruction] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("#") or (not line and not pending):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        full = (pending + line).strip()
        pending = ""
        if full:
            keyword, _, args = full.partition(" ")
            instructions.append((keyword.upper(), args.strip()))
    return instructions


def load_dockerfile() -> list[Instruction]:
    return parse_dockerfile(DOCKERFILE.read_text(encoding="utf-8"))


def final_stage(instructions: list[Instruction]) -> list[Instruction]:
    starts = [i for i, (kw, _) in enumerate(instructions) if kw == "FROM"]
    return instructions[starts[-1] :] if starts else []


def env_pairs(keyword: str, args: str) -> list[tuple[str, str]]:
    """``ENV``/``ARG`` arguments as (name, value); value is ``""`` when none is given."""
    tokens = shlex.split(args)
    if keyword == "ENV" and tokens and "=" not in tokens[0]:  # legacy `ENV NAME value`
        return [(tokens[0], " ".join(tokens[1:]))]
    return [(name, value) for name, _, value in (t.partition("=") for t in tokens)]


def command_words(command: Any) -> list[str]:
    return shlex.split(command) if isinstance(command, str) else list(command or [])


def environment(service: Compose) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):  # ["NAME=value", ...]
        env = dict(item.partition("=")[::2] for item in env)
    return {str(k): "" if v is None else str(v) for k, v in env.items()}


def depends_condition(service: Compose, on: str) -> str | None:
    deps = service.get("depends_on") or {}
    if isinstance(deps, list):  # short form means service_started
        return "service_started" if on in deps else None
    entry = deps.get(on)
    if entry is None:
        return None
    return (entry or {}).get("condition", "service_started")


def volume_sources(service: Compose) -> list[tuple[str, str]]:
    """(source, target) of each mount; long and short syntax."""
    mounts = []
    for item in service.get("volumes") or []:
        if isinstance(item, dict):
            mounts.append((str(item.get("source", "")), str(item.get("target", ""))))
        else:
            source, _, rest = str(item).partition(":")
            mounts.append((source, rest.split(":")[0]))
    return mounts


def is_named_volume(source: str) -> bool:
    return bool(source) and not source.startswith((".", "/", "~", "$"))


# --- compose checks ------------------------------------------------------------------------


def default_value(value: Any) -> str:
    """What compose uses when the variable is unset: ``${VAR:-default}`` → ``default``."""
    match = re.fullmatch(r"\$\{[A-Z0-9_]+:?-(?P<default>[^}]*)\}", str(value))
    return match["default"] if match else str(value)


def db_problems(compose: Compose) -> list[str]:
    db = compose.get("services", {}).get("db")
    if db is None:
        return ["no db service"]
    problems = []
    # By default the official image at a fixed major version (`latest` would upgrade the
    # server under an existing data directory, which PostgreSQL refuses to start on).
    if not re.fullmatch(r"postgres:\d+(\.\d+)?", default_value(db.get("image", ""))):
        problems.append("db does not run the official postgres image at a major version")
    data_mounts = [s for s, t in volume_sources(db) if t == "/var/lib/postgresql/data"]
    if not data_mounts or not is_named_volume(data_mounts[0]):
        problems.append("db data directory is not on a named volume")
    check = db.get("healthcheck") or {}
    if check.get("disable") or "pg_isready" not in " ".join(command_words(check.get("test"))):
        problems.append("db has no pg_isready healthcheck")
    return problems


def volume_problems(compose: Compose) -> list[str]:
    declared = set((compose.get("volumes") or {}).keys())
    used = {
        source
        for service in compose.get("services", {}).values()
        for source, _ in volume_sources(service)
        if is_named_volume(source)
    }
    if not used:
        return ["no service uses a named volume"]
    return [f"volume {name!r} is used but not declared" for name in sorted(used - declared)]


def migrate_problems(compose: Compose) -> list[str]:
    migrate = compose.get("services", {}).get("migrate")
    if migrate is None:
        return ["no migrate service"]
    problems = []
    if command_words(migrate.get("command")) != ["luoshi", "migrate"]:
        problems.append("migrate does not run `luoshi migrate`")
    if depends_condition(migrate, "db") != "service_healthy":
        problems.append("migrate does not wait for db to be healthy")
    if migrate.get("restart", "no") != "no":
        problems.append("migrate is restarted (it is a one-shot job)")
    return problems


def api_problems(compose: Compose) -> list[str]:
    api = compose.get("services", {}).get("api")
    if api is None:
        return ["no api service"]
    problems = []
    if command_words(api.get("command"))[:2] not in ([], ["luoshi", "serve"]):
        problems.append("api does not run `luoshi serve`")
    if depends_condition(api, "migrate") != "service_completed_successfully":
        problems.append("api does not wait for migrate to complete successfully")
    if depends_condition(api, "db") != "service_healthy":
        problems.append("api does not wait for db to be healthy")
    env = environment(api)
    url = DATABASE_URL.match(env.get("DATABASE_URL", ""))
    if url is None or url["host"] != "db":
        problems.append("api DATABASE_URL does not point at the db service")
    if env.get("LUOSHI_MIGRATE_ON_START", "false").lower() not in ("false", "0", "no", "off"):
        problems.append("api migrates on start although the migrate service does it")
    if "container_name" in api:
        problems.append("api has a container_name, so it cannot be scaled")
    for port in api.get("ports") or []:
        published = str(port).rsplit(":", 1)[0] if ":" in str(port) else ""
        if published and "$" not in published:
            problems.append(f"api publishes the fixed host port {published}")
    return problems


def shared_image_problems(compose: Compose) -> list[str]:
    services = compose.get("services", {})
    migrate, api = services.get("migrate", {}), services.get("api", {})
    problems = []
    if not default_value(migrate.get("image")) or migrate.get("image") != api.get("image"):
        problems.append("migrate and api do not run the same image")
    if migrate.get("build") != api.get("build") or not api.get("build"):
        problems.append("migrate and api are not built from the same context")
    return problems


def credential_problems(compose: Compose) -> list[str]:
    """The URL the app uses must carry the same user/password/database the db is created with."""
    services = compose.get("services", {})
    db_env = environment(services.get("db", {}))
    expected = {
        "user": db_env.get("POSTGRES_USER"),
        "password": db_env.get("POSTGRES_PASSWORD"),
        "database": db_env.get("POSTGRES_DB"),
    }
    problems = []
    for name in ("migrate", "api"):
        match = DATABASE_URL.match(environment(services.get(name, {})).get("DATABASE_URL", ""))
        if match is None or {k: match[k] for k in expected} != expected:
            problems.append(f"{name} DATABASE_URL does not match the db credentials")
    return problems


def compose_secret_problems(compose: Compose) -> list[str]:
    """Secret-looking values are interpolated from the environment, never written in the file."""
    problems = []
    for service_name, service in compose.get("services", {}).items():
        for name, value in environment(service).items():
            if not SECRET_NAME.search(name) or name == "DATABASE_URL":
                continue
            if not INTERPOLATION.match(value):
                problems.append(f"{service_name}: {name} is written in the file")
    return problems


def bootstrap_key_problems(compose: Compose) -> list[str]:
    value = environment(compose.get("services", {}).get("api", {})).get(
        "LUOSHI_BOOTSTRAP_ADMIN_KEY", ""
    )
    # `${VAR:?msg}`: compose refuses to start without it. An empty default would hand the app
    # an empty (not absent) key.
    if not re.match(r"^\$\{LUOSHI_BOOTSTRAP_ADMIN_KEY:\?[^}]+\}$", value):
        return ["api LUOSHI_BOOTSTRAP_ADMIN_KEY is not a required interpolation"]
    return []


COMPOSE_CHECKS: list[Callable[[Compose], list[str]]] = [
    db_problems,
    volume_problems,
    migrate_problems,
    api_problems,
    shared_image_problems,
    credential_problems,
    compose_secret_problems,
    bootstrap_key_problems,
]


# --- Dockerfile checks ---------------------------------------------------------------------


def stage_problems(instructions: list[Instruction]) -> list[str]:
    froms = [args for kw, args in instructions if kw == "FROM"]
    problems = []
    if len(froms) < 2:
        problems.append("Dockerfile is not multi-stage")
    if not any(kw == "COPY" and "--from=" in args for kw, args in final_stage(instructions)):
        problems.append("final stage copies nothing from an earlier stage")
    return problems


def user_problems(instructions: list[Instruction]) -> list[str]:
    users = [args.split(":")[0].strip() for kw, args in final_stage(instructions) if kw == "USER"]
    if not users or users[-1] in ("root", "0"):
        return ["final stage runs as root"]
    return []


def healthcheck_problems(instructions: list[Instruction]) -> list[str]:
    checks = [args for kw, args in final_stage(instructions) if kw == "HEALTHCHECK"]
    if not checks or checks[-1].upper().startswith("NONE"):
        return ["final stage has no HEALTHCHECK"]
    if "/readyz" not in checks[-1]:
        return ["HEALTHCHECK does not probe /readyz"]
    return []


def runtime_problems(instructions: list[Instruction]) -> list[str]:
    stage = final_stage(instructions)
    problems = []
    cmds = [args for kw, args in stage if kw == "CMD"]
    if not cmds or json.loads(cmds[-1])[:2] != ["luoshi", "serve"]:
        problems.append("image does not start `luoshi serve` (exec form)")
    env = dict(pair for kw, args in stage if kw == "ENV" for pair in env_pairs(kw, args))
    if env.get("LUOSHI_MIGRATE_ON_START", "").lower() != "false":
        problems.append("image migrates on start by default")
    if "8000" not in " ".join(args for kw, args in stage if kw == "EXPOSE"):
        problems.append("image does not EXPOSE 8000")
    return problems


def dockerfile_secret_problems(instructions: list[Instruction]) -> list[str]:
    """No ENV/ARG in any stage gives a secret-looking name a value (it would stay in the image)."""
    return [
        f"{kw} {name} has a value baked in"
        for kw, args in instructions
        if kw in ("ENV", "ARG")
        for name, value in env_pairs(kw, args)
        if SECRET_NAME.search(name) and value
    ]


def base_image_problems(instructions: list[Instruction]) -> list[str]:
    """As written (no build args), every stage starts from a tagged image an operator can pull."""
    args: dict[str, str] = {}
    for kw, text in instructions:
        if kw == "FROM":
            break
        if kw == "ARG":
            args.update(env_pairs(kw, text))
    stages: set[str] = set()
    problems = []
    for kw, text in instructions:
        if kw != "FROM":
            continue
        words = [w for w in text.split() if not w.startswith("--")]
        image = re.sub(r"\$\{?(\w+)\}?", lambda m: args.get(m[1], ""), words[0])
        if len(words) >= 3 and words[1].upper() == "AS":
            stages.add(words[2].lower())
        if image.lower() in stages:
            continue
        if not image or image.startswith("localhost/"):
            problems.append(f"FROM {words[0]} is not a public image by default")
        elif ":" not in image.rsplit("/", 1)[-1] or image.endswith(":latest"):
            problems.append(f"FROM {image} has no fixed tag")
    return problems


# Build-only packages and tools that must not reach the image operators run.
BUILD_ONLY = re.compile(r"python3-venv|python3-pip|build-essential|gcc|\S+-dev\b|pip install")


def runtime_only_problems(instructions: list[Instruction]) -> list[str]:
    return [
        f"final stage installs build-only {m[0]!r}"
        for kw, args in final_stage(instructions)
        if kw == "RUN"
        for m in BUILD_ONLY.finditer(args)
    ]


def build_secret_copy_problems(instructions: list[Instruction]) -> list[str]:
    """Pip config and CA bundles come in as build secrets; a COPY would keep them in a layer."""
    return [
        f"{kw} {args} copies a build credential into a layer"
        for kw, args in instructions
        if kw in ("COPY", "ADD") and re.search(r"pip\.conf|\.pem\b|\.crt\b|netrc", args)
    ]


DOCKERFILE_CHECKS: list[Callable[[list[Instruction]], list[str]]] = [
    stage_problems,
    user_problems,
    healthcheck_problems,
    runtime_problems,
    dockerfile_secret_problems,
    base_image_problems,
    runtime_only_problems,
    build_secret_copy_problems,
]


def dockerignore_problems(ignore_text: str, instructions: list[Instruction]) -> list[str]:
    """The context is an allowlist, and it lets through every path the Dockerfile copies."""
    lines = [
        line.strip()
        for line in ignore_text.splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]
    if not lines or lines[0] != "*":
        return [".dockerignore does not start by excluding everything (`*`)"]
    allowed = {line[1:].strip("/") for line in lines if line.startswith("!")}
    problems = []
    for kw, args in instructions:
        if kw != "COPY" or "--from=" in args:
            continue
        sources = [w for w in shlex.split(args) if not w.startswith("--")][:-1]
        problems += [
            f"COPY {src} is excluded by .dockerignore"
            for src in sources
            if src.rstrip("/") not in allowed
        ]
    leaked = allowed & {".git", ".env", ".venv", ".luoshi", "tests", "bench"}
    problems += [f".dockerignore lets {name} into the build context" for name in sorted(leaked)]
    return problems


# --- tests on the real files ---------------------------------------------------------------


@pytest.mark.parametrize("check", COMPOSE_CHECKS, ids=lambda c: c.__name__)
def test_compose(check: Callable[[Compose], list[str]]) -> None:
    assert check(load_compose()) == []


def test_compose_has_no_version_key() -> None:
    assert "version" not in load_compose(), "the compose spec dropped `version:`"


@pytest.mark.parametrize("check", DOCKERFILE_CHECKS, ids=lambda c: c.__name__)
def test_dockerfile(check: Callable[[list[Instruction]], list[str]]) -> None:
    assert check(load_dockerfile()) == []


def test_dockerignore() -> None:
    assert dockerignore_problems(DOCKERIGNORE.read_text(encoding="utf-8"), load_dockerfile()) == []


# --- every check fails on a broken copy ----------------------------------------------------


def _set(path: str, value: Any) -> Callable[[Compose], None]:
    *parents, leaf = path.split(".")

    def mutate(data: Compose) -> None:
        node = data
        for key in parents:
            node = node[key]
        if value is _DELETE:
            del node[leaf]
        else:
            node[leaf] = value

    return mutate


_DELETE = object()

COMPOSE_BREAKAGES = [
    (
        "db image latest",
        _set("services.db.image", "${LUOSHI_POSTGRES_IMAGE:-postgres}"),
        db_problems,
    ),
    ("db image not postgres", _set("services.db.image", "mysql:8"), db_problems),
    ("db without volume", _set("services.db.volumes", _DELETE), db_problems),
    ("db without healthcheck", _set("services.db.healthcheck", _DELETE), db_problems),
    ("db healthcheck disabled", _set("services.db.healthcheck", {"disable": True}), db_problems),
    ("volume not declared", _set("volumes", _DELETE), volume_problems),
    ("migrate runs serve", _set("services.migrate.command", "luoshi serve"), migrate_problems),
    (
        "migrate does not wait for db",
        _set("services.migrate.depends_on", ["db"]),
        migrate_problems,
    ),
    ("migrate restarts", _set("services.migrate.restart", "on-failure"), migrate_problems),
    (
        "api starts with migrate",
        _set("services.api.depends_on.migrate", {"condition": "service_started"}),
        api_problems,
    ),
    ("api without DATABASE_URL", _set("services.api.environment", {}), api_problems),
    ("api container_name", _set("services.api.container_name", "luoshi"), api_problems),
    ("api fixed host port", _set("services.api.ports", ["8000:8000"]), api_problems),
    ("different images", _set("services.migrate.image", "luoshi:old"), shared_image_problems),
    (
        "password mismatch",
        _set("services.db.environment.POSTGRES_PASSWORD", "${OTHER_PASSWORD}"),
        credential_problems,
    ),
    (
        "literal admin key",
        _set("services.api.environment.LUOSHI_BOOTSTRAP_ADMIN_KEY", "lsk_hardcoded"),
        compose_secret_problems,
    ),
    (
        "optional admin key",
        _set(
            "services.api.environment.LUOSHI_BOOTSTRAP_ADMIN_KEY", "${LUOSHI_BOOTSTRAP_ADMIN_KEY:-}"
        ),
        bootstrap_key_problems,
    ),
]


@pytest.mark.parametrize(
    ("mutate", "check"),
    [(m, c) for _, m, c in COMPOSE_BREAKAGES],
    ids=[name for name, _, _ in COMPOSE_BREAKAGES],
)
def test_compose_check_catches(
    mutate: Callable[[Compose], None], check: Callable[[Compose], list[str]]
) -> None:
    broken = copy.deepcopy(load_compose())
    mutate(broken)
    assert check(broken) != []


def _replace(old: str, new: str) -> Callable[[str], str]:
    def edit(text: str) -> str:
        assert old in text, f"{old!r} not in Dockerfile; update this breakage"
        return text.replace(old, new)

    return edit


DOCKERFILE_BREAKAGES = [
    (
        "single stage",
        lambda t: t.split("FROM", 2)[0] + "FROM" + t.split("FROM", 2)[2],
        stage_problems,
    ),
    ("root user", _replace("USER 10001:10001", "USER root"), user_problems),
    ("no user", _replace("USER 10001:10001", ""), user_problems),
    (
        "no healthcheck",
        lambda t: re.sub(r"HEALTHCHECK.*?\n(?=\n)", "", t, flags=re.S),
        healthcheck_problems,
    ),
    ("liveness only", _replace("/readyz", "/healthz"), healthcheck_problems),
    (
        "migrates on start",
        _replace("LUOSHI_MIGRATE_ON_START=false", "LUOSHI_MIGRATE_ON_START=true"),
        runtime_problems,
    ),
    (
        "baked admin key",
        lambda t: t + "\nENV LUOSHI_BOOTSTRAP_ADMIN_KEY=lsk_x\n",
        dockerfile_secret_problems,
    ),
    ("baked password arg", lambda t: t + "\nARG PGPASSWORD=hunter2\n", dockerfile_secret_problems),
    (
        "baked url",
        lambda t: t + "\nENV DATABASE_URL postgresql://u:p@h/d\n",
        dockerfile_secret_problems,
    ),
]


DOCKERFILE_BREAKAGES += [
    (
        "local base by default",
        _replace(
            "ARG BASE_IMAGE=debian:bookworm-slim",
            "ARG BASE_IMAGE=localhost/luoshi-check/debian:bookworm-debootstrap",
        ),
        base_image_problems,
    ),
    (
        "untagged base",
        _replace("ARG BASE_IMAGE=debian:bookworm-slim", "ARG BASE_IMAGE=debian"),
        base_image_problems,
    ),
    (
        "pip in the final stage",
        _replace(
            "--no-install-recommends python3=3.11.2-1+b1 \\\n",
            "--no-install-recommends python3=3.11.2-1+b1 python3-pip \\\n",
        ),
        runtime_only_problems,
    ),
    (
        "pip.conf copied in",
        lambda t: t.replace(
            "COPY pyproject.toml", "COPY pip.conf /etc/pip.conf\nCOPY pyproject.toml"
        ),
        build_secret_copy_problems,
    ),
]


@pytest.mark.parametrize(
    ("edit", "check"),
    [(e, c) for _, e, c in DOCKERFILE_BREAKAGES],
    ids=[name for name, _, _ in DOCKERFILE_BREAKAGES],
)
def test_dockerfile_check_catches(
    edit: Callable[[str], str], check: Callable[[list[Instruction]], list[str]]
) -> None:
    broken = parse_dockerfile(edit(DOCKERFILE.read_text(encoding="utf-8")))
    assert check(broken) != []


@pytest.mark.parametrize(
    "edit",
    [
        lambda t: t.replace("!app/\n", ""),  # the build would fail: COPY app/ not in context
        lambda t: t.replace("*\n", "", 1),  # denylist: anything new leaks in
        lambda t: t + "!.env\n",  # secrets in the build context
    ],
    ids=["copied path excluded", "not an allowlist", "env file allowed"],
)
def test_dockerignore_check_catches(edit: Callable[[str], str]) -> None:
    text = DOCKERIGNORE.read_text(encoding="utf-8")
    assert edit(text) != text, "breakage did not change .dockerignore; update this test"
    assert dockerignore_problems(edit(text), load_dockerfile()) != []


# --- scripts/container-check -----------------------------------------------------------------

CONTAINER_CHECK = ROOT / "scripts" / "container-check"


def container_check_problems(script: str) -> list[str]:
    """Its stand-in images carry local names; the notice it imports is in the repository."""
    problems = []
    images = re.findall(r"^([A-Z_]+_IMAGE)=([^$\s]\S*)$", script, flags=re.M)
    if not images:
        problems.append("container-check names no images")
    problems += [
        f"{name}={value} could pass for an image from a registry"
        for name, value in images
        if not value.startswith("localhost/")
    ]
    seed = re.search(r"^SEED=(\S+)$", script, flags=re.M)
    if seed is None or seed[1].startswith(("/", "~", "$")) or not (ROOT / seed[1]).is_file():
        problems.append("container-check's seed notice is not a file in the repository")
    return problems


def test_container_check() -> None:
    assert container_check_problems(CONTAINER_CHECK.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (
            "POSTGRES_IMAGE=localhost/luoshi-check/postgres-debian:15",
            "POSTGRES_IMAGE=docker.io/library/postgres:17",
        ),
        (
            "SEED=tests/imports/fixtures/henan-sta-2024-work-plan.txt",
            "SEED=/work/shared/seeds/henan-sta-2024-work-plan.txt",
        ),
        (
            "SEED=tests/imports/fixtures/henan-sta-2024-work-plan.txt",
            "SEED=seeds/henan-sta-2024-work-plan.txt",
        ),
    ],
    ids=["stand-in tagged as the official image", "seed outside the repo", "seed not there"],
)
def test_container_check_check_catches(old: str, new: str) -> None:
    script = CONTAINER_CHECK.read_text(encoding="utf-8")
    assert old in script, f"{old!r} not in scripts/container-check; update this test"
    assert container_check_problems(script.replace(old, new)) != []

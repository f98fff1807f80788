"""The API fuzz: schemathesis over the whole OpenAPI schema of a live `linli serve` with demo data, once for a
visitor and once signed in as each role of the demo, with the session cookie and the CSRF token (CSRF stays on),
checking that no answer is a server error (5xx) and, at the end, that the server logged no error and every view
caught up with the log (a view that cannot apply an event stops there, and no answer shows it). Every path parameter
and form field naming something (a meeting, a resident, a slot…) is drawn most of the time from the ids the demo's own
pages link to, so that the requests reach the forms' logic rather than stopping at "no such meeting"; every day,
moment or number now and then takes an edge value of its kind (the first and last days a date holds, past 64 bits).

Run by scripts/test ("API fuzz (schemathesis)"); alone: `.venv/bin/python -m fuzz.run` (exit 1 when a request got a
5xx, printed by schemathesis as curl with the answer, or the server logged an error, printed). FUZZ_EXAMPLES (default
8) bounds the generated requests per operation and role; FUZZ_ROLES (comma-separated, default all) picks the roles;
FUZZ_SEED (default 2026) seeds the generation; FUZZ_EXTRA adds schemathesis options (e.g. "--include-path-regex
^/matters"); FUZZ_DATABASE_URL (a PostgreSQL URL) serves from PostgreSQL, in fresh schemas dropped afterwards."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from backend.demo import DEMO_PASSWORD

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
# Who is fuzzed, by the role label the demo's sign-in page shows beside an account ("" : a visitor, signed in as
# nobody; "Resident": an account with no other role). The clerk goes last: it may end other accounts' roles.
ROLES = {
    "visitor": "",
    "resident": "Resident",
    "representative": "Representative",
    "committee": "Party branch committee",
    "volunteer leader": "Volunteer leader",
    "service provider": "Service provider",
    "supervisor": "Supervisor",
    "street operator": "Street operator",
    "grid worker": "Grid worker (网格员)",
    "department staff": "Department staff (职能部门)",
    "clerk": "Clerk",
}
# What ends the fuzzer's own session (signing out, erasing the account): fuzzed by the visitor only, whom it cannot
# sign out; the commands behind them are the same for every resident.
SESSION_ENDING = ("/signout", "/signout/everywhere", "/me/erase")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def live_server(log: Path, database_url: str = "") -> Iterator[str]:
    """`linli serve` with the demo data in a fresh data dir, as e2e/conftest.py starts it; on PostgreSQL (a
    `database_url`) in fresh schemas, dropped afterwards."""
    data_dir = Path(tempfile.mkdtemp(prefix="linli-fuzz-"))
    port = _free_port()
    prefix = f"fuzz{os.getpid()}"
    env = {
        **os.environ,
        "LINLI_DATA_DIR": str(data_dir),
        "LINLI_PORT": str(port),
        "LINLI_DEMO": "1",
        "LINLI_DATABASE_URL": database_url,
        "LINLI_PG_SCHEMA": prefix,
        "LINLI_SIGNIN_PER_MINUTE": "100000",  # the fuzzer's sign-ins should reach the form, not the rate limit
        "LINLI_WORKERS": "1",
    }
    for args in (["migrate"], ["demo"]):
        done = subprocess.run([BIN / "linli", *args], env=env, cwd=ROOT, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"linli {args[0]} failed:\n{done.stdout[-2000:]}{done.stderr[-3000:]}")
    with open(log, "w") as out:
        server = subprocess.Popen([BIN / "linli", "serve"], env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(base + "/healthz", timeout=2).json()["status"] == "ok":
                        break
                except (httpx.HTTPError, ValueError, KeyError):
                    pass
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the server did not start:\n" + log.read_text()[-3000:])
                time.sleep(0.2)
            yield base
        finally:
            server.terminate()
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()
            shutil.rmtree(data_dir, ignore_errors=True)
            if database_url:
                _drop_schemas(database_url, prefix)


def _drop_schemas(database_url: str, prefix: str) -> None:
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as db:
        found = db.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE %s", (f"{prefix}\\_%",)).fetchall()
        for (schema,) in found:
            db.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def demo_accounts(base: str) -> dict[str, str]:
    """The demo's sign-in page lists its accounts (phone, name, roles): a phone for each role fuzzed."""
    page = httpx.get(base + "/signin", cookies={"lang": "en"}).text
    rows = re.findall(r"<tr><td>(1\d{10})</td><td>.*?</td><td>(.*?)</td></tr>", page, re.S)
    phones: dict[str, str] = {}
    for who, label in ROLES.items():
        if not label:
            continue
        plain = label == "Resident"  # a resident with no other role
        phone = next((p for p, roles in rows if (roles in ("", label) if plain else label in roles)), None)
        if phone is None:
            raise RuntimeError(f"the demo has no account with the role {label!r}")
        phones[who] = phone
    return phones


@dataclass
class Session:
    cookies: dict[str, str]
    csrf: str

    def headers(self) -> list[str]:
        cookie = "; ".join(f"{k}={v}" for k, v in {**self.cookies, "lang": "en"}.items())
        return [f"Cookie: {cookie}", f"x-csrftoken: {self.csrf}"]


def sign_in(base: str, phone: str | None) -> Session:
    """Through the real sign-in form (a visitor: just the CSRF cookie a first page sets)."""
    with httpx.Client(base_url=base, follow_redirects=False) as client:
        client.get("/signin")
        csrf = client.cookies["csrftoken"]
        if phone:
            answer = client.post("/signin", data={"phone": phone, "password": DEMO_PASSWORD, "_csrf_token": csrf})
            if answer.status_code != 303 or "linli_session" not in client.cookies:
                raise RuntimeError(f"could not sign in as {phone}: {answer.status_code}")
        return Session(dict(client.cookies), csrf)


def harvest(base: str, sessions: dict[str, Session], schema: dict) -> dict[str, set[str]]:
    """The ids the demo's pages link to, by the name of the path parameter or form field that takes them: links and
    form actions matched against the schema's paths, hidden fields and the options of a choice. Each role reads the
    pages without parameters, and a few of each kind of page they link to."""
    templates = []
    for path in schema["paths"]:
        names = re.findall(r"{(\w+)}", path)
        if names:
            literal = re.escape(path).replace(r"\{", "{").replace(r"\}", "}")
            templates.append((re.compile(re.sub(r"{\w+}", "([^/?#\"]+)", literal) + r"(?=[?#\"])"), names))
    pages = [p for p, ops in schema["paths"].items() if "get" in ops and "{" not in p]
    found: dict[str, set[str]] = defaultdict(set)
    for session in sessions.values():
        queue, seen, kinds = list(pages), set(), defaultdict(int)
        with httpx.Client(base_url=base, cookies=session.cookies, follow_redirects=False, timeout=30) as client:
            while queue:
                path = queue.pop(0)
                seen.add(path)
                answer = client.get(path)
                if "text/html" not in answer.headers.get("content-type", ""):
                    continue
                html = answer.text
                for pattern, names in templates:
                    for match in pattern.finditer(html):
                        for name, value in zip(names, match.groups(), strict=True):
                            if re.fullmatch(UUID, value):
                                found[name].add(value)
                for name, value in re.findall(rf'name="(\w+)" value="({UUID})"', html):
                    found[name].add(value)
                for name, body in re.findall(r'<select[^>]*name="(\w+)"[^>]*>(.*?)</select>', html, re.S):
                    found[name].update(re.findall(rf'value="({UUID})"', body))
                for link in re.findall(rf'href="(/[^"?#]*{UUID}[^"?#]*)"', html):
                    kind = re.sub(UUID, "{}", link)
                    if link not in seen and link not in queue and kinds[kind] < 3:  # a few pages of each kind
                        kinds[kind] += 1
                        queue.append(link)
    return {name: ids for name, ids in found.items() if ids}


# Values at the edges of what a field holds, drawn now and then for every field of that kind (a day, a number…):
# what a random string of the right shape rarely hits (the first and last days a date holds, a number past 64 bits).
EDGES: dict[str, list[str | int]] = {
    "days": ["0001-01-01", "0001-01-02", "9999-12-31", "1899-12-31", "2026-02-29", "2028-02-29", "1970-01-01"],
    "moments": ["0001-01-01T00:00", "0001-01-01T07:59", "9999-12-31T23:59", "1970-01-01T00:00", "2026-02-29T09:00"],
    "months": ["0001-01", "9999-12", "2026-00", "2026-13", "1899-12"],
    "clocks": ["00:00", "23:59", "24:00", "12:60", "23:59:59.999999"],
    "numbers": ["0", "-1", "9223372036854775807", "9223372036854775808", "99999999999999999999", "1e400", "nan", "٣"],
    "amounts": ["0", "-0.01", "0.001", "99999999999999999999.99", "1e400", "nan", "inf", "1,000"],
    "ints": [0, -1, 9223372036854775807, "9223372036854775808", "1" + "0" * 30],  # past 64 bits: as text (TOML)
}


def _edges_for(spec: dict) -> str | None:
    """Which edge values suit a field of the schema, by what the schema says it holds (backend.web.act's kinds)."""
    from backend.disclosure.web.forms import Month
    from backend.web.act import Amount, Clock, Moment, Whole

    if spec.get("type") == "integer":
        return "ints"
    if spec.get("format") == "date":
        return "days"
    kinds = {Moment: "moments", Month: "months", Clock: "clocks", Whole: "numbers", Amount: "amounts"}
    return next((name for kind, name in kinds.items() if spec.get("pattern") == kind.schema["pattern"]), None)


def config(ids: dict[str, set[str]], schema: dict, path: Path) -> None:
    """schemathesis.toml: each id-taking parameter or field draws from the ids found for its name most of the time;
    each day, moment, number… field now and then from the edge values of its kind."""
    fields: dict[str, dict] = {}  # "body.name", "query.name", "path.name": what the schema says of it
    for component in schema.get("components", {}).get("schemas", {}).values():
        for name, spec in component.get("properties", {}).items():
            fields[f"body.{name}"] = spec
    for operations in schema["paths"].values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                fields[f"{parameter['in']}.{parameter['name']}"] = parameter.get("schema", {})
    lines = ["[generation]", 'database = "none"', ""]
    for name, values in [*sorted(ids.items()), *EDGES.items()]:
        listed = sorted(values) if isinstance(values, set) else values
        lines += [f"[dictionaries.{name}]", f"values = {json.dumps(listed, ensure_ascii=False)}", ""]
    lines.append("[parameters]")
    for key, spec in sorted(fields.items()):
        name = key.split(".", 1)[1]
        if spec.get("format") == "uuid" and name in ids:
            lines.append(f'"{key}" = {{ dictionary = "{name}", probability = 0.9 }}')
        elif edges := _edges_for(spec):
            lines.append(f'"{key}" = {{ dictionary = "{edges}", probability = 0.25 }}')
    path.write_text("\n".join(lines) + "\n")


def fuzz(base: str, who: str, session: Session, config_file: Path, examples: int) -> tuple[int, int]:
    """One schemathesis run over the whole schema as `who`: its exit code and how many requests it made."""
    print(f"\n== fuzz as {who}", flush=True)
    command = [
        str(BIN / "schemathesis"),
        "--config-file",
        str(config_file),
        "run",
        f"{base}/schema/openapi.json",
        "--checks",
        "not_a_server_error",
        "--max-examples",
        str(examples),
        "--phases",
        "examples,coverage,fuzzing",
        "--workers",
        "1",
        "--max-redirects",
        "0",
        "--request-timeout",
        "30",
        "--no-color",
        "--seed",
        os.environ.get("FUZZ_SEED", "2026"),
    ]
    for header in session.headers():
        command += ["-H", header]
    command += shlex.split(os.environ.get("FUZZ_EXTRA", ""))
    if who != "visitor":
        for path in SESSION_ENDING:
            command += ["--exclude-path", path]
    made = 0
    # in the run's own folder: schemathesis keeps its caches (.schemathesis, .hypothesis) where it runs
    work = config_file.parent
    with subprocess.Popen(command, cwd=work, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as run:
        assert run.stdout is not None
        for line in run.stdout:
            made += sum(int(n) for n in re.findall(r"(\d+) generated", line))
            # scripts/test adds up every step's "N passed" as tests; schemathesis counts requests and operations
            print(re.sub(r"\b(\d+) passed\b", r"\1 without a server error", line), end="", flush=True)
    return run.returncode, made


def errors_in(log: str) -> list[str]:
    """The server log's errors (ERROR and above: an unhandled error behind a 500, a projection that failed on an
    event, a timed pass that failed) with their tracebacks; the access log's lines left out."""
    lines, keep = [], False
    for line in log.splitlines():
        if line.startswith(("ERROR", "CRITICAL")):
            keep = True
        elif line.startswith(("INFO", "WARNING", "DEBUG")):
            keep = False
        if keep:
            lines.append(line)
    return lines


def behind(base: str) -> list[str]:
    """The projections that have not caught up with the log a while after the last request (one stopped by an
    event it could not apply stays behind)."""
    deadline = time.monotonic() + 30
    while True:
        health = httpx.get(base + "/healthz", timeout=10).json()
        late = {name: at for name, at in health["projections"].items() if at < health["events"]}
        if not late or time.monotonic() > deadline:
            return [f"ERROR projection {name} is at event {at} of {health['events']}" for name, at in late.items()]
        time.sleep(0.5)


def main() -> int:
    examples = int(os.environ.get("FUZZ_EXAMPLES", "8"))
    chosen = [r.strip() for r in os.environ.get("FUZZ_ROLES", "").split(",") if r.strip()] or list(ROLES)
    work = Path(tempfile.mkdtemp(prefix="linli-fuzz-run-"))
    log = work / "server.log"
    started = time.monotonic()
    failed: list[str] = []
    requests = 0
    database_url = os.environ.get("FUZZ_DATABASE_URL", "")
    with live_server(log, database_url) as base:
        schema = httpx.get(base + "/schema/openapi.json").json()
        phones = demo_accounts(base)
        sessions = {who: sign_in(base, phones.get(who)) for who in ROLES}
        ids = harvest(base, sessions, schema)
        print(f"ids found on the demo's pages: {', '.join(f'{k} {len(v)}' for k, v in sorted(ids.items()))}")
        config(ids, schema, work / "schemathesis.toml")
        for who in chosen:
            # signed in again just before: an earlier role's run may have ended this account's session
            session = sign_in(base, phones.get(who)) if who != "visitor" else sessions[who]
            code, made = fuzz(base, who, session, work / "schemathesis.toml", examples)
            requests += made
            if code != 0:
                failed.append(who)
        # what no answer shows: a projection or a timed pass that failed on what a request wrote
        errors = [*behind(base), *errors_in(log.read_text())]
    took = time.monotonic() - started
    if failed or errors:
        print("\n== the server's log of its errors")
        print("\n".join(errors[-300:]) or "(none)")
        who = f"as {', '.join(failed)}" if failed else "in the server's log"
        print(f"\nAPI fuzz: server errors {who} ({requests} requests, {took:.0f} s)")
        shutil.rmtree(work, ignore_errors=True)
        return 1
    shutil.rmtree(work, ignore_errors=True)
    store = "PostgreSQL" if database_url else "SQLite"
    print(f"\nAPI fuzz ({store}): {requests} requests as {', '.join(chosen)}, no server error ({took:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

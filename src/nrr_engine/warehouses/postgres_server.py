"""A throwaway local PostgreSQL cluster for the test suite and for trying the project out.

`start()` finds Debian's PostgreSQL binaries (/usr/lib/postgresql/<version>/bin, version 15 or
later, the newest; installs the `postgresql` package with apt-get when there are none and this
runs as root), runs `initdb` into a temporary folder, starts the server on a free port of
127.0.0.1 with trust authentication, and creates the role `dbt` (password `dbt`, allowed to
create databases) and the database `warehouse` it owns. As root, initdb and pg_ctl run as the
`postgres` user, which owns the data folder (a new folder of the system temp dir; the
state folder keeps only the JSON record). The cluster trades durability for speed
(fsync off): it is for throwaway warehouses only.

Command line (the Makefile and a user's shell):

    python -m nrr_engine.warehouses.postgres_server start --state-dir DIR   # prints exports
    python -m nrr_engine.warehouses.postgres_server env --state-dir DIR     # the same exports
    python -m nrr_engine.warehouses.postgres_server stop --state-dir DIR
    python -m nrr_engine.warehouses.postgres_server install --state-dir DIR  # binaries only
"""

from __future__ import annotations

import argparse
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
from dataclasses import asdict, dataclass
from pathlib import Path

MIN_VERSION = 15
PG_ROOT = Path("/usr/lib/postgresql")
STATE_FILE = "postgres_server.json"
DATA_PREFIX = "nrr_pg_"


@dataclass
class PostgresServer:
    """A running cluster: where it listens, who to connect as, and where its files are."""

    host: str
    port: int
    user: str
    password: str
    database: str
    data_dir: str
    bin_dir: str
    run_as: str | None

    def env(self) -> dict[str, str]:
        """The environment variables the `postgres` target of profiles/profiles.yml reads."""
        return {
            "NRR_PG_HOST": self.host,
            "NRR_PG_PORT": str(self.port),
            "NRR_PG_USER": self.user,
            "NRR_PG_PASSWORD": self.password,
            "NRR_PG_DATABASE": self.database,
        }

    def dsn(self, database: str | None = None, user: str | None = None) -> str:
        return (
            f"host={self.host} port={self.port} user={user or self.user} "
            f"password={self.password} dbname={database or self.database}"
        )


def find_bin_dir(install: bool = True) -> Path:
    """The bin folder of the newest installed PostgreSQL >= 15; apt-get installs one if needed
    (as root only: a user without root is told what to install)."""
    found = _installed_bin_dirs()
    if not found and install and os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "postgresql"],
            check=True,
            env=env,
        )
        found = _installed_bin_dirs()
    if not found:
        raise RuntimeError(
            f"no PostgreSQL {MIN_VERSION}+ under {PG_ROOT}/<version>/bin: install Debian's "
            "`postgresql` package (sudo apt-get install postgresql), or point NRR_PG_HOST / "
            "NRR_PG_PORT at a server of your own"
        )
    return found[-1][1]


def _installed_bin_dirs() -> list[tuple[int, Path]]:
    found = []
    for initdb in PG_ROOT.glob("*/bin/initdb"):
        match = re.fullmatch(r"(\d+)", initdb.parent.parent.name)
        if match and int(match.group(1)) >= MIN_VERSION:
            found.append((int(match.group(1)), initdb.parent))
    return sorted(found)


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def _run(argv: list[str], run_as: str | None, **kwargs) -> subprocess.CompletedProcess:
    """Run a server binary, as `run_as` (through su) when given; fail with its output."""
    if run_as:
        argv = ["su", run_as, "-s", "/bin/bash", "-c", shlex.join(argv)]
    result = subprocess.run(argv, check=False, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        raise RuntimeError(f"{shlex.join(argv)} failed:\n{result.stdout}{result.stderr}")
    return result


def start(
    state_dir: str | Path | None = None,
    port: int | None = None,
    user: str = "dbt",
    password: str = "dbt",
    database: str = "warehouse",
) -> PostgresServer:
    """initdb into `state_dir`/pgdata (a new temporary folder by default), start the server,
    create the role and the database; records the server in `state_dir`/postgres_server.json."""
    bin_dir = find_bin_dir()
    state = Path(state_dir) if state_dir else Path(tempfile.mkdtemp(prefix="nrr_pg_state_"))
    state.mkdir(parents=True, exist_ok=True)
    # the data folder in a new folder of the system temp dir: the postgres user (as root) must
    # reach it through every parent, which a private state folder (pytest's) does not allow
    data_root = Path(tempfile.mkdtemp(prefix=DATA_PREFIX))
    data_root.chmod(0o755)
    data_dir = data_root / "pgdata"
    run_as = "postgres" if os.geteuid() == 0 else None
    if run_as:
        subprocess.run(
            ["install", "-d", "-o", run_as, "-g", run_as, "-m", "700", str(data_dir)], check=True
        )
    else:
        data_dir.mkdir(mode=0o700)
    _run(
        [str(bin_dir / "initdb"), "-D", str(data_dir), "-U", "postgres", "--auth=trust",
         "-E", "UTF8", "--locale=C.UTF-8"],
        run_as,
    )  # fmt: skip
    host = "127.0.0.1"
    port = port or free_port(host)
    options = " ".join(
        [
            f"-p {port}",
            f"-c listen_addresses={host}",
            f"-k {data_dir}",
            "-c fsync=off",
            "-c synchronous_commit=off",
            "-c full_page_writes=off",
            "-c timezone=UTC",
            "-c max_connections=50",
            # JIT compiling costs more than it saves on these small queries
            "-c jit=off",
        ]
    )
    _run(
        [str(bin_dir / "pg_ctl"), "-D", str(data_dir), "-l", str(data_dir / "server.log"),
         "-w", "-t", "60", "-o", options, "start"],
        run_as,
    )  # fmt: skip
    server = PostgresServer(host, port, user, password, database, str(data_dir), str(bin_dir),
                            run_as)  # fmt: skip
    _wait_ready(server)
    psql = [str(bin_dir / "psql"), "-h", host, "-p", str(port), "-U", "postgres", "-d", "postgres",
            "-v", "ON_ERROR_STOP=1", "-q", "-c"]  # fmt: skip
    subprocess.run(
        psql + [f"create role {user} login createdb password '{password}'"],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        psql + [f"create database {database} owner {user}"], check=True, capture_output=True
    )
    (state / STATE_FILE).write_text(json.dumps(asdict(server), indent=2))
    return server


def _wait_ready(server: PostgresServer, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    isready = [str(Path(server.bin_dir) / "pg_isready"), "-h", server.host, "-p", str(server.port),
               "-q"]  # fmt: skip
    while subprocess.run(isready, check=False).returncode != 0:
        if time.monotonic() > deadline:
            raise RuntimeError(f"PostgreSQL on port {server.port} is not ready after {timeout} s")
        time.sleep(0.2)


def stop(server: PostgresServer, remove: bool = True) -> None:
    """Stop the server (fast shutdown) and, by default, delete its data folder. A server this
    module did not start (no data folder recorded) is left alone."""
    if not server.data_dir:
        return
    data_dir = Path(server.data_dir)
    if data_dir.exists():
        _run(
            [str(Path(server.bin_dir) / "pg_ctl"), "-D", str(data_dir), "-m", "fast", "-w",
             "stop"],
            server.run_as,
        )  # fmt: skip
    if remove:
        target = data_dir.parent if data_dir.parent.name.startswith(DATA_PREFIX) else data_dir
        shutil.rmtree(target, ignore_errors=True)


def load_state(state_dir: str | Path) -> PostgresServer:
    return PostgresServer(**json.loads((Path(state_dir) / STATE_FILE).read_text()))


def _exports(server: PostgresServer) -> str:
    return "\n".join(f"export {k}={shlex.quote(v)}" for k, v in server.env().items())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m nrr_engine.warehouses.postgres_server",
        description="Start, describe or stop a throwaway local PostgreSQL cluster.",
    )
    parser.add_argument("action", choices=["install", "start", "stop", "env"])
    parser.add_argument(
        "--state-dir",
        required=True,
        help="folder for the cluster's data and its state file (created by start)",
    )
    parser.add_argument("--port", type=int, default=None, help="default: a free port")
    args = parser.parse_args(argv)
    if args.action == "install":
        print(f"PostgreSQL binaries: {find_bin_dir()}")
    elif args.action == "start":
        server = start(args.state_dir, port=args.port)
        print(_exports(server))
    elif args.action == "env":
        print(_exports(load_state(args.state_dir)))
    else:
        state_file = Path(args.state_dir) / STATE_FILE
        if not state_file.exists():
            print(f"no server recorded in {state_file}", file=sys.stderr)
            return 0
        stop(load_state(args.state_dir))
        state_file.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Start a real Neo4j 5.26 (with APOC and OpenGDS) for the tests and benchmarks, no Docker.

The jars come from Maven Central through ``pom.xml`` beside this file
(``mvn dependency:copy-dependencies``) and are cached under
``$KPGRAPH_CACHE`` (default ``~/.cache/kpgraph``), keyed by the pom's hash. ``Launcher.java``
runs embedded Neo4j with its Bolt connector on a free loopback port; the store lives in a
temporary folder. Auth is on: the server starts with the default ``neo4j``/``neo4j`` and
:func:`start` changes the password, so wrong-credential tests meet a real refusal.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import subprocess
import tempfile
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).parent
PASSWORD = "kpgraph-test-password"
JVM_FLAGS = [
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
]
PLUGIN_PREFIXES = ("apoc-core-", "apoc-common-", "proc-", "alpha-proc-", "opengds-")


class ServerError(RuntimeError):
    """The test Neo4j could not be fetched or started (the message says why)."""


@dataclass(frozen=True)
class Server:
    uri: str
    user: str
    password: str
    home: Path
    process: subprocess.Popen

    def config(self):
        """kpgraph's connection settings for this server."""
        from kpgraph.neo4j.config import Neo4jConfig

        return Neo4jConfig(uri=self.uri, user=self.user, password=self.password)


def deps_dir() -> Path:
    """The jars for the pom, fetched with Maven the first time (about 130 MB)."""
    pom = HERE / "pom.xml"
    digest = hashlib.sha256(pom.read_bytes()).hexdigest()[:12]
    cache = Path(os.environ.get("KPGRAPH_CACHE", Path.home() / ".cache" / "kpgraph"))
    target = cache / f"neo4j-deps-{digest}"
    if (target / ".complete").exists():
        return target
    if shutil.which("mvn") is None or shutil.which("java") is None:
        raise ServerError("the test Neo4j needs Java 17 and Maven on PATH (mvn, java)")
    tmp = Path(tempfile.mkdtemp(prefix="neo4j-deps-", dir=cache if cache.exists() else None))
    cmd = ["mvn", "-q", "-B", "-f", str(pom), "dependency:copy-dependencies",
           f"-DoutputDirectory={tmp}"]
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        shutil.rmtree(tmp, ignore_errors=True)
        raise ServerError("mvn could not fetch the Neo4j jars:\n"
                          + (result.stdout + result.stderr)[-3000:])
    (tmp / ".complete").write_text("ok\n")
    cache.mkdir(parents=True, exist_ok=True)
    try:
        tmp.rename(target)
    except OSError:  # another process won the race: use its copy
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def start(timeout: float = 180.0, heap: str = "2g", pagecache: str = "256m", prepare=None):
    """Run a Neo4j for the duration of the ``with`` block; yields a :class:`Server`.

    ``prepare(home)``, if given, runs before the server starts (e.g. a bulk import into
    the store it will open).
    """
    deps = deps_dir()
    home = Path(tempfile.mkdtemp(prefix="kpgraph-neo4j-"))
    plugins = home / "plugins"
    plugins.mkdir()
    for jar in deps.glob("*.jar"):
        if jar.name.startswith(PLUGIN_PREFIXES):
            shutil.copy(jar, plugins / jar.name)
    (home / "neo4j.conf").write_text(
        "dbms.security.auth_enabled=true\n"
        f"server.memory.pagecache.size={pagecache}\n"
        f"server.directories.plugins={plugins}\n"
        "dbms.security.procedures.unrestricted=apoc.*,gds.*\n"
        "db.transaction.timeout=0\n"
    )
    if prepare is not None:
        prepare(home)
    port = free_port()
    java = shutil.which("java") or "java"
    cmd = [java, *JVM_FLAGS, f"-Xmx{heap}", "-cp", f"{deps}/*",
           str(HERE / "Launcher.java"), str(home), str(port)]
    log = open(home / "launcher.log", "w+")
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log,
                            text=True)
    ready = threading.Event()
    lines: list[str] = []

    def watch():
        for line in proc.stdout:
            lines.append(line)
            if line.startswith("KPGRAPH-NEO4J READY"):
                ready.set()
        ready.set()  # the process ended

    threading.Thread(target=watch, daemon=True).start()
    try:
        if not ready.wait(timeout) or proc.poll() is not None:
            log.seek(0)
            raise ServerError("the test Neo4j did not start:\n" + log.read()[-3000:]
                              + "".join(lines)[-1000:])
        uri = f"bolt://127.0.0.1:{port}"
        _set_password(uri)
        yield Server(uri=uri, user="neo4j", password=PASSWORD, home=home, process=proc)
    finally:
        stop(proc)
        log.close()
        shutil.rmtree(home, ignore_errors=True)


def admin_import(home: Path, args: list[str]) -> subprocess.CompletedProcess:
    """Run ``neo4j-admin`` (its main class, from the jars) with ``args`` against ``home``."""
    deps = deps_dir()
    conf = home / "conf"
    conf.mkdir(exist_ok=True)
    shutil.copy(home / "neo4j.conf", conf / "neo4j.conf")
    env = dict(os.environ, NEO4J_HOME=str(home), NEO4J_CONF=str(conf))
    java = shutil.which("java") or "java"
    cmd = [java, *JVM_FLAGS, "-Xmx2g", "-cp", f"{deps}/*", "org.neo4j.cli.AdminTool", *args]
    result = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise ServerError("neo4j-admin failed:\n" + (result.stdout + result.stderr)[-3000:])
    return result


def _set_password(uri: str) -> None:
    from neo4j import GraphDatabase

    with GraphDatabase.driver(uri, auth=("neo4j", "neo4j")) as driver:
        with driver.session(database="system") as session:
            session.run("ALTER CURRENT USER SET PASSWORD FROM $old TO $new",
                        old="neo4j", new=PASSWORD).consume()


def stop(proc: subprocess.Popen, timeout: float = 60) -> None:
    """Stop the server and wait for its shutdown hook (about 15 s) to finish."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()

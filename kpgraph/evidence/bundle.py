"""Evidence bundles: the exporters' files plus ``manifest.json``, as a folder or a zip;
and their verification.

The manifest records each file's SHA-256 and size, a fingerprint of the source data, the
selection (command, query text, parameters), the tool version and the time. The time is
``SOURCE_DATE_EPOCH`` when that is set, and no file's content depends on the clock (GEXF's
date is the bundle's), so the same data and selection give byte-identical files; with
``SOURCE_DATE_EPOCH`` set, byte-identical bundles. A zip is written with sorted entries,
fixed permissions and the bundle's time as every entry's time.

``verify`` recomputes every hash and reports each altered, missing or extra file. The
manifest's own SHA-256 is printed by ``kpgraph export`` and ``kpgraph verify``: record it in
the chain-of-custody log, since a manifest rewritten together with its files can only be
caught against a digest kept elsewhere.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from .. import __version__
from ..errors import IntegrityError, UsageError
from .exporters import EXPORTERS
from .graph import EvidenceGraph

__all__ = ["FORMATS", "write_bundle", "verify_bundle", "VerifyReport", "source_fingerprint",
           "bundle_time"]

FORMATS = ("graphml", "gexf", "csv", "json", "cypher", "ftm", "html")
MANIFEST = "manifest.json"


def bundle_time() -> str:
    """ISO time of the bundle: SOURCE_DATE_EPOCH if set (reproducible builds), else now."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            when = dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc)
        except ValueError:
            raise UsageError(f"SOURCE_DATE_EPOCH={epoch!r} is not an integer") from None
    else:
        when = dt.datetime.now(tz=dt.timezone.utc).replace(microsecond=0)
    return when.isoformat().replace("+00:00", "Z")


def _sha256(path: Path) -> tuple[str, int]:
    with path.open("rb") as fh:
        return _digest(fh)


def _digest(fh) -> tuple[str, int]:
    """SHA-256 and size of a stream, read a MiB at a time (a zip entry may inflate to far
    more than memory holds)."""
    h = hashlib.sha256()
    size = 0
    while chunk := fh.read(1 << 20):
        h.update(chunk)
        size += len(chunk)
    return h.hexdigest(), size


def source_fingerprint(files: dict[str, Path] | None = None, frames: dict | None = None
                       ) -> dict:
    """Hashes of the input files (a dataset folder), or of the tables read (Neo4j)."""
    if files:
        out = {}
        for _name, path in sorted(files.items()):
            digest, size = _sha256(path)
            out[path.name] = {"sha256": digest, "size": size}
        return {"kind": "files", "files": out}
    out = {}
    for name, frame in sorted((frames or {}).items()):
        text = frame.sort_values(list(frame.columns)[:1]).to_csv(index=False)
        out[name] = {"sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
                     "rows": int(len(frame))}
    return {"kind": "tables read from the database", "tables": out}


def write_bundle(graph: EvidenceGraph, out: Path | str, formats: list[str], context: dict,
                 selection: dict, source: dict) -> dict:
    """Write a bundle to ``out`` (a folder, or a ``.zip`` file); return its manifest.

    Everything is written to a temporary folder first and moved into place at the end, so
    a failure leaves no partial bundle.
    """
    unknown = [f for f in formats if f not in EXPORTERS]
    if unknown:
        raise UsageError(f"unknown format(s) {', '.join(unknown)}; "
                         f"choose from {', '.join(FORMATS)}")
    out = Path(out)
    if out.exists() and (out.is_file() or any(out.iterdir())):
        raise UsageError(f"{out} exists and is not empty; choose a new place for the bundle")
    out.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".kpgraph-bundle-", dir=out.parent))
    try:
        folder = work / "bundle"
        folder.mkdir()
        written: list[Path] = []
        for name in formats:
            exporter = EXPORTERS[name](folder, context)
            exporter.write(graph)
            written += exporter.finalize()
        files = {}
        for path in sorted(written):
            digest, size = _sha256(path)
            files[path.relative_to(folder).as_posix()] = {"sha256": digest, "size": size}
        manifest = {
            "kpgraph_version": __version__,
            "created": context["created"],
            "selection": selection,
            "source": source,
            "formats": list(formats),
            "counts": {"nodes": len(graph.nodes), "relationships": len(graph.edges)},
            "files": files,
        }
        (folder / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True,
                                                  ensure_ascii=False) + "\n", "utf-8")
        if out.suffix == ".zip":
            _zip(folder, work / "bundle.zip", context["created"])
            os.replace(work / "bundle.zip", out)
        else:
            if out.exists():
                out.rmdir()
            os.replace(folder, out)
        return manifest
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _zip(folder: Path, target: Path, created: str) -> None:
    when = dt.datetime.fromisoformat(created.replace("Z", "+00:00"))
    stamp = max(when, dt.datetime(1980, 1, 1, tzinfo=dt.timezone.utc)).timetuple()[:6]
    with zipfile.ZipFile(target, "w") as z:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            info = zipfile.ZipInfo(path.relative_to(folder).as_posix(), date_time=stamp)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, path.read_bytes(), compresslevel=9)


@dataclass
class VerifyReport:
    manifest_sha256: str
    checked: int = 0
    altered: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    # a zip may hold two entries of one name: which one a reader sees depends on the tool
    duplicate: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not (self.altered or self.missing or self.extra or self.duplicate)

    def lines(self) -> list[str]:
        return ([f"altered: {f}" for f in self.altered] + [f"missing: {f}" for f in
                                                            self.missing]
                + [f"extra: {f}" for f in self.extra]
                + [f"duplicate: {f}" for f in self.duplicate])


def verify_bundle(path: Path | str) -> VerifyReport:
    """Check every file of a bundle against its manifest: each listed file's SHA-256 and
    size, and no file missing, extra or (in a zip) present twice."""
    path = Path(path)
    if path.is_file():
        try:
            with zipfile.ZipFile(path) as z:
                return _verify(path, [i for i in z.infolist() if not i.is_dir()],
                               lambda i: _digest_entry(z, i), lambda i: z.read(i))
        except zipfile.BadZipFile:
            raise IntegrityError(f"{path}: not a zip file") from None
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file())
        return _verify(path, files, _sha256, Path.read_bytes, lambda p: p.relative_to(
            path).as_posix())
    raise UsageError(f"{path}: no such bundle")


def _digest_entry(z: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[str, int]:
    with z.open(info) as fh:
        return _digest(fh)


def _verify(path: Path, entries: list, digest, read, name_of=lambda i: i.filename
            ) -> VerifyReport:
    by_name: dict[str, list] = {}
    for e in entries:
        by_name.setdefault(name_of(e), []).append(e)
    if MANIFEST not in by_name:
        raise IntegrityError(f"{path}: no {MANIFEST}; this is not an intact bundle")
    raw = read(by_name[MANIFEST][-1])
    report = VerifyReport(manifest_sha256=hashlib.sha256(raw).hexdigest())
    try:
        listed = json.loads(raw.decode("utf-8"))["files"]
        if not isinstance(listed, dict):
            raise TypeError
    except (ValueError, KeyError, TypeError):
        raise IntegrityError(f"{path}: {MANIFEST} is not a kpgraph manifest") from None
    report.duplicate = sorted(n for n, es in by_name.items() if len(es) > 1)
    for name, want in sorted(listed.items()):
        if name not in by_name:
            report.missing.append(name)
            continue
        report.checked += 1
        for e in by_name[name]:
            sha, size = digest(e)
            if not isinstance(want, dict) or (sha, size) != (want.get("sha256"),
                                                             want.get("size")):
                report.altered.append(name)
                break
    report.extra = sorted(set(by_name) - set(listed) - {MANIFEST})
    return report

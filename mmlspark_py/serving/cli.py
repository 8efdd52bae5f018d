"""``mmlspark-py serve --model models:/NAME@ALIAS``: a registered model as an HTTP JSON web service.

Usage::

    mmlspark-py serve --model models:/income@champion [--host 127.0.0.1] [--port 8080]
                      [--token-env MMLSPARK_TOKEN] [--path auto|fast|spark] [--max-request-bytes 1048576]
                      [--max-records 1000] [--max-batch-rows 1000] [--batch-wait-ms 0] [--access-log FILE]

The token is read from an environment variable (``--token-env``), never from the command line, where other
users of the machine could see it. The server prints ``serving NAME version V on http://HOST:PORT (fast path)``
when it is ready, and stops on Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading


def add_serve_cli(subparsers: argparse._SubParsersAction) -> None:
    """Add ``serve`` to an argparse subparsers object."""
    serve = subparsers.add_parser("serve", help="serve a registered model as an HTTP JSON API")
    serve.add_argument("--model", required=True, help="models:/NAME@ALIAS, models:/NAME/VERSION or runs:/RUN/model")
    serve.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to bind (default: %(default)s, this machine only; 0.0.0.0 exposes it to the network)",
    )
    serve.add_argument("--port", type=int, default=8080, help="port (default: %(default)s; 0: any free port)")
    serve.add_argument(
        "--token-env",
        help="name of an environment variable holding the bearer token clients must send (default: no authentication)",
    )
    serve.add_argument(
        "--path",
        default="auto",
        choices=("auto", "fast", "spark"),
        help="scoring path: fast (in-process), spark, or auto (fast when every stage allows)",
    )
    serve.add_argument("--max-request-bytes", type=int, default=1 << 20)
    serve.add_argument("--max-records", type=int, default=1000, help="records per request")
    serve.add_argument("--max-batch-rows", type=int, default=1000, help="rows per micro-batch")
    serve.add_argument("--batch-wait-ms", type=float, default=0.0, help="wait for more requests per batch")
    serve.add_argument("--max-connections", type=int, default=256)
    serve.add_argument("--access-log", default="-", help="request log file ('-': stderr, 'none': off)")
    serve.add_argument("--tracking-uri", help="MLflow tracking/registry URI (default: ./mlflow.db)")
    serve.set_defaults(run=_run)


def _access_log(target: str) -> None:
    from mmlspark_py.serving.server import access_log

    access_log.propagate = False
    if target == "none":
        access_log.disabled = True
        return
    handler = logging.StreamHandler(sys.stderr) if target == "-" else logging.FileHandler(target)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    access_log.addHandler(handler)
    access_log.setLevel(logging.INFO)


def _run(args: argparse.Namespace) -> int:
    from mmlspark_py.serving.server import ModelServer, ServingConfig

    if args.tracking_uri:
        from mmlspark_py.tracking import configure

        configure(uri=args.tracking_uri)
    token = None
    if args.token_env:
        token = os.environ.get(args.token_env)
        if not token:
            print(f"error: --token-env {args.token_env}: the variable is not set or empty", file=sys.stderr)
            return 2
    config = ServingConfig(
        args.host,
        args.port,
        token,
        args.path,
        args.max_request_bytes,
        args.max_records,
        args.max_batch_rows,
        args.batch_wait_ms,
        args.max_connections,
    )
    _access_log(args.access_log)
    server = ModelServer.for_uri(args.model, config)
    host, port = str(server.httpd.server_address[0]), server.port
    why = f" (spark path: {server.fast_path_reason})" if server.fast_path_reason else f" ({server.path} path)"
    print(f"serving {server.name} version {server.version or '-'} on http://{host}:{port}{why}", flush=True)

    def stop(signum: int, frame: object) -> None:
        threading.Thread(target=server.httpd.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    print("stopped", flush=True)
    return 0

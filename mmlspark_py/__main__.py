"""``python -m mmlspark_py`` is the ``mmlspark-py`` command."""

from mmlspark_py.jobs.cli import main

raise SystemExit(main())

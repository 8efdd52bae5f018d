"""Entry points: the ``mmlspark-py`` command and the jobs it runs (also runnable through spark-submit)."""

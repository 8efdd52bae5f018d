"""Entry file for ``spark-submit`` (and ``python -m mmlspark_py.jobs.run``): ``mmlspark-py run`` as a Spark application.

Example::

    spark-submit --master spark://HOST:7077 $(python -c "import mmlspark_py.jobs.run as m; print(m.__file__)") ...
"""

import os
import sys

if __name__ == "__main__":
    if sys.path and os.path.abspath(sys.path[0]) == os.path.dirname(os.path.abspath(__file__)):
        del sys.path[0]  # run as a file: this folder must not shadow top-level modules
    from mmlspark_py.jobs.cli import main

    sys.exit(main(["run", *sys.argv[1:]]))

"""The JVM companion's path for UnrollImage (see :mod:`mmlspark_py.core.jvm_companion`).

The companion unrolls an image struct in the JVM with the Python path's exact rules (channel-major order,
values in the type ``mode`` says, 0 stays 0, the same errors naming the origin), so no pixel crosses to a
Python worker and a pipeline such as read_images -> UnrollImage -> a Spark ML learner stays in the JVM.
"""

from __future__ import annotations

from typing import Optional

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from mmlspark_py.core import jvm_companion
from mmlspark_py.core.stage import column


def unroll_image(df: DataFrame, input_col: str) -> Optional[Column]:
    """UnrollImage's vector column (null for a null image), or None without a usable companion."""
    jvm = jvm_companion.companion(df.sparkSession)
    if jvm is None:
        return None
    image = column(input_col)
    fields = [image.getField(name) for name in ("origin", "height", "width", "nChannels", "mode", "data")]
    return F.when(image.isNotNull(), jvm.call("unroll_image", *fields))

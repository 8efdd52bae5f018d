package mmlsparkpy.companion

import org.apache.spark.ml.linalg.Vector
import org.apache.spark.sql.api.java.UDF2

/** `try_element_at(vector_to_array(v), i)` without building the array (ComputePerInstanceStatistics' log_loss
  * reads one probability per row), with the same results and failures: `i` is 1-based, negative counts from
  * the end, out of range or null gives null, 0 fails as Spark's `try_element_at` does, and a null vector fails
  * as Spark's `vector_to_array` does. */
class VectorAt extends UDF2[Vector, Integer, java.lang.Double] {
  override def call(v: Vector, index: Integer): java.lang.Double = {
    if (v == null) {
      throw new IllegalArgumentException("function vector_to_array requires a non-null input argument and input " +
        "type must be `org.apache.spark.ml.linalg.Vector` or `org.apache.spark.mllib.linalg.Vector`, but got null.")
    }
    if (index == null) return null
    val i = index.intValue
    if (i == 0) {
      throw new ArrayIndexOutOfBoundsException(
        "[INVALID_INDEX_OF_ZERO] The index 0 is invalid. An index shall be either < 0 or > 0 (the first " +
          "element has index 1).")
    }
    val at = if (i > 0) i - 1 else v.size + i
    if (at < 0 || at >= v.size) null else v(at)
  }
}

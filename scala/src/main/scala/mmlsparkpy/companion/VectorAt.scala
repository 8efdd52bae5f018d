package mmlsparkpy.companion

import org.apache.spark.ml.linalg.Vector
import org.apache.spark.sql.api.java.UDF2

/** `try_element_at(vector_to_array(v), i)` without building the array (ComputePerInstanceStatistics' log_loss
  * reads one probability per row): `i` is 1-based, negative counts from the end, out of range gives null, and
  * 0 fails as Spark's `try_element_at` does. */
class VectorAt extends UDF2[Vector, Integer, java.lang.Double] {
  override def call(v: Vector, index: Integer): java.lang.Double = {
    if (v == null || index == null) return null
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

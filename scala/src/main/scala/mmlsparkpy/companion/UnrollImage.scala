package mmlsparkpy.companion

import java.nio.{ByteBuffer, ByteOrder}

import org.apache.spark.ml.linalg.{Vector, Vectors}
import org.apache.spark.sql.api.java.UDF6

/** UnrollImage's vector (mmlspark_py/image/unroll.py): an image struct's pixels, channel-major.
  *
  * Arguments: the struct's origin, height, width, nChannels, mode and data. `v(c*H*W + y*W + x)` is the pixel
  * value at (y, x) in channel c, channels in the stored (BGR[A]) order, values as doubles in the type `mode`
  * says (OpenCV 4 codes: depth `mode & 7`, channels `(mode >> 3) + 1`), read little-endian like numpy on every
  * platform Spark runs on. A 0 byte stays 0 (SynapseML turns it into 256). Inconsistent fields fail with the
  * Python path's message, naming the origin.
  */
class UnrollImage extends UDF6[String, Integer, Integer, Integer, Integer, Array[Byte], Vector] {
  override def call(origin: String, height: Integer, width: Integer, nChannels: Integer, mode: Integer,
                    data: Array[Byte]): Vector = {
    if (data == null) return null
    val depth = mode.intValue & 7
    if (mode.intValue < 0 || depth == 7) fail(origin, s"unsupported image mode $mode")
    val channels = (mode.intValue >> 3) + 1
    if (nChannels != null && nChannels.intValue != channels) {
      fail(origin, s"nChannels=$nChannels disagrees with mode $mode ($channels channels)")
    }
    val itemSize = UnrollImage.ItemSizes(depth)
    val (h, w) = (height.intValue, width.intValue)
    val expected = h.toLong * w * channels * itemSize
    if (data.length != expected) {
      fail(origin, s"image data has ${data.length} bytes, expected $expected for ${h}x${w}x$channels " +
        UnrollImage.DTypeNames(depth))
    }
    val pixels = h * w
    val values = new Array[Double](pixels * channels)
    if (depth == 0) { // uint8, the common case: no buffer
      var i = 0
      while (i < pixels) {
        var c = 0
        while (c < channels) {
          values(c * pixels + i) = (data(i * channels + c) & 0xFF).toDouble
          c += 1
        }
        i += 1
      }
    } else {
      val buf = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN)
      var k = 0
      while (k < pixels * channels) {
        val at = k * itemSize
        values((k % channels) * pixels + k / channels) = depth match {
          case 1 => data(at).toDouble
          case 2 => (buf.getShort(at) & 0xFFFF).toDouble
          case 3 => buf.getShort(at).toDouble
          case 4 => buf.getInt(at).toDouble
          case 5 => buf.getFloat(at).toDouble
          case _ => buf.getDouble(at)
        }
        k += 1
      }
    }
    Vectors.dense(values)
  }

  private def fail(origin: String, message: String): Nothing = {
    val shown = if (origin == null) "None" else "'" + origin + "'"
    throw new IllegalArgumentException(s"image $shown: $message")
  }
}

object UnrollImage {
  private val ItemSizes = Array(1, 1, 2, 2, 4, 4, 8)
  private val DTypeNames = Array("uint8", "int8", "uint16", "int16", "int32", "float32", "float64")
}

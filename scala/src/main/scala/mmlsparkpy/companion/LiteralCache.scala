package mmlsparkpy.companion

import java.nio.ByteBuffer
import java.nio.charset.StandardCharsets

/** What a function builds from one of its literal arguments (a compiled regex, a replacement table), built
  * again only when a different literal arrives.
  *
  * Spark passes a literal argument to a UDF on every row; a binary literal arrives as the same array each
  * time, so the identity test makes the lookup free; strings arrive as new (equal) objects and are compared.
  * One UDF instance serves one task at a time, so the cache needs no locking.
  */
private[companion] final class LiteralCache[K <: AnyRef, V](build: K => V) {
  private var key: K = _
  private var value: V = _

  def apply(k: K): V = {
    val same = (k eq key) || (key != null && (k match {
      case bytes: Array[Byte] => java.util.Arrays.equals(bytes, key.asInstanceOf[Array[Byte]])
      case other => other == key
    }))
    if (!same) {
      value = build(k)
      key = k
    }
    value
  }
}

/** The configuration strings the Python side packs into one binary literal: each string as a 4-byte
  * big-endian byte count followed by its UTF-8 bytes. */
private[companion] object PackedStrings {
  def unpack(bytes: Array[Byte]): Array[String] = {
    val buffer = ByteBuffer.wrap(bytes)
    val out = Array.newBuilder[String]
    while (buffer.hasRemaining) {
      val n = buffer.getInt()
      out += new String(bytes, buffer.position(), n, StandardCharsets.UTF_8)
      buffer.position(buffer.position() + n)
    }
    out.result()
  }

  /** `count` key/value pairs starting at `from`, as a map. */
  def pairs(strings: Array[String], from: Int, count: Int): java.util.HashMap[String, String] = {
    val map = new java.util.HashMap[String, String](count * 2)
    var i = 0
    while (i < count) {
      map.put(strings(from + 2 * i), strings(from + 2 * i + 1))
      i += 1
    }
    map
  }
}

package mmlsparkpy.companion

import java.util.regex.Pattern

import org.apache.spark.sql.api.java.UDF4

/** PageSplitter's pages (mmlspark_py/featurize/text/page_splitter.py, `split_pages`), as UTF-8 byte slices.
  *
  * Arguments: the text's UTF-8 bytes (`cast(text as binary)`), maximumPageLength, minimumPageLength, and the
  * boundary regex already translated from Python's `re` syntax to an equivalent Java one (see
  * mmlspark_py/core/java_regex.py). Returns the pages as byte slices of the input (the caller casts them back
  * to strings), so invalid UTF-8 bytes are kept byte for byte, exactly like the Python path.
  *
  * The rules are the Python path's: a text whose Arrow `utf8_length` is at most maximumPageLength is one page;
  * a longer one is cut greedily, each page ending at the last boundary-match end that keeps it within
  * [max(minimumPageLength, 1), maximumPageLength] code points, else cut hard at maximumPageLength.
  */
class PageSplit extends UDF4[Array[Byte], Integer, Integer, String, Array[Array[Byte]]] {
  @transient private lazy val patterns = new LiteralCache[String, Pattern](p => Pattern.compile(p))

  override def call(bytes: Array[Byte], maxLen: Integer, minLen: Integer, regex: String): Array[Array[Byte]] = {
    if (bytes == null) return null
    val max = maxLen.intValue
    if (Utf8Escaped.arrowLength(bytes) <= max) return Array(bytes)
    val text = Utf8Escaped.decode(bytes)
    if (text.codePoints <= max) return Array(bytes)
    val pattern = patterns(regex)
    val ends = DeepStack(s"PageSplitter: boundary regex on a text of ${text.codePoints} characters") {
      boundaryEnds(text, pattern)
    }
    val pages = Array.newBuilder[Array[Byte]]
    val shortest = math.max(minLen.intValue, 1)
    var start = 0
    while (text.codePoints - start > max) {
      val k = upperBound(ends, start + max) - 1
      val cut = if (k >= 0 && ends.get(k) >= start + shortest) ends.get(k) else start + max
      pages += java.util.Arrays.copyOfRange(bytes, text.byteAt(start), text.byteAt(cut))
      start = cut
    }
    pages += java.util.Arrays.copyOfRange(bytes, text.byteAt(start), bytes.length)
    pages.result()
  }

  /** The code point index where each match ends, in increasing order.
    *
    * Java scans the text char by char, so it may try a match at the second half of a surrogate pair, where
    * Python (whose characters are code points) never starts one. Such a match is found only when nothing
    * matched at an earlier position, so dropping it and searching on from the next code point gives Python's
    * matches.
    */
  private def boundaryEnds(text: Utf8Escaped, pattern: Pattern): IntBuffer = {
    val ends = new IntBuffer
    val s = text.text
    val m = pattern.matcher(s)
    var found = m.find()
    while (found) {
      val start = m.start()
      if (start > 0 && Character.isLowSurrogate(s.charAt(start)) && Character.isHighSurrogate(s.charAt(start - 1))) {
        found = m.find(start + 1)
      } else {
        ends.add(text.codePointAt(m.end()))
        found = m.find()
      }
    }
    ends
  }

  /** Python's `bisect_right`: the number of entries <= `x`. */
  private def upperBound(ends: IntBuffer, x: Int): Int = {
    var lo = 0
    var hi = ends.size
    while (lo < hi) {
      val mid = (lo + hi) >>> 1
      if (ends.get(mid) <= x) lo = mid + 1 else hi = mid
    }
    lo
  }
}

/** A growable array of ints (no boxing). */
private[companion] final class IntBuffer {
  private var data = new Array[Int](64)
  var size = 0

  def add(x: Int): Unit = {
    if (size == data.length) data = java.util.Arrays.copyOf(data, size * 2)
    data(size) = x
    size += 1
  }

  def get(i: Int): Int = data(i)
}

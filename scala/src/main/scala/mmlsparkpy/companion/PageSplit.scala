package mmlsparkpy.companion

import java.nio.ByteBuffer
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

  override def call(bytes: Array[Byte], maxLen: Integer, minLen: Integer, regex: String): Array[Array[Byte]] =
    PageSplit.pages(bytes, maxLen, minLen) { text =>
      val ends = DeepStack(s"PageSplitter: boundary regex on a text of ${text.codePoints} characters") {
        PageSplit.boundaryEnds(text, patterns(regex))
      }
      (start, shortest, longest) => {
        val k = PageSplit.upperBound(ends, longest) - 1
        if (k >= 0 && ends.get(k) >= shortest) ends.get(k) else -1
      }
    }
}

/** PageSplitter's pages when the boundary regex is one literal or character class (`\s`, `[.!?]`): every
  * code point of the class is a match of its own, ending right after it, so the cut of a page is found by
  * testing the code points just before its longest end, backwards, instead of running the regex over the
  * whole text.
  *
  * Arguments as [[PageSplit]]'s, except the last: the class as packed big-endian int pairs (first, last code
  * point of each range; sorted, disjoint), computed by Python's `re` (mmlspark_py/core/java_regex.py,
  * `code_point_class`). The pages equal [[PageSplit]]'s with the class as the regex.
  */
class PageSplitAtClass extends UDF4[Array[Byte], Integer, Integer, Array[Byte], Array[Array[Byte]]] {
  @transient private lazy val classes = new LiteralCache[Array[Byte], CodePointClass](b => CodePointClass(b))

  override def call(bytes: Array[Byte], maxLen: Integer, minLen: Integer, packed: Array[Byte]): Array[Array[Byte]] =
    PageSplit.pages(bytes, maxLen, minLen) { text =>
      val boundary = classes(packed)
      val values = text.codePointValues()
      (_, shortest, longest) => {
        var end = longest
        while (end >= shortest && !boundary.contains(if (values == null) text.text.charAt(end - 1) else values(end - 1)))
          end -= 1
        if (end >= shortest) end else -1
      }
    }
}

/** A set of code points given as sorted, disjoint, inclusive ranges; Latin-1 in a lookup table. */
private[companion] final class CodePointClass private (low: Array[Boolean], firsts: Array[Int], lasts: Array[Int]) {
  def contains(cp: Int): Boolean =
    if (cp < 256) low(cp)
    else {
      // the last range starting at or before cp
      var lo = 0
      var hi = firsts.length
      while (lo < hi) {
        val mid = (lo + hi) >>> 1
        if (firsts(mid) <= cp) lo = mid + 1 else hi = mid
      }
      lo > 0 && cp <= lasts(lo - 1)
    }
}

private[companion] object CodePointClass {
  def apply(packed: Array[Byte]): CodePointClass = {
    val buffer = ByteBuffer.wrap(packed)
    val n = packed.length / 8
    val firsts = new Array[Int](n)
    val lasts = new Array[Int](n)
    for (i <- 0 until n) {
      firsts(i) = buffer.getInt()
      lasts(i) = buffer.getInt()
    }
    val low = Array.tabulate(256)(cp => (0 until n).exists(i => firsts(i) <= cp && cp <= lasts(i)))
    new CodePointClass(low, firsts, lasts)
  }
}

private[companion] object PageSplit {

  /** The pages of `bytes`; `cutter(text)` gives, for a page starting at code point `start`, the last boundary
    * end in [shortest, longest] (code point indexes), or -1 when there is none (the page is then cut hard). */
  def pages(bytes: Array[Byte], maxLen: Integer, minLen: Integer)(
      cutter: Utf8Escaped => (Int, Int, Int) => Int): Array[Array[Byte]] = {
    if (bytes == null) return null
    val max = maxLen.intValue
    if (Utf8Escaped.arrowLength(bytes) <= max) return Array(bytes)
    val text = Utf8Escaped.decode(bytes)
    if (text.codePoints <= max) return Array(bytes)
    val lastEnd = cutter(text)
    val pages = Array.newBuilder[Array[Byte]]
    val shortest = math.max(minLen.intValue, 1)
    var start = 0
    while (text.codePoints - start > max) {
      val end = lastEnd(start, start + shortest, start + max)
      val cut = if (end >= 0) end else start + max
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
  def boundaryEnds(text: Utf8Escaped, pattern: Pattern): IntBuffer = {
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
  def upperBound(ends: IntBuffer, x: Int): Int = {
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

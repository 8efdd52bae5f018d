package mmlsparkpy.companion

import java.util.regex.Pattern

import org.apache.spark.sql.api.java.UDF2
import org.apache.spark.unsafe.types.UTF8String

/** TextPreprocessor's longest-match replacement (mmlspark_py/featurize/text/text_preprocessor.py).
  *
  * Arguments: the text and one packed binary literal (see [[PackedStrings]]) holding, in order: the mode
  * ("identity" or "ignoreCase"), the trie-shaped Java regex the Python path builds (flags included), then
  * three tables each as a count followed by key/value pairs: the exact table, the lower-cased one and the
  * upper-cased one (the last two empty in identity mode).
  *
  * The Python path runs the same regex through `regexp_extract_all` and glues (gap, replacement) pairs back
  * together; here one `find()` loop does it, with hash lookups instead of SQL map scans. The regex is the same,
  * so which text matches (Java's per-character case folding included) is the same; a match is looked up
  * exactly in identity mode, else by Spark's `lower` then Spark's `upper` of the match (the Python path's
  * `lower`/`upper` SQL functions, i.e. [[UTF8String]]'s), keeping the match when neither finds it.
  *
  * In identity mode the regex is not run: a trie of the keys finds, at each position from the left, the
  * longest key starting there, which is what the trie-shaped regex finds (its branches come before the
  * optional end of a key, so backtracking yields the longest), scanning on after each match as `find()` does.
  * Keys are well-formed UTF-16 (the Python side never ships lone surrogates), so walking chars matches what
  * the regex matches walking code points.
  */
class TextReplace extends UDF2[String, Array[Byte], String] {
  @transient private lazy val configs = new LiteralCache[Array[Byte], TextReplace.Config](TextReplace.Config.apply)

  override def call(text: String, packed: Array[Byte]): String = {
    if (text == null) return null
    val config = configs(packed)
    if (!config.ignoreCase) return config.trie.replace(text)
    DeepStack(s"TextPreprocessor: a text of ${text.length} chars")(replace(config, text))
  }

  private def replace(config: TextReplace.Config, text: String): String = {
    val m = config.pattern.matcher(text)
    if (!m.find()) return text
    val out = new java.lang.StringBuilder(text.length + 16)
    var last = 0
    do {
      out.append(text, last, m.start()).append(config.replacement(m.group()))
      last = m.end()
    } while (m.find())
    out.append(text, last, text.length).toString
  }
}

object TextReplace {
  private[companion] final case class Config(pattern: Pattern, ignoreCase: Boolean,
                                             exact: java.util.HashMap[String, String],
                                             lower: java.util.HashMap[String, String],
                                             upper: java.util.HashMap[String, String]) {
    lazy val trie: KeyTrie = KeyTrie(exact)

    def replacement(found: String): String = {
      if (!ignoreCase) return exact.get(found)
      val utf8 = UTF8String.fromString(found)
      val byLower = lower.get(utf8.toLowerCase.toString)
      if (byLower != null) return byLower
      val byUpper = upper.get(utf8.toUpperCase.toString)
      if (byUpper != null) byUpper else found
    }
  }

  private[companion] object Config {
    def apply(packed: Array[Byte]): Config = {
      val s = PackedStrings.unpack(packed)
      val ignoreCase = s(0) match {
        case "identity" => false
        case "ignoreCase" => true
        case other => throw new IllegalArgumentException(s"TextReplace: unknown mode $other")
      }
      var at = 2
      def table(): java.util.HashMap[String, String] = {
        val n = s(at).toInt
        val map = PackedStrings.pairs(s, at + 1, n)
        at += 1 + 2 * n
        map
      }
      val exact = table()
      val lower = table()
      val upper = table()
      Config(Pattern.compile(s(1)), ignoreCase, exact, lower, upper)
    }
  }
}

/** A trie of replacement keys over UTF-16 chars: the root's children in a table indexed by char, deeper ones
  * in sorted arrays searched by bisection. */
private[companion] final class KeyTrie private (root: Array[KeyTrie.Node]) {

  /** `text` with each leftmost-longest key replaced by its value, scanning on after each replacement. */
  def replace(text: String): String = {
    val n = text.length
    var out: java.lang.StringBuilder = null
    var last = 0
    var i = 0
    while (i < n) {
      var node = root(text.charAt(i))
      var j = i + 1
      var end = -1
      var value: String = null
      while (node != null) {
        if (node.value != null) { end = j; value = node.value }
        node = if (j < n) node.child(text.charAt(j)) else null
        j += 1
      }
      if (end >= 0) {
        if (out == null) out = new java.lang.StringBuilder(n + 16)
        out.append(text, last, i).append(value)
        last = end
        i = end
      } else i += 1
    }
    if (out == null) text else out.append(text, last, n).toString
  }
}

private[companion] object KeyTrie {
  final class Node {
    var value: String = null
    var chars: Array[Char] = new Array[Char](0)
    var kids: Array[Node] = new Array[Node](0)

    def child(c: Char): Node = {
      val k = java.util.Arrays.binarySearch(chars, c)
      if (k >= 0) kids(k) else null
    }

    def childOrNew(c: Char): Node = {
      val k = java.util.Arrays.binarySearch(chars, c)
      if (k >= 0) return kids(k)
      val at = -k - 1
      val node = new Node
      chars = (chars.take(at) :+ c) ++ chars.drop(at)
      kids = (kids.take(at) :+ node) ++ kids.drop(at)
      node
    }
  }

  def apply(table: java.util.Map[String, String]): KeyTrie = {
    val root = new Array[Node](Char.MaxValue + 1)
    val it = table.entrySet.iterator
    while (it.hasNext) {
      val e = it.next()
      val key = e.getKey
      require(key.nonEmpty, "TextReplace: an empty key")
      var node = root(key.charAt(0))
      if (node == null) { node = new Node; root(key.charAt(0)) = node }
      var i = 1
      while (i < key.length) { node = node.childOrNew(key.charAt(i)); i += 1 }
      node.value = e.getValue
    }
    new KeyTrie(root)
  }
}

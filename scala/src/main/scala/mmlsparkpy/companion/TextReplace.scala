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
  */
class TextReplace extends UDF2[String, Array[Byte], String] {
  @transient private lazy val configs = new LiteralCache[Array[Byte], TextReplace.Config](TextReplace.Config.apply)

  override def call(text: String, packed: Array[Byte]): String = {
    if (text == null) return null
    val config = configs(packed)
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

package mmlsparkpy.companion

import com.ibm.icu.text.{FilteredNormalizer2, Normalizer2, UnicodeSet}
import org.apache.spark.sql.api.java.UDF3

/** UnicodeNormalize's normalisation (mmlspark_py/featurize/text/unicode_normalize.py) as of a given Unicode
  * version.
  *
  * Arguments: the text (already made valid UTF-8 and lowercased by Spark, as in the Python path), the form
  * (NFC, NFD, NFKC, NFKD) and the Unicode version of the Python path's `unicodedata` (e.g. "14.0.0").
  *
  * Python normalises with the tables of its own Unicode version, and the JVM's java.text.Normalizer with the
  * JDK's (Unicode 13 in Java 17), so they differ on characters one of them does not know. ICU4J (shipped
  * with Spark 4) is newer than both; restricted with a [[FilteredNormalizer2]] to the characters assigned in
  * Python's version (`[:age=14.0:]`), it normalises exactly as that version: characters outside the set are
  * copied unchanged and split the text into separately normalised spans, which is what an unassigned
  * character (combining class 0, no decomposition, no composition) does in the older version. Unicode's
  * normalisation stability policy guarantees the set's own characters behave the same in every later version.
  * The Python side uses this function only when ICU is present and its Unicode version is at least Python's.
  */
class UnicodeNormalize extends UDF3[String, String, String, String] {
  @transient private lazy val normalizers =
    new LiteralCache[String, Normalizer2](key => UnicodeNormalize.normalizer(key))

  override def call(text: String, form: String, unicodeVersion: String): String = {
    if (text == null) return null
    normalizers(form + "@" + unicodeVersion).normalize(text)
  }
}

object UnicodeNormalize {
  private[companion] def normalizer(key: String): Normalizer2 = {
    val Array(form, version) = key.split("@", 2)
    val full = form.toUpperCase(java.util.Locale.ROOT) match {
      case "NFC" => Normalizer2.getNFCInstance
      case "NFD" => Normalizer2.getNFDInstance
      case "NFKC" => Normalizer2.getNFKCInstance
      case "NFKD" => Normalizer2.getNFKDInstance
      case other => throw new IllegalArgumentException(s"UnicodeNormalize: unknown form $other")
    }
    val Array(major, minor) = version.split("\\.").take(2).padTo(2, "0")
    new FilteredNormalizer2(full, new UnicodeSet(s"[:age=$major.$minor:]").freeze())
  }
}

package mmlsparkpy.companion

import java.nio.charset.StandardCharsets.UTF_8

import com.ibm.icu.text.{FilteredNormalizer2, Normalizer2, UnicodeSet}
import org.apache.spark.sql.api.java.UDF2
import org.apache.spark.sql.internal.SQLConf
import org.apache.spark.unsafe.Platform
import org.apache.spark.unsafe.types.UTF8String

/** UnicodeNormalize (mmlspark_py/featurize/text/unicode_normalize.py): Spark's `make_valid_utf8`, Spark's
  * `lower` (when asked) and the normalisation of a given Unicode version, in one pass over the UTF-8 bytes.
  *
  * Arguments: the text's bytes (the string cast to binary, invalid UTF-8 included) and one packed binary
  * literal (see [[PackedStrings]]) holding the form (NFC, NFD, NFKC, NFKD), the Unicode version of the Python
  * path's `unicodedata` (e.g. "14.0.0") and whether to lowercase ("1") or not ("0") as Spark's `lower` does
  * for the running query (with or without ICU case mappings, as `spark.sql.icu.caseMappings.enabled` says
  * when the query runs). Returns the result's UTF-8 bytes.
  *
  * Normalisation: Python normalises with the tables of its own Unicode version, and the JVM's
  * java.text.Normalizer with the JDK's (Unicode 13 in Java 17), so they differ on characters one of them does
  * not know. ICU4J (shipped with Spark 4) is newer than both; restricted with a [[FilteredNormalizer2]] to the
  * characters assigned in Python's version (`[:age=14.0:]`), it normalises exactly as that version: characters
  * outside the set are copied unchanged and split the text into separately normalised spans, which is what an
  * unassigned character (combining class 0, no decomposition, no composition) does in the older version.
  * Unicode's normalisation stability policy guarantees the set's own characters behave the same in every
  * later version. The Python side uses this function only when ICU is present and its Unicode version is at
  * least Python's.
  *
  * Invalid UTF-8 and lowercasing go through Spark's own functions (`UTF8String.makeValid`,
  * `CollationSupport.Lower.exec`, what `make_valid_utf8` and `lower` call), so the result is the Python path's
  * `normalize(lower(make_valid_utf8(text)))` by construction. The speed comes from splitting the text before
  * each ASCII character that precedes a non-ASCII run: ASCII runs are copied with A-Z lowered, and only the
  * non-ASCII runs (with the ASCII character before each, which may compose with what follows) are checked,
  * lowered and normalised. That split is exact because every ASCII character starts a normalisation segment
  * (no character combines with a following ASCII one) and lowercasing maps each character on its own,
  * except in three cases where the whole text goes through Spark's functions at once: invalid UTF-8, a capital
  * sigma (Final_Sigma looks at the letters around it, ASCII ones included) and a default locale whose case
  * rules have contexts (Turkish, Azeri, Lithuanian).
  */
class UnicodeNormalize extends UDF2[Array[Byte], Array[Byte], Array[Byte]] {
  @transient private lazy val settings = new LiteralCache[Array[Byte], (Normalizer2, Int)]({ packed =>
    val Array(form, version, lower) = PackedStrings.unpack(packed)
    (UnicodeNormalize.normalizer(form, version), lower.toInt)
  })

  /** How Spark's `lower` runs in this task's query: 1 without ICU case mappings, 2 with them. */
  @transient private lazy val sparkLower: Int = if (SparkLower.icuCaseMappings()) 2 else 1

  override def call(text: Array[Byte], packed: Array[Byte]): Array[Byte] = {
    if (text == null) return null
    val (normalizer, lower) = settings(packed)
    UnicodeNormalize.lowerAndNormalize(text, normalizer, if (lower == 0) 0 else sparkLower)
  }
}

object UnicodeNormalize {
  private[companion] def normalizer(form: String, version: String): Normalizer2 = {
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

  /** `normalize(lower(make_valid_utf8(text)))` over UTF-8 bytes; `lower`: 0 none, 1 Spark's `lower` without
    * ICU case mappings, 2 with them. */
  private[companion] def lowerAndNormalize(text: Array[Byte], normalizer: Normalizer2, lower: Int): Array[Byte] = {
    val n = text.length
    var i = Ascii.skip(text, 0, n)
    if (i == n) return if (lower == 0) text else Ascii.lowered(text) // ASCII is normalised in every form
    if (lower != 0 && contextualLocale) return whole(text, normalizer, lower)
    val out = new Bytes(n + 16)
    var written = 0 // text(written until i) is ASCII, not yet written
    while (i < n) {
      val start = if (i > written) i - 1 else i // the ASCII character before may compose with the run
      var end = i
      while (end < n && text(end) < 0) end += 1
      if (!wellFormed(text, i, end) || (lower != 0 && hasCapitalSigma(text, i, end))) {
        return whole(text, normalizer, lower)
      }
      Ascii.copy(text, written, start, out, lower != 0)
      val segment = new String(text, start, end - start, UTF_8)
      val cased =
        if (lower != 0 && !caseless(segment)) lowered(UTF8String.fromString(segment), lower).toString else segment
      if ((cased eq segment) && normalizer.isNormalized(segment)) out.append(text, start, end - start)
      else out.append(normalizer.normalize(cased).getBytes(UTF_8))
      written = end
      i = Ascii.skip(text, end, n)
    }
    Ascii.copy(text, written, n, out, lower != 0)
    out.result()
  }

  private def whole(text: Array[Byte], normalizer: Normalizer2, lower: Int): Array[Byte] =
    normalizer.normalize(lowered(SparkStrings.makeValid(UTF8String.fromBytes(text)), lower).toString).getBytes(UTF_8)

  /** Whether `text(from until until)`, a run of non-ASCII bytes, is well-formed UTF-8. */
  private def wellFormed(text: Array[Byte], from: Int, until: Int): Boolean = {
    var i = from
    while (i < until) {
      val length = Utf8Escaped.sequenceLength(text, i)
      if (length == 0) return false
      i += length
    }
    true
  }

  private def lowered(text: UTF8String, lower: Int): UTF8String =
    if (lower == 0) text else SparkLower(text, icu = lower == 2)

  /** No character of `text` has a lowercase mapping, by ICU's tables nor by Java's, so Spark's `lower` (either
    * way, the whole-text context rules aside, which the caller rules out) leaves it as it is: a character
    * whose full lowercase mapping differs from itself (U+0130) also has a simple one that does. */
  private def caseless(text: String): Boolean = {
    var i = 0
    while (i < text.length) {
      val c = text.codePointAt(i)
      if (com.ibm.icu.lang.UCharacter.toLowerCase(c) != c || Character.toLowerCase(c) != c) return false
      i += Character.charCount(c)
    }
    true
  }

  /** U+03A3 (UTF-8 CE A3) in `text(from until until)`: its lowercase depends on the letters around it
    * (Final_Sigma). */
  private def hasCapitalSigma(text: Array[Byte], from: Int, until: Int): Boolean = {
    var i = from
    while (i + 1 < until) {
      if (text(i) == 0xce.toByte && text(i + 1) == 0xa3.toByte) return true
      i += 1
    }
    false
  }

  /** Languages whose lowercasing rules (SpecialCasing.txt) look at neighbouring characters, ASCII included. */
  private def contextualLocale: Boolean = {
    val language = java.util.Locale.getDefault.getLanguage
    language == "tr" || language == "az" || language == "lt"
  }
}

/** ASCII bytes eight at a time (SWAR on little- or big-endian longs: no byte carries into another). */
private object Ascii {
  private val High = 0x8080808080808080L
  private val Ones = 0x0101010101010101L
  private val Base = Platform.BYTE_ARRAY_OFFSET.toLong

  /** The first index from `from` whose byte is not ASCII, or `until`. */
  def skip(text: Array[Byte], from: Int, until: Int): Int = {
    var i = from
    while (i + 8 <= until && (Platform.getLong(text, Base + i) & High) == 0) i += 8
    while (i < until && text(i) >= 0) i += 1
    i
  }

  /** The high bit of each byte of `x` (eight ASCII bytes) that is A-Z. */
  private def upper(x: Long): Long = (x + 0x3f * Ones) & ~(x + 0x25 * Ones) & High // >= 'A' and not >= '['

  private def lowerByte(b: Byte): Byte = if (b >= 'A' && b <= 'Z') (b + 32).toByte else b

  /** `text(from until until)`, all ASCII, appended to `out`, A-Z lowered when `lower`. */
  def copy(text: Array[Byte], from: Int, until: Int, out: Bytes, lower: Boolean): Unit = {
    val n = until - from
    val at = out.reserve(n) // before reading `out.buffer`: it may grow
    val dst = out.buffer
    if (!lower) System.arraycopy(text, from, dst, at, n)
    else {
      var k = 0
      while (k + 8 <= n) {
        val x = Platform.getLong(text, Base + from + k)
        Platform.putLong(dst, Base + at + k, x | (upper(x) >>> 2)) // 0x80 >>> 2 = 0x20: 'A' -> 'a'
        k += 8
      }
      while (k < n) {
        dst(at + k) = lowerByte(text(from + k))
        k += 1
      }
    }
  }

  /** An all-ASCII `text` with A-Z lowered (itself when it has none). */
  def lowered(text: Array[Byte]): Array[Byte] = {
    var k = 0
    while (k + 8 <= text.length && upper(Platform.getLong(text, Base + k)) == 0) k += 8
    while (k < text.length && (text(k) < 'A' || text(k) > 'Z')) k += 1
    if (k == text.length) return text
    val out = new Bytes(text.length)
    copy(text, 0, text.length, out, lower = true)
    out.result()
  }
}

/** A growing byte array (java.io.ByteArrayOutputStream locks on every write). */
private final class Bytes(capacity: Int) {
  var buffer: Array[Byte] = new Array[Byte](math.max(capacity, 16))
  private var size = 0

  /** Makes room for `n` more bytes and returns where they go. */
  def reserve(n: Int): Int = {
    if (size + n > buffer.length) {
      buffer = java.util.Arrays.copyOf(buffer, math.max(buffer.length * 2, size + n))
    }
    size += n
    size - n
  }

  def append(bytes: Array[Byte], from: Int = 0, length: Int = -1): Unit = {
    val n = if (length < 0) bytes.length - from else length
    val at = reserve(n) // before reading `buffer`: it may grow
    System.arraycopy(bytes, from, buffer, at, n)
  }

  def result(): Array[Byte] = if (size == buffer.length) buffer else java.util.Arrays.copyOf(buffer, size)
}

/** Spark's `make_valid_utf8`: `UTF8String.makeValid` (Spark 4), else a round trip through Java's UTF-8 decoder
  * (what the Python side does on Spark 3.5). */
private[companion] object SparkStrings {
  private val makeValidMethod: java.lang.reflect.Method =
    try classOf[UTF8String].getMethod("makeValid")
    catch {
      case _: ReflectiveOperationException => null
    }

  def makeValid(text: UTF8String): UTF8String =
    if (makeValidMethod == null) UTF8String.fromString(text.toString)
    else makeValidMethod.invoke(text).asInstanceOf[UTF8String]
}

/** Spark's `lower` of a default-collation string: `CollationSupport.Lower.exec` (Spark 4, looked up by
  * reflection so the same source compiles against Spark 3.5), else `UTF8String.toLowerCase` (Spark 3.5's). */
private[companion] object SparkLower {
  private val exec: java.lang.reflect.Method =
    try {
      Class
        .forName("org.apache.spark.sql.catalyst.util.CollationSupport$Lower")
        .getMethod("exec", classOf[UTF8String], Integer.TYPE, java.lang.Boolean.TYPE)
    } catch {
      case _: ReflectiveOperationException | _: LinkageError => null
    }
  private val binaryCollation: Integer =
    try {
      Integer.valueOf(
        Class.forName("org.apache.spark.sql.catalyst.util.CollationFactory").getField("UTF8_BINARY_COLLATION_ID")
          .getInt(null))
    } catch {
      case _: ReflectiveOperationException | _: LinkageError => Integer.valueOf(0)
    }

  /** `spark.sql.icu.caseMappings.enabled` as the running query sees it (`SQLConf.get`: the session's setting
    * on the driver, the query's propagated one in a task), false on a Spark without the setting (3.5). */
  def icuCaseMappings(): Boolean =
    try SQLConf.get.getConfString("spark.sql.icu.caseMappings.enabled").trim.toBoolean
    catch {
      case _: NoSuchElementException => false
    }

  def apply(text: UTF8String, icu: Boolean): UTF8String =
    if (exec != null) exec.invoke(null, text, binaryCollation, java.lang.Boolean.valueOf(icu)).asInstanceOf[UTF8String]
    else if (!icu) text.toLowerCase
    else {
      // never a silent difference from Spark's `lower`: a Spark with the ICU setting has this function
      throw new IllegalStateException("UnicodeNormalize: ICU case mappings asked for, but this Spark has no " +
        "CollationSupport.Lower.exec(UTF8String, int, boolean); set spark.mmlspark_py.jvmCompanion.enabled=false")
    }
}

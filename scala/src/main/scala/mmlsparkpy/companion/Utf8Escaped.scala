package mmlsparkpy.companion

/** UTF-8 bytes read as Python reads them with `bytes.decode("utf-8", "surrogateescape")`.
  *
  * Valid sequences (strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF) become their code
  * points; every byte of an invalid sequence becomes one code point U+DC80..U+DCFF, so text and byte offsets
  * stay in step and cutting by code points never alters a byte. Java strings are UTF-16, so a code point above
  * U+FFFF takes two chars: `cpAtChar` and `byteAtCp` translate between chars, code points and bytes.
  */
private[companion] final class Utf8Escaped private (val text: String, cpAtChar: Array[Int], byteAtCp: Array[Int],
                                                    val codePoints: Int) {

  /** The code point index of char index `i` (0..text.length). */
  def codePointAt(charIndex: Int): Int = if (cpAtChar == null) charIndex else cpAtChar(charIndex)

  /** The byte offset of code point index `cp` (0..codePoints). */
  def byteAt(cp: Int): Int = if (byteAtCp == null) cp else byteAtCp(cp)

  /** Every code point's value (an escaped byte b is U+DC00 + b, as in Python), or null when the text is ASCII
    * (then `text.charAt(i)` is code point i). Escaped bytes are lone low surrogates and a high surrogate only
    * starts a valid pair, so Java's code points of `text` are exactly these. */
  def codePointValues(): Array[Int] = if (cpAtChar == null) null else text.codePoints.toArray
}

private[companion] object Utf8Escaped {

  /** Arrow's `utf8_length`: the bytes that are not continuation bytes (the Python path's one-page test). */
  def arrowLength(bytes: Array[Byte]): Int = {
    var n = 0
    var i = 0
    while (i < bytes.length) {
      if ((bytes(i) & 0xC0) != 0x80) n += 1
      i += 1
    }
    n
  }

  private def cont(bytes: Array[Byte], i: Int, lo: Int = 0x80, hi: Int = 0xBF): Boolean =
    i < bytes.length && (bytes(i) & 0xFF) >= lo && (bytes(i) & 0xFF) <= hi

  /** The length of the well-formed UTF-8 sequence starting at `i` (The Unicode Standard, table 3-7: no overlong
    * forms, surrogates, code points past U+10FFFF or truncated sequences), or 0 when byte `i` must be escaped. */
  private[companion] def sequenceLength(bytes: Array[Byte], i: Int): Int = {
    val b = bytes(i) & 0xFF
    if (b < 0x80) 1
    else if (b >= 0xC2 && b <= 0xDF) { if (cont(bytes, i + 1)) 2 else 0 }
    else if (b >= 0xE0 && b <= 0xEF) {
      val ok1 = if (b == 0xE0) cont(bytes, i + 1, 0xA0) else if (b == 0xED) cont(bytes, i + 1, hi = 0x9F)
                else cont(bytes, i + 1)
      if (ok1 && cont(bytes, i + 2)) 3 else 0
    } else if (b >= 0xF0 && b <= 0xF4) {
      val ok1 = if (b == 0xF0) cont(bytes, i + 1, 0x90) else if (b == 0xF4) cont(bytes, i + 1, hi = 0x8F)
                else cont(bytes, i + 1)
      if (ok1 && cont(bytes, i + 2) && cont(bytes, i + 3)) 4 else 0
    } else 0
  }

  def decode(bytes: Array[Byte]): Utf8Escaped = {
    var ascii = true
    var i = 0
    while (ascii && i < bytes.length) {
      ascii = bytes(i) >= 0
      i += 1
    }
    if (ascii) { // chars, code points and bytes coincide
      return new Utf8Escaped(new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1), null, null, bytes.length)
    }
    val chars = new Array[Char](bytes.length)
    val cpAtChar = new Array[Int](bytes.length + 1)
    val byteAtCp = new Array[Int](bytes.length + 1)
    var nChars = 0
    var nCps = 0
    i = 0
    while (i < bytes.length) {
      val len = sequenceLength(bytes, i)
      byteAtCp(nCps) = i
      cpAtChar(nChars) = nCps
      if (len == 0) {
        chars(nChars) = (0xDC00 + (bytes(i) & 0xFF)).toChar
        nChars += 1
        i += 1
      } else {
        val b = bytes(i) & 0xFF
        val cp = len match {
          case 1 => b
          case 2 => ((b & 0x1F) << 6) | (bytes(i + 1) & 0x3F)
          case 3 => ((b & 0x0F) << 12) | ((bytes(i + 1) & 0x3F) << 6) | (bytes(i + 2) & 0x3F)
          case _ => ((b & 0x07) << 18) | ((bytes(i + 1) & 0x3F) << 12) | ((bytes(i + 2) & 0x3F) << 6) |
                    (bytes(i + 3) & 0x3F)
        }
        if (cp >= 0x10000) {
          chars(nChars) = Character.highSurrogate(cp)
          chars(nChars + 1) = Character.lowSurrogate(cp)
          cpAtChar(nChars + 1) = nCps // a match never ends inside a pair; mapped to its code point anyway
          nChars += 2
        } else {
          chars(nChars) = cp.toChar
          nChars += 1
        }
        i += len
      }
      nCps += 1
    }
    byteAtCp(nCps) = bytes.length
    cpAtChar(nChars) = nCps
    new Utf8Escaped(new String(chars, 0, nChars), cpAtChar, byteAtCp, nCps)
  }
}

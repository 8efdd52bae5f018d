package mmlsparkpy.companion

import org.apache.spark.sql.api.java.UDF0

/** What the Python side must know before it uses the companion's functions on a session: the companion's
  * version (from the jar's manifest), the Scala version running it, and the Unicode version of ICU4J, when
  * ICU is on the classpath. Returned as `key=value` pairs joined by `;`. */
class CompanionInfo extends UDF0[String] {
  override def call(): String = {
    val pkg = classOf[CompanionInfo].getPackage
    val version = Option(pkg.getImplementationVersion).getOrElse("unknown")
    val icu = try {
      Class.forName("com.ibm.icu.lang.UCharacter").getMethod("getUnicodeVersion").invoke(null).toString
    } catch {
      case _: ReflectiveOperationException | _: LinkageError => "none"
    }
    Seq(s"companion=$version", s"scala=${scala.util.Properties.versionNumberString}", s"icuUnicode=$icu",
      s"java=${System.getProperty("java.version")}").mkString(";")
  }
}

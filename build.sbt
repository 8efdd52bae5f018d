// The JVM companion jar (see scala/build_jar.py for the build without sbt, which the library ships).
// Sources: scala/src/main/scala. Spark is "provided": the jar holds only our classes.
//
//   sbt package                      # Scala 2.13, Spark 4.x  -> target/scala-2.13/mmlspark-py-companion_2.13-*.jar
//   sbt ++2.12.18 package            # Scala 2.12, Spark 3.5  -> target/scala-2.12/...
//
// ICU4J ships inside Spark 4 but not Spark 3.5: it is a compile-time dependency only; on a session without
// ICU the library does not register UnicodeNormalize's function (the other functions do not need it).

ThisBuild / organization := "io.github.mmlspark-py"
ThisBuild / version := "0.1.0"

lazy val scala213 = "2.13.18"
lazy val scala212 = "2.12.18"

def sparkFor(scalaVersion: String): String = if (scalaVersion.startsWith("2.12")) "3.5.8" else "4.3.0"

lazy val companionScalacOptions = Seq("-release", "8", "-deprecation", "-feature", "-encoding", "UTF-8")

// scala/build_jar.py's source_hash(): sha256 of the options, then of each source's relative path and bytes.
// The library accepts a session's companion only when its Implementation-Version is <hash[:16]>_<binary>.
def sourceHash(root: File): String = {
  val md = java.security.MessageDigest.getInstance("SHA-256")
  md.update(companionScalacOptions.mkString(" ").getBytes("UTF-8")); md.update(0.toByte)
  val files = (root ** "*.scala").get.map(f => (root.toPath.relativize(f.toPath).toString.replace('\\', '/'), f))
  files.sortBy(_._1).foreach { case (rel, f) =>
    md.update(rel.getBytes("UTF-8")); md.update(0.toByte); md.update(IO.readBytes(f)); md.update(0.toByte)
  }
  md.digest.map("%02x".format(_)).mkString
}

lazy val companion = (project in file("."))
  .settings(
    name := "mmlspark-py-companion",
    scalaVersion := scala213,
    crossScalaVersions := Seq(scala213, scala212),
    Compile / scalaSource := baseDirectory.value / "scala" / "src" / "main" / "scala",
    Compile / javaSource := baseDirectory.value / "scala" / "src" / "main" / "java",
    Test / scalaSource := baseDirectory.value / "scala" / "src" / "test" / "scala",
    // the same options as scala/build_jar.py: Java 8 bytecode runs on every JVM Spark 3.5 and 4.x support
    scalacOptions ++= companionScalacOptions,
    libraryDependencies ++= Seq(
      "org.apache.spark" %% "spark-sql" % sparkFor(scalaVersion.value) % Provided,
      "org.apache.spark" %% "spark-mllib" % sparkFor(scalaVersion.value) % Provided,
      "com.ibm.icu" % "icu4j" % "78.3" % Provided
    ),
    // keep the jar's name the library looks for: mmlspark-py-companion_<scala binary version>.jar
    Compile / packageBin / artifactPath :=
      target.value / s"mmlspark-py-companion_${scalaBinaryVersion.value}.jar",
    Compile / packageBin / packageOptions := {
      val hash = sourceHash((Compile / scalaSource).value)
      Seq(Package.ManifestAttributes(
        "Implementation-Title" -> "mmlspark-py-companion",
        "Implementation-Version" -> s"${hash.take(16)}_${scalaBinaryVersion.value}",
        "Mmlspark-Py-Source-Sha256" -> hash,
        "Mmlspark-Py-Scala-Version" -> scalaVersion.value,
        "Mmlspark-Py-Scala-Binary-Version" -> scalaBinaryVersion.value,
        "Mmlspark-Py-Built-Against-Spark" -> sparkFor(scalaVersion.value)
      ))
    }
  )

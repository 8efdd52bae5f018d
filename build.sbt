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

lazy val companion = (project in file("."))
  .settings(
    name := "mmlspark-py-companion",
    scalaVersion := scala213,
    crossScalaVersions := Seq(scala213, scala212),
    Compile / scalaSource := baseDirectory.value / "scala" / "src" / "main" / "scala",
    Compile / javaSource := baseDirectory.value / "scala" / "src" / "main" / "java",
    Test / scalaSource := baseDirectory.value / "scala" / "src" / "test" / "scala",
    // the same options as scala/build_jar.py: Java 8 bytecode runs on every JVM Spark 3.5 and 4.x support
    scalacOptions ++= Seq("-release", "8", "-deprecation", "-feature", "-encoding", "UTF-8"),
    libraryDependencies ++= Seq(
      "org.apache.spark" %% "spark-sql" % sparkFor(scalaVersion.value) % Provided,
      "org.apache.spark" %% "spark-mllib" % sparkFor(scalaVersion.value) % Provided,
      "com.ibm.icu" % "icu4j" % "78.3" % Provided
    ),
    // keep the jar's name the library looks for: mmlspark-py-companion_<scala binary version>.jar
    Compile / packageBin / artifactPath :=
      target.value / s"mmlspark-py-companion_${scalaBinaryVersion.value}.jar",
    Compile / packageBin / packageOptions += Package.ManifestAttributes(
      "Implementation-Title" -> "mmlspark-py-companion",
      "Mmlspark-Py-Scala-Binary-Version" -> scalaBinaryVersion.value
    )
  )

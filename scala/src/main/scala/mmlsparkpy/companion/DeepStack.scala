package mmlsparkpy.companion

/** Runs regex matching that may need a deep stack.
  *
  * java.util.regex backtracks by recursion, so some patterns need a stack frame per character on long texts.
  * A StackOverflowError must not escape a UDF: Spark treats it as fatal and stops the executor (the whole
  * driver in local mode). So the work is retried once on a thread with a large stack, and if that overflows
  * too the row fails with an ordinary exception that names the cause.
  */
private[companion] object DeepStack {
  private val RetryStackBytes = 1L << 30

  def apply[T](what: => String)(work: => T): T = {
    try work
    catch {
      case _: StackOverflowError =>
        var result: Option[T] = None
        var failure: Throwable = null
        val thread = new Thread(null, new Runnable {
          override def run(): Unit = try result = Some(work) catch { case t: Throwable => failure = t }
        }, "mmlspark-py-deep-stack", RetryStackBytes)
        thread.start()
        thread.join()
        failure match {
          case null => result.get
          case _: StackOverflowError =>
            throw new IllegalStateException(s"$what: Java's regex engine ran out of stack even with " +
              s"${RetryStackBytes >> 20} MiB; simplify the regex or set " +
              "spark.mmlspark_py.jvmCompanion.enabled=false to use the Python path")
          case other => throw other
        }
    }
  }
}

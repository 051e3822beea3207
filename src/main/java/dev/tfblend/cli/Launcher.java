package dev.tfblend.cli;

import dev.tfblend.TensorFlowLoad;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Entry point of {@code tf-blend.jar}.
 *
 * <p>TensorFlow's native library reads {@code TF_CPP_MIN_LOG_LEVEL} from the environment when it
 * loads, and a JVM cannot change its own environment. So, unless the variable is already set or
 * the user asked for {@code --verbose} (or set {@code TFBLEND_VERBOSE=1}), the launcher starts
 * the same JVM again with {@code TF_CPP_MIN_LOG_LEVEL=3}, forwards standard input and output, and
 * filters the two absl lines that TensorFlow still prints at level 3 out of standard error. The
 * child's exit code becomes ours. The relaunch costs one JVM start (about 0.1 s). The child runs
 * with the launcher's JVM options plus {@code -XX:+UseSerialGC} unless those options choose a
 * garbage collector, and {@code -XX:TieredStopAtLevel=1} unless they set the compilation tiers;
 * its environment gets {@code MALLOC_ARENA_MAX=2} unless the user set that variable. Every
 * process sets JavaCPP's {@code org.bytedeco.javacpp.maxPhysicalBytes} to 0 unless it is given.
 *
 * <p>Ctrl-C on a terminal signals both JVMs (one process group). A termination signal sent to the
 * launcher alone is passed on to the child as SIGTERM, so the child's shutdown hooks (e.g. {@code
 * tune} ending its running trial) run either way; the launcher waits up to 60 s for the child.
 * When the launcher dies without running its hooks ({@code kill -9}, a crash), the child notices
 * within about a second and exits the same orderly way (exit code 137), so no JVM is left behind.
 */
public final class Launcher {
  /** Environment variable set in the relaunched child, so it does not relaunch again. */
  static final String CHILD_ENV = "TFBLEND_CHILD";
  /** Tells the child that the user's standard error is a terminal (ours is a pipe). */
  static final String TTY_ENV = "TFBLEND_TTY";
  /** The launcher's process id, which the child watches so it never outlives the launcher. */
  static final String LAUNCHER_PID_ENV = "TFBLEND_LAUNCHER_PID";
  /**
   * JavaCPP's resident-memory limit (0: none, so it does not read the process's memory use at each
   * allocation); set unless given with {@code -D}.
   */
  static final String JAVACPP_PHYSICAL_LIMIT = "org.bytedeco.javacpp.maxPhysicalBytes";
  /** glibc's limit on malloc arenas, set in the child unless the user set it. */
  static final String MALLOC_ARENAS_ENV = "MALLOC_ARENA_MAX";
  /** The child's {@value #MALLOC_ARENAS_ENV} unless the user set one. */
  static final String MALLOC_ARENAS = "2";
  /** When the launcher's JVM started (epoch milliseconds), for {@code tune}'s phase timings. */
  static final String LAUNCH_MILLIS_ENV = "TFBLEND_LAUNCH_MILLIS";

  private static final Pattern NATIVE_LOG =
      Pattern.compile(
          "^(WARNING: All log messages before absl::InitializeLog\\(\\) is called.*"
              + "|[IW]\\d{4} [\\d:.]+\\s+\\d+ \\S+:\\d+\\].*"
              + "|\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d+: [IW] \\S+.*)$");

  private Launcher() {}

  /** Exit code of a child whose launcher died: as for SIGKILL (128 + 9). */
  static final int ORPHANED_EXIT = 137;

  public static void main(String[] args) {
    if (needsRelaunch(args)) {
      System.exit(relaunch(args));
    }
    String launcher = System.getenv(LAUNCHER_PID_ENV);
    if (System.getenv(CHILD_ENV) != null && launcher != null) {
      exitWhenGone(launcher);
    }
    // JavaCPP, under TensorFlow Java, reads /proc/self/statm at every native allocation to call
    // the garbage collector when resident memory passes a limit; tf-blend closes what it
    // allocates, so the check only costs time (a tensor per step and more)
    if (System.getProperty(JAVACPP_PHYSICAL_LIMIT) == null) {
      System.setProperty(JAVACPP_PHYSICAL_LIMIT, "0");
    }
    boolean preload = usesTensorFlow(args);
    if (preload) {
      TensorFlowLoad.startInBackground();
    }
    int code = TfBlendCommand.execute(args);
    if (preload) {
      TensorFlowLoad.awaitQuietly(60);
    }
    System.exit(code);
  }

  /** Subcommands that load TensorFlow's native library. */
  static final Set<String> TENSORFLOW_COMMANDS =
      Set.of("tune", "train", "bench", "gradcheck", "predict", "gate", "graphs");

  /**
   * Whether these arguments run a subcommand that loads TensorFlow (not just its help or the
   * version): then the library starts loading on a background thread while the options and
   * config are read. The subcommand is the first argument not starting with {@code -} (the
   * top-level options take no values).
   */
  static boolean usesTensorFlow(String[] args) {
    for (String a : args) {
      if (a.equals("-h") || a.equals("--help") || a.equals("-V") || a.equals("--version")) {
        return false;
      }
    }
    for (String a : args) {
      if (!a.startsWith("-")) {
        return TENSORFLOW_COMMANDS.contains(a);
      }
    }
    return false;
  }

  /**
   * Ends this JVM (shutdown hooks included) once the launcher, process {@code pid}, has ended,
   * also when it ended before this JVM got here. A process with that id that started after this
   * one is a recycled id, not the launcher. The handle keeps the launcher's start time, so it
   * does not confuse a later recycled id either.
   */
  static void exitWhenGone(String pid) {
    ProcessHandle launcher;
    try {
      launcher = ProcessHandle.of(Long.parseLong(pid)).orElse(null);
    } catch (NumberFormatException e) {
      return; // not set by our launcher
    }
    java.util.Optional<java.time.Instant> self = ProcessHandle.current().info().startInstant();
    if (launcher == null || !launcher.isAlive() || self.isPresent()
        && launcher.info().startInstant().map(t -> t.isAfter(self.get())).orElse(false)) {
      System.exit(ORPHANED_EXIT);
    }
    Thread watch = new Thread(() -> {
      try {
        while (launcher.isAlive()) {
          Thread.sleep(250);
        }
      } catch (InterruptedException e) {
        return;
      }
      System.exit(ORPHANED_EXIT);
    }, "launcher-watch");
    watch.setDaemon(true);
    watch.start();
  }

  static boolean needsRelaunch(String[] args) {
    if (System.getenv("TF_CPP_MIN_LOG_LEVEL") != null || System.getenv(CHILD_ENV) != null) {
      return false;
    }
    String verbose = System.getenv("TFBLEND_VERBOSE");
    if (verbose != null && !verbose.isEmpty() && !verbose.equals("0")) {
      return false;
    }
    return !Arrays.asList(args).contains("--verbose");
  }

  /**
   * The relaunched JVM's options: the launcher's, plus {@code -XX:+UseSerialGC} unless they choose
   * a collector ({@code -XX:+Use...GC}), plus {@code -XX:TieredStopAtLevel=1} (the client compiler
   * only) unless they set {@code TieredStopAtLevel} or {@code TieredCompilation}. The serial
   * collector keeps the peak resident memory of a default {@code tune} lower than G1 does; the
   * heavy arithmetic runs in TensorFlow's native code, so the optimising compiler's work (about 4 s
   * of CPU in a default {@code tune}) bought nothing measurable (see README, Measuring speed).
   */
  static List<String> childJvmOptions(List<String> launcherOptions) {
    List<String> out = new ArrayList<>(launcherOptions);
    if (launcherOptions.stream().noneMatch(a -> a.startsWith("-XX:+Use") && a.endsWith("GC"))) {
      out.add("-XX:+UseSerialGC");
    }
    if (launcherOptions.stream().noneMatch(a -> a.contains("TieredStopAtLevel") || a.contains("TieredCompilation"))) {
      out.add("-XX:TieredStopAtLevel=1");
    }
    return out;
  }

  private static int relaunch(String[] args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(childJvmOptions(ManagementFactory.getRuntimeMXBean().getInputArguments()));
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(Launcher.class.getName());
    cmd.addAll(Arrays.asList(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("TF_CPP_MIN_LOG_LEVEL", "3");
    // glibc gives each thread that allocates its own malloc arena (up to 8 per core); TensorFlow's
    // sessions on several trial threads then hold memory in many arenas: two keep peak RSS lower
    pb.environment().putIfAbsent(MALLOC_ARENAS_ENV, MALLOC_ARENAS);
    pb.environment().put(CHILD_ENV, "1");
    pb.environment().put(LAUNCHER_PID_ENV, Long.toString(ProcessHandle.current().pid()));
    pb.environment().put(LAUNCH_MILLIS_ENV, Long.toString(ManagementFactory.getRuntimeMXBean().getStartTime()));
    if (stderrIsTerminal()) {
      pb.environment().put(TTY_ENV, "1");
    }
    pb.redirectInput(ProcessBuilder.Redirect.INHERIT);
    pb.redirectOutput(ProcessBuilder.Redirect.INHERIT);
    try {
      Process child = pb.start();
      Thread pump = new Thread(() -> filter(child.getErrorStream(), System.err), "stderr-filter");
      pump.setDaemon(true);
      pump.start();
      // Ctrl-C reaches the child too (same process group). A signal sent to this process alone
      // (kill PID) is passed on as SIGTERM, which runs the child's shutdown hooks as well. Then
      // wait for the child to clean up. After a normal exit the child is gone and destroy() is a
      // no-op. (Process.destroy() would also close our end of its stderr, losing what the child
      // prints while it shuts down; ProcessHandle.destroy() only signals.)
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    try {
                      child.toHandle().destroy();
                      child.waitFor(60, TimeUnit.SECONDS);
                      pump.join(2000);
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                  }));
      int code = child.waitFor();
      pump.join(5000);
      return code;
    } catch (IOException e) {
      System.err.println("tf-blend: cannot start the JVM again to quiet TensorFlow's logs ("
          + e.getMessage() + "); running with native logs");
      return TfBlendCommand.execute(args);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 130;
    }
  }

  /** Copies {@code in} to {@code out}, dropping TensorFlow's native INFO/WARNING log lines. */
  static void filter(InputStream in, PrintStream out) {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    try {
      int b;
      while ((b = in.read()) != -1) {
        line.write(b);
        if (b == '\n' || b == '\r') {
          emit(line, out);
        }
      }
      emit(line, out);
    } catch (IOException e) {
      // child gone
    }
  }

  private static void emit(ByteArrayOutputStream line, OutputStream out) throws IOException {
    if (line.size() == 0) {
      return;
    }
    String text = line.toString(java.nio.charset.StandardCharsets.UTF_8).stripTrailing();
    if (!NATIVE_LOG.matcher(text).matches()) {
      line.writeTo(out);
      out.flush();
    }
    line.reset();
  }

  /** True when the user's terminal shows our standard error (progress may redraw lines). */
  public static boolean interactive() {
    String tty = System.getenv(TTY_ENV);
    return tty != null ? !tty.isEmpty() && !tty.equals("0") : stderrIsTerminal();
  }

  /**
   * Whether this process's standard error is a terminal: progress goes there, so {@code tune
   * 2>log} from a terminal must not write line redraws into the log. Reads {@code /proc} where
   * there is one; elsewhere falls back to {@link System#console()} (stdin and stdout).
   */
  static boolean stderrIsTerminal() {
    java.nio.file.Path fd2 = java.nio.file.Path.of("/proc/self/fd/2");
    try {
      String target = java.nio.file.Files.readSymbolicLink(fd2).toString();
      return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return System.console() != null;
    }
  }
}

package io.dockercleaner.testsupport;

/**
 * The two test layers. Every test class that needs a private daemon is tagged
 * {@code @Tag("daemon")}; one that starts an external process (a shell, {@code df}, the jar) but
 * no daemon is tagged {@code @Tag("process")}. Everything else is the unit layer, which
 * {@code mvn -B -o test -Punit} runs alone in seconds: the profile excludes both tags and sets
 * {@value #LAYER_PROPERTY}={@value #UNIT}.
 *
 * <p>Two checks keep a daemon test from hiding in the unit layer: {@code TestLayersTest} reads the
 * test sources and fails for any untagged class that reaches a daemon or a process (directly or
 * through a helper), and {@link #refuseInUnitLayer} makes the helpers that reach out
 * ({@link TestDaemons}, {@link DaemonFixture}) fail fast, naming the tag to add.
 */
public final class TestLayers {
  /** Tag of test classes that need a private daemon started by bin/test-daemon. */
  public static final String DAEMON = "daemon";
  /** Tag of test classes that start external processes but need no daemon. */
  public static final String PROCESS = "process";
  /** System property the unit profile sets. */
  public static final String LAYER_PROPERTY = "dockercleaner.test.layer";
  /** Its value in the unit layer. */
  public static final String UNIT = "unit";

  private TestLayers() {}

  /** True when running under {@code -Punit}. */
  public static boolean inUnitLayer() {
    return UNIT.equals(System.getProperty(LAYER_PROPERTY));
  }

  /**
   * Fails at once in the unit layer: {@code what} (a daemon, a process) is not available there.
   *
   * @throws IllegalStateException naming the tag the calling test class needs
   */
  public static void refuseInUnitLayer(String what) {
    if (inUnitLayer()) {
      throw new IllegalStateException("unit layer (-Punit): this test reaches " + what
          + "; tag its class @Tag(\"" + DAEMON + "\") (or @Tag(\"" + PROCESS
          + "\") for a process without a daemon) so that only bin/test runs it");
    }
  }
}

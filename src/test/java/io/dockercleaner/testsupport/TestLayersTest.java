package io.dockercleaner.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps the unit layer free of daemons and processes by reading the test sources: a test class
 * that reaches a daemon or a process — directly, or through a test helper that does (a harness, a
 * fixture, promtool's runner) — must carry {@code @Tag("daemon")} or {@code @Tag("process")}, on
 * the class or, when only some of its tests reach out, on those methods (then the helpers' own
 * guard, {@link TestLayers#refuseInUnitLayer}, catches a method that was missed). Runs in the
 * unit layer itself, so a new untagged daemon test fails {@code -Punit} before it is ever run
 * there.
 */
class TestLayersTest {
  private static final Path TEST_SOURCES = Path.of("src/test/java");
  /** What only a daemon or process test uses. */
  private static final List<String> REACHES_OUT = List.of("TestDaemons", "DaemonFixture", "TestDaemonGuard",
      "ProcessBuilder", "Runtime.getRuntime().exec", "DOCKER_CLEANER_TEST_HOST", "GenericContainer",
      "Testcontainers");
  /** This class and the guard name the markers without reaching out. */
  private static final Set<String> EXEMPT = Set.of("TestLayers", "TestLayersTest");
  private static final Pattern TEST_ANNOTATION =
      Pattern.compile("@(Test|ParameterizedTest|RepeatedTest|TestFactory|TestTemplate)\\b");
  private static final Pattern LAYER_TAG = Pattern.compile(
      "@Tag\\(\\s*(\"(daemon|process)\"|TestLayers\\.(DAEMON|PROCESS))\\s*\\)");
  private static final Pattern COMMENTS = Pattern.compile("(?s)/\\*.*?\\*/|//[^\\n]*");

  @Test
  void everyTestClassThatReachesADaemonOrAProcessIsTagged() throws IOException {
    Map<String, String> sources = testSources();
    Set<String> reaching = reachingClasses(sources);

    Map<String, String> untagged = new TreeMap<>();
    for (String name : reaching) {
      String code = sources.get(name);
      if (TEST_ANNOTATION.matcher(code).find() && !LAYER_TAG.matcher(code).find()) {
        untagged.put(name, "reaches out; add @Tag(\"daemon\") (or @Tag(\"process\") without a daemon)");
      }
    }

    assertThat(untagged).as("test classes that would run in the unit layer (-Punit)").isEmpty();
  }

  @Test
  void theCheckSeesThroughHelpers() {
    Map<String, String> sources = new LinkedHashMap<>();
    sources.put("Harness", "class Harness { String h = TestDaemons.main(); }");
    sources.put("UsesHarness", "class UsesHarness { @Test void t() { new Harness(); } }");
    sources.put("Pure", "class Pure { @Test void t() { /* DaemonFixture in a comment */ } }");
    sources.put("SharesData", "class SharesData { @Test void t() { UsesHarness.cases(); } }");

    assertThat(reachingClasses(sources)).containsExactlyInAnyOrder("Harness", "UsesHarness");
  }

  @Test
  void helpersThatReachADaemonRefuseInTheUnitLayer() {
    String before = System.getProperty(TestLayers.LAYER_PROPERTY);
    System.setProperty(TestLayers.LAYER_PROPERTY, TestLayers.UNIT);
    try {
      assertThatThrownBy(() -> TestDaemons.require("DOCKER_CLEANER_TEST_HOST"))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("unit layer").hasMessageContaining("@Tag(\"daemon\")");
      assertThatThrownBy(() -> TestDaemons.run(List.of("true"), null, Map.of()))
          .hasMessageContaining("a process (true)");
    } finally {
      if (before == null) {
        System.clearProperty(TestLayers.LAYER_PROPERTY);
      } else {
        System.setProperty(TestLayers.LAYER_PROPERTY, before);
      }
    }
  }

  /** Simple class name → source without comments, for every file under src/test/java. */
  private static Map<String, String> testSources() throws IOException {
    Map<String, String> sources = new TreeMap<>();
    try (Stream<Path> files = Files.walk(TEST_SOURCES)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        String name = f.getFileName().toString().replace(".java", "");
        sources.put(name, Files.readString(f));
      }
    }
    assertThat(sources).as("test sources under " + TEST_SOURCES.toAbsolutePath()).containsKey("TestDaemons");
    return sources;
  }

  /**
   * Classes whose code names a marker, or a helper (a class without tests) that reaches out,
   * transitively through helpers. A test class naming another test class (to share its data)
   * does not inherit its tag: only helpers pass reaching on.
   */
  static Set<String> reachingClasses(Map<String, String> sources) {
    Map<String, String> code = new LinkedHashMap<>();
    sources.forEach((name, text) -> code.put(name, COMMENTS.matcher(text).replaceAll(" ")));
    Set<String> reaching = new TreeSet<>();
    code.forEach((name, text) -> {
      if (!EXEMPT.contains(name) && REACHES_OUT.stream().anyMatch(text::contains)) {
        reaching.add(name);
      }
    });
    boolean grew = true;
    while (grew) {
      grew = false;
      List<String> helpers = reaching.stream().filter(n -> !TEST_ANNOTATION.matcher(code.get(n)).find()).toList();
      for (Map.Entry<String, String> e : code.entrySet()) {
        if (reaching.contains(e.getKey()) || EXEMPT.contains(e.getKey())) {
          continue;
        }
        for (String helper : helpers) {
          if (Pattern.compile("\\b" + Pattern.quote(helper) + "\\b").matcher(e.getValue()).find()) {
            reaching.add(e.getKey());
            grew = true;
            break;
          }
        }
      }
    }
    return reaching;
  }
}

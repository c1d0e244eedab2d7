package io.dockercleaner.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TraceParserTest {
  private static final String PULL =
      "{\"t\":\"2026-01-05T00:00:00Z\",\"event\":\"pull\",\"image\":\"sha256:a\",\"tag\":\"a:1\","
          + "\"layers\":[{\"digest\":\"sha256:l1\",\"size\":100}]}";

  private static List<TraceEvent> parse(String text) throws Exception {
    return TraceParser.parse("t.jsonl", new StringReader(text));
  }

  @Test
  void readsEveryKindSkippingBlankAndCommentLines() throws Exception {
    List<TraceEvent> events = parse("# a comment\n" + PULL + "\n\n"
        + "{\"t\":\"2026-01-05T00:01:00Z\",\"event\":\"use\",\"image\":\"sha256:a\",\"seconds\":60}\n"
        + "{\"t\":\"2026-01-05T00:02:00Z\",\"event\":\"build\",\"image\":\"sha256:b\",\"tag\":\"b:1\",\"base\":\"sha256:a\","
        + "\"layers\":[{\"digest\":\"sha256:l1\",\"size\":100},{\"digest\":\"sha256:l2\",\"size\":5}]}\n"
        + "{\"t\":\"2026-01-05T00:03:00Z\",\"event\":\"remove\",\"image\":\"sha256:b\"}\n");
    assertThat(events).extracting(TraceEvent::kind).containsExactly(TraceEvent.Kind.PULL, TraceEvent.Kind.USE,
        TraceEvent.Kind.BUILD, TraceEvent.Kind.REMOVE);
    assertThat(events).extracting(TraceEvent::line).containsExactly(2, 4, 5, 6);
    assertThat(events.get(1).runSeconds()).isEqualTo(60);
    assertThat(events.get(2).baseImageId()).isEqualTo("sha256:a");
    assertThat(events.get(2).layers()).hasSize(2);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "not JSON | {\"t\": | t.jsonl line 2: not valid JSON",
      "unknown field | {\"t\":\"2026-01-05T01:00:00Z\",\"event\":\"use\",\"image\":\"sha256:a\",\"colour\":1} | t.jsonl line 2, field 'colour': unknown field",
      "bad time | {\"t\":\"yesterday\",\"event\":\"use\",\"image\":\"sha256:a\"} | t.jsonl line 2, field 't': 'yesterday' is not an RFC 3339",
      "time goes back | {\"t\":\"2026-01-04T00:00:00Z\",\"event\":\"use\",\"image\":\"sha256:a\"} | t.jsonl line 2, field 't': time 2026-01-04T00:00:00Z is before",
      "bad event | {\"t\":\"2026-01-05T01:00:00Z\",\"event\":\"run\",\"image\":\"sha256:a\"} | t.jsonl line 2, field 'event': 'run' is not one of pull, build, use, remove",
      "missing image | {\"t\":\"2026-01-05T01:00:00Z\",\"event\":\"use\"} | t.jsonl line 2, field 'image': missing",
      "unknown image | {\"t\":\"2026-01-05T01:00:00Z\",\"event\":\"use\",\"image\":\"sha256:zz\"} | t.jsonl line 2, field 'image': image sha256:zz has no layers",
      "negative size | {\"t\":\"2026-01-05T01:00:00Z\",\"event\":\"pull\",\"image\":\"sha256:b\",\"layers\":[{\"digest\":\"d\",\"size\":-1}]} | t.jsonl line 2, field 'layers[0].size': expected a whole number of bytes >= 0",
      "size changes | {\"t\":\"2026-01-05T01:00:00Z\",\"event\":\"pull\",\"image\":\"sha256:b\",\"layers\":[{\"digest\":\"sha256:l1\",\"size\":7}]} | t.jsonl line 2, field 'layers[0].size': layer sha256:l1 has size 7 here but 100",
      "seconds on pull | {\"t\":\"2026-01-05T01:00:00Z\",\"event\":\"pull\",\"image\":\"sha256:a\",\"seconds\":3} | t.jsonl line 2, field 'seconds': only use lines",
      "tag on use | {\"t\":\"2026-01-05T01:00:00Z\",\"event\":\"use\",\"image\":\"sha256:a\",\"tag\":\"a:2\"} | t.jsonl line 2, field 'tag': only pull and build lines",
      "unknown base | {\"t\":\"2026-01-05T01:00:00Z\",\"event\":\"build\",\"image\":\"sha256:b\",\"base\":\"sha256:q\",\"layers\":[{\"digest\":\"x\",\"size\":1}]} | t.jsonl line 2, field 'base': image sha256:q is not defined",
  })
  void aBadLineNamesItsLineAndField(String name, String line, String message) {
    assertThatThrownBy(() -> parse(PULL + "\n" + line + "\n"))
        .isInstanceOf(TraceException.class)
        .hasMessageStartingWith(message)
        .satisfies(e -> assertThat(((TraceException) e).line()).isEqualTo(2));
  }
}

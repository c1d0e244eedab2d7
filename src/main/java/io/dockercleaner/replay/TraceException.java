package io.dockercleaner.replay;

/** A trace line that cannot be replayed: names the file, the line and the field. */
public final class TraceException extends Exception {
  private static final long serialVersionUID = 1L;

  private final int line;
  private final String field;

  /**
   * @param source the trace's name (file path) for the message
   * @param line 1-based line number
   * @param field the JSON field at fault, or null for the line as a whole
   * @param problem what is wrong and what is expected
   */
  public TraceException(String source, int line, String field, String problem) {
    super(source + " line " + line + (field == null ? "" : ", field '" + field + "'") + ": " + problem);
    this.line = line;
    this.field = field;
  }

  /** The 1-based line number. */
  public int line() {
    return line;
  }

  /** The field at fault, or null. */
  public String field() {
    return field;
  }
}

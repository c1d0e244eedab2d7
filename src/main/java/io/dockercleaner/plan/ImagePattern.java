package io.dockercleaner.plan;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A {@code KEEP_IMAGES} glob matched against an image's {@code repo:tag} references.
 *
 * <ul>
 *   <li>{@code *} matches any run of characters except {@code /}; {@code **} also crosses {@code
 *       /}; {@code ?} matches one character except {@code /}; {@code [abc]}, {@code [a-z]} and
 *       {@code [!a-z]} (or {@code [^a-z]}) match one character of (not of) the class; everything
 *       else is literal. {@code {}, {@code }} and {@code \} are refused (no alternatives or
 *       escapes), so that a pattern is never silently read as something else.
 *   <li>The tag part is what follows the last {@code :} after the last {@code /}, so {@code
 *       localhost:5000/app} has no tag part. A pattern without a tag part matches every tag of the
 *       matching repositories ({@code alpine} = any tag of alpine).
 *   <li>Repository and tag are matched separately: {@code *:latest} matches {@code alpine:latest}
 *       but not {@code myrepo/app:latest} (use {@code **:latest} for that).
 * </ul>
 */
public final class ImagePattern {
  private final String text;
  private final Pattern repo;
  private final Pattern tag; // null = any tag

  private ImagePattern(String text, Pattern repo, Pattern tag) {
    this.text = text;
    this.repo = repo;
    this.tag = tag;
  }

  /**
   * Compiles one pattern.
   *
   * @throws IllegalArgumentException if it is blank, contains whitespace, an unsupported
   *     character or an unclosed {@code [}, or has an empty repository or tag part
   */
  public static ImagePattern compile(String text) {
    Objects.requireNonNull(text, "image pattern");
    if (text.isBlank()) {
      throw new IllegalArgumentException("image pattern must not be blank");
    }
    for (int i = 0; i < text.length(); i++) {
      if (Character.isWhitespace(text.charAt(i))) {
        throw new IllegalArgumentException("image pattern '" + text + "' contains whitespace");
      }
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '{' || c == '}' || c == '\\') {
        throw new IllegalArgumentException("image pattern '" + text + "' uses '" + c
            + "', which KEEP_IMAGES does not support (supported: * ** ? [a-z] [!a-z] and literal text)");
      }
    }
    int colon = tagSeparator(text);
    String repoPart = colon < 0 ? text : text.substring(0, colon);
    String tagPart = colon < 0 ? null : text.substring(colon + 1);
    if (repoPart.isEmpty()) {
      throw new IllegalArgumentException("image pattern '" + text + "' has an empty repository");
    }
    if (tagPart != null && tagPart.isEmpty()) {
      throw new IllegalArgumentException("image pattern '" + text + "' has an empty tag");
    }
    return new ImagePattern(text, toRegex(repoPart), tagPart == null ? null : toRegex(tagPart));
  }

  /** Compiles each pattern, in order. */
  public static List<ImagePattern> compileAll(List<String> texts) {
    List<ImagePattern> patterns = new ArrayList<>(texts.size());
    for (String text : texts) {
      patterns.add(compile(text));
    }
    return List.copyOf(patterns);
  }

  /**
   * True if the pattern matches this {@code repo:tag} (a reference without tag means latest) in
   * any of its spellings: as given, short ({@code app:1} for {@code docker.io/library/app:1}, which
   * is how Podman lists it, and {@code x:1} for Podman's {@code localhost/x:1}) or fully qualified
   * ({@code docker.io/library/app:1} for Docker's {@code app:1}). So a pattern protects the same
   * images on Docker and on Podman, whichever spelling the user wrote.
   */
  public boolean matches(String repoTag) {
    for (String spelling : spellings(repoTag)) {
      if (matchesAsGiven(spelling)) {
        return true;
      }
    }
    return false;
  }

  private static final List<String> DEFAULT_REGISTRIES = List.of("docker.io/", "index.docker.io/",
      "registry-1.docker.io/");

  /** The reference as given, its short form and its fully qualified form (Docker Hub). */
  static List<String> spellings(String repoTag) {
    List<String> out = new ArrayList<>(3);
    out.add(repoTag);
    String shortForm = repoTag;
    for (String registry : DEFAULT_REGISTRIES) {
      if (shortForm.startsWith(registry)) {
        shortForm = shortForm.substring(registry.length());
        break;
      }
    }
    if (shortForm.startsWith("library/") && shortForm.indexOf('/', "library/".length()) < 0) {
      shortForm = shortForm.substring("library/".length());
    } else if (shortForm.startsWith("localhost/")) {
      shortForm = shortForm.substring("localhost/".length());
    }
    if (!shortForm.equals(repoTag)) {
      out.add(shortForm);
    }
    int slash = shortForm.indexOf('/');
    String first = slash < 0 ? "" : shortForm.substring(0, slash);
    boolean hasRegistry = first.contains(".") || first.contains(":") || first.equals("localhost");
    if (!hasRegistry && shortForm.equals(repoTag)) {
      out.add("docker.io/" + (slash < 0 ? "library/" : "") + shortForm);
    }
    return out;
  }

  private boolean matchesAsGiven(String repoTag) {
    int colon = tagSeparator(repoTag);
    String repoName = colon < 0 ? repoTag : repoTag.substring(0, colon);
    if (!repo.matcher(repoName).matches()) {
      return false;
    }
    if (tag == null) {
      return true;
    }
    String tagName = colon < 0 ? "latest" : repoTag.substring(colon + 1);
    return tag.matcher(tagName).matches();
  }

  /** True if the pattern matches any of the references. */
  public boolean matchesAny(List<String> repoTags) {
    return anyMatches(List.of(this), repoTags);
  }

  /**
   * True if any of the patterns matches any of the references, in any spelling ({@link
   * #matches}); each reference's spellings are worked out once, not once per pattern.
   */
  public static boolean anyMatches(List<ImagePattern> patterns, List<String> repoTags) {
    if (patterns.isEmpty()) {
      return false;
    }
    for (String repoTag : repoTags) {
      for (String spelling : spellings(repoTag)) {
        for (ImagePattern pattern : patterns) {
          if (pattern.matchesAsGiven(spelling)) {
            return true;
          }
        }
      }
    }
    return false;
  }


  /** The repository part of a {@code repo:tag} reference (all of it when there is no tag). */
  public static String repository(String repoTag) {
    int colon = tagSeparator(repoTag);
    return colon < 0 ? repoTag : repoTag.substring(0, colon);
  }

  /** Index of the {@code :} that separates the tag, or -1 when there is no tag. */
  private static int tagSeparator(String reference) {
    int colon = reference.lastIndexOf(':');
    return colon > reference.lastIndexOf('/') ? colon : -1;
  }

  private static Pattern toRegex(String glob) {
    StringBuilder regex = new StringBuilder(glob.length() + 16);
    StringBuilder literal = new StringBuilder();
    for (int i = 0; i < glob.length(); i++) {
      char c = glob.charAt(i);
      if (c == '*' || c == '?') {
        if (literal.length() > 0) {
          regex.append(Pattern.quote(literal.toString()));
          literal.setLength(0);
        }
        if (c == '?') {
          regex.append("[^/]");
        } else if (i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
          regex.append(".*");
          while (i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
            i++;
          }
        } else {
          regex.append("[^/]*");
        }
      } else if (c == '[') {
        int end = glob.indexOf(']', i + 2); // "[]a]" is a class holding ']' and 'a'
        if (end < 0) {
          throw new IllegalArgumentException("image pattern part '" + glob + "' has an unclosed '['");
        }
        if (literal.length() > 0) {
          regex.append(Pattern.quote(literal.toString()));
          literal.setLength(0);
        }
        String body = glob.substring(i + 1, end);
        boolean negated = body.startsWith("!") || body.startsWith("^");
        if (negated) {
          body = body.substring(1);
        }
        if (body.isEmpty()) {
          throw new IllegalArgumentException("image pattern part '" + glob + "' has an empty character class");
        }
        StringBuilder cls = new StringBuilder(negated ? "[^/" : "[");
        for (int k = 0; k < body.length(); k++) {
          char b = body.charAt(k);
          if (b == '-' && k > 0 && k < body.length() - 1) {
            cls.append('-');
          } else if (Character.isLetterOrDigit(b)) {
            cls.append(b);
          } else {
            cls.append('\\').append(b);
          }
        }
        regex.append(cls).append(']');
        i = end;
      } else {
        literal.append(c);
      }
    }
    if (literal.length() > 0) {
      regex.append(Pattern.quote(literal.toString()));
    }
    try {
      return Pattern.compile(regex.toString(), Pattern.DOTALL);
    } catch (java.util.regex.PatternSyntaxException e) {
      // e.g. a reversed range [z-a]
      throw new IllegalArgumentException("image pattern part '" + glob + "' is not valid: " + e.getDescription());
    }
  }

  /** The pattern as written. */
  @Override
  public String toString() {
    return text;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ImagePattern that && text.equals(that.text);
  }

  @Override
  public int hashCode() {
    return text.hashCode();
  }
}

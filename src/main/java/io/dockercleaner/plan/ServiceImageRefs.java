package io.dockercleaner.plan;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Matches local images against the image references of Swarm service specs. A spec names its image
 * as the CLI pinned it — {@code repo:tag@sha256:...}, or {@code repo:tag} when the digest could not
 * be resolved, or a bare {@code repo} — while a local image lists {@code RepoTags} and {@code
 * RepoDigests}, each in Docker's short spelling ({@code busybox:1} for {@code
 * docker.io/library/busybox:1}). An image matches when one of its tags names the same repository
 * and tag, when one of its digests carries the same digest (a manifest digest names the same content
 * whatever the repository), or when the reference is its id. Matching errs on the side of keeping:
 * a spec with both tag and digest keeps an image that matches either.
 */
public final class ServiceImageRefs {
  private static final String DIGEST_MARK = "@";

  private final Set<String> ids = new HashSet<>();
  private final Set<String> repoTags = new HashSet<>();
  private final Set<String> digests = new HashSet<>();
  // the evidence of the first reference that added each key (id, normalised repo:tag, digest)
  private final Map<String, String> evidenceByKey = new HashMap<>();

  private ServiceImageRefs(Collection<String> references, Map<String, String> evidence) {
    // references with evidence first, in its order (the most telling first), then the others
    for (Map.Entry<String, String> e : evidence.entrySet()) {
      add(e.getKey(), e.getValue());
    }
    for (String ref : references) {
      add(ref, null);
    }
  }

  /** A matcher for these references (blank ones are ignored). */
  public static ServiceImageRefs of(Collection<String> references) {
    return new ServiceImageRefs(references, Map.of());
  }

  /**
   * A matcher for these references and those of {@code evidence}, which also says why each is
   * needed ({@link #evidence}).
   */
  public static ServiceImageRefs of(Collection<String> references, Map<String, String> evidence) {
    return new ServiceImageRefs(references, evidence);
  }

  /**
   * Why the image is needed: the evidence of a reference that matches it (by id, then tag, then
   * digest), or empty when none matches or none has evidence.
   */
  public Optional<String> evidence(ImageInfo image) {
    if (evidenceByKey.isEmpty()) {
      return Optional.empty();
    }
    String why = evidenceByKey.get(ID_KEY + image.id());
    for (String tag : image.repoTags()) {
      if (why == null && !ImageInfo.NONE_TAG.equals(tag)) {
        why = evidenceByKey.get(TAG_KEY + normalize(tag));
      }
    }
    for (String d : image.repoDigests()) {
      int at = d.indexOf(DIGEST_MARK);
      if (why == null && at >= 0) {
        why = evidenceByKey.get(DIGEST_KEY + d.substring(at + 1));
      }
    }
    return Optional.ofNullable(why);
  }

  private static final String ID_KEY = "id ";
  private static final String TAG_KEY = "tag ";
  private static final String DIGEST_KEY = "digest ";

  /** True when nothing is referenced. */
  public boolean isEmpty() {
    return ids.isEmpty() && repoTags.isEmpty() && digests.isEmpty();
  }

  /** True when a reference names this image by tag, digest or id. */
  public boolean matches(ImageInfo image) {
    if (isEmpty()) {
      return false;
    }
    if (ids.contains(image.id())) {
      return true;
    }
    for (String tag : image.repoTags()) {
      if (!ImageInfo.NONE_TAG.equals(tag) && repoTags.contains(normalize(tag))) {
        return true;
      }
    }
    for (String d : image.repoDigests()) {
      int at = d.indexOf(DIGEST_MARK);
      if (at >= 0 && digests.contains(d.substring(at + 1))) {
        return true;
      }
    }
    return false;
  }

  private void add(String ref, String evidence) {
    if (ref == null || ref.isBlank()) {
      return;
    }
    String r = ref.trim();
    if (r.startsWith("sha256:") && !r.contains("/")) {
      ids.add(r); // an image id
      because(ID_KEY + r, evidence);
      return;
    }
    if (r.matches("[0-9a-f]{64}")) {
      ids.add("sha256:" + r);
      because(ID_KEY + "sha256:" + r, evidence);
      return;
    }
    String name = r;
    int at = r.indexOf(DIGEST_MARK);
    if (at >= 0) {
      digests.add(r.substring(at + 1));
      because(DIGEST_KEY + r.substring(at + 1), evidence);
      name = r.substring(0, at);
    }
    boolean tagged = tagSeparator(name) >= 0;
    if (tagged || at < 0) {
      String repoTag = normalize(tagged ? name : name + ":latest");
      repoTags.add(repoTag);
      because(TAG_KEY + repoTag, evidence);
    }
  }

  private void because(String key, String evidence) {
    if (evidence != null) {
      evidenceByKey.putIfAbsent(key, evidence);
    }
  }

  /** {@code repo:tag} in its long spelling: registry and (on Docker Hub) {@code library/} added. */
  static String normalize(String repoTag) {
    int colon = tagSeparator(repoTag);
    String repo = colon < 0 ? repoTag : repoTag.substring(0, colon);
    String tag = colon < 0 ? "latest" : repoTag.substring(colon + 1);
    int slash = repo.indexOf('/');
    String first = slash < 0 ? "" : repo.substring(0, slash);
    boolean hasDomain = slash >= 0 && (first.contains(".") || first.contains(":") || first.equals("localhost"));
    if (!hasDomain) {
      repo = "docker.io/" + (slash < 0 ? "library/" : "") + repo;
    } else if (first.equals("index.docker.io") || first.equals("registry-1.docker.io")) {
      repo = "docker.io" + repo.substring(first.length());
    }
    if (repo.startsWith("docker.io/") && repo.indexOf('/', "docker.io/".length()) < 0) {
      repo = "docker.io/library/" + repo.substring("docker.io/".length());
    }
    return repo + ":" + tag;
  }

  /** Index of the ':' before a tag (after the last '/'), or -1. */
  private static int tagSeparator(String reference) {
    int colon = reference.lastIndexOf(':');
    return colon > reference.lastIndexOf('/') ? colon : -1;
  }
}

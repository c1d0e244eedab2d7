package io.dockercleaner.api;

import io.dockercleaner.core.ResourceType;
import io.dockercleaner.log.LogHub;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The top-level routes of an agent watching several hosts (DOCKER_HOSTS): the all-hosts view.
 * Reads aggregate ({@code /v1/status} is {@code {"hosts": {name: status}}}, {@code /v1/runs}
 * merges every host's runs, each with its {@code host}); whatever acts on one daemon (a run, a
 * plan, recommendations, runtime settings) must name its host ({@code /v1/hosts/{host}/...}) and
 * answers 400 here, naming the hosts. Ready ({@code /readyz}) while at least one host is: a host
 * that is down must not take the others out of service.
 */
public final class MultiHostControl implements AgentControl {
  private final Map<String, AgentControl> hosts;
  private final LogHub logHub;

  /**
   * @param hosts every host's view, by name, in configuration order
   * @param logHub the live log shared by every host, or null
   */
  public MultiHostControl(Map<String, AgentControl> hosts, LogHub logHub) {
    this.hosts = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(hosts));
    this.logHub = logHub;
  }

  @Override
  public List<String> hostNames() {
    return List.copyOf(hosts.keySet());
  }

  @Override
  public Optional<AgentControl> host(String name) {
    return Optional.ofNullable(hosts.get(name));
  }

  private boolean ready(AgentControl h) {
    return h.daemonReachable() && h.eventStreamConnected();
  }

  /** True while at least one host's daemon answers and its event stream is connected. */
  @Override
  public boolean daemonReachable() {
    return hosts.values().stream().anyMatch(this::ready);
  }

  @Override
  public boolean eventStreamConnected() {
    return daemonReachable();
  }

  @Override
  public String notReadyReason() {
    List<String> reasons = new ArrayList<>();
    hosts.forEach((name, h) -> {
      if (!ready(h)) {
        reasons.add(name + ": " + h.notReadyReason());
      }
    });
    return reasons.isEmpty() ? "ready" : (daemonReachable() ? "ready; not ready: " : "no host is ready: ")
        + String.join("; ", reasons);
  }

  @Override
  public JsonObject status() {
    JsonObject byName = new JsonObject();
    hosts.forEach((name, h) -> byName.put(name, h.status()));
    long ready = hosts.values().stream().filter(this::ready).count();
    return new JsonObject().put("hosts", byName).put("hostsReady", ready).put("hostsTotal", hosts.size());
  }

  private ApiException nameAHost(String what) {
    return ApiException.badRequest("this agent watches " + hosts.size() + " hosts: " + what + " one of them with /v1/hosts/{host}/... (hosts: "
        + String.join(", ", hosts.keySet()) + ")");
  }

  @Override
  public Future<JsonObject> plan(OptionalLong targetBytes, Set<ResourceType> types) {
    return Future.failedFuture(nameAHost("a plan is for"));
  }

  @Override
  public Future<RunTicket> startRun(RunRequest request) {
    return Future.failedFuture(nameAHost("a run cleans"));
  }

  @Override
  public Future<JsonObject> recommendations() {
    return Future.failedFuture(nameAHost("recommendations are for"));
  }

  /** Every host's recent runs, each with its {@code host}, newest first. */
  @Override
  public List<JsonObject> recentRuns() {
    List<JsonObject> all = new ArrayList<>();
    hosts.forEach((name, h) -> h.recentRuns().forEach(r -> all.add(r.copy().put("host", name))));
    all.sort(Comparator.comparing((JsonObject r) -> String.valueOf(r.getString("startedAt", ""))).reversed());
    return all;
  }

  /** A run of any host (run ids are random: they do not repeat across hosts), with its {@code host}. */
  @Override
  public Optional<JsonObject> run(String id) {
    for (Map.Entry<String, AgentControl> h : hosts.entrySet()) {
      Optional<JsonObject> run = h.getValue().run(id);
      if (run.isPresent()) {
        return Optional.of(run.get().copy().put("host", h.getKey()));
      }
    }
    return Optional.empty();
  }

  /** The items of a run of any host: each host is asked in turn until one knows the run. */
  @Override
  public Future<JsonObject> runItems(String id) {
    Future<JsonObject> result = Future.failedFuture(ApiException.notFound("no run with id '" + id + "' on any host"));
    for (Map.Entry<String, AgentControl> h : hosts.entrySet()) {
      result = result.recover(err -> h.getValue().runItems(id).map(items -> items.put("host", h.getKey()))
          .recover(e -> Future.failedFuture(err)));
    }
    return result;
  }

  @Override
  public JsonObject diskHistory() {
    throw nameAHost("disk history is kept for");
  }

  @Override
  public Future<JsonObject> changeSettings(Map<String, String> updates, String who) {
    return Future.failedFuture(nameAHost("runtime settings are changed for"));
  }

  @Override
  public Optional<LogHub> logHub() {
    return Optional.ofNullable(logHub);
  }
}

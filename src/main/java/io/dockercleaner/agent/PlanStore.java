package io.dockercleaner.agent;

import io.dockercleaner.plan.Plan;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Plans computed for {@code GET /v1/plan}, kept under their id so that {@code POST /v1/runs
 * {"planId": ...}} applies exactly that plan. Bounded: the oldest plan goes first.
 */
final class PlanStore {
  private final int capacity;
  private final Map<String, Plan> plans = new LinkedHashMap<>();

  PlanStore(int capacity) {
    this.capacity = capacity;
  }

  /** Stores a plan and returns its new id. */
  synchronized String put(Plan plan) {
    String id = "p-" + UUID.randomUUID().toString().substring(0, 8);
    plans.put(id, plan);
    while (plans.size() > capacity) {
      plans.remove(plans.keySet().iterator().next());
    }
    return id;
  }

  synchronized Optional<Plan> get(String id) {
    return Optional.ofNullable(plans.get(id));
  }

  synchronized boolean contains(String id) {
    return plans.containsKey(id);
  }
}

package io.dockercleaner.notify;

/**
 * Told the outcome of every webhook delivery attempt that matters for metrics; the lead maps the
 * outcome to {@code docker_cleaner_webhook_deliveries_total{outcome}}. A delivery is one notice to
 * one URL, so a notice sent to two URLs gives two outcomes.
 *
 * <p>Called on the notifier's Vert.x context; must not block. Exceptions thrown are logged and
 * ignored.
 */
@FunctionalInterface
public interface DeliveryListener {
  /** The receiver answered 2xx. */
  String DELIVERED = "delivered";
  /** Every attempt failed (non-2xx, connection error or timeout), or the notifier closed. */
  String FAILED = "failed";
  /** Never attempted: the queue was full, or the notifier closed before its turn. */
  String DROPPED = "dropped";
  /** One attempt failed and another one is scheduled. */
  String RETRIED = "retried";

  /** A listener that ignores everything. */
  DeliveryListener NONE = outcome -> {};

  /**
   * @param outcome one of {@link #DELIVERED}, {@link #FAILED}, {@link #DROPPED}, {@link #RETRIED}
   */
  void onOutcome(String outcome);
}

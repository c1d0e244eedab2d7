/**
 * Webhook and Slack notifications of runs: {@link io.dockercleaner.notify.RunNotice} (what is
 * said), {@link io.dockercleaner.notify.WebhookPayloads} (how it is written),
 * {@link io.dockercleaner.notify.WebhookNotifier} (background delivery with retries), {@link
 * io.dockercleaner.notify.WebhookSignature} (the {@code X-Docker-Cleaner-Signature} HMAC) and
 * {@link io.dockercleaner.notify.UrlMasking} (URLs safe to log).
 */
package io.dockercleaner.notify;

package dev.ordo.app.metrics;

import dev.ordo.engine.broker.BrokerCall;
import dev.ordo.engine.broker.BrokerGateway;
import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.port.BrokerError;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Locale;

/**
 * The broker calls' figures, from what each account's {@link BrokerGateway} reports (a {@link BrokerGateway.Listener}):
 * <ul>
 *   <li>{@code ordo_broker_call_seconds{account, call, priority, outcome}}: from the gateway sending a call with its token to
 *       the broker's answer; {@code call} is {@code place_order}, {@code modify_order}, {@code cancel_order}, {@code order_book},
 *       {@code trades}, {@code positions}, {@code limits}, or {@code login} ({@link MeteredBroker}: the session's own call,
 *       outside the gateway's queue, {@code priority="NONE"}); {@code priority} is the gateway's {@code CRITICAL},
 *       {@code NORMAL} or {@code SCAN}; {@code outcome} is {@code ok} or the error's kind ({@code auth_expired}, {@code rejected},
 *       {@code rate_limited}, {@code unavailable}, {@code timeout}; {@code failed} for a login that threw). Each attempt is one
 *       sample: a call retried after a re-login counts twice.</li>
 *   <li>{@code ordo_gateway_queue_wait_seconds{account, priority}}: how long each call waited in its priority's queue for a
 *       rate-limit permit (what shows that SCAN calls never hold CRITICAL ones back).</li>
 * </ul>
 * Both are histograms (Micrometer's percentile buckets, 1 ms to 30 s). Thread-safe: the gateways of every account report here.
 */
public final class BrokerCallMetrics implements BrokerGateway.Listener {

  /** The {@code priority} of a call that does not pass a gateway's queue (the broker session's login). */
  static final String NO_PRIORITY = "NONE";

  private final MeterRegistry registry;

  /** The figures of every account, in {@code registry}. */
  public BrokerCallMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public void waited(AccountId account, BrokerGateway.Priority priority, Duration waited) {
    Timer.builder("ordo.gateway.queue.wait")
        .description("time broker calls waited in the gateway's queue for a rate-limit permit, by priority")
        .tags("account", account.value(), "priority", priority.name())
        .publishPercentileHistogram()
        .register(registry)
        .record(waited);
  }

  @Override
  public void answered(AccountId account, BrokerCall call, BrokerGateway.Priority priority, BrokerCall.Reply reply, Duration took) {
    // the call's name without the "Get" of the reads: GetOrderBook is order_book, as the Broker port's method
    String name = snakeCase(call.getClass().getSimpleName().replaceFirst("^Get", ""));
    String outcome = reply instanceof BrokerCall.Failed failed ? kind(failed.error()) : "ok";
    record(account, name, priority.name(), outcome, took);
  }

  /** Records one broker call of {@code account} that took {@code took}. */
  void record(AccountId account, String call, String priority, String outcome, Duration took) {
    Timer.builder("ordo.broker.call")
        .description("broker calls from the call to its answer, by call, gateway priority and outcome")
        .tags("account", account.value(), "call", call, "priority", priority, "outcome", outcome)
        .publishPercentileHistogram()
        .register(registry)
        .record(took);
  }

  /** The {@code outcome} of {@code error}: its kind in snake case ({@code AuthExpired} is {@code auth_expired}). */
  static String kind(BrokerError error) {
    return snakeCase(error.getClass().getSimpleName());
  }

  private static String snakeCase(String camelCase) {
    return camelCase.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
  }
}

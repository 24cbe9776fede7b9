package dev.ordo.bench;

import com.typesafe.config.ConfigFactory;
import dev.ordo.engine.broker.AuthSession;
import dev.ordo.engine.broker.BrokerCall;
import dev.ordo.engine.broker.BrokerGateway;
import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.model.Fill;
import dev.ordo.engine.model.Price;
import dev.ordo.engine.model.VenueOrderId;
import dev.ordo.engine.port.AccountLimits;
import dev.ordo.engine.port.Broker;
import dev.ordo.engine.port.BrokerError;
import dev.ordo.engine.port.BrokerResult;
import dev.ordo.engine.port.Credentials;
import dev.ordo.engine.port.OrderReport;
import dev.ordo.engine.port.OrderRequest;
import dev.ordo.engine.port.OrderUpdateListener;
import dev.ordo.engine.port.PositionReport;
import dev.ordo.engine.port.SessionToken;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * {@code reauth-storm}: {@code calls} concurrent broker calls meet an expired token. The broker answers a call with an
 * old token "token expired" and takes {@link #LOGIN_LATENCY} per login. Ordo: the calls go to a
 * {@link BrokerGateway} with its {@link AuthSession} (rate limit and queues opened wide, so only the re-login is
 * measured). Baseline: the lock-based platforms' fix, a lock and a "logged in" event (condition): the first caller
 * that sees the expiry logs in while holding the flag, the others wait for the event and retry; the calls run on a
 * pool of {@link #BASELINE_THREADS} threads. Measured: logins performed after the expiry and the time until every
 * call is answered.
 */
final class ReauthStorm {

  static final Duration LOGIN_LATENCY = Duration.ofMillis(50);
  static final int BASELINE_THREADS = 256;
  private static final AccountId ACCOUNT = AccountId.of("storm");

  private ReauthStorm() {}

  /** What one side measured. */
  record Measured(int logins, double seconds, int ok) {}

  static void run(Results results, int calls) throws Exception {
    Measured ordo = ordo(calls);
    Measured locks = lockAndEvent(calls);
    results.add("reauth-storm", "", "time_to_serve_all", "s", ordo.seconds(), Map.of("lock-and-event", locks.seconds()), true);
    results.add("reauth-storm", "", "logins", "logins", (double) ordo.logins(), Map.of("lock-and-event", (double) locks.logins()), false);
    results.add("reauth-storm", "", "calls_served", "calls", (double) ordo.ok(), Map.of("lock-and-event", (double) locks.ok()), false);
    results.note("reauth-storm", calls + " calls after the token expired; login takes " + LOGIN_LATENCY.toMillis() + " ms; lock-and-event on "
        + BASELINE_THREADS + " threads.");
  }

  static Measured ordo(int calls) throws Exception {
    ExpiringBroker broker = new ExpiringBroker();
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "bench-storm",
        ConfigFactory.parseString("pekko.actor.provider = local\npekko.loglevel = WARNING").withFallback(ConfigFactory.load()));
    try {
      ActorRef<AuthSession.Command> auth = system.systemActorOf(AuthSession.create(ACCOUNT, broker, Credentials.none(),
          new AuthSession.Settings(calls + 10, Duration.ofSeconds(60), Duration.ofMillis(100), Duration.ofSeconds(5))), "auth",
          org.apache.pekko.actor.typed.Props.empty());
      ActorRef<BrokerGateway.Command> gateway = system.systemActorOf(BrokerGateway.create(ACCOUNT, broker, auth,
          new BrokerGateway.Settings(1e9, calls * 2, calls * 2, Duration.ofSeconds(60))), "gateway", org.apache.pekko.actor.typed.Props.empty());
      call(system, gateway).get(60, TimeUnit.SECONDS); // the first login
      int before = broker.logins.get();
      broker.expire();
      long start = System.nanoTime();
      List<CompletableFuture<BrokerCall.Reply>> replies = new ArrayList<>(calls);
      for (int i = 0; i < calls; i++) replies.add(call(system, gateway));
      CompletableFuture.allOf(replies.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
      double seconds = (System.nanoTime() - start) / 1e9;
      int ok = (int) replies.stream().map(CompletableFuture::join).filter(r -> r instanceof BrokerCall.Limits).count();
      return new Measured(broker.logins.get() - before, seconds, ok);
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
      broker.close();
    }
  }

  private static CompletableFuture<BrokerCall.Reply> call(ActorSystem<?> system, ActorRef<BrokerGateway.Command> gateway) {
    return AskPattern.<BrokerGateway.Command, BrokerCall.Reply>ask(gateway,
        replyTo -> new BrokerGateway.Execute(new BrokerCall.GetLimits(), BrokerGateway.Priority.NORMAL, replyTo), Duration.ofSeconds(120),
        system.scheduler()).toCompletableFuture();
  }

  static Measured lockAndEvent(int calls) throws Exception {
    ExpiringBroker broker = new ExpiringBroker();
    LockSession session = new LockSession(broker);
    ExecutorService pool = Executors.newFixedThreadPool(BASELINE_THREADS);
    try {
      session.call(); // the first login
      int before = broker.logins.get();
      broker.expire();
      long start = System.nanoTime();
      List<CompletableFuture<Boolean>> done = new ArrayList<>(calls);
      for (int i = 0; i < calls; i++) done.add(CompletableFuture.supplyAsync(session::call, pool));
      CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
      double seconds = (System.nanoTime() - start) / 1e9;
      int ok = (int) done.stream().filter(CompletableFuture::join).count();
      return new Measured(broker.logins.get() - before, seconds, ok);
    } finally {
      pool.shutdownNow();
      broker.close();
    }
  }

  /** The lock-and-event re-login: one login per expiry, the other callers wait on the event. */
  static final class LockSession {
    private final Broker broker;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition loggedIn = lock.newCondition();
    private SessionToken token;
    private boolean loggingIn;

    LockSession(Broker broker) {
      this.broker = broker;
    }

    /** One call: the token, the request, and on "expired" one re-login (by the first to see it) and one retry. */
    boolean call() {
      SessionToken used = token();
      BrokerResult<AccountLimits> result = broker.limits(used).toCompletableFuture().join();
      if (result instanceof BrokerResult.Err<AccountLimits> err && err.error() instanceof BrokerError.AuthExpired) {
        relogin(used);
        result = broker.limits(token()).toCompletableFuture().join();
      }
      return result instanceof BrokerResult.Ok;
    }

    private SessionToken token() {
      lock.lock();
      try {
        while (loggingIn) loggedIn.awaitUninterruptibly();
        if (token != null) return token;
        loggingIn = true;
      } finally {
        lock.unlock();
      }
      return login();
    }

    private void relogin(SessionToken expired) {
      lock.lock();
      try {
        while (loggingIn) loggedIn.awaitUninterruptibly();
        if (token != expired) return; // someone logged in already
        loggingIn = true;
      } finally {
        lock.unlock();
      }
      login();
    }

    private SessionToken login() {
      BrokerResult<SessionToken> result = broker.login(Credentials.none()).toCompletableFuture().join();
      lock.lock();
      try {
        if (result instanceof BrokerResult.Ok<SessionToken> ok) token = ok.value();
        loggingIn = false;
        loggedIn.signalAll();
        return token;
      } finally {
        lock.unlock();
      }
    }
  }

  /** A broker whose token can be expired: a call with another token answers {@link BrokerError.AuthExpired}. */
  static final class ExpiringBroker implements Broker, AutoCloseable {
    final AtomicInteger logins = new AtomicInteger();
    private final AtomicLong issued = new AtomicLong();
    private volatile String valid = "";
    private final java.util.concurrent.ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    void expire() {
      valid = "expired";
    }

    @Override
    public void close() {
      timer.shutdownNow();
    }

    @Override
    public CompletionStage<BrokerResult<SessionToken>> login(Credentials credentials) {
      logins.incrementAndGet();
      CompletableFuture<BrokerResult<SessionToken>> answer = new CompletableFuture<>();
      timer.schedule(() -> {
        String value = "token-" + issued.incrementAndGet();
        valid = value;
        answer.complete(BrokerResult.ok(new SessionToken(value, "", Instant.now())));
      }, LOGIN_LATENCY.toNanos(), TimeUnit.NANOSECONDS);
      return answer;
    }

    private <T> CompletionStage<BrokerResult<T>> answer(SessionToken token, T value) {
      if (!token.value().equals(valid)) return CompletableFuture.completedFuture(BrokerResult.error(new BrokerError.AuthExpired("900901")));
      return CompletableFuture.completedFuture(BrokerResult.ok(value));
    }

    @Override
    public CompletionStage<BrokerResult<AccountLimits>> limits(SessionToken token) {
      return answer(token, new AccountLimits(Map.of("INR", BigDecimal.TEN), Map.of()));
    }

    @Override
    public CompletionStage<BrokerResult<VenueOrderId>> placeOrder(SessionToken token, OrderRequest request) {
      return answer(token, VenueOrderId.of("1"));
    }

    @Override
    public CompletionStage<BrokerResult<VenueOrderId>> modifyOrder(SessionToken token, VenueOrderId order, Price trigger, Price limit) {
      return answer(token, order);
    }

    @Override
    public CompletionStage<BrokerResult<VenueOrderId>> cancelOrder(SessionToken token, VenueOrderId order) {
      return answer(token, order);
    }

    @Override
    public CompletionStage<BrokerResult<List<OrderReport>>> orderBook(SessionToken token) {
      return answer(token, List.of());
    }

    @Override
    public CompletionStage<BrokerResult<List<Fill>>> trades(SessionToken token) {
      return answer(token, List.of());
    }

    @Override
    public CompletionStage<BrokerResult<List<PositionReport>>> positions(SessionToken token) {
      return answer(token, List.of());
    }

    @Override
    public void subscribeOrderUpdates(OrderUpdateListener listener) {}
  }
}

package dev.ordo.app;

import com.typesafe.config.ConfigFactory;
import dev.ordo.broker.neo.NeoCredentials;
import dev.ordo.engine.marketdata.ReplayDriver;
import dev.ordo.sim.BrokerSimulator;
import dev.ordo.sim.SimFaults;
import dev.ordo.sim.SimStats;
import dev.ordo.engine.broker.BrokerCall;
import dev.ordo.engine.broker.BrokerGateway;
import dev.ordo.engine.marketdata.MarketDataConnection;
import dev.ordo.engine.trading.OrderRecord;
import dev.ordo.engine.trading.Position;
import dev.ordo.engine.broker.Reconciler;
import dev.ordo.engine.model.Fill;
import dev.ordo.engine.model.OrderStatus;
import dev.ordo.engine.port.PositionReport;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.commons.codec.binary.Base32;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ordo soak}: the broker simulator with every fault on and the live engine against it, on
 * real data, for a while; then the market stops, a final reconciliation runs and the invariants are
 * checked: no duplicate ClientOrderId at the broker; every broker fill applied exactly once; the
 * engine's positions equal the broker's; logins at most token expiries + 1; HTTP always answered.
 * Exits 1 when one fails.
 */
@Command(name = "soak", mixinStandardHelpOptions = true,
    description = "Run the engine against the broker simulator with every fault on, then check the invariants.")
final class SoakCommand implements Callable<Integer> {

  @Mixin
  DataOptions dataOptions = new DataOptions();

  @Option(names = "--duration", defaultValue = "10m", description = "How long the market runs (default ${DEFAULT-VALUE}).")
  String duration;

  @Option(names = "--seed", defaultValue = "1", description = "Seed of the faults and the reconnect jitter (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--speed", defaultValue = "600x", description = "Market replay speed (default ${DEFAULT-VALUE}).")
  String speed;

  @Option(names = "--token-ttl", defaultValue = "60s", description = "Fault: token lifetime (default ${DEFAULT-VALUE}).")
  String tokenTtl;

  @Option(names = "--drop-ws-every", defaultValue = "45s", description = "Fault: socket drop period (default ${DEFAULT-VALUE}).")
  String dropWsEvery;

  @Option(names = "--stall-ws-every", defaultValue = "70s", description = "Fault: socket stall period (default ${DEFAULT-VALUE}).")
  String stallWsEvery;

  @Option(names = "--stall-for", defaultValue = "20s", description = "Fault: stall length (default ${DEFAULT-VALUE}).")
  String stallFor;

  @Option(names = "--error-rate", defaultValue = "0.05", description = "Fault: share of 429/5xx answers (default ${DEFAULT-VALUE}).")
  double errorRate;

  @Option(names = "--latency", defaultValue = "20ms", description = "Fault: added latency (default ${DEFAULT-VALUE}).")
  String latency;

  @Option(names = "--ambiguous-rate", defaultValue = "0.05", description = "Fault: share of unanswered placements (default ${DEFAULT-VALUE}).")
  double ambiguousRate;

  @Option(names = "--reconcile-every", defaultValue = "5s", description = "Engine reconciliation period (default ${DEFAULT-VALUE}).")
  String reconcileEvery;

  @Override
  public Integer call() throws Exception {
    Duration runFor;
    SimFaults faults;
    Double factor;
    try {
      dataOptions.validate();
      runFor = BrokerSimCommand.duration("--duration", duration);
      faults = new SimFaults(BrokerSimCommand.duration("--token-ttl", tokenTtl), BrokerSimCommand.duration("--drop-ws-every", dropWsEvery),
          BrokerSimCommand.duration("--stall-ws-every", stallWsEvery), BrokerSimCommand.duration("--stall-for", stallFor), errorRate,
          BrokerSimCommand.duration("--latency", latency), ambiguousRate, seed);
      factor = ReplayDriver.Speed.parse(speed).factor();
    } catch (IllegalArgumentException e) {
      System.err.println("ordo soak: " + e.getMessage());
      return 2;
    }
    Path work = Files.createTempDirectory("ordo-soak-");
    byte[] seedBytes = new byte[20];
    new SecureRandom().nextBytes(seedBytes);
    NeoCredentials user = new NeoCredentials("soak-consumer-key", "+910000000000", "SOAK1", "2468", new Base32().encodeToString(seedBytes));
    ActorSystem<Void> simSystem = ActorSystem.create(Behaviors.empty(), "ordo-broker-sim",
        ConfigFactory.parseString("pekko.actor.provider = local").withFallback(ConfigFactory.load()));
    BrokerSimulator simulator = BrokerSimulator.start(simSystem, new BrokerSimulator.Settings("127.0.0.1", 0, dataOptions.dataFolder(),
        dataOptions.from, dataOptions.to, factor, user, faults, new BigDecimal("100000000")), Clock.systemUTC()).toCompletableFuture()
        .get(60, TimeUnit.SECONDS);
    MarketDataConnection.StreamSettings stream = new MarketDataConnection.StreamSettings(Duration.ofSeconds(10), Duration.ofMillis(500),
        Duration.ofSeconds(10), 0.2, Duration.ofSeconds(5), Duration.ofMinutes(1));
    LiveEngine engine = LiveEngine.start(new LiveEngine.Settings(simulator.baseUrl(), simulator.marketDataUrl(), user, Set.of(),
        work.resolve("data"), "127.0.0.1", 0, BrokerSimCommand.duration("--reconcile-every", reconcileEvery), stream, Duration.ofSeconds(3), seed, true),
        ConfigFactory.load());
    System.out.printf("soak: simulator %s, engine http://127.0.0.1:%d, faults %s, for %s%n", simulator.baseUrl(), engine.httpAddress().getPort(),
        faults, runFor);

    HealthPoller health = new HealthPoller(URI.create("http://127.0.0.1:" + engine.httpAddress().getPort() + "/health"));
    Thread poller = new Thread(health, "soak-health");
    poller.setDaemon(true);
    poller.start();
    Instant end = Instant.now().plus(runFor);
    while (Instant.now().isBefore(end)) {
      Thread.sleep(Math.min(30_000, Math.max(1, Duration.between(Instant.now(), end).toMillis())));
      SimStats.Snapshot s = simulator.stats();
      System.out.printf("soak: %ds left; broker: %d logins, %d orders, %d fills, %d drops, %d stalls, %d injected errors, %d unanswered%n",
          Math.max(0, Duration.between(Instant.now(), end).toSeconds()), s.logins(), s.ordersPlaced(), s.fills(), s.wsDrops(), s.wsStalls(),
          s.injectedErrors(), s.ambiguousAnswers());
    }

    System.out.println("soak: market stopped; final reconciliation");
    simulator.pauseMarket().toCompletableFuture().get(10, TimeUnit.SECONDS);
    Thread.sleep(3_000);
    int clean = 0;
    for (int attempt = 0; attempt < 20 && clean < 2; attempt++) {
      Reconciler.Report report = engine.reconcile("final").toCompletableFuture().get(150, TimeUnit.SECONDS);
      clean = report.failure() == null ? clean + 1 : 0;
    }
    health.stop();
    poller.join(5_000);
    int failures = check(engine, simulator, health, clean >= 2);
    engine.close();
    simulator.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
    simSystem.terminate();
    return failures == 0 ? 0 : 1;
  }

  private int check(LiveEngine engine, BrokerSimulator simulator, HealthPoller health, boolean reconciled) throws Exception {
    SimStats.Snapshot stats = simulator.stats();
    List<Fill> brokerTrades = readThroughGateway(engine, new BrokerCall.GetTrades(), BrokerCall.Trades.class).fills();
    List<PositionReport> brokerPositions = readThroughGateway(engine, new BrokerCall.GetPositions(), BrokerCall.Positions.class).positions();
    List<Position.State> positions = engine.queries().positionStates(engine.account()).toCompletableFuture().get(60, TimeUnit.SECONDS);
    List<OrderRecord> orders = engine.queries().orders(engine.account()).toCompletableFuture().get(60, TimeUnit.SECONDS);
    BrokerInvariants.Truth truth = new BrokerInvariants.Truth(stats, brokerTrades, brokerPositions, positions);
    long unknown = orders.stream().filter(o -> o.status() == OrderStatus.UNKNOWN).count();

    System.out.println("soak counters:");
    System.out.printf("  broker: logins %d, token expiries %d, auth rejections %d, orders placed %d, duplicate client order ids %d, fills %d%n",
        stats.logins(), stats.tokenExpiries(), stats.authRejections(), stats.ordersPlaced(), stats.duplicateClientOrderIds(), stats.fills());
    System.out.printf("  faults: %d socket drops, %d stalls, %d injected 429/5xx, %d unanswered placements, %d socket connections, %d subscriptions%n",
        stats.wsDrops(), stats.wsStalls(), stats.injectedErrors(), stats.ambiguousAnswers(), stats.wsConnections(), stats.subscriptions());
    System.out.printf("  engine: %d positions, %d fills applied (%d distinct), %d orders known (%d still UNKNOWN), HTTP %d ok / %d failed%n",
        positions.size(), truth.appliedCount(), truth.appliedIds().size(), orders.size(), unknown, health.ok.get(), health.failed.get());

    List<BrokerInvariants.Check> checks = new ArrayList<>();
    checks.add(new BrokerInvariants.Check("final reconciliation completed", reconciled, "the broker could not be read"));
    checks.addAll(BrokerInvariants.check(truth));
    checks.add(new BrokerInvariants.Check("logins <= token expiries + 1", stats.logins() <= stats.tokenExpiries() + 1,
        stats.logins() + " logins for " + stats.tokenExpiries() + " expiries"));
    checks.add(new BrokerInvariants.Check("HTTP answered throughout", health.failed.get() == 0 && health.ok.get() > 0,
        health.failed.get() + " failed /health calls"));
    checks.forEach(c -> c.print(System.out));
    int failures = (int) checks.stream().filter(c -> !c.holds()).count();
    System.out.println(failures == 0 ? "soak PASSED" : "soak FAILED: " + failures + " invariant(s)");
    return failures;
  }

  /** Reads the broker's truth through the engine's own gateway (no extra login), retrying injected errors. */
  private static <T extends BrokerCall.Reply> T readThroughGateway(LiveEngine engine, BrokerCall call, Class<T> type) throws Exception {
    BrokerCall.Reply reply = null;
    for (int attempt = 0; attempt < 30; attempt++) {
      BrokerCall.Reply answer = AskPattern.<BrokerGateway.Command, BrokerCall.Reply>ask(engine.parts().gateway(),
          replyTo -> new BrokerGateway.Execute(call, BrokerGateway.Priority.NORMAL, replyTo), Duration.ofSeconds(30),
          engine.system().scheduler()).toCompletableFuture().get(40, TimeUnit.SECONDS);
      if (type.isInstance(answer)) return type.cast(answer);
      reply = answer;
      Thread.sleep(200);
    }
    throw new IllegalStateException("could not read the broker: " + reply);
  }

  /** Calls {@code /health} every second; counts answers. */
  private static final class HealthPoller implements Runnable {
    final AtomicLong ok = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    private final URI uri;
    private volatile boolean running = true;

    HealthPoller(URI uri) {
      this.uri = uri;
    }

    void stop() {
      running = false;
    }

    @Override
    public void run() {
      HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      while (running) {
        try {
          HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).GET().build(),
              HttpResponse.BodyHandlers.ofString());
          if (response.statusCode() == 200) ok.incrementAndGet();
          else failed.incrementAndGet();
        } catch (Exception e) {
          if (running) failed.incrementAndGet();
        }
        try {
          Thread.sleep(1_000);
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }
}

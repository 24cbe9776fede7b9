package dev.ordo.app;

import com.typesafe.config.ConfigFactory;
import dev.ordo.broker.neo.NeoCredentials;
import dev.ordo.broker.data.BadBarDataException;
import dev.ordo.engine.marketdata.ReplayDriver;
import dev.ordo.engine.model.Quantity;
import dev.ordo.engine.venue.VenueRules;
import dev.ordo.sim.BrokerSimulator;
import dev.ordo.sim.SimFaults;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ordo broker-sim}: the Kotak-Neo-shaped broker simulator, with fault injection. */
@Command(name = "broker-sim", mixinStandardHelpOptions = true,
    description = "Run a broker simulator shaped like the Kotak Neo trade API, serving prices from bar files, with injectable faults.")
final class BrokerSimCommand implements Callable<Integer> {

  private static volatile boolean running;

  @Mixin
  DataOptions dataOptions = new DataOptions();

  @Option(names = "--speed", defaultValue = "600x", paramLabel = "max|<N>x", description = "Market replay speed (default ${DEFAULT-VALUE}).")
  String speed;

  @Option(names = "--host", defaultValue = "127.0.0.1", description = "Bind address (default ${DEFAULT-VALUE}).")
  String host;

  @Option(names = "--port", defaultValue = "8090", description = "Port; 0 picks a free one (default ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--credentials", paramLabel = "FILE",
      description = "Properties file of the simulated user (consumer-key, mobile, ucc, mpin, totp-seed); default: ORDO_NEO_* environment variables.")
  Path credentials;

  @Option(names = "--cash", defaultValue = "10000000", description = "Cash of the simulated account, INR (default ${DEFAULT-VALUE}).")
  BigDecimal cash;

  @Option(names = "--token-ttl", paramLabel = "DURATION", description = "Session tokens stop working after this (401, code 900901).")
  String tokenTtl;

  @Option(names = "--drop-ws-every", paramLabel = "DURATION", description = "Close market-data sockets from the server side at this period.")
  String dropWsEvery;

  @Option(names = "--stall-ws-every", paramLabel = "DURATION", description = "Stall market-data sockets (open, silent) at this period.")
  String stallWsEvery;

  @Option(names = "--stall-for", defaultValue = "60s", paramLabel = "DURATION", description = "Length of a stall (default ${DEFAULT-VALUE}).")
  String stallFor;

  @Option(names = "--error-rate", defaultValue = "0", paramLabel = "P", description = "Share of calls answered 429/500/502/503 (0..1).")
  double errorRate;

  @Option(names = "--latency", paramLabel = "DURATION", description = "Added to every REST answer.")
  String latency;

  @Option(names = "--ambiguous-rate", defaultValue = "0", paramLabel = "P",
      description = "Share of placements carried out but never answered (0..1).")
  double ambiguousRate;

  @Option(names = "--seed", defaultValue = "1", description = "Seed of the random faults (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--freeze-quantity", defaultValue = "100000", paramLabel = "N",
      description = "Largest quantity of one order; larger ones are rejected (default ${DEFAULT-VALUE}).")
  long freezeQuantity;

  @Option(names = "--lockout-after", defaultValue = "5", paramLabel = "N",
      description = "Wrong TOTPs in a row that lock the simulated user out (default ${DEFAULT-VALUE}).")
  int lockoutAfter;

  @Option(names = "--lockout", defaultValue = "15m", paramLabel = "DURATION",
      description = "How long a locked-out user's logins are refused (default ${DEFAULT-VALUE}).")
  String lockout;

  static boolean keepsRunning() {
    return running;
  }

  /** Parses {@code 30s}, {@code 5m}, {@code 1h}, {@code 500ms} with Typesafe Config's duration syntax; null stays null. */
  static Duration duration(String option, String text) {
    if (text == null) return null;
    try {
      return ConfigFactory.parseString("d = \"" + text.replace("\"", "") + "\"").getDuration("d");
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(option + " must be a duration such as 30s, 5m or 500ms, got '" + text + "'");
    }
  }

  @Override
  public Integer call() throws Exception {
    BrokerSimulator.Settings settings;
    try {
      dataOptions.validate();
      NeoCredentials user = credentials != null ? NeoCredentials.fromFile(credentials) : NeoCredentials.fromEnvironment(System.getenv());
      SimFaults faults = new SimFaults(duration("--token-ttl", tokenTtl), duration("--drop-ws-every", dropWsEvery),
          duration("--stall-ws-every", stallWsEvery), duration("--stall-for", stallFor), errorRate, duration("--latency", latency), ambiguousRate,
          seed);
      VenueRules rules = new VenueRules(Quantity.of(freezeQuantity), VenueRules.DEFAULT_MARKET_PROTECTION);
      settings = new BrokerSimulator.Settings(host, port, dataOptions.dataFolder(), dataOptions.from, dataOptions.to,
          ReplayDriver.Speed.parse(speed).factor(), user, faults, cash, rules,
          new BrokerSimulator.LoginLockout(lockoutAfter, duration("--lockout", lockout)));
    } catch (IllegalArgumentException | java.io.IOException e) {
      System.err.println("ordo broker-sim: " + e.getMessage());
      return 2;
    }
    StartChecks.listenAddress(host, port, "--host", "--port");
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "ordo-broker-sim", ConfigFactory.parseString(
        "pekko.actor.provider = local\npekko.http.server.remote-address-header = off").withFallback(ConfigFactory.load()));
    try {
      BrokerSimulator simulator = BrokerSimulator.start(system, settings, Clock.systemUTC()).toCompletableFuture().get(60, TimeUnit.SECONDS);
      System.out.printf("Broker simulator on %s (stats: %s/sim/stats)%n", simulator.baseUrl(), simulator.baseUrl());
      System.out.flush();
      running = true;
      return 0;
    } catch (BadBarDataException e) {
      System.err.println("ordo broker-sim: bad market data: " + e.getMessage());
      system.terminate();
      return 2;
    } catch (java.util.concurrent.ExecutionException e) {
      system.terminate();
      Throwable cause = e;
      while (cause.getCause() != null && cause.getCause() != cause) cause = cause.getCause();
      if (cause instanceof java.net.BindException) throw StartChecks.listenFailure(host, port, "--port", cause);
      throw StartFailure.environment("could not start: " + cause, e);
    }
  }
}

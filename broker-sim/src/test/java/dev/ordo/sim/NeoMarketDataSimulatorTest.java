package dev.ordo.sim;

import dev.ordo.broker.neo.NeoBroker;
import dev.ordo.broker.neo.NeoMarketDataStream;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.ordo.broker.data.BarFileReader;
import dev.ordo.engine.marketdata.InstrumentBars;
import dev.ordo.engine.broker.AuthSession;
import dev.ordo.engine.marketdata.MarketDataConnection;
import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.model.Bar;
import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.model.Price;
import dev.ordo.engine.model.TradeTick;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The market-data state machine over the real WebSocket client against the simulator: drops and stalls. */
class NeoMarketDataSimulatorTest {

  static final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.load());
  static final Path SAMPLE = Path.of("..", "data", "sample", "nse_equity_5min");
  static final InstrumentId TCS = new InstrumentId("TCS-EQ", "NSE");
  static final InstrumentId KOTAK = new InstrumentId("KOTAKBANK-EQ", "NSE");
  static final MarketDataConnection.StreamSettings FAST = new MarketDataConnection.StreamSettings(Duration.ofSeconds(2),
      Duration.ofMillis(200), Duration.ofSeconds(1), 0.2, Duration.ofSeconds(1), Duration.ofMinutes(1));

  /** Every price each instrument's bars contain: a tick must be one of its own instrument's prices. */
  static final Map<InstrumentId, Set<Price>> PRICES = new HashMap<>();

  static {
    for (InstrumentBars file : BarFileReader.readFolder(SAMPLE)) {
      Set<Price> prices = new HashSet<>();
      for (Bar b : file.bars()) prices.addAll(List.of(b.open(), b.high(), b.low(), b.close()));
      PRICES.put(file.instrument().id(), prices);
    }
  }

  BrokerSimulator simulator;
  final List<TradeTick> ticks = new CopyOnWriteArrayList<>();

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @AfterEach
  void stop() throws Exception {
    simulator.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  ActorRef<MarketDataConnection.Command> connect(Set<InstrumentId> instruments) throws Exception {
    // 2,000x: a 5-minute bar every 150 ms; the sample lasts about three minutes.
    simulator = BrokerSimulator.start(testKit.system(), new BrokerSimulator.Settings("127.0.0.1", 0, SAMPLE, null, null, 2000.0,
        NeoBrokerSimulatorTest.USER, SimFaults.none(), new BigDecimal("10000000")), Clock.systemUTC()).toCompletableFuture().get(30, TimeUnit.SECONDS);
    NeoBroker broker = new NeoBroker(testKit.system(), new NeoBroker.Settings(simulator.baseUrl(), Duration.ofSeconds(5), Clock.systemUTC()));
    AccountId account = AccountId.of("neo-md");
    ActorRef<AuthSession.Command> auth = testKit.spawn(AuthSession.create(account, broker, NeoBrokerSimulatorTest.USER.toCredentials(),
        AuthSession.Settings.defaults()));
    NeoMarketDataStream stream = new NeoMarketDataStream(testKit.system(), simulator.marketDataUrl(), broker::scripMaster);
    // The stream needs the scrip master, which the first login loads.
    TestProbe<AuthSession.TokenReply> token = testKit.createTestProbe();
    auth.tell(new AuthSession.GetToken(token.ref()));
    token.receiveMessage(Duration.ofSeconds(10));
    ActorRef<MarketDataConnection.Command> connection = testKit.spawn(MarketDataConnection.create(account,
        new MarketDataConnection.StreamSide(stream, auth, ticks::add, new Random(1), FAST, () -> {})));
    connection.tell(new MarketDataConnection.Subscribe(instruments));
    connection.tell(MarketDataConnection.Connect.INSTANCE);
    return connection;
  }

  MarketDataConnection.Status status(ActorRef<MarketDataConnection.Command> connection) {
    TestProbe<MarketDataConnection.Status> probe = testKit.createTestProbe();
    connection.tell(new MarketDataConnection.GetStatus(probe.ref()));
    return probe.receiveMessage();
  }

  static void eventually(BooleanSupplier condition, String what) {
    testKit.createTestProbe().awaitAssert(Duration.ofSeconds(20), Duration.ofMillis(20), () -> {
      assertTrue(condition.getAsBoolean(), what);
      return null;
    });
  }

  boolean ticksOfBothSince(int index) {
    List<TradeTick> since = ticks.subList(Math.min(index, ticks.size()), ticks.size());
    return since.stream().anyMatch(t -> t.instrumentId().equals(TCS)) && since.stream().anyMatch(t -> t.instrumentId().equals(KOTAK));
  }

  void assertTicksBelongToTheirInstruments() {
    for (TradeTick tick : ticks) {
      assertTrue(Set.of(TCS, KOTAK).contains(tick.instrumentId()), "only subscribed instruments: " + tick);
      assertTrue(PRICES.get(tick.instrumentId()).contains(tick.price()), "a price of " + tick.instrumentId() + "'s own bars: " + tick);
    }
  }

  @Test
  void aDroppedSocketIsResubscribedAndTicksFlowToTheRightInstrumentsAgain() throws Exception {
    ActorRef<MarketDataConnection.Command> connection = connect(Set.of(TCS, KOTAK));
    eventually(() -> ticksOfBothSince(0), "ticks of both instruments");
    assertEquals(1, simulator.dropSockets());
    eventually(() -> status(connection).connects() == 2, "reconnected");
    int mark = ticks.size();
    eventually(() -> ticksOfBothSince(mark), "ticks of both instruments after the reconnect");
    assertTicksBelongToTheirInstruments();
    assertEquals(2, simulator.stats().wsConnections());
    assertEquals(4, simulator.stats().subscriptions(), "both scrips subscribed again on the new socket");
    assertEquals(MarketDataConnection.State.CONNECTED, status(connection).state());
  }

  @Test
  void aStalledSocketIsDetectedAndReplaced() throws Exception {
    ActorRef<MarketDataConnection.Command> connection = connect(Set.of(TCS, KOTAK));
    eventually(() -> ticksOfBothSince(0), "ticks of both instruments");
    Instant stalledAt = Instant.now();
    assertEquals(1, simulator.stallSockets(Duration.ofMinutes(5)));
    eventually(() -> status(connection).connects() == 2, "replaced by the watchdog");
    Duration detection = Duration.between(stalledAt, Instant.now());
    assertTrue(detection.compareTo(Duration.ofMillis(1900)) >= 0 && detection.compareTo(Duration.ofSeconds(6)) < 0,
        "replaced after 2 to 3 s of silence (plus back-off), took " + detection);
    int mark = ticks.size();
    eventually(() -> ticksOfBothSince(mark), "ticks on the new socket");
    assertTicksBelongToTheirInstruments();
    assertTrue(status(connection).failures() >= 1);
  }
}

package dev.ordo.engine.scanner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.ordo.engine.broker.AuthSession;
import dev.ordo.engine.broker.BrokerCall;
import dev.ordo.engine.broker.BrokerGateway;
import dev.ordo.engine.broker.FakeBroker;
import dev.ordo.engine.expert.Expert;
import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.model.Bar;
import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.model.Price;
import dev.ordo.engine.port.Credentials;
import dev.ordo.engine.time.ReplayClock;
import java.math.BigDecimal;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The scanner: bounded parallelism, its cache on the engine clock, the rule, and what reaches the expert. */
class ScannerTest {

  static final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.load());
  static final AccountId ACCOUNT = AccountId.of("scan");
  static final ZoneOffset IST = ZoneOffset.ofHoursMinutes(5, 30);
  static final BigDecimal TICK = new BigDecimal("0.05");
  /** Weekdays are trading days here. */
  static final Predicate<LocalDate> WEEKDAYS = d -> d.getDayOfWeek() != DayOfWeek.SATURDAY && d.getDayOfWeek() != DayOfWeek.SUNDAY;
  /** A Monday: the day scanned; its previous trading day is Friday 2024-01-12. */
  static final LocalDate MONDAY = LocalDate.of(2024, 1, 15);

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  static InstrumentId id(String symbol) {
    return new InstrumentId(symbol + "-EQ", "NSE");
  }

  /**
   * 21 weekday bars of {@code id} ending on Friday 2024-01-12: 20 quiet ones (high 105, low 95, volume 1000),
   * then a last one closing at {@code lastClose} on {@code lastVolume}.
   */
  static List<Bar> dailyBars(InstrumentId id, String lastClose, long lastVolume) {
    List<LocalDate> days = new ArrayList<>();
    for (LocalDate d = LocalDate.of(2024, 1, 12); days.size() < 21; d = d.minusDays(1)) if (WEEKDAYS.test(d)) days.add(0, d);
    List<Bar> bars = new ArrayList<>();
    for (int i = 0; i < 21; i++) {
      boolean last = i == 20;
      Price close = Price.of(last ? lastClose : "100");
      Price high = last ? close.max(Price.of("100")) : Price.of("105");
      bars.add(new Bar(id, Duration.ofDays(1), Price.of("96"), high, Price.of("95"), close, BigDecimal.valueOf(last ? lastVolume : 1000),
          OffsetDateTime.of(days.get(i).atStartOfDay(), IST)));
    }
    return bars;
  }

  static SortedMap<InstrumentId, BigDecimal> universe(List<InstrumentId> ids) {
    SortedMap<InstrumentId, BigDecimal> universe = new TreeMap<>();
    ids.forEach(id -> universe.put(id, TICK));
    return universe;
  }

  /** Records what it was sent; prices each instrument at {@code prices}, accepts every BUY as a transaction. */
  static final class RecordingRecommender implements Scanner.Recommender {
    final Map<InstrumentId, Price> prices;
    final List<List<Expert.Recommendation>> batches = new CopyOnWriteArrayList<>();

    RecordingRecommender(Map<InstrumentId, Price> prices) {
      this.prices = prices;
    }

    @Override
    public CompletionStage<Map<InstrumentId, Price>> lastPrices(Set<InstrumentId> instruments) {
      Map<InstrumentId, Price> known = new TreeMap<>();
      instruments.forEach(id -> {
        if (prices.containsKey(id)) known.put(id, prices.get(id));
      });
      return CompletableFuture.completedFuture(known);
    }

    @Override
    public CompletionStage<Expert.Outcomes> recommend(String expertId, List<Expert.Recommendation> recommendations) {
      batches.add(recommendations);
      List<Expert.Outcome> outcomes = new ArrayList<>();
      for (Expert.Recommendation r : recommendations)
        outcomes.add(prices.containsKey(r.instrument()) ? new Expert.Outcome(r.instrument(), r.action(), expertId + "-" + (outcomes.size() + 1), null, null)
            : new Expert.Outcome(r.instrument(), r.action(), null, Expert.SkipReason.UNKNOWN_INSTRUMENT, null));
      return CompletableFuture.completedFuture(new Expert.Outcomes(expertId, outcomes));
    }
  }

  static ActorRef<BrokerGateway.Command> gateway(FakeBroker broker, double callsPerSecond, int burst) {
    ActorRef<AuthSession.Command> auth = testKit.spawn(AuthSession.create(ACCOUNT, broker, Credentials.none(), AuthSession.Settings.defaults()));
    return testKit.spawn(BrokerGateway.create(ACCOUNT, broker, auth, new BrokerGateway.Settings(callsPerSecond, burst, 1000, Duration.ofSeconds(30))));
  }

  static Scanner.Settings settings(List<InstrumentId> ids, int parallelism, Duration cacheTtl) {
    return new Scanner.Settings("breakout", universe(ids), BreakoutSignal.defaults(), parallelism, cacheTtl, Duration.ofSeconds(30));
  }

  @Test
  void breakoutsGoToTheExpertWithTheirExitPlanMovedToTheTradedPriceAndTheReportSaysWhatBecameOfEach() {
    FakeBroker broker = new FakeBroker();
    InstrumentId up = id("UP");
    InstrumentId flat = id("FLAT");
    InstrumentId untraded = id("ELSEWHERE");
    InstrumentId stale = id("STALE");
    InstrumentId unknown = id("NOBARS");
    broker.daily.put(up, dailyBars(up, "107", 2400));
    broker.daily.put(flat, dailyBars(flat, "101", 900));
    broker.daily.put(untraded, dailyBars(untraded, "110", 5000));
    broker.daily.put(stale, dailyBars(stale, "107", 2400).subList(0, 20)); // last bar on Thursday: no bar on Friday
    // the account trades UP at twice the daily file's prices (adjusted later for a 1:1 bonus)
    RecordingRecommender recommender = new RecordingRecommender(Map.of(up, Price.of("214.10"), flat, Price.of("101")));
    ActorRef<Scanner.Command> scanner = testKit.spawn(Scanner.create(ACCOUNT, gateway(broker, 1000, 1000), recommender, WEEKDAYS,
        new ReplayClock(Instant.parse("2024-01-15T04:00:00Z")), settings(List.of(up, flat, untraded, stale, unknown), 4, Duration.ofMinutes(10))));
    TestProbe<Scanner.Report> reports = testKit.createTestProbe();

    scanner.tell(new Scanner.Scan(MONDAY, reports.ref()));
    Scanner.Report report = reports.receiveMessage(Duration.ofSeconds(10));

    assertNull(report.failure());
    assertEquals(5, report.scanned());
    assertEquals(5, report.read());
    assertEquals(0, report.cached());
    assertEquals(List.of(unknown), List.copyOf(report.failed().keySet()));
    assertTrue(report.failed().get(unknown).contains("no daily bars of NOBARS-EQ.NSE"), report.failed().toString());
    assertEquals(List.of(stale), report.stale());
    assertEquals(List.of(untraded, up), report.signals().stream().map(BreakoutSignal.Signal::instrument).toList(), "sorted by instrument");
    // UP: close 107 over 105 on 2.4x the volume; stop 95 (10-session low), target 107 + 2 * 12 = 131; moved to 214.10
    assertEquals(List.of(List.of(
        new Expert.Recommendation(untraded, Expert.Action.BUY, new BigDecimal("1.00"), Price.of("95.00"), Price.of("140.00"), null),
        new Expert.Recommendation(up, Expert.Action.BUY, new BigDecimal("0.80"), Price.of("190.05"), Price.of("262.15"), null))),
        recommender.batches);
    assertEquals(List.of(new Expert.Outcome(untraded, Expert.Action.BUY, null, Expert.SkipReason.UNKNOWN_INSTRUMENT, null),
        new Expert.Outcome(up, Expert.Action.BUY, "breakout-2", null, null)), report.outcomes());
    assertEquals("5 instrument(s) scanned for 2024-01-15 (5 read, 0 cached, 1 failed, 1 stale): 2 breakout(s): ELSEWHERE-EQ.NSE skipped "
        + "UNKNOWN_INSTRUMENT, UP-EQ.NSE accepted as breakout-2", report.summary());
    assertEquals(List.of("dailyBars ELSEWHERE-EQ", "dailyBars FLAT-EQ", "dailyBars STALE-EQ", "dailyBars UP-EQ"),
        broker.callLog().stream().sorted().toList(), "each instrument with bars read once (NOBARS refused)");
  }

  @Test
  void atMostParallelismReadsAreInFlightAtOnce() {
    FakeBroker broker = new FakeBroker();
    List<InstrumentId> ids = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      InstrumentId id = id("S" + i);
      ids.add(id);
      broker.daily.put(id, dailyBars(id, "100", 1000));
    }
    ActorRef<BrokerGateway.Command> gateway = gateway(broker, 100_000, 1000);
    // log in first, so the held calls below are reads only
    TestProbe<BrokerCall.Reply> replies = testKit.createTestProbe();
    gateway.tell(new BrokerGateway.Execute(new BrokerCall.GetLimits(), BrokerGateway.Priority.NORMAL, replies.ref()));
    replies.receiveMessage();
    broker.holdCalls();
    ActorRef<Scanner.Command> scanner = testKit.spawn(Scanner.create(ACCOUNT, gateway, new RecordingRecommender(Map.of()), WEEKDAYS,
        new ReplayClock(Instant.parse("2024-01-15T04:00:00Z")), settings(ids, 4, Duration.ofMinutes(10))));
    TestProbe<Scanner.Report> reports = testKit.createTestProbe();
    scanner.tell(new Scanner.Scan(MONDAY, reports.ref()));

    reports.awaitAssert(Duration.ofSeconds(5), () -> {
      assertEquals(1 + 4, broker.callsReceived());
      return null;
    });
    reports.expectNoMessage(Duration.ofMillis(300));
    assertEquals(1 + 4, broker.callsReceived(), "no fifth read while four are unanswered");
    broker.releaseCalls();
    Scanner.Report report = reports.receiveMessage(Duration.ofSeconds(10));
    assertEquals(30, report.read());
    assertEquals(31, broker.callsReceived());
    assertEquals(4, broker.maxDailyInFlight(), "parallelism 4 over the whole scan");
  }

  @Test
  void readBarsAreServedFromTheCacheForTheSameDayWithinTheTimeToLiveOnTheEngineClock() {
    FakeBroker broker = new FakeBroker();
    InstrumentId a = id("A");
    InstrumentId b = id("B");
    broker.daily.put(a, dailyBars(a, "100", 1000));
    broker.daily.put(b, dailyBars(b, "100", 1000));
    ReplayClock clock = new ReplayClock(Instant.parse("2024-01-15T04:00:00Z"));
    ActorRef<Scanner.Command> scanner = testKit.spawn(Scanner.create(ACCOUNT, gateway(broker, 1000, 1000), new RecordingRecommender(Map.of()),
        WEEKDAYS, clock, settings(List.of(a, b), 2, Duration.ofMinutes(10))));
    TestProbe<Scanner.Report> reports = testKit.createTestProbe();

    scanner.tell(new Scanner.Scan(MONDAY, reports.ref()));
    assertEquals(List.of(2, 0), readAndCached(reports.receiveMessage(Duration.ofSeconds(10))));
    clock.advanceTo(Instant.parse("2024-01-15T04:09:59Z"));
    scanner.tell(new Scanner.Scan(MONDAY, reports.ref()));
    assertEquals(List.of(0, 2), readAndCached(reports.receiveMessage(Duration.ofSeconds(10))), "9 min 59 s later: cached");
    assertEquals(2, broker.callLog().size(), "nothing read again");
    clock.advanceTo(Instant.parse("2024-01-15T04:10:00Z"));
    scanner.tell(new Scanner.Scan(MONDAY, reports.ref()));
    assertEquals(List.of(2, 0), readAndCached(reports.receiveMessage(Duration.ofSeconds(10))), "10 min later: read again");
    clock.advanceTo(Instant.parse("2024-01-15T04:11:00Z"));
    scanner.tell(new Scanner.Scan(MONDAY.plusDays(1), reports.ref()));
    assertEquals(List.of(2, 0), readAndCached(reports.receiveMessage(Duration.ofSeconds(10))), "another day: read again");
    TestProbe<Scanner.Status> status = testKit.createTestProbe();
    scanner.tell(new Scanner.GetStatus(status.ref()));
    Scanner.Status s = status.receiveMessage();
    assertEquals(4, s.scans());
    assertEquals(6, s.reads());
    assertEquals(2, s.cacheHits());
  }

  static List<Integer> readAndCached(Scanner.Report report) {
    assertNull(report.failure());
    return List.of(report.read(), report.cached());
  }

  @Test
  void aScanFailsWhenNothingCanBeReadOrWhenAnotherIsRunning() {
    FakeBroker broker = new FakeBroker();
    InstrumentId a = id("A");
    ActorRef<BrokerGateway.Command> gateway = gateway(broker, 1000, 1000);
    ActorRef<Scanner.Command> scanner = testKit.spawn(Scanner.create(ACCOUNT, gateway, new RecordingRecommender(Map.of()), WEEKDAYS,
        new ReplayClock(Instant.parse("2024-01-15T04:00:00Z")), settings(List.of(a), 1, Duration.ZERO)));
    TestProbe<Scanner.Report> reports = testKit.createTestProbe();
    scanner.tell(new Scanner.Scan(MONDAY, reports.ref()));
    Scanner.Report failed = reports.receiveMessage(Duration.ofSeconds(10));
    assertEquals("no instrument could be read: Rejected: no daily bars of A-EQ.NSE", failed.failure());

    broker.daily.put(a, dailyBars(a, "100", 1000));
    TestProbe<BrokerCall.Reply> replies = testKit.createTestProbe();
    gateway.tell(new BrokerGateway.Execute(new BrokerCall.GetLimits(), BrokerGateway.Priority.NORMAL, replies.ref()));
    replies.receiveMessage();
    broker.holdCalls();
    scanner.tell(new Scanner.Scan(MONDAY, reports.ref()));
    scanner.tell(new Scanner.Scan(MONDAY, reports.ref()));
    assertEquals("a scan for 2024-01-15 is running", reports.receiveMessage(Duration.ofSeconds(5)).failure());
    broker.releaseCalls();
    assertNull(reports.receiveMessage(Duration.ofSeconds(10)).failure());
  }
}

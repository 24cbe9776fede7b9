package dev.ordo.engine.marketdata;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import dev.ordo.engine.model.Bar;
import dev.ordo.engine.model.Instrument;
import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.model.Price;
import dev.ordo.engine.port.SimulatedExchange;
import dev.ordo.engine.time.ReplayClock;
import dev.ordo.engine.trading.SymbolTrader;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The replay driver against a fake exchange and a fake bar delivery that write every call, with
 * the replay clock at that moment, to one probe: the probe's order is the order of the phases.
 * Time is manual, so speed pauses pass only when the test says.
 */
class ReplayDriverTest {

  static final ActorTestKit testKit = ActorTestKit.create(ManualTime.config().withFallback(ConfigFactory.load()));
  static final ManualTime manualTime = ManualTime.get(testKit.system());
  static final ZoneOffset IST = ZoneOffset.ofHoursMinutes(5, 30);
  static final InstrumentId AAA = new InstrumentId("AAA-EQ", "NSE");
  static final InstrumentId BBB = new InstrumentId("BBB-EQ", "NSE");
  static final LocalDate D1 = LocalDate.of(2024, 1, 15);
  static final LocalDate D2 = LocalDate.of(2024, 1, 16);
  static final Duration ASK = Duration.ofSeconds(5);

  /** Two instruments, two sessions of two 5-minute bars (09:15 and 09:20): four steps. */
  static final ReplaySchedule SCHEDULE = ReplaySchedule.of(List.of(
      bars(AAA, bar(AAA, D1, "09:15"), bar(AAA, D1, "09:20"), bar(AAA, D2, "09:15"), bar(AAA, D2, "09:20")),
      bars(BBB, bar(BBB, D1, "09:15"), bar(BBB, D1, "09:20"), bar(BBB, D2, "09:15"), bar(BBB, D2, "09:20"))), null, null);

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  // What the fakes report, in the order it happened; {@code at} is the replay clock then.

  record Fed(boolean connected) {}

  record Delivered(List<BarDelivery.MarketEvent> events, Instant at) {}

  record Matched(Bar bar, Instant at) {}

  record SessionClosed(Bar lastBar, Instant at) {}

  static Bar bar(InstrumentId instrument, LocalDate date, String time) {
    return new Bar(instrument, Duration.ofMinutes(5), Price.of("100"), Price.of("101"), Price.of("99"), Price.of("100.5"), BigDecimal.TEN,
        OffsetDateTime.of(date, LocalTime.parse(time), IST));
  }

  static InstrumentBars bars(InstrumentId instrument, Bar... bars) {
    return new InstrumentBars(new Instrument(instrument, new BigDecimal("0.05"), BigDecimal.ONE, "INR", null), Path.of(instrument + ".csv"),
        List.of(bars), List.of());
  }

  static Instant at(LocalDate date, String time) {
    return OffsetDateTime.of(date, LocalTime.parse(time), IST).toInstant();
  }

  final TestProbe<Object> log = testKit.createTestProbe();
  final TestProbe<ReplayDriver.Progress> steps = testKit.createTestProbe();
  final TestProbe<ReplayDriver.Progress> ends = testKit.createTestProbe();
  final ReplayClock clock = new ReplayClock(SCHEDULE.steps().get(0).at());

  /** Answers every delivery at once ({@code failure} null) or with {@code DeliveryFailed(failure)}. */
  Behavior<BarDelivery.Command> delivery(String failure) {
    return Behaviors.receive(BarDelivery.Command.class)
        .onMessage(BarDelivery.FeedStateChanged.class, change -> {
          log.ref().tell(new Fed(change.connected()));
          return Behaviors.same();
        })
        .onMessage(BarDelivery.Deliver.class, deliver -> {
          log.ref().tell(new Delivered(deliver.events(), clock.instant()));
          deliver.replyTo().tell(failure == null ? new BarDelivery.DeliveryDone(deliver.events().size()) : new BarDelivery.DeliveryFailed(failure));
          return Behaviors.same();
        })
        .build();
  }

  /** Matches with 0 fills at once, unless the test set {@link #matching} (then every match completes with it). */
  final class FakeExchange implements SimulatedExchange {
    CompletableFuture<Integer> matching;

    @Override
    public CompletionStage<Integer> matchBar(Bar bar) {
      log.ref().tell(new Matched(bar, clock.instant()));
      return matching != null ? matching : CompletableFuture.completedFuture(0);
    }

    @Override
    public CompletionStage<Done> closeSession(Bar lastBar) {
      log.ref().tell(new SessionClosed(lastBar, clock.instant()));
      return CompletableFuture.completedFuture(Done.getInstance());
    }

    @Override
    public long fillsPublished() {
      return 7;
    }

    @Override
    public long tradesClosed() {
      return 3;
    }
  }

  final FakeExchange exchange = new FakeExchange();

  ActorRef<ReplayDriver.Command> driver(Map<InstrumentId, SymbolTrader.Progress> resume, ReplayDriver.Speed speed, String deliveryFailure) {
    ActorRef<BarDelivery.Command> delivery = testKit.spawn(delivery(deliveryFailure));
    ReplayDriver.Listener listener = new ReplayDriver.Listener() {
      @Override
      public void onStep(ReplayDriver.Progress progress) {
        steps.ref().tell(progress);
      }

      @Override
      public void onEnd(ReplayDriver.Progress progress) {
        ends.ref().tell(progress);
      }
    };
    return testKit.spawn(ReplayDriver.create(SCHEDULE, resume, delivery, exchange, clock, speed, ASK, listener));
  }

  /** What one step of both instruments logs: open, match, close, and for the session's last bar close-session and end. */
  static List<Object> step(LocalDate date, String time, String closeTime, boolean endsSession, InstrumentId... instruments) {
    List<BarDelivery.MarketEvent> opens = new ArrayList<>();
    List<BarDelivery.MarketEvent> closes = new ArrayList<>();
    List<BarDelivery.MarketEvent> sessionEnds = new ArrayList<>();
    List<Object> matches = new ArrayList<>();
    List<Object> sessionCloses = new ArrayList<>();
    for (InstrumentId instrument : instruments) {
      Bar bar = bar(instrument, date, time);
      opens.add(new BarDelivery.BarOpen(instrument, bar.tsOpen()));
      closes.add(new BarDelivery.BarClose(bar));
      sessionEnds.add(new BarDelivery.SessionEnd(instrument, date));
      matches.add(new Matched(bar, at(date, time)));
      sessionCloses.add(new SessionClosed(bar, at(date, closeTime)));
    }
    List<Object> expected = new ArrayList<>();
    expected.add(new Delivered(opens, at(date, time)));
    expected.addAll(matches);
    expected.add(new Delivered(closes, at(date, closeTime)));
    if (endsSession) {
      expected.addAll(sessionCloses);
      expected.add(new Delivered(sessionEnds, at(date, closeTime)));
    }
    return expected;
  }

  void expectLog(List<Object> expected) {
    for (Object entry : expected) log.expectMessage(entry);
  }

  /** Waits until the driver has handled everything sent to it so far (e.g. started a pause timer). */
  ReplayDriver.Progress progress(ActorRef<ReplayDriver.Command> driver) {
    TestProbe<ReplayDriver.Progress> probe = testKit.createTestProbe();
    driver.tell(new ReplayDriver.GetProgress(probe.ref()));
    return probe.receiveMessage();
  }

  @Test
  void runsEachStepInFourPhasesAcrossSessionsAndFinishes() {
    ActorRef<ReplayDriver.Command> driver = driver(Map.of(), ReplayDriver.Speed.max(), null);
    driver.tell(ReplayDriver.Start.INSTANCE);

    log.expectMessage(new Fed(true));
    expectLog(step(D1, "09:15", "09:20", false, AAA, BBB));
    expectLog(step(D1, "09:20", "09:25", true, AAA, BBB));
    expectLog(step(D2, "09:15", "09:20", false, AAA, BBB));
    expectLog(step(D2, "09:20", "09:25", true, AAA, BBB));
    log.expectMessage(new Fed(false));
    log.expectNoMessage(Duration.ofMillis(100));

    ReplayDriver.Progress finished = new ReplayDriver.Progress(ReplayDriver.State.FINISHED, 4, 4, 2, 2, at(D2, "09:25"), 8, 7, 3, null);
    assertEquals(finished, ends.receiveMessage());
    assertEquals(List.of(1, 2, 3, 4), steps.receiveSeveralMessages(4).stream().map(ReplayDriver.Progress::stepsDone).toList());
    assertEquals(finished, progress(driver));
  }

  @Test
  void aResumedReplaySkipsWhatEachTraderAlreadyApplied() {
    // AAA applied all of D1 and ended it; BBB applied only the 09:15 bar of D1.
    Map<InstrumentId, SymbolTrader.Progress> resume = Map.of(
        AAA, new SymbolTrader.Progress(AAA, bar(AAA, D1, "09:20").tsOpen(), D1),
        BBB, new SymbolTrader.Progress(BBB, bar(BBB, D1, "09:15").tsOpen(), null));
    ActorRef<ReplayDriver.Command> driver = driver(resume, ReplayDriver.Speed.max(), null);
    driver.tell(ReplayDriver.Start.INSTANCE);

    log.expectMessage(new Fed(true));
    expectLog(step(D1, "09:20", "09:25", true, BBB));
    expectLog(step(D2, "09:15", "09:20", false, AAA, BBB));
    expectLog(step(D2, "09:20", "09:25", true, AAA, BBB));
    log.expectMessage(new Fed(false));
    ReplayDriver.Progress end = ends.receiveMessage();
    assertEquals(ReplayDriver.State.FINISHED, end.state());
    assertEquals(5, end.barsDelivered(), "only the bars not yet applied");
  }

  @Test
  void stopLetsTheRunningStepFinishAndStartContinuesWithTheNext() {
    exchange.matching = new CompletableFuture<>();
    ActorRef<ReplayDriver.Command> driver = driver(Map.of(), ReplayDriver.Speed.max(), null);
    driver.tell(ReplayDriver.Start.INSTANCE);
    List<Object> first = step(D1, "09:15", "09:20", false, AAA, BBB);
    log.expectMessage(new Fed(true));
    expectLog(first.subList(0, 3));

    // Stopped while the exchange matches: the step still closes its bars before the driver stops.
    TestProbe<Done> stopped = testKit.createTestProbe();
    driver.tell(new ReplayDriver.Stop(stopped.ref()));
    stopped.expectNoMessage(Duration.ofMillis(100));
    exchange.matching.complete(0);
    expectLog(first.subList(3, first.size()));
    stopped.expectMessage(Done.getInstance());
    ReplayDriver.Progress end = ends.receiveMessage();
    assertEquals(ReplayDriver.State.STOPPED, end.state());
    assertEquals(1, end.stepsDone());
    log.expectNoMessage(Duration.ofMillis(100));

    driver.tell(ReplayDriver.Start.INSTANCE);
    log.expectMessage(new Fed(true));
    expectLog(step(D1, "09:20", "09:25", true, AAA, BBB));
  }

  @Test
  void speedPausesBetweenStepsOfOneSessionOnly() {
    // 300x: the 5 minutes between two bars of a session take 1 s.
    ActorRef<ReplayDriver.Command> driver = driver(Map.of(), ReplayDriver.Speed.parse("300x"), null);
    driver.tell(ReplayDriver.Start.INSTANCE);
    log.expectMessage(new Fed(true));
    expectLog(step(D1, "09:15", "09:20", false, AAA, BBB));
    steps.receiveMessage();
    progress(driver);
    manualTime.expectNoMessageFor(Duration.ofMillis(999), log);
    manualTime.timePasses(Duration.ofMillis(1));
    expectLog(step(D1, "09:20", "09:25", true, AAA, BBB));

    // The next session starts without a pause.
    expectLog(step(D2, "09:15", "09:20", false, AAA, BBB));
    steps.receiveSeveralMessages(2);
    progress(driver);
    manualTime.expectNoMessageFor(Duration.ofMillis(999), log);
    manualTime.timePasses(Duration.ofMillis(1));
    expectLog(step(D2, "09:20", "09:25", true, AAA, BBB));
    log.expectMessage(new Fed(false));
    assertEquals(ReplayDriver.State.FINISHED, ends.receiveMessage().state());
  }

  @Test
  void aFailedMatchFailsTheReplayWithTheError() {
    exchange.matching = CompletableFuture.failedFuture(new IllegalStateException("venue journal unavailable"));
    ActorRef<ReplayDriver.Command> driver = driver(Map.of(), ReplayDriver.Speed.max(), null);
    driver.tell(ReplayDriver.Start.INSTANCE);
    List<Object> first = step(D1, "09:15", "09:20", false, AAA, BBB);
    log.expectMessage(new Fed(true));
    expectLog(first.subList(0, 3));
    log.expectMessage(new Fed(false));
    log.expectNoMessage(Duration.ofMillis(100));

    ReplayDriver.Progress end = ends.receiveMessage();
    assertEquals(new ReplayDriver.Progress(ReplayDriver.State.FAILED, 0, 4, 0, 2, at(D1, "09:15"), 2, 7, 3,
        "step at 2024-01-15T03:45:00Z failed: java.lang.IllegalStateException: venue journal unavailable"), end);
    assertEquals(end, progress(driver));
  }

  @Test
  void aFailedDeliveryFailsTheReplayWithTheReason() {
    ActorRef<ReplayDriver.Command> driver = driver(Map.of(), ReplayDriver.Speed.max(), "market event not handled: trader timed out");
    driver.tell(ReplayDriver.Start.INSTANCE);
    log.expectMessage(new Fed(true));
    log.expectMessage(step(D1, "09:15", "09:20", false, AAA, BBB).get(0));
    log.expectMessage(new Fed(false));
    log.expectNoMessage(Duration.ofMillis(100));

    ReplayDriver.Progress end = ends.receiveMessage();
    assertEquals(ReplayDriver.State.FAILED, end.state());
    assertEquals("step at 2024-01-15T03:45:00Z failed: java.lang.IllegalStateException: market event not handled: trader timed out", end.error());
  }
}

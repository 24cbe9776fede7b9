package dev.ordo.engine.marketdata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.ordo.engine.marketdata.ReplayRun.Manifest;
import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.model.InstrumentId;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ReplayRunTest {

  static final ActorTestKit testKit = ActorTestKit.create(EventSourcedBehaviorTestKit.config()
      .withFallback(ConfigFactory.parseString("pekko.actor.serialize-messages = on"))
      .withFallback(ConfigFactory.load()));

  static final AccountId ACCOUNT = AccountId.of("paper");
  static final Instant NOW = Instant.parse("2024-07-01T10:00:00Z");
  static final InstrumentId TCS = new InstrumentId("TCS-EQ", "NSE");
  static final InstrumentId INFY = new InstrumentId("INFY-EQ", "NSE");
  static final Map<String, String> PARAMETERS = Map.of("capital-per-trade", "100000", "max-entries-per-day", "2",
      "last-entry-bar-open", "15:10", "session-exit", "15:15");

  /** The bundled sample's TCS file and another. */
  static final Manifest SAMPLE = new Manifest(List.of(TCS), LocalDate.parse("2024-01-12"), LocalDate.parse("2024-02-02"), "f1",
      new TreeMap<>(Map.of("TCS.csv", "a1")), new TreeMap<>(PARAMETERS));

  EventSourcedBehaviorTestKit<ReplayRun.Command, ReplayRun.Event, ReplayRun.State> kit;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void setUp() {
    // Commands, events, replies and state go through the journal's JSON and come back equal.
    kit = EventSourcedBehaviorTestKit.create(testKit.system(), ReplayRun.create(ReplayRun.entityId(ACCOUNT), Clock.fixed(NOW, ZoneOffset.UTC)),
        EventSourcedBehaviorTestKit.enabledSerializationSettings().withVerifyEquality(true));
    kit.clear();
  }

  EventSourcedBehaviorTestKit.CommandResultWithReply<ReplayRun.Command, ReplayRun.Event, ReplayRun.State, ReplayRun.StartOutcome> start(
      Manifest manifest, boolean continueOverDifferentData) {
    return kit.runCommand(replyTo -> new ReplayRun.Start(manifest, continueOverDifferentData, replyTo));
  }

  static Manifest withFiles(Manifest manifest, List<InstrumentId> instruments, String fingerprint, Map<String, String> files) {
    return new Manifest(instruments, manifest.from(), manifest.to(), fingerprint, new TreeMap<>(files), manifest.strategyParameters());
  }

  @Test
  void journalsTheFirstStartAndResumesOverTheSameManifestWithoutAnEvent() {
    var first = start(SAMPLE, false);
    assertEquals(new ReplayRun.RunStarted(ACCOUNT, SAMPLE, NOW), first.event());
    assertEquals(new ReplayRun.Started(SAMPLE), first.reply());
    assertEquals(new ReplayRun.State(ACCOUNT, SAMPLE, NOW, 0), first.state());

    kit.restart();
    var again = start(SAMPLE, false);
    assertTrue(again.hasNoEvents());
    assertEquals(new ReplayRun.Resumed(SAMPLE), again.reply());
    var continued = start(SAMPLE, true);
    assertTrue(continued.hasNoEvents(), "the option changes nothing when nothing differs");
    assertEquals(new ReplayRun.Resumed(SAMPLE), continued.reply());
  }

  @Test
  void refusesOtherDataSayingWhatDiffersAndJournalsNothing() {
    start(SAMPLE, false);
    Manifest other = withFiles(SAMPLE, List.of(INFY, TCS), "f2", Map.of("TCS.csv", "a2", "INFY.csv", "b1"));
    var refused = start(other, false);
    assertTrue(refused.hasNoEvents());
    assertEquals(new ReplayRun.Refused(SAMPLE, other, List.of("instruments: added INFY-EQ.NSE", "bar files: INFY.csv added, TCS.csv changed")),
        refused.reply());
    assertEquals(new ReplayRun.State(ACCOUNT, SAMPLE, NOW, 0), refused.state());
  }

  @Test
  void continuesOverOtherDataWhenAskedAndJournalsTheChoice() {
    start(SAMPLE, false);
    Manifest other = new Manifest(List.of(TCS), LocalDate.parse("2024-01-12"), LocalDate.parse("2024-01-31"), "f1",
        SAMPLE.files(), new TreeMap<>(Map.of("capital-per-trade", "50000", "max-entries-per-day", "2", "last-entry-bar-open", "15:10",
        "session-exit", "15:15")));
    List<String> differences = List.of("sessions: 2024-01-12..2024-02-02 recorded, 2024-01-12..2024-01-31 now",
        "strategy capital-per-trade: 100000 recorded, 50000 now");

    var continued = start(other, true);
    assertEquals(new ReplayRun.RunContinuedOverDifferentData(ACCOUNT, SAMPLE, other, differences, NOW), continued.event());
    assertEquals(new ReplayRun.Continued(SAMPLE, other, differences), continued.reply());
    assertEquals(new ReplayRun.State(ACCOUNT, other, NOW, 1), continued.state());

    kit.restart();
    assertEquals(new ReplayRun.Resumed(other), start(other, false).reply(), "the run is over the new manifest from then on");
    assertEquals(new ReplayRun.Refused(other, SAMPLE, List.of("sessions: 2024-01-12..2024-01-31 recorded, 2024-01-12..2024-02-02 now",
        "strategy capital-per-trade: 50000 recorded, 100000 now")), start(SAMPLE, false).reply());
  }

  @Test
  void namesRemovedInstrumentsFilesAndParameters() {
    Manifest two = withFiles(SAMPLE, List.of(INFY, TCS), "f2", Map.of("TCS.csv", "a1", "INFY.csv", "b1"));
    Map<String, String> fewer = new TreeMap<>(PARAMETERS);
    fewer.remove("session-exit");
    Manifest one = new Manifest(List.of(TCS), SAMPLE.from(), SAMPLE.to(), "f1", SAMPLE.files(), new TreeMap<>(fewer));
    assertEquals(List.of("instruments: removed INFY-EQ.NSE", "bar files: INFY.csv removed", "strategy session-exit: 15:15 recorded, none now"),
        one.differencesFrom(two));
    assertEquals(List.of(), SAMPLE.differencesFrom(withFiles(SAMPLE, List.of(TCS), "f1", Map.of("TCS.csv", "a1"))));
  }
}

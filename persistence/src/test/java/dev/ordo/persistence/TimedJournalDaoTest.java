package dev.ordo.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import dev.ordo.engine.OrdoSerializable;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The timed journal DAO on a real H2 and a real PostgreSQL journal: every event written is reported once, in committed batches, and each committed event
 * reaches the event listener with its persistence id and sequence number.
 */
class TimedJournalDaoTest {

  record Add(int events, ActorRef<Integer> replyTo) {}

  record Added(int n) implements OrdoSerializable {}

  /** An entity that persists {@link Add#events} events atomically per command and answers its event count. */
  static final class Counter extends EventSourcedBehavior<Add, Added, Integer> {
    Counter(String id) {
      super(PersistenceId.ofUniqueId(id));
    }

    @Override
    public Integer emptyState() {
      return 0;
    }

    @Override
    public CommandHandler<Add, Added, Integer> commandHandler() {
      return newCommandHandlerBuilder().forAnyState().onCommand(Add.class, (state, add) -> Effect()
          .persist(IntStream.range(0, add.events()).mapToObj(i -> new Added(state + i)).toList())
          .thenRun(count -> add.replyTo().tell(count))).build();
    }

    @Override
    public EventHandler<Integer, Added> eventHandler() {
      return newEventHandlerBuilder().forAnyState().onEvent(Added.class, (count, added) -> count + 1).build();
    }
  }

  record Write(int events, Duration took, boolean committed) {}

  @ParameterizedTest
  @EnumSource(Journals.Kind.class)
  void reportsEveryEventWrittenInCommittedBatches(Journals.Kind kind, @TempDir Path dataDir) throws Exception {
    Config config = Journals.config(kind, dataDir);
    JournalSchema.create(config);
    ActorTestKit testKit = ActorTestKit.create(config);
    try {
      List<Write> writes = new CopyOnWriteArrayList<>();
      JournalWrites.get(testKit.system()).listen((events, took, committed) -> writes.add(new Write(events, took, committed)));
      TestProbe<Integer> replies = testKit.createTestProbe();
      List<ActorRef<Add>> counters = new ArrayList<>();
      for (String id : List.of("a", "b", "c")) counters.add(testKit.spawn(new Counter(id)));
      // 3 entities x (1 + 3 + 2 events) = 18 events, persisted concurrently so that the plugin may batch them
      for (int events : List.of(1, 3, 2)) {
        for (ActorRef<Add> counter : counters) counter.tell(new Add(events, replies.ref()));
        for (int i = 0; i < counters.size(); i++) replies.receiveMessage(Duration.ofSeconds(10));
      }

      // a write is reported when its insert returns, which may come just after the entity's persist was acknowledged
      replies.awaitAssert(Duration.ofSeconds(5), () -> {
        assertEquals(18, writes.stream().mapToInt(Write::events).sum(), writes.toString());
        return null;
      });
      assertTrue(writes.size() <= 9, "at most one insert per persist: " + writes);
      assertTrue(writes.stream().allMatch(Write::committed), writes.toString());
      assertFalse(writes.stream().anyMatch(w -> w.took().isNegative() || w.took().isZero()), writes.toString());
      try (Connection connection = Journals.connect(config);
          ResultSet rows = connection.createStatement().executeQuery("SELECT COUNT(*) FROM \"event_journal\"")) {
        rows.next();
        assertEquals(18, rows.getLong(1), "the journal holds what was reported");
      }
    } finally {
      testKit.shutdownTestKit();
    }
  }

  record Journaled(String persistenceId, long sequenceNr, Object event) {}

  @ParameterizedTest
  @EnumSource(Journals.Kind.class)
  void handsEveryCommittedEventToTheEventListenerInSequenceOrder(Journals.Kind kind, @TempDir Path dataDir) throws Exception {
    Config config = Journals.config(kind, dataDir);
    JournalSchema.create(config);
    ActorTestKit testKit = ActorTestKit.create(config);
    try {
      List<Journaled> heard = new CopyOnWriteArrayList<>();
      List<Long> timestamps = new CopyOnWriteArrayList<>();
      JournalWrites.get(testKit.system()).listenToEvents((persistenceId, sequenceNr, timestamp, event) -> {
        heard.add(new Journaled(persistenceId, sequenceNr, event));
        timestamps.add(timestamp);
      });
      TestProbe<Integer> replies = testKit.createTestProbe();
      ActorRef<Add> a = testKit.spawn(new Counter("ev-a"));
      ActorRef<Add> b = testKit.spawn(new Counter("ev-b"));
      a.tell(new Add(2, replies.ref()));
      b.tell(new Add(1, replies.ref()));
      replies.receiveMessage(Duration.ofSeconds(10));
      replies.receiveMessage(Duration.ofSeconds(10));
      a.tell(new Add(1, replies.ref()));
      assertEquals(3, replies.receiveMessage(Duration.ofSeconds(10)));

      replies.awaitAssert(Duration.ofSeconds(5), () -> {
        assertEquals(4, heard.size(), heard.toString());
        return null;
      });
      assertEquals(List.of(new Journaled("ev-a", 1, new Added(0)), new Journaled("ev-a", 2, new Added(1)), new Journaled("ev-a", 3, new Added(2))),
          heard.stream().filter(j -> j.persistenceId().equals("ev-a")).toList(), "the entity's own events, in order");
      assertEquals(List.of(new Journaled("ev-b", 1, new Added(0))), heard.stream().filter(j -> j.persistenceId().equals("ev-b")).toList());
      assertTrue(timestamps.stream().allMatch(t -> t > 0), "the journal's write time: " + timestamps);

    } finally {
      testKit.shutdownTestKit();
    }
  }
}

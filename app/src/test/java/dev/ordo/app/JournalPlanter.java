package dev.ordo.app;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.ordo.persistence.JournalSchema;
import dev.ordo.persistence.JournalSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;

/**
 * Writes chosen events into the real H2 journal of a data directory (or a PostgreSQL journal), through the persistence
 * plugin (the same serializers and tables as the engine): how the tests plant a journal that breaks
 * an invariant.
 */
final class JournalPlanter {

  private JournalPlanter() {}

  /** Journals {@code events} under each persistence id, in order, in the H2 journal of {@code dataDir}. */
  static void write(Path dataDir, Map<String, List<Object>> events) throws Exception {
    write(ConfigFactory.load(), dataDir, events);
  }

  /** The same in the journal of {@code config} (e.g. a PostgreSQL one, {@code ordo.persistence.*} set), {@code dataDir} for H2. */
  static void write(Config config, Path dataDir, Map<String, List<Object>> events) throws Exception {
    config = JournalSettings.withJournal(ConfigFactory.parseString("pekko.actor.provider = local").withFallback(config), dataDir);
    JournalSchema.create(config);
    ActorTestKit kit = ActorTestKit.create("planter", config);
    try {
      for (Map.Entry<String, List<Object>> journal : events.entrySet()) {
        ActorRef<Write> writer = kit.spawn(new Writer(journal.getKey()));
        AskPattern.<Write, Done>ask(writer, replyTo -> new Write(journal.getValue(), replyTo), Duration.ofSeconds(30), kit.scheduler())
            .toCompletableFuture().get();
      }
    } finally {
      kit.shutdownTestKit();
    }
  }

  record Write(List<Object> events, ActorRef<Done> replyTo) {}

  /** Persists what it is given under its persistence id. */
  private static final class Writer extends EventSourcedBehavior<Write, Object, Integer> {

    Writer(String persistenceId) {
      super(PersistenceId.ofUniqueId(persistenceId));
    }

    @Override
    public Integer emptyState() {
      return 0;
    }

    @Override
    public CommandHandler<Write, Object, Integer> commandHandler() {
      return newCommandHandlerBuilder().forAnyState()
          .onCommand(Write.class, (state, write) -> Effect().persist(write.events()).thenRun(next -> write.replyTo().tell(Done.getInstance())))
          .build();
    }

    @Override
    public EventHandler<Integer, Object> eventHandler() {
      return newEventHandlerBuilder().forAnyState().onAnyEvent((state, event) -> state + 1);
    }
  }
}

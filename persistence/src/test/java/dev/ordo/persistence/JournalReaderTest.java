package dev.ordo.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The journal reader's persistence ids on a real H2 and a real PostgreSQL journal. */
class JournalReaderTest {

  private static final List<String> IDS = List.of("Expert|b", "SymbolTrader|paper:INFY-EQ.NSE", "Expert|a", "ExpertX|c", "Ex_pert|d",
      "Ex%pert|e", "AccountRisk|paper", "Expert|a2");

  @ParameterizedTest
  @EnumSource(Journals.Kind.class)
  void listsThePersistenceIdsOfAPrefixSortedAndEveryIdOnce(Journals.Kind kind, @TempDir Path dataDir) throws Exception {
    Config config = Journals.config(kind, dataDir);
    JournalSchema.create(config);
    ActorTestKit testKit = ActorTestKit.create(config);
    try {
      TestProbe<Integer> replies = testKit.createTestProbe();
      for (String id : IDS) {
        testKit.spawn(new TimedJournalDaoTest.Counter(id)).tell(new TimedJournalDaoTest.Add(2, replies.ref()));
        assertEquals(2, replies.receiveMessage(Duration.ofSeconds(10)));
      }
      JournalReader reader = JournalReader.of(testKit.system());

      assertEquals(List.of("Expert|a", "Expert|a2", "Expert|b"), ids(reader, "Expert|"), "each id once, in order, not ExpertX|");
      assertEquals(List.of("Ex_pert|d"), ids(reader, "Ex_pert|"), "_ is a character of the prefix, not a wildcard");
      assertEquals(List.of("Ex%pert|e"), ids(reader, "Ex%pert|"), "% is a character of the prefix, not a wildcard");
      assertEquals(List.of(), ids(reader, "Position|"));
      assertEquals(IDS.stream().sorted().toList(), ids(reader, ""), "the empty prefix: every id");
      assertEquals(IDS.stream().sorted().toList(), reader.persistenceIds().toCompletableFuture().get(10, TimeUnit.SECONDS));
    } finally {
      testKit.shutdownTestKit();
    }
  }

  /** H2 reads only the prefix's rows: its plan for the query is a range on the primary key, not a scan of the table. */
  @Test
  void theH2QueryIsARangeOfThePrimaryKey(@TempDir Path dataDir) throws Exception {
    Config config = Journals.config(Journals.Kind.H2, dataDir);
    JournalSchema.create(config);
    try (Connection connection = Journals.connect(config);
        ResultSet plan = connection.createStatement().executeQuery("EXPLAIN " + JournalReader.prefixQuery(config.getConfig("jdbc-read-journal"))
            .replace("?", "'Expert|%'"))) {
      plan.next();
      String text = plan.getString(1);
      assertTrue(text.contains("PRIMARY_KEY") && text.contains(">= 'Expert|'"), text);
    }
  }

  private static List<String> ids(JournalReader reader, String prefix) throws Exception {
    return reader.persistenceIdsStartingWith(prefix).toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}

package dev.ordo.bench;

import dev.ordo.engine.marketdata.InstrumentBars;
import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.model.Bar;
import dev.ordo.engine.model.ClientOrderId;
import dev.ordo.engine.model.Fill;
import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.model.OrderSide;
import dev.ordo.engine.model.Quantity;
import dev.ordo.engine.model.TradeId;
import dev.ordo.engine.model.VenueOrderId;
import dev.ordo.engine.trading.Position;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;

/**
 * {@code recovery}: how fast the engine recovers {@code entities} {@link Position}s from a journal of {@code events}
 * fills ({@code events / entities} each, at the real closes of a real series), without snapshots and then with one
 * snapshot per entity at its last event (Pekko loads the snapshot and no event). The journal is written straight into
 * the H2 tables in the rows pekko-persistence-jdbc writes (each event serialized by the actor system's own serializer),
 * so making it takes seconds; each recovery runs in a new actor system on that journal, timed from the first ask to
 * the last entity's answer, and every entity is checked to hold all its fills.
 */
final class RecoveryScenario {

  private static final AccountId ACCOUNT = AccountId.of("bench");
  /** Positions asked at once (the rest wait for the batch): thousands of recoveries at once time out against H2 on 2 cores. */
  static final int BATCH = 500;

  private RecoveryScenario() {}

  static void run(Results results, Path work, List<InstrumentBars> real, int entities, int events) throws Exception {
    Path dataDir = Files.createTempDirectory(Files.createDirectories(work), "recovery-");
    int perEntity = events / entities;
    List<InstrumentId> ids = new ArrayList<>(entities);
    for (int e = 0; e < entities; e++) {
      InstrumentId base = real.get(e % real.size()).instrument().id();
      String symbol = base.symbol().replace("-EQ", "");
      ids.add(new InstrumentId(InstrumentMultiplier.copyName(symbol, e / real.size()) + "-EQ", base.venue()));
    }
    ActorSystem<Void> writer = BenchSystem.start("bench-recovery-write", dataDir);
    List<Position.State> finalStates;
    try {
      finalStates = writeJournal(writer, dataDir, real, ids, perEntity);
    } finally {
      BenchSystem.stop(writer);
    }
    double plain = recover(dataDir, ids, perEntity);
    ActorSystem<Void> snapshotter = BenchSystem.start("bench-recovery-snap", dataDir);
    try {
      writeSnapshots(snapshotter, dataDir, ids, finalStates, perEntity);
    } finally {
      BenchSystem.stop(snapshotter);
    }
    double snapshotted = recover(dataDir, ids, perEntity);
    long total = (long) perEntity * entities;
    results.add("recovery", "", "events_per_s", "events/s", total / plain, Map.of(), true);
    results.add("recovery", "", "recover_all", "s", plain);
    results.add("recovery", "snapshots", "events_per_s", "events/s", total / snapshotted);
    results.add("recovery", "snapshots", "recover_all", "s", snapshotted);
    results.note("recovery", entities + " positions (asked " + BATCH + " at a time), " + total + " fill events (" + perEntity + " each); with snapshots: one per position at"
        + " its last event (events/s: the same events over that time).");
  }

  /** Writes every entity's fills as journal rows; returns each entity's state after them (for its snapshot). */
  private static List<Position.State> writeJournal(ActorSystem<?> system, Path dataDir, List<InstrumentBars> real, List<InstrumentId> ids,
      int perEntity) throws Exception {
    Serialization serialization = SerializationExtension.get(Adapter.toClassic(system));
    List<Position.State> states = new ArrayList<>(ids.size());
    try (Connection c = connect(dataDir); PreparedStatement insert = c.prepareStatement("INSERT INTO \"event_journal\" (\"persistence_id\","
        + " \"sequence_number\", \"writer\", \"write_timestamp\", \"adapter_manifest\", \"event_payload\", \"event_ser_id\", \"event_ser_manifest\")"
        + " VALUES (?, ?, 'bench', ?, '', ?, ?, ?)")) {
      c.setAutoCommit(false);
      long now = System.currentTimeMillis();
      int rows = 0;
      for (int e = 0; e < ids.size(); e++) {
        InstrumentId id = ids.get(e);
        List<Bar> bars = real.get(e % real.size()).bars();
        Position.State state = Position.initialState(ACCOUNT, id);
        String persistenceId = Position.ENTITY_TYPE_KEY.name() + "|" + Position.entityId(ACCOUNT, id);
        for (int k = 0; k < perEntity; k++) {
          Bar bar = bars.get((e * 7 + k) % bars.size());
          Fill fill = new Fill(TradeId.of("T" + e + "-" + k), ClientOrderId.of("bench-" + e + "-" + k), VenueOrderId.of(Long.toString(k + 1L)), id,
              k % 2 == 0 ? OrderSide.BUY : OrderSide.SELL, Quantity.of(10), bar.close(), bar.tsOpen());
          Position.FillApplied event = new Position.FillApplied(ACCOUNT, id, fill, bar.tsOpen().toInstant());
          state = Position.applyEvent(state, event);
          Serializer serializer = serialization.findSerializerFor(event);
          insert.setString(1, persistenceId);
          insert.setLong(2, k + 1L);
          insert.setLong(3, now);
          insert.setBytes(4, serializer.toBinary(event));
          insert.setInt(5, serializer.identifier());
          insert.setString(6, Serializers.manifestFor(serializer, event));
          insert.addBatch();
          if (++rows % 5_000 == 0) {
            insert.executeBatch();
            c.commit();
          }
        }
        states.add(state);
      }
      insert.executeBatch();
      c.commit();
    }
    return states;
  }

  private static void writeSnapshots(ActorSystem<?> system, Path dataDir, List<InstrumentId> ids, List<Position.State> states, int perEntity)
      throws Exception {
    Serialization serialization = SerializationExtension.get(Adapter.toClassic(system));
    try (Connection c = connect(dataDir); PreparedStatement insert = c.prepareStatement("INSERT INTO \"snapshot\" (\"persistence_id\","
        + " \"sequence_number\", \"created\", \"snapshot_ser_id\", \"snapshot_ser_manifest\", \"snapshot_payload\") VALUES (?, ?, ?, ?, ?, ?)")) {
      c.setAutoCommit(false);
      for (int e = 0; e < ids.size(); e++) {
        Position.State state = states.get(e);
        Serializer serializer = serialization.findSerializerFor(state);
        insert.setString(1, Position.ENTITY_TYPE_KEY.name() + "|" + Position.entityId(ACCOUNT, ids.get(e)));
        insert.setLong(2, perEntity);
        insert.setLong(3, System.currentTimeMillis());
        insert.setInt(4, serializer.identifier());
        insert.setString(5, Serializers.manifestFor(serializer, state));
        insert.setBytes(6, serializer.toBinary(state));
        insert.addBatch();
        if (e % 1_000 == 999) insert.executeBatch();
      }
      insert.executeBatch();
      c.commit();
    }
  }

  /** Recovers every entity in a new actor system; the seconds from the first ask to the last answer. */
  private static double recover(Path dataDir, List<InstrumentId> ids, int perEntity) throws Exception {
    ActorSystem<Void> system = BenchSystem.start("bench-recovery", dataDir);
    try {
      Position.init(system, Clock.systemUTC());
      ClusterSharding sharding = ClusterSharding.get(system);
      // the shard region up before the clock starts: one entity of another account
      sharding.entityRefFor(Position.ENTITY_TYPE_KEY, Position.entityId(AccountId.of("warm"), ids.get(0)))
          .<Position.State>ask(Position.GetPosition::new, Duration.ofSeconds(60)).toCompletableFuture().get(60, TimeUnit.SECONDS);
      long start = System.nanoTime();
      List<CompletableFuture<Position.State>> asks = new ArrayList<>(ids.size());
      for (int from = 0; from < ids.size(); from += BATCH) {
        List<CompletableFuture<Position.State>> batch = new ArrayList<>();
        for (InstrumentId id : ids.subList(from, Math.min(ids.size(), from + BATCH)))
          batch.add(sharding.entityRefFor(Position.ENTITY_TYPE_KEY, Position.entityId(ACCOUNT, id))
              .<Position.State>ask(Position.GetPosition::new, Duration.ofSeconds(600)).toCompletableFuture());
        CompletableFuture.allOf(batch.toArray(CompletableFuture[]::new)).get(600, TimeUnit.SECONDS);
        asks.addAll(batch);
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      for (CompletableFuture<Position.State> ask : asks)
        if (ask.join().fills() != perEntity)
          throw new IllegalStateException("position " + ask.join().instrument() + " recovered " + ask.join().fills() + " fills, not " + perEntity);
      return seconds;
    } finally {
      BenchSystem.stop(system);
    }
  }

  private static Connection connect(Path dataDir) throws Exception {
    return DriverManager.getConnection(dev.ordo.persistence.JournalSettings.h2Url(dataDir), "sa", "");
  }
}

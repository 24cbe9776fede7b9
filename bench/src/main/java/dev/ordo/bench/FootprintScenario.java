package dev.ordo.bench;

import com.typesafe.config.Config;
import dev.ordo.engine.marketdata.InstrumentBars;
import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.strategy.EightyTwentyStrategy;
import dev.ordo.engine.strategy.Strategy;
import dev.ordo.engine.trading.Position;
import dev.ordo.engine.trading.SymbolTrader;
import dev.ordo.persistence.JournalReader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;

/**
 * {@code footprint}: the heap an idle {@link SymbolTrader} and an idle {@link Position} take, each started (recovered
 * empty) {@code count} times under sharding in a fresh actor system (used heap after full collections, before and
 * after, over the count: the entity with its actor, sharding and persistence bookkeeping); and how a trader's and a
 * position's state grows over the replayed data: the replay's journal folded with the entities' own event handlers,
 * each state's snapshot size (the actor system's serializer) at the end of every month.
 */
final class FootprintScenario {

  private static final AccountId ACCOUNT = AccountId.of("paper");

  private FootprintScenario() {}

  static void idle(Results results, Path work, List<InstrumentBars> real, int count) throws Exception {
    Path dataDir = Files.createTempDirectory(Files.createDirectories(work), "footprint-");
    ActorSystem<Void> system = BenchSystem.start("bench-footprint", dataDir);
    try {
      Config config = system.settings().config();
      EightyTwentyStrategy.Parameters parameters = dev.ordo.app.Engine.strategyParameters(config.getConfig("ordo.strategy"));
      Strategy strategy = new EightyTwentyStrategy(parameters);
      SymbolTrader.init(system, SymbolTrader.Dependencies.of((account, id) -> strategy, account -> Clock.systemUTC(), account -> true));
      Position.init(system, Clock.systemUTC());
      ClusterSharding sharding = ClusterSharding.get(system);
      List<InstrumentId> ids = new ArrayList<>(count + 1);
      for (int i = 0; i <= count; i++) {
        InstrumentId base = real.get(i % real.size()).instrument().id();
        ids.add(new InstrumentId(InstrumentMultiplier.copyName(base.symbol().replace("-EQ", ""), i / real.size()) + "-EQ", base.venue()));
      }
      // one of each first: the shard regions and the classes loaded before the baseline
      startTraders(sharding, ids.subList(0, 1));
      startPositions(sharding, ids.subList(0, 1));
      long before = usedHeap();
      startTraders(sharding, ids.subList(1, count + 1));
      long traders = usedHeap();
      startPositions(sharding, ids.subList(1, count + 1));
      long positions = usedHeap();
      results.add("footprint", "", "heap_per_idle_symbol_trader", "B", (double) (traders - before) / count, Map.of(), true);
      results.add("footprint", "", "heap_per_idle_position", "B", (double) (positions - traders) / count);
      results.note("footprint", count + " of each, started under sharding in one actor system (used heap after full GCs), " + OrdoPipeline.STARTING_BATCH + " at a time.");
    } finally {
      BenchSystem.stop(system);
    }
  }

  private static void startTraders(ClusterSharding sharding, List<InstrumentId> all) throws Exception {
    for (int from = 0; from < all.size(); from += OrdoPipeline.STARTING_BATCH) {
    List<InstrumentId> ids = all.subList(from, Math.min(all.size(), from + OrdoPipeline.STARTING_BATCH));
    List<CompletableFuture<?>> asks = new ArrayList<>();
    for (InstrumentId id : ids)
      asks.add(sharding.entityRefFor(SymbolTrader.ENTITY_TYPE_KEY, SymbolTrader.entityId(ACCOUNT, id))
          .<SymbolTrader.Progress>ask(SymbolTrader.GetProgress::new, Duration.ofSeconds(300)).toCompletableFuture());
    CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new)).get(300, TimeUnit.SECONDS);
    }
  }

  private static void startPositions(ClusterSharding sharding, List<InstrumentId> all) throws Exception {
    for (int from = 0; from < all.size(); from += OrdoPipeline.STARTING_BATCH) {
    List<InstrumentId> ids = all.subList(from, Math.min(all.size(), from + OrdoPipeline.STARTING_BATCH));
    List<CompletableFuture<?>> asks = new ArrayList<>();
    for (InstrumentId id : ids)
      asks.add(sharding.entityRefFor(Position.ENTITY_TYPE_KEY, Position.entityId(ACCOUNT, id))
          .<Position.State>ask(Position.GetPosition::new, Duration.ofSeconds(300)).toCompletableFuture());
    CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new)).get(300, TimeUnit.SECONDS);
    }
  }

  /** Used heap after full collections, once it stops shrinking. */
  static long usedHeap() throws InterruptedException {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long last = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      System.gc();
      Thread.sleep(100);
      long used = memory.getHeapMemoryUsage().getUsed();
      if (used >= last) return Math.min(used, last);
      last = used;
    }
    return last;
  }

  /**
   * Folds the replay's journal in {@code dataDir} ({@code ordo run}'s, account {@code paper}) with the entities' event
   * handlers and adds the mean snapshot size of a trader and of a position after the first month and at the end, with
   * the mean number of order records, round trips and trade ids the trader's state holds at the end.
   */
  static void growth(Results results, Path dataDir, String variant) throws Exception {
    ActorSystem<Void> system = ActorSystem.create(org.apache.pekko.actor.typed.javadsl.Behaviors.empty(), "bench-growth",
        com.typesafe.config.ConfigFactory.parseString("pekko.actor.provider = local").withFallback(BenchSystem.config(dataDir)));
    try {
      Serialization serialization = SerializationExtension.get(Adapter.toClassic(system));
      JournalReader reader = JournalReader.of(system);
      Strategy strategy = new EightyTwentyStrategy(EightyTwentyStrategy.Parameters.defaults());
      TreeMap<YearMonth, long[]> traderBytes = new TreeMap<>();
      TreeMap<YearMonth, long[]> positionBytes = new TreeMap<>();
      long orders = 0;
      long roundTrips = 0;
      long tradeIds = 0;
      int traders = 0;
      for (String id : reader.persistenceIds().toCompletableFuture().get(120, TimeUnit.SECONDS)) {
        boolean trader = id.startsWith(SymbolTrader.ENTITY_TYPE_KEY.name() + "|");
        boolean position = id.startsWith(Position.ENTITY_TYPE_KEY.name() + "|");
        if (!trader && !position) continue;
        Map<YearMonth, Integer> size = new HashMap<>();
        Object state = null;
        YearMonth month = null;
        for (JournalReader.Entry entry : reader.events(id).toCompletableFuture().get(300, TimeUnit.SECONDS)) {
          if (trader) {
            SymbolTrader.Event event = (SymbolTrader.Event) entry.event();
            if (state == null) state = SymbolTrader.initialState(event.instrument(), strategy);
            state = SymbolTrader.applyEvent(strategy, (SymbolTrader.State) state, event);
            month = YearMonth.from(event.tsEvent().atZone(OrdoPipeline.IST));
          } else {
            Position.FillApplied event = (Position.FillApplied) entry.event();
            if (state == null) state = Position.initialState(event.account(), event.instrument());
            state = Position.applyEvent((Position.State) state, event);
            month = YearMonth.from(event.tsEvent().atZone(OrdoPipeline.IST));
          }
          size.put(month, serialization.serialize(state).get().length);
        }
        TreeMap<YearMonth, long[]> into = trader ? traderBytes : positionBytes;
        size.forEach((m, bytes) -> {
          long[] sum = into.computeIfAbsent(m, k -> new long[2]);
          sum[0] += bytes;
          sum[1]++;
        });
        if (trader && state != null) {
          SymbolTrader.State s = (SymbolTrader.State) state;
          orders += s.orders().size();
          roundTrips += s.roundTrips().size();
          tradeIds += s.appliedTradeIds().size();
          traders++;
        }
      }
      if (traderBytes.isEmpty()) throw new IllegalStateException("no symbol trader events in the journal of " + dataDir);
      addGrowth(results, variant, "symbol_trader", traderBytes);
      if (!positionBytes.isEmpty()) addGrowth(results, variant, "position", positionBytes);
      results.add("footprint", variant, "trader_state_order_records_at_end", "records", (double) orders / traders);
      results.add("footprint", variant, "trader_state_round_trips_at_end", "round trips", (double) roundTrips / traders);
      results.add("footprint", variant, "trader_state_trade_ids_at_end", "ids", (double) tradeIds / traders);
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
  }

  private static void addGrowth(Results results, String variant, String entity, TreeMap<YearMonth, long[]> bytes) {
    YearMonth first = bytes.firstKey();
    YearMonth last = bytes.lastKey();
    double atFirst = (double) bytes.get(first)[0] / bytes.get(first)[1];
    double atLast = (double) bytes.get(last)[0] / bytes.get(last)[1];
    results.add("footprint", variant, entity + "_snapshot_first_month", "B", atFirst);
    results.add("footprint", variant, entity + "_snapshot_last_month", "B", atLast);
    long months = Math.max(1, first.until(last, java.time.temporal.ChronoUnit.MONTHS));
    results.add("footprint", variant, entity + "_snapshot_growth_per_month", "B/month", (atLast - atFirst) / months);
    results.note("footprint", variant + ": " + entity + " snapshots (mean over the replay's entities) at the end of " + first + " and of " + last + ".");
  }

}

package dev.ordo.app.metrics;

import dev.ordo.app.EngineQueries;
import dev.ordo.app.api.StatusView;
import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.trading.OrderRecord;
import dev.ordo.engine.trading.Position;
import dev.ordo.engine.trading.SymbolTrader;
import dev.ordo.persistence.JournalWrites;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ExecutorServiceMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.DiskSpaceMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's figures for Prometheus ({@code GET /metrics}), read from its actors at each scrape
 * (a scrape asks them, then renders): the replay's progress, orders, fills, positions and realized
 * P&amp;L per account, the broker session's logins and waits, the market-data and order feeds'
 * connections, failures and ticks, and the JVM's memory, GC, threads and CPU; with
 * {@link #newRegistry(ActorSystem)}, also the journal's writes and the default dispatcher's pool, and
 * through {@link BrokerCallMetrics} the broker calls' latency and queue wait. Names follow
 * Prometheus' conventions through Micrometer: base units, {@code _total} for counters, no order ids
 * as labels. Money is a float here, as every Prometheus sample is: for monitoring, not accounting.
 */
public final class EngineMetrics {

  private static final Logger log = LoggerFactory.getLogger(EngineMetrics.class);
  /** The dispatcher whose pool {@link #newRegistry(ActorSystem)} measures: the one the entities, the journal plugin and the routes run on. */
  static final String DEFAULT_DISPATCHER = "pekko.actor.default-dispatcher";

  private final PrometheusMeterRegistry registry;
  private final EngineQueries queries;
  /** The figures of the latest scrape: written by a scrape, read by the meters while it renders. */
  private volatile Map<String, Double> latest = Map.of();

  /** A registry for the engine's meters, with the JVM's; meters added to it elsewhere (such as {@link MeteredBroker}'s) are scraped too. */
  public static PrometheusMeterRegistry newRegistry() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    // before any meter (Micrometer warns otherwise): promtool rejects these two names ("_ns" abbreviates a unit; "_count" is a
    // histogram's suffix); their figures are elsewhere
    registry.config().meterFilter(MeterFilter.deny(id -> id.getName().equals("process.cpu.time") || id.getName().equals("system.cpu.count")));
    return registry;
  }

  /**
   * A registry as {@link #newRegistry()} that also measures {@code system}: its journal's writes (from now on; call it before the
   * entities persist) and its default dispatcher's fork-join pool.
   *
   * <ul>
   *   <li>{@code ordo_journal_write_seconds{outcome}} (histogram): one batch insert into the journal table, from the plugin's DAO
   *       handing it to the database to its commit ({@link dev.ordo.persistence.TimedJournalDao}); {@code outcome} ok or
   *       failed. {@code ordo_journal_events_written_total}: the events (journal rows) those inserts carried.</li>
   *   <li>{@code executor_*{name="pekko.actor.default-dispatcher"}}: Micrometer's {@link ExecutorServiceMetrics} of the pool
   *       (active, running and pool-size threads, parallelism, queued tasks, steals).</li>
   * </ul>
   */
  public static PrometheusMeterRegistry newRegistry(ActorSystem<?> system) {
    PrometheusMeterRegistry registry = newRegistry();
    bindJournal(registry, system);
    bindDefaultDispatcher(registry, system);
    return registry;
  }

  private static void bindJournal(PrometheusMeterRegistry registry, ActorSystem<?> system) {
    Counter events = Counter.builder("ordo.journal.events.written").description("events the journal wrote (rows inserted)")
        .register(registry);
    Timer committed = journalTimer(registry, "ok");
    Timer failed = journalTimer(registry, "failed");
    JournalWrites.get(system).listen((rows, took, ok) -> {
      (ok ? committed : failed).record(took);
      if (ok) events.increment(rows);
    });
  }

  private static Timer journalTimer(PrometheusMeterRegistry registry, String outcome) {
    return Timer.builder("ordo.journal.write")
        .description("journal batch inserts, from the journal's DAO handing the batch to the database to its commit")
        .tag("outcome", outcome)
        .publishPercentileHistogram()
        .register(registry);
  }

  /**
   * The default dispatcher's pool, reached as the pool of a thread it runs a task on ({@link ForkJoinTask#getPool()}): Pekko
   * offers no accessor to a dispatcher's executor but internal ones, and a custom executor configurator would need a static
   * to hand its pool over. A dispatcher configured with another executor than fork-join is not measured (logged).
   */
  private static void bindDefaultDispatcher(PrometheusMeterRegistry registry, ActorSystem<?> system) {
    ForkJoinPool pool;
    try {
      pool = CompletableFuture.supplyAsync(ForkJoinTask::getPool, system.executionContext()).get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reaching the default dispatcher", e);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("the default dispatcher did not run a task within 10 s: " + e, e);
    }
    if (pool == null) {
      log.warn("The default dispatcher does not run on a fork-join pool: its executor_* figures are not measured");
      return;
    }
    new ExecutorServiceMetrics(pool, DEFAULT_DISPATCHER, Tags.empty()).bindTo(registry);
  }

  /**
   * The data directory's disk and journal file, read at each scrape: {@code disk_free_bytes{path}} and
   * {@code disk_total_bytes{path}} (Micrometer's {@link DiskSpaceMetrics} of {@code dataDir}'s file system: the start's
   * {@code ordo.data-dir.min-free-space} check is made once, this one keeps watching), and {@code ordo_journal_file_bytes}, the
   * size of the H2 journal's file ({@code journal.mv.db}) when {@code system} journals to the data directory's H2 file, NaN
   * otherwise (PostgreSQL, or an H2 URL of one's own, as {@link dev.ordo.persistence.JournalCheck} tells them apart). The H2
   * file grows while the engine runs and shrinks when it closes (docs/operations.md, "Data directory").
   */
  public static void bindDataDir(PrometheusMeterRegistry registry, ActorSystem<?> system, java.nio.file.Path dataDir) {
    new DiskSpaceMetrics(dataDir.toAbsolutePath().normalize().toFile()).bindTo(registry);
    String url = system.settings().config().getString("pekko-persistence-jdbc.shared-databases.slick.db.url");
    java.nio.file.Path journal = url.equals(dev.ordo.persistence.JournalSettings.h2Url(dataDir)) ? dev.ordo.persistence.JournalSettings.h2File(dataDir)
        : null;
    // a supplier, held strongly (a gauge of an object holds it weakly, and a Path nobody else holds is collected)
    Gauge.builder("ordo.journal.file", () -> journal == null ? Double.NaN : sizeOrNaN(journal)).description("size of the H2 journal's file (NaN: none, PostgreSQL)")
        .baseUnit("bytes").register(registry);
  }

  private static double sizeOrNaN(java.nio.file.Path file) {
    try {
      return java.nio.file.Files.size(file);
    } catch (java.io.IOException e) {
      return Double.NaN;
    }
  }

  /** The figures of {@code queries}' engine, rendered with the other meters of {@code registry} (one of {@link #newRegistry()}'s). */
  public EngineMetrics(PrometheusMeterRegistry registry, EngineQueries queries) {
    this.registry = registry;
    this.queries = queries;
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
  }

  /** Asks the engine for its figures and renders every meter in the Prometheus text format (0.0.4). */
  public CompletionStage<String> scrape() {
    return collect().thenApply(figures -> {
      latest = figures.values;
      figures.meters.forEach(Runnable::run);
      return registry.scrape();
    });
  }

  /** The figures and the meters that show them (registered once; registering again is a no-op). */
  private record Figures(Map<String, Double> values, List<Runnable> meters) {}

  private CompletionStage<Figures> collect() {
    Figures figures = new Figures(new TreeMap<>(), new ArrayList<>());
    CompletableFuture<StatusView> status = queries.status().toCompletableFuture();
    return status.thenCompose(s -> {
      status(figures, s);
      List<CompletableFuture<Void>> accounts = new ArrayList<>();
      // the experts are read from the journal once per scrape, not once per account
      CompletableFuture<List<dev.ordo.engine.expert.Expert.State>> experts = queries.experts().toCompletableFuture();
      for (StatusView.AccountStatus account : s.accounts()) accounts.add(account(figures, account.account(), experts));
      return CompletableFuture.allOf(accounts.toArray(CompletableFuture[]::new)).thenApply(done -> figures);
    });
  }

  private void status(Figures f, StatusView s) {
    for (StatusView.AccountStatus a : s.accounts()) accountStatus(f, a);
  }

  private void replay(Figures f, StatusView.Replay r) {
    Tags tags = Tags.of("account", r.account().value());
    counter(f, "ordo.replay.bars", "bars delivered to the symbol traders by the replay", tags, r.barsDelivered());
    counter(f, "ordo.replay.steps", "replay steps done (every trader handled one market event)", tags, r.stepsDone());
    gauge(f, "ordo.replay.sessions.done", "sessions replayed", tags, r.sessionsDone(), null);
    gauge(f, "ordo.replay.sessions", "sessions in the replay", tags, r.sessionsTotal(), null);
    gauge(f, "ordo.replay.clock", "the replay clock, as Unix time", tags, r.replayTime() == null ? 0 : r.replayTime().toEpochSecond(), "seconds");
    gauge(f, "ordo.replay.running", "1 while the replay runs", tags, r.state().name().equals("RUNNING") ? 1 : 0, null);
  }

  private void accountStatus(Figures f, StatusView.AccountStatus a) {
    Tags account = Tags.of("account", a.account().value());
    if (a.replay() != null) replay(f, a.replay());
    for (StatusView.ServiceState state : StatusView.ServiceState.values())
      gauge(f, "ordo.service.state", "1 for the state the account's trading service is in (STALE: its heartbeat is late)",
          account.and("state", state.name()), a.service() == state ? 1 : 0, null);
    gauge(f, "ordo.service.heartbeat", "the trading service's last heartbeat, as Unix time (0 before the first)", account,
        a.lastHeartbeat() == null ? 0 : a.lastHeartbeat().toEpochSecond(), "seconds");
    for (StatusView.TaskView task : a.tasks()) {
      Tags tags = account.and("task", task.task());
      StatusView.TaskRunView last = task.lastRun();
      gauge(f, "ordo.task.last.success", "1 when the task's last run succeeded, 0 when it failed, NaN before its first run", tags,
          last == null ? Double.NaN : last.outcome() == dev.ordo.engine.schedule.TaskScheduler.Outcome.SUCCEEDED ? 1 : 0, null);
      gauge(f, "ordo.task.last.finished", "when the task's last run ended, as Unix time (0 before its first)", tags,
          last == null || last.finishedAt() == null ? 0 : last.finishedAt().toEpochSecond(), "seconds");
      gauge(f, "ordo.task.running", "1 while the task runs", tags, task.running() == null ? 0 : 1, null);
    }
    gateway(f, a.gateway());
    if (a.reconciliation() != null) {
      Tags reconciliation = Tags.of("account", a.reconciliation().account().value());
      counter(f, "ordo.reconciliation.discrepancies", "differences found between the engine and the broker (each journaled)", reconciliation,
          a.reconciliation().discrepancies());
      String runsHelp = "reconciliation runs ended since the engine started, by outcome";
      counter(f, "ordo.reconciliation.runs", runsHelp, reconciliation.and("outcome", "ok"), a.reconciliation().runs() - a.reconciliation().failedRuns());
      counter(f, "ordo.reconciliation.runs", runsHelp, reconciliation.and("outcome", "failed"), a.reconciliation().failedRuns());
    }
    feed(f, a.marketData(), "market-data");
    feed(f, a.orderFeed(), "order-feed");
    if (a.auth() != null) {
      Tags tags = Tags.of("account", a.auth().account().value());
      counter(f, "ordo.broker.logins", "successful broker logins (each expired token costs one)", tags, a.auth().logins());
      counter(f, "ordo.broker.login.failures", "failed broker login attempts", tags, a.auth().failedLogins());
      gauge(f, "ordo.broker.auth.waiting", "calls waiting for a broker login now", tags, a.auth().waiting(), null);
      gauge(f, "ordo.broker.session.active", "1 while the broker session holds a valid token", tags,
          a.auth().state().name().equals("ACTIVE") ? 1 : 0, null);
    }
  }

  private void gateway(Figures f, StatusView.Gateway gateway) {
    if (gateway == null) return;
    Tags tags = Tags.of("account", gateway.account().value());
    gateway.queued().forEach((priority, n) -> gauge(f, "ordo.gateway.queued", "broker calls waiting for a rate-limit permit, by priority",
        tags.and("priority", priority.name()), n, null));
    counter(f, "ordo.gateway.calls.started", "broker calls started (retries included)", tags, gateway.started());
    counter(f, "ordo.gateway.calls.retried", "broker calls retried once after a re-login", tags, gateway.retried());
    counter(f, "ordo.gateway.calls.refused", "broker calls refused because their priority's queue was full", tags, gateway.refused());
    gauge(f, "ordo.gateway.calls.in.flight", "broker calls started and not answered yet", tags, gateway.inFlight(), null);
  }

  private void feed(Figures f, StatusView.Feed feed, String name) {
    if (feed == null) return;
    Tags tags = Tags.of("account", feed.account().value(), "feed", name);
    counter(f, "ordo.marketdata.connects", "stream connections opened", tags, feed.connects());
    counter(f, "ordo.marketdata.failures", "stream failures: failed attempts, drops and stale connections replaced", tags, feed.failures());
    counter(f, "ordo.marketdata.ticks", "ticks received from the stream", tags, feed.ticks());
    counter(f, "ordo.marketdata.events", "market events handled by the symbol traders (replay)", tags, feed.eventsDelivered());
    gauge(f, "ordo.marketdata.connected", "1 while the stream is connected", tags, feed.state().name().equals("CONNECTED") ? 1 : 0, null);
  }

  private CompletableFuture<Void> account(Figures f, AccountId account, CompletableFuture<List<dev.ordo.engine.expert.Expert.State>> allExperts) {
    Tags tags = Tags.of("account", account.value());
    CompletableFuture<Map<InstrumentId, SymbolTrader.State>> traders = queries.symbolStates(account).toCompletableFuture();
    CompletableFuture<List<Position.State>> positions = queries.positionStates(account).toCompletableFuture();
    CompletableFuture<List<dev.ordo.engine.expert.Expert.State>> experts = allExperts
        .thenApply(all -> all.stream().filter(e -> e.settings().account().equals(account)).toList());
    return CompletableFuture.allOf(traders, positions, experts).thenAccept(done -> {
      // orders by source: the 80-20 strategy's symbol traders, and the experts
      long placed = 0;
      Map<String, Long> byStatus = new TreeMap<>();
      for (SymbolTrader.State trader : traders.join().values()) {
        placed += trader.orderSequence();
        for (OrderRecord order : trader.orders()) byStatus.merge(order.status().name(), 1L, Long::sum);
      }
      long expertPlaced = 0;
      Map<String, Long> expertByStatus = new TreeMap<>();
      Map<String, Long> transactions = new TreeMap<>();
      for (var expert : experts.join()) {
        expertPlaced += expert.orderSequence();
        for (var order : expert.orders().values()) expertByStatus.merge(order.status().name(), 1L, Long::sum);
        for (var t : expert.transactions()) transactions.merge(expert.expertId() + "|" + t.status().name(), 1L, Long::sum);
      }
      String placedHelp = "orders created by each source (strategy: the symbol traders; expert: the experts), each ClientOrderId once";
      counter(f, "ordo.orders.placed", placedHelp, tags.and("source", "strategy"), placed);
      counter(f, "ordo.orders.placed", placedHelp, tags.and("source", "expert"), expertPlaced);
      String heldHelp = "orders the sources hold (working and the most recent closed), by source and status";
      byStatus.forEach((status, n) -> gauge(f, "ordo.orders", heldHelp, tags.and("source", "strategy").and("status", status), n, null));
      expertByStatus.forEach((status, n) -> gauge(f, "ordo.orders", heldHelp, tags.and("source", "expert").and("status", status), n, null));
      transactions.forEach((key, n) -> gauge(f, "ordo.expert.transactions", "an expert's transactions kept in its state, by status",
          tags.and("expert", key.substring(0, key.indexOf('|'))).and("status", key.substring(key.indexOf('|') + 1)), n, null));
      long fills = 0;
      long open = 0;
      Map<String, BigDecimal> pnl = new TreeMap<>();
      for (Position.State p : positions.join()) {
        fills += p.fills();
        if (p.position().quantity().signum() != 0) open++;
        pnl.merge(queries.currencyOf(p.instrument()), p.position().realizedPnl(), BigDecimal::add);
      }
      counter(f, "ordo.fills", "fills applied to positions (each TradeId once)", tags, fills);
      gauge(f, "ordo.positions.open", "instruments with a position that is not flat", tags, open, null);
      pnl.forEach((currency, amount) -> gauge(f, "ordo.pnl.realized", "realized P&L of the account's positions, no fees",
          tags.and("currency", currency), amount.doubleValue(), null));
    });
  }

  private void counter(Figures f, String name, String help, Tags tags, double value) {
    String key = key(name, tags);
    f.values().put(key, value);
    f.meters().add(() -> FunctionCounter.builder(name, this, m -> m.latest.getOrDefault(key, 0.0)).description(help).tags(tags).register(registry));
  }

  private void gauge(Figures f, String name, String help, Tags tags, double value, String unit) {
    String key = key(name, tags);
    f.values().put(key, value);
    f.meters().add(() -> Gauge.builder(name, this, m -> m.latest.getOrDefault(key, Double.NaN)).description(help).tags(tags).baseUnit(unit)
        .register(registry));
  }

  private static String key(String name, Tags tags) {
    StringBuilder key = new StringBuilder(name);
    tags.forEach(t -> key.append('|').append(t.getKey()).append('=').append(t.getValue()));
    return key.toString();
  }
}

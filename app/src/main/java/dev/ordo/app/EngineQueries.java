package dev.ordo.app;

import dev.ordo.app.api.PositionView;
import dev.ordo.app.api.ApiTimes;
import dev.ordo.app.api.RiskView;
import dev.ordo.app.api.StatusView;
import dev.ordo.engine.risk.AccountRisk;
import dev.ordo.engine.broker.AuthSession;
import dev.ordo.engine.broker.BrokerGateway;
import dev.ordo.engine.broker.Reconciler;
import dev.ordo.engine.calendar.VenueZones;
import dev.ordo.engine.marketdata.BarDelivery;
import dev.ordo.engine.marketdata.MarketDataConnection;
import dev.ordo.engine.marketdata.ReplayDriver;
import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.model.Instrument;
import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.model.RoundTrip;
import dev.ordo.engine.schedule.TaskScheduler;
import dev.ordo.engine.service.ServiceManager;
import dev.ordo.engine.service.TradingService;
import dev.ordo.engine.trading.OrderRecord;
import dev.ordo.engine.trading.Position;
import dev.ordo.engine.trading.SymbolTrader;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * Read-only questions to the running engine, answered by asking its actors (never by reading
 * their state from outside). Used by the HTTP API and the report. Domain answers ({@link RoundTrip},
 * {@link OrderRecord}, entity states) for the engine's own checks; the API's shapes
 * ({@code dev.ordo.app.api}) where a caller shows them.
 */
public final class EngineQueries {

  private final ActorSystem<?> system;
  private final ClusterSharding sharding;
  /** The manager of each account's service: one for every account of a replay, one per account (a cluster singleton) live. */
  private final Map<AccountId, ActorRef<ServiceManager.Command>> services;
  private final Map<InstrumentId, Instrument> instruments;
  private final Map<AccountId, java.util.SortedSet<InstrumentId>> instrumentsByAccount;
  private final Duration timeout;
  private final Duration partTimeout;
  private final java.time.Clock wallClock;
  private final Duration controlTimeout;
  /** Each paper account's replay driver; replaced whole (an immutable map) while the engine is wired, before HTTP is up. */
  private volatile Map<AccountId, ActorRef<ReplayDriver.Command>> replays = Map.of();

  /**
   * @param services             the manager of each account's service
   * @param instrumentsByAccount the instruments each account trades
   */
  EngineQueries(ActorSystem<?> system, Map<AccountId, ActorRef<ServiceManager.Command>> services, Map<AccountId, ? extends Collection<Instrument>> instrumentsByAccount,
      Duration timeout) {
    this(system, services, instrumentsByAccount, timeout, java.time.Clock.systemUTC());
  }

  /** @param wallClock the machine's clock, against which heartbeats are judged stale */
  EngineQueries(ActorSystem<?> system, Map<AccountId, ActorRef<ServiceManager.Command>> services,
      Map<AccountId, ? extends Collection<Instrument>> instrumentsByAccount, Duration timeout, java.time.Clock wallClock) {
    this.wallClock = wallClock;
    this.system = system;
    this.sharding = ClusterSharding.get(system);
    this.services = Map.copyOf(services);
    this.instruments = new TreeMap<>();
    Map<AccountId, java.util.SortedSet<InstrumentId>> byAccount = new TreeMap<>();
    instrumentsByAccount.forEach((account, list) -> {
      java.util.SortedSet<InstrumentId> ids = new TreeSet<>();
      for (Instrument instrument : list) {
        this.instruments.put(instrument.id(), instrument);
        ids.add(instrument.id());
      }
      byAccount.put(account, java.util.Collections.unmodifiableSortedSet(ids));
    });
    this.instrumentsByAccount = java.util.Collections.unmodifiableMap(byAccount);
    this.timeout = timeout;
    this.partTimeout = timeout.compareTo(Duration.ofSeconds(3)) < 0 ? timeout : Duration.ofSeconds(3);
    this.controlTimeout = Duration.ofSeconds(120);
  }

  /** Each paper account's bar files by instrument; replaced whole (an immutable map) while the engine is wired, before HTTP is up. */
  private volatile Map<AccountId, Map<InstrumentId, dev.ordo.engine.marketdata.BarSource>> barSources = Map.of();

  void attachBarSources(AccountId account, List<? extends dev.ordo.engine.marketdata.BarSource> sources) {
    Map<InstrumentId, dev.ordo.engine.marketdata.BarSource> byInstrument = new TreeMap<>();
    for (dev.ordo.engine.marketdata.BarSource source : sources) byInstrument.put(source.instrument().id(), source);
    Map<AccountId, Map<InstrumentId, dev.ordo.engine.marketdata.BarSource>> next = new TreeMap<>(barSources);
    next.put(account, java.util.Collections.unmodifiableMap(byInstrument));
    barSources = java.util.Collections.unmodifiableMap(next);
  }

  /**
   * The last {@code limit} bars of {@code instrument} that the symbol trader of {@code account} applied (open time at or before its
   * last bar applied), oldest first, with how many it applied in all; read from the replay's bar file on the blocking-I/O
   * dispatcher. Empty for an account without bar files (a live account) or a trader that applied no bar yet.
   */
  public CompletionStage<RecentBars> bars(AccountId account, InstrumentId instrument, int limit) {
    dev.ordo.engine.marketdata.BarSource source = barSources.getOrDefault(account, Map.of()).get(instrument);
    if (source == null) return CompletableFuture.completedFuture(new RecentBars(0, List.of()));
    java.util.concurrent.Executor blocking = system.dispatchers().lookup(org.apache.pekko.actor.typed.DispatcherSelector.blocking());
    return symbol(account, instrument).thenApplyAsync(state -> {
      OffsetDateTime last = state.lastBarApplied();
      if (last == null) return new RecentBars(0, List.of());
      // the bars opening at or before the last one applied, found in the file's open times; only the last `limit` are read
      int applied = source.countUpTo(last);
      int first = Math.max(0, applied - limit);
      List<dev.ordo.engine.model.Bar> kept = new ArrayList<>(applied - first);
      if (applied > 0)
        for (java.util.Iterator<dev.ordo.engine.model.Bar> bars = source.readFrom(first); bars.hasNext() && kept.size() < applied - first; )
          kept.add(bars.next());
      return new RecentBars(applied, List.copyOf(kept));
    }, blocking);
  }

  /**
   * Bars of one instrument.
   *
   * @param applied bars applied in all
   * @param bars    the last ones asked for, oldest first
   */
  public record RecentBars(long applied, List<dev.ordo.engine.model.Bar> bars) {}

  void attachReplay(AccountId account, ActorRef<ReplayDriver.Command> driver) {
    Map<AccountId, ActorRef<ReplayDriver.Command>> next = new TreeMap<>(replays);
    next.put(account, driver);
    replays = java.util.Collections.unmodifiableMap(next);
  }

  /** Every account of the process, its service running or not. */
  public CompletionStage<Set<AccountId>> accounts() {
    return accountStates().thenApply(map -> new TreeSet<>(map.keySet()));
  }

  /** The instrument of {@code account} named {@code text}: {@code SYMBOL.VENUE}, or a full trading symbol traded on one venue only. */
  public Optional<InstrumentId> instrument(AccountId account, String text) {
    Set<InstrumentId> traded = instrumentsOf(account);
    for (InstrumentId id : traded) if (id.toString().equals(text)) return Optional.of(id);
    List<InstrumentId> bySymbol = traded.stream().filter(id -> id.symbol().equals(text)).toList();
    return bySymbol.size() == 1 ? Optional.of(bySymbol.get(0)) : Optional.empty();
  }

  /** The instruments of every account, sorted. */
  public Set<InstrumentId> instruments() {
    return instruments.keySet();
  }

  /** The accounts configured in this process (whether their service runs or not). */
  public Set<AccountId> knownAccounts() {
    return instrumentsByAccount.keySet();
  }

  /** The instruments {@code account} trades, sorted; empty for an account not known. */
  public Set<InstrumentId> instrumentsOf(AccountId account) {
    return instrumentsByAccount.getOrDefault(account, java.util.Collections.emptySortedSet());
  }

  /** The currency {@code instrument} is quoted in ({@code INR}, {@code USDT}). */
  public String currencyOf(InstrumentId instrument) {
    Instrument known = instruments.get(instrument);
    if (known == null) throw new IllegalArgumentException(instrument + " is not traded here");
    return known.currency();
  }

  /** State of the symbol trader of {@code account} and {@code instrument}. */
  public CompletionStage<SymbolTrader.State> symbol(AccountId account, InstrumentId instrument) {
    return sharding.entityRefFor(SymbolTrader.ENTITY_TYPE_KEY, SymbolTrader.entityId(account, instrument))
        .ask(SymbolTrader.GetState::new, timeout);
  }

  /**
   * The bars of the symbol trader of {@code account} and {@code instrument} that its journal holds, oldest first, each with the
   * strategy's state after it ({@code BarApplied} events, read through the read journal). In a replay a bar is journaled only when
   * it decided something (an order, a stop move), so these are the bars where the strategy acted, not every bar.
   */
  public CompletionStage<List<SymbolTrader.BarApplied>> barsApplied(AccountId account, InstrumentId instrument) {
    return dev.ordo.persistence.JournalReader.of(system).events(SymbolTrader.ENTITY_TYPE_KEY.name() + "|" + SymbolTrader.entityId(account, instrument))
        .thenApply(entries -> entries.stream().map(dev.ordo.persistence.JournalReader.Entry::event)
            .filter(SymbolTrader.BarApplied.class::isInstance).map(SymbolTrader.BarApplied.class::cast).toList());
  }

  /** How far each instrument's trader has applied the market data. */
  public CompletionStage<Map<InstrumentId, SymbolTrader.Progress>> progress(AccountId account) {
    return forEachInstrument(account, id -> sharding.entityRefFor(SymbolTrader.ENTITY_TYPE_KEY, SymbolTrader.entityId(account, id))
        .ask(SymbolTrader.GetProgress::new, timeout));
  }

  /** Positions that have had at least one fill, by instrument. */
  public CompletionStage<List<PositionView>> positions(AccountId account) {
    return forEachInstrument(account, id -> sharding.entityRefFor(Position.ENTITY_TYPE_KEY, Position.entityId(account, id))
        .ask(Position.GetPosition::new, timeout))
        .thenApply(map -> map.values().stream().filter(p -> p.fills() > 0)
            .map(p -> PositionView.of(p.account(), p.instrument(), currencyOf(p.instrument()), p.position(), p.fills())).toList());
  }

  /** The position entities' own states (with the trade ids they applied), for instruments with fills. */
  public CompletionStage<List<Position.State>> positionStates(AccountId account) {
    return forEachInstrument(account, id -> sharding.entityRefFor(Position.ENTITY_TYPE_KEY, Position.entityId(account, id))
        .ask(Position.GetPosition::new, timeout))
        .thenApply(map -> map.values().stream().filter(p -> p.fills() > 0).toList());
  }

  /** Working orders and the most recent closed ones of every trader, oldest first. */
  public CompletionStage<List<OrderRecord>> orders(AccountId account) {
    return symbolStates(account).thenApply(states -> states.values().stream().flatMap(s -> s.orders().stream())
        .sorted(Comparator.comparing(OrderRecord::submittedAt).thenComparing(o -> o.clientOrderId().value())).toList());
  }

  /**
   * Every closed round trip of {@code account}'s traders, by entry time then instrument: read from each trader's journal (a trader's
   * state keeps only its last {@value SymbolTrader#ROUND_TRIPS_KEPT}), folded by the trader's own event handler.
   */
  public CompletionStage<List<RoundTrip>> trades(AccountId account) {
    java.util.function.Function<InstrumentId, dev.ordo.engine.strategy.Strategy> strategies =
        dev.ordo.app.audit.AuditInput.strategies(system.settings().config());
    dev.ordo.persistence.JournalReader journal = dev.ordo.persistence.JournalReader.of(system);
    return forEachInstrument(account, id -> journal.events("SymbolTrader|" + SymbolTrader.entityId(account, id)).thenApply(entries ->
        SymbolTrader.roundTripsOf(id, strategies.apply(id), () -> entries.stream().map(e -> (SymbolTrader.Event) e.event()).iterator())))
        .thenApply(byInstrument -> byInstrument.values().stream().flatMap(List::stream)
            .sorted(Comparator.comparing((RoundTrip t) -> t.entryTime().toInstant()).thenComparing(RoundTrip::instrument)).toList());
  }

  /** Every symbol trader's state of {@code account}, by instrument. */
  public CompletionStage<Map<InstrumentId, SymbolTrader.State>> symbolStates(AccountId account) {
    return forEachInstrument(account, id -> symbol(account, id));
  }

  /** The engine's status, with every account's; a part of an account that does not answer in time is shown as null. */
  public CompletionStage<StatusView> status() {
    ZoneId zone = VenueZones.commonZone(instruments.keySet());
    Map<AccountId, ActorRef<ReplayDriver.Command>> drivers = replays;
    return accountStates().toCompletableFuture().thenCompose(states -> {
      List<CompletableFuture<StatusView.AccountStatus>> each = new ArrayList<>();
      states.forEach((account, state) -> each.add(accountStatus(account, state, drivers.get(account), zone)));
      return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new))
          .thenApply(ignored -> new StatusView(StatusView.State.RUNNING, List.copyOf(instruments.keySet()),
              each.stream().map(CompletableFuture::join).toList()));
    });
  }

  // ---------------------------------------------------------------- experts

  /** The state of expert {@code expertId} (not configured: null settings). */
  public CompletionStage<dev.ordo.engine.expert.Expert.State> expert(String expertId) {
    return sharding.entityRefFor(dev.ordo.engine.expert.Expert.ENTITY_TYPE_KEY, expertId)
        .ask(dev.ordo.engine.expert.Expert.GetState::new, timeout);
  }

  /** Every configured expert, by id: those of the journal ({@code Expert|id}). */
  public CompletionStage<List<dev.ordo.engine.expert.Expert.State>> experts() {
    return expertStates(system, timeout);
  }

  /** Every configured expert of {@code system}'s journal, by id, each asked for its state. */
  static CompletionStage<List<dev.ordo.engine.expert.Expert.State>> expertStates(ActorSystem<?> system, Duration timeout) {
    ClusterSharding sharding = ClusterSharding.get(system);
    // the experts' persistence ids, as Expert makes them: PersistenceId.of(its entity type, its id)
    String prefix = dev.ordo.engine.expert.Expert.ENTITY_TYPE_KEY.name() + org.apache.pekko.persistence.typed.PersistenceId.DefaultSeparator();
    return dev.ordo.persistence.JournalReader.of(system).persistenceIdsStartingWith(prefix).thenCompose(ids -> {
      List<CompletableFuture<dev.ordo.engine.expert.Expert.State>> asks = new ArrayList<>();
      for (String id : ids)
        asks.add(sharding.entityRefFor(dev.ordo.engine.expert.Expert.ENTITY_TYPE_KEY, id.substring(prefix.length()))
            .ask(dev.ordo.engine.expert.Expert.GetState::new, timeout).toCompletableFuture());
      return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new))
          .thenApply(ignored -> asks.stream().map(CompletableFuture::join).filter(dev.ordo.engine.expert.Expert.State::exists).toList());
    });
  }

  /** The ids of the experts of {@code account}: what {@code market-open-exits} asks to sell overnight holdings. */
  static CompletionStage<List<String>> expertIdsOf(ActorSystem<?> system, AccountId account, Duration timeout) {
    return expertStates(system, timeout).thenApply(states -> states.stream().filter(s -> s.settings().account().equals(account))
        .map(dev.ordo.engine.expert.Expert.State::expertId).toList());
  }

  /** Creates or changes expert {@code expertId}, asked by {@code subject}. */
  public CompletionStage<dev.ordo.engine.expert.Expert.State> configureExpert(String expertId, dev.ordo.engine.expert.Expert.Settings settings,
      String subject) {
    return sharding.entityRefFor(dev.ordo.engine.expert.Expert.ENTITY_TYPE_KEY, expertId)
        .ask(replyTo -> new dev.ordo.engine.expert.Expert.Configure(settings, subject, replyTo), timeout);
  }

  /**
   * Sends {@code recommendations} to expert {@code expertId} of {@code account}, with the instruments the
   * account trades and the last price its symbol traders saw of each one recommended; answered once every
   * accepted BUY's entry has the broker's answer.
   */
  public CompletionStage<dev.ordo.engine.expert.Expert.Outcomes> recommend(String expertId, AccountId account,
      List<dev.ordo.engine.expert.Expert.Recommendation> recommendations) {
    Set<InstrumentId> tradable = instrumentsOf(account);
    Set<InstrumentId> recommended = new TreeSet<>();
    for (var r : recommendations) recommended.add(r.instrument());
    // The account's trading state: while it is HALTED a BUY is skipped before any transaction opens (its gateway would refuse the entry anyway)
    CompletableFuture<AccountRisk.Status> risk = orNull(risk(account));
    return lastPrices(account, recommended).toCompletableFuture().thenCombine(risk, (prices, status) -> {
      boolean halted = status != null && status.state() == AccountRisk.TradingState.HALTED;
      return sharding.entityRefFor(dev.ordo.engine.expert.Expert.ENTITY_TYPE_KEY, expertId)
          .<dev.ordo.engine.expert.Expert.Outcomes>ask(replyTo -> new dev.ordo.engine.expert.Expert.Recommend(recommendations, tradable, prices,
              halted, replyTo), controlTimeout);
    }).thenCompose(answer -> answer);
  }

  /**
   * The last close the symbol trader of each of {@code instruments} in {@code account} saw (instrument currency);
   * instruments the account does not trade, and traders without a bar yet or not answering, are left out.
   */
  public CompletionStage<Map<InstrumentId, dev.ordo.engine.model.Price>> lastPrices(AccountId account, Set<InstrumentId> instruments) {
    Set<InstrumentId> tradable = instrumentsOf(account);
    Map<InstrumentId, CompletableFuture<SymbolTrader.LastPrice>> asks = new LinkedHashMap<>();
    for (InstrumentId id : instruments)
      if (tradable.contains(id))
        asks.put(id, orNull(sharding.entityRefFor(SymbolTrader.ENTITY_TYPE_KEY, SymbolTrader.entityId(account, id))
            .ask(SymbolTrader.GetLastPrice::new, partTimeout)));
    return CompletableFuture.allOf(asks.values().toArray(CompletableFuture[]::new)).thenApply(ignored -> {
      Map<InstrumentId, dev.ordo.engine.model.Price> prices = new java.util.TreeMap<>();
      asks.forEach((id, ask) -> {
        SymbolTrader.LastPrice last = ask.join();
        if (last != null && last.price() != null) prices.put(id, last.price());
      });
      return prices;
    });
  }

  /** The cluster's members and the sharded entities on each node ({@code GET /cluster}). */
  public CompletionStage<dev.ordo.app.api.ClusterView> cluster() {
    org.apache.pekko.cluster.ClusterEvent.CurrentClusterState state = org.apache.pekko.cluster.Cluster.get(system.classicSystem()).state();
    Set<org.apache.pekko.cluster.Member> unreachable = state.getUnreachable();
    org.apache.pekko.cluster.Member oldest = null;
    for (org.apache.pekko.cluster.Member member : state.getMembers())
      if (member.status() == org.apache.pekko.cluster.MemberStatus.up() && (oldest == null || member.isOlderThan(oldest))) oldest = member;
    List<dev.ordo.app.api.ClusterView.Member> members = new ArrayList<>();
    for (org.apache.pekko.cluster.Member member : state.getMembers())
      members.add(new dev.ordo.app.api.ClusterView.Member(member.address().toString(), member.status().toString(),
          !unreachable.contains(member), member.equals(oldest)));
    Map<String, CompletableFuture<org.apache.pekko.cluster.sharding.ShardRegion.ClusterShardingStats>> stats = new java.util.LinkedHashMap<>();
    List<org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey<?>> types = List.of(SymbolTrader.ENTITY_TYPE_KEY,
        dev.ordo.engine.trading.Position.ENTITY_TYPE_KEY, dev.ordo.engine.expert.Expert.ENTITY_TYPE_KEY, AccountRisk.ENTITY_TYPE_KEY);
    for (var type : types)
      stats.put(type.name(), orNull(AskPattern.<org.apache.pekko.cluster.sharding.typed.ClusterShardingQuery,
          org.apache.pekko.cluster.sharding.ShardRegion.ClusterShardingStats>ask(sharding.shardState(),
          replyTo -> new org.apache.pekko.cluster.sharding.typed.GetClusterShardingStats(type, partTimeout, replyTo), timeout, system.scheduler())));
    String leader = state.getLeader() == null ? null : state.getLeader().toString();
    return CompletableFuture.allOf(stats.values().toArray(CompletableFuture[]::new)).thenApply(ignored -> {
      Map<String, Map<String, Integer>> entities = new TreeMap<>();
      stats.forEach((type, ask) -> {
        var answer = ask.join();
        if (answer == null) return;
        Map<String, Integer> byNode = new TreeMap<>();
        answer.getRegions().forEach((address, region) ->
            byNode.put(address.toString(), region.getStats().values().stream().mapToInt(count -> ((Number) count).intValue()).sum()));
        entities.put(type, byNode);
      });
      return new dev.ordo.app.api.ClusterView(system.address().toString(), leader, members, entities);
    });
  }

  /** Every account of the process, started or not, with its service's state. */
  public CompletionStage<Map<AccountId, ServiceManager.AccountState>> accountStates() {
    // A manager that does not answer (its node was lost and the account's service is moving to another) leaves its accounts
    // UNREACHABLE rather than failing the whole question.
    Map<ActorRef<ServiceManager.Command>, CompletableFuture<ServiceManager.Accounts>> asks = new java.util.LinkedHashMap<>();
    for (ActorRef<ServiceManager.Command> manager : services.values())
      asks.computeIfAbsent(manager, m -> orNull(AskPattern.<ServiceManager.Command, ServiceManager.Accounts>ask(m, ServiceManager.GetAccounts::new,
          partTimeout, system.scheduler())));
    return CompletableFuture.allOf(asks.values().toArray(CompletableFuture[]::new)).thenApply(ignored -> {
      Map<AccountId, ServiceManager.AccountState> all = new TreeMap<>();
      services.forEach((account, manager) -> {
        ServiceManager.Accounts answer = asks.get(manager).join();
        if (answer != null) all.putAll(answer.byAccount());
        else all.put(account, new ServiceManager.AccountState(ServiceManager.ServiceState.UNREACHABLE,
            "the manager of its service does not answer (its node was lost: the service is moving to another)", wallClock.instant(), null,
            null, null));
      });
      return java.util.Collections.unmodifiableMap(all);
    });
  }

  /** Starts the stopped (or failed) service of {@code account}, asked by {@code subject}; answered once it runs again (or could not). */
  public CompletionStage<ServiceManager.ControlAnswer> startService(AccountId account, String subject) {
    ActorRef<ServiceManager.Command> manager = services.get(account);
    if (manager == null)
      return CompletableFuture.completedFuture(new ServiceManager.UnknownAccount(account, services.keySet().stream().sorted().toList()));
    return AskPattern.ask(manager, replyTo -> new ServiceManager.Start(account, subject, replyTo), controlTimeout, system.scheduler());
  }

  /** Stops the running service of {@code account} gracefully, asked by {@code subject}; answered once it stopped. */
  public CompletionStage<ServiceManager.ControlAnswer> stopService(AccountId account, String subject) {
    ActorRef<ServiceManager.Command> manager = services.get(account);
    if (manager == null)
      return CompletableFuture.completedFuture(new ServiceManager.UnknownAccount(account, services.keySet().stream().sorted().toList()));
    return AskPattern.ask(manager, replyTo -> new ServiceManager.Stop(account, subject, replyTo), controlTimeout, system.scheduler());
  }

  /** The kill switch: halts {@code account} (entries refused, exits go on), asked by {@code subject}; journaled by its risk actor. */
  public CompletionStage<AccountRisk.ControlAnswer> halt(AccountId account, String subject) {
    return AccountRisk.of(system, account).ask(replyTo -> new AccountRisk.Halt(subject, null, replyTo), timeout);
  }

  /** Makes the halted {@code account} ACTIVE again, asked by {@code subject}; journaled by its risk actor. */
  public CompletionStage<AccountRisk.ControlAnswer> resume(AccountId account, String subject) {
    return AccountRisk.of(system, account).ask(replyTo -> new AccountRisk.Resume(subject, replyTo), timeout);
  }

  /** The trading state, limits and today's realized P&amp;L of {@code account}; fails when its risk actor does not answer. */
  public CompletionStage<AccountRisk.Status> risk(AccountId account) {
    try {
      return AccountRisk.of(system, account).ask(AccountRisk.GetStatus::new, partTimeout);
    } catch (RuntimeException e) { // the risk entity type is not started in this system
      return CompletableFuture.failedFuture(e);
    }
  }

  /** The currency amounts of {@code account} are in: that of its instruments (INR when it has none). */
  public String currencyOfAccount(AccountId account) {
    return instrumentsOf(account).stream().findFirst().map(this::currencyOf).orElse("INR");
  }

  /**
   * Runs {@code task} of {@code account} now, asked by {@code subject}; answered with its run once it ended.
   *
   * @return empty when the account's service does not run (nothing to run the task on)
   */
  public CompletionStage<Optional<TaskScheduler.RunAnswer>> runTask(AccountId account, String task, String subject) {
    return runningParts(account).thenCompose(parts -> parts.isEmpty() || parts.get().scheduler() == null
        ? CompletableFuture.completedFuture(Optional.<TaskScheduler.RunAnswer>empty())
        : AskPattern.<TaskScheduler.Command, TaskScheduler.RunAnswer>ask(parts.get().scheduler(),
            replyTo -> new TaskScheduler.RunNow(task, subject, replyTo), controlTimeout, system.scheduler()).thenApply(Optional::of));
  }

  /** The parts of {@code account}'s running service; empty when it does not run. */
  public CompletionStage<Optional<TradingService.Parts>> runningParts(AccountId account) {
    return accountStates().thenCompose(states -> {
      ServiceManager.AccountState state = states.get(account);
      if (state == null || state.service() == null) return CompletableFuture.completedFuture(Optional.<TradingService.Parts>empty());
      return AskPattern.<TradingService.Command, TradingService.Parts>ask(state.service(), TradingService.GetParts::new, timeout,
          system.scheduler()).thenApply(Optional::of);
    });
  }

  /**
   * The replay driver of {@code account} on another node of the cluster (listed under {@link ReplayDriver#serviceKey}); empty for a
   * live account, or before the driving node listed it.
   */
  private CompletionStage<Optional<ActorRef<ReplayDriver.Command>>> listedDriver(AccountId account) {
    org.apache.pekko.actor.typed.receptionist.ServiceKey<ReplayDriver.Command> key = ReplayDriver.serviceKey(account);
    return AskPattern.<org.apache.pekko.actor.typed.receptionist.Receptionist.Command, org.apache.pekko.actor.typed.receptionist.Receptionist.Listing>ask(
            system.receptionist(), replyTo -> org.apache.pekko.actor.typed.receptionist.Receptionist.find(key, replyTo), partTimeout, system.scheduler())
        .thenApply(listing -> listing.getServiceInstances(key).stream().findFirst());
  }

  private CompletableFuture<StatusView.AccountStatus> accountStatus(AccountId account, ServiceManager.AccountState state,
      ActorRef<ReplayDriver.Command> driver, ZoneId engineZone) {
    ZoneId zone = instrumentsOf(account).isEmpty() ? engineZone : VenueZones.commonZone(instrumentsOf(account));
    List<InstrumentId> traded = List.copyOf(instrumentsOf(account));
    CompletableFuture<StatusView.Replay> replay = orNull((driver != null ? CompletableFuture.completedFuture(Optional.of(driver))
        : listedDriver(account))
        .thenCompose(found -> found.isEmpty() ? CompletableFuture.completedFuture(null)
            : AskPattern.<ReplayDriver.Command, ReplayDriver.Progress>ask(found.get(), ReplayDriver.GetProgress::new, partTimeout, system.scheduler())
                .thenApply(progress -> StatusView.Replay.of(account, progress, zone))));
    CompletableFuture<RiskView> risk = orNull(risk(account)).thenApply(r -> RiskView.of(r, currencyOfAccount(account), zone));
    return replay.thenCompose(r -> serviceStatus(account, traded, r, state, zone)).thenCombine(risk, StatusView.AccountStatus::withRisk);
  }

  private CompletableFuture<StatusView.AccountStatus> serviceStatus(AccountId account, List<InstrumentId> traded, StatusView.Replay replay,
      ServiceManager.AccountState state, ZoneId zone) {
    StatusView.ServiceState service = StatusView.ServiceState.valueOf(state.state().name());
    OffsetDateTime since = ApiTimes.of(state.since(), zone);
    if (state.service() == null)
      return CompletableFuture.completedFuture(new StatusView.AccountStatus(account, service, state.reason(), since, state.changedBy(), state.node(), null,
          traded, replay, null, null, null, null, null, null, null, List.of(), null));
    CompletableFuture<TradingService.Parts> parts = orNull(AskPattern.<TradingService.Command, TradingService.Parts>ask(state.service(),
        TradingService.GetParts::new, partTimeout, system.scheduler()));
    CompletableFuture<TradingService.Heartbeat> heartbeat = orNull(AskPattern.<TradingService.Command, TradingService.Heartbeat>ask(
        state.service(), TradingService.GetHeartbeat::new, partTimeout, system.scheduler()));
    return parts.thenCombine(heartbeat, (p, beat) -> new Object[] {p, beat}).thenCompose(pair -> {
      TradingService.Parts p = (TradingService.Parts) pair[0];
      TradingService.Heartbeat beat = (TradingService.Heartbeat) pair[1];
      boolean stale = service == StatusView.ServiceState.RUNNING && (beat == null || beat.staleAt(wallClock.instant()));
      StatusView.ServiceState shown = stale ? StatusView.ServiceState.STALE : service;
      String reason = beat == null && state.service() != null ? "the trading service does not answer" : stale
          ? "no heartbeat since " + (beat.lastBeat() == null ? "its start " + beat.startedAt() : beat.lastBeat()) : state.reason();
      OffsetDateTime lastBeat = beat == null ? null : ApiTimes.of(beat.lastBeat(), zone);
      if (p == null)
        return CompletableFuture.completedFuture(new StatusView.AccountStatus(account, shown, reason, since, state.changedBy(), state.node(), lastBeat,
            traded, replay, null, null, null, null, null, null, null, List.of(), null));
      CompletableFuture<StatusView.Feed> marketData = p.barDelivery() != null ? orNull(deliveryStatus(p.barDelivery(), zone))
          : p.marketData() != null ? orNull(streamStatus(p.marketData())) : CompletableFuture.completedFuture(null);
      CompletableFuture<StatusView.Feed> orderFeed = p.orderFeed() == null ? CompletableFuture.completedFuture(null) : orNull(streamStatus(p.orderFeed()));
      CompletableFuture<AuthSession.Status> auth = orNull(AskPattern.<AuthSession.Command, AuthSession.Status>ask(p.authSession(),
          AuthSession.GetStatus::new, partTimeout, system.scheduler()));
      CompletableFuture<BrokerGateway.Status> gateway = orNull(AskPattern.<BrokerGateway.Command, BrokerGateway.Status>ask(p.gateway(),
          BrokerGateway.GetStatus::new, partTimeout, system.scheduler()));
      CompletableFuture<Reconciler.State> reconciler = p.reconciler() == null ? CompletableFuture.completedFuture(null)
          : orNull(AskPattern.<Reconciler.Command, Reconciler.State>ask(p.reconciler(), Reconciler.GetState::new, partTimeout, system.scheduler()));
      CompletableFuture<Reconciler.Stats> reconciliations = p.reconciler() == null ? CompletableFuture.completedFuture(null)
          : orNull(AskPattern.<Reconciler.Command, Reconciler.Stats>ask(p.reconciler(), Reconciler.GetStats::new, partTimeout, system.scheduler()));
      CompletableFuture<TaskScheduler.Status> tasks = p.scheduler() == null ? CompletableFuture.completedFuture(null)
          : orNull(AskPattern.<TaskScheduler.Command, TaskScheduler.Status>ask(p.scheduler(), TaskScheduler.GetStatus::new, partTimeout,
              system.scheduler()));
      CompletableFuture<dev.ordo.engine.scanner.Scanner.Status> scanner = p.scanner() == null ? CompletableFuture.completedFuture(null)
          : orNull(AskPattern.<dev.ordo.engine.scanner.Scanner.Command, dev.ordo.engine.scanner.Scanner.Status>ask(p.scanner(),
              dev.ordo.engine.scanner.Scanner.GetStatus::new, partTimeout, system.scheduler()));
      return CompletableFuture.allOf(marketData, orderFeed, auth, gateway, reconciler, reconciliations, tasks, scanner).thenApply(ignored -> {
        TaskScheduler.Status t = tasks.join();
        return new StatusView.AccountStatus(account, shown, reason, since, state.changedBy(), state.node(), lastBeat, traded, replay, marketData.join(),
            orderFeed.join(),
            StatusView.Auth.of(auth.join(), zone), StatusView.Gateway.of(gateway.join()),
            reconciler.join() == null ? null : StatusView.Reconciliation.of(account, reconciler.join(), reconciliations.join(), zone),
            scanner.join() == null ? null : StatusView.ScannerView.of(scanner.join(), zone),
            t == null ? null : ApiTimes.of(t.nextDue(), zone),
            t == null ? List.of() : t.tasks().stream().map(task -> StatusView.TaskView.of(task, zone)).toList(), null);
      });
    });
  }

  /** {@code ask}'s answer, or null when it fails or times out: one part that hangs does not hide the rest of the status. */
  private static <T> CompletableFuture<T> orNull(CompletionStage<T> ask) {
    return ask.toCompletableFuture().exceptionally(failure -> null);
  }

  private CompletableFuture<StatusView.Feed> streamStatus(ActorRef<MarketDataConnection.Command> connection) {
    return AskPattern.<MarketDataConnection.Command, MarketDataConnection.Status>ask(connection, MarketDataConnection.GetStatus::new, timeout,
        system.scheduler()).thenApply(StatusView.Feed::of).toCompletableFuture();
  }

  private CompletableFuture<StatusView.Feed> deliveryStatus(ActorRef<BarDelivery.Command> delivery, ZoneId zone) {
    return AskPattern.<BarDelivery.Command, BarDelivery.Status>ask(delivery, BarDelivery.GetStatus::new, timeout, system.scheduler())
        .thenApply(status -> StatusView.Feed.of(status, zone)).toCompletableFuture();
  }

  private <T> CompletionStage<Map<InstrumentId, T>> forEachInstrument(AccountId account, Function<InstrumentId, CompletionStage<T>> ask) {
    Map<InstrumentId, CompletableFuture<T>> asks = new LinkedHashMap<>();
    for (InstrumentId id : instrumentsOf(account)) asks.put(id, ask.apply(id).toCompletableFuture());
    return CompletableFuture.allOf(asks.values().toArray(CompletableFuture[]::new)).thenApply(ignored -> {
      Map<InstrumentId, T> result = new LinkedHashMap<>();
      asks.forEach((id, f) -> result.put(id, f.join()));
      return result;
    });
  }
}
